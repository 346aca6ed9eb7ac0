//! The classification rules: what one entry's appearance, disappearance or change means for
//! users, by the direction the value travels.
//!
//! The principle (oasdiff's, and semver's): for what the client **sends** (inputs), a wider
//! accepted set is additive and a narrower one breaking; for what it **receives** (outputs),
//! the reverse, except where our generated Rust absorbs the difference (open enums take
//! unknown values; every type is `#[non_exhaustive]`, so a new field is additive). A value
//! used both ways takes the stricter verdict. Each rule is stated beside its code.
//!
//! Some changes touch the Rust API and not the wire: a field of a generated type that turns
//! between `T` and `Option<T>` (breaking: code reading it stops compiling), and a field that
//! generated builders now require (additive on the wire; code that builds the type without it
//! gets an error from the builder). Those lines say "Rust API" and what happens.

use super::directions::INPUT;
use super::model::{alternatives, Direction, Entry, Kind};
use super::schema::{Range, Schema};
use super::{change, list, Change, Impact};
use std::collections::BTreeSet;

/// An entry that exists only in the new contract.
pub fn added(key: &str, entry: &Entry) -> Change {
    let (impact, what) = match &entry.kind {
        Kind::ProviderName(name) => (
            Impact::None,
            format!("the provider's name is {name} (ours is kept by openapi/names.yaml)"),
        ),
        // Another media type for a request body: calls keep sending the one they send.
        Kind::Input { schema, .. } if is_body_media(key) => (
            Impact::Additive,
            format!("the request body may now also be sent as this media type ({schema})"),
        ),
        // A new input that calls must send: existing calls do not send it.
        Kind::Input { schema, required } if *required && entry.parent.is_some() => (
            Impact::Breaking,
            format!("new required input ({schema}); existing calls do not send it"),
        ),
        Kind::Input { schema, .. } => (Impact::Additive, format!("new optional input ({schema})")),
        // A new required field of a type that requests send: existing requests lack it.
        Kind::Field { schema, required } if *required && entry.dir.input => (
            Impact::Breaking,
            format!("new required field ({schema}) in a type that requests send"),
        ),
        // A new field of a received type: additive, the type being #[non_exhaustive]; the
        // generated builders require a required one.
        Kind::Field { required, schema } => {
            let mut what = format!("new field ({schema})");
            if *required && !schema.nullable {
                what.push_str(&format!("; {}", builder_requires(key)));
            }
            (Impact::Additive, what)
        }
        // New enum values: more accepted (input) or absorbed by the open enums (output).
        Kind::Values(values) => (
            Impact::Additive,
            format!("enum values {}", list(values.iter())),
        ),
        Kind::Operation { route, .. } => (Impact::Additive, format!("new operation ({route})")),
        Kind::Type(shape) => (Impact::Additive, format!("new type ({shape})")),
        Kind::Scheme(s) => (Impact::Additive, format!("new security scheme ({s})")),
        Kind::Security(alts) => (
            Impact::Breaking,
            format!("now requires {}", alternatives(alts)),
        ),
        // A success status the client did not know may come back in place of the one it
        // decodes; a newly documented error response is only better typed.
        Kind::Response(ty) if is_success(key) => (
            Impact::Breaking,
            format!("new success response ({ty}): the operation's return type changes"),
        ),
        Kind::Response(ty) => (
            Impact::Additive,
            format!("newly documented error response ({ty})"),
        ),
    };
    change(impact, key, what)
}

/// An entry that exists only in the old contract.
pub fn removed(key: &str, entry: &Entry) -> Change {
    let (impact, what) = match &entry.kind {
        Kind::ProviderName(name) => (
            Impact::None,
            format!("no longer records the provider's name {name}"),
        ),
        // Values gone: refused when sent, and their generated variants go.
        Kind::Values(values) => (
            Impact::Breaking,
            format!("every enum value removed ({})", list(values.iter())),
        ),
        // Errors still decode as the operation's error type.
        Kind::Response(ty) if !is_success(key) => (
            Impact::Additive,
            format!("error response no longer documented (was {ty})"),
        ),
        _ => (Impact::Breaking, "removed".into()),
    };
    change(impact, key, what)
}

/// An entry present on both sides.
pub fn changed(key: &str, o: &Entry, n: &Entry) -> Vec<Change> {
    let mut out = Vec::new();
    if o.doc != n.doc {
        out.push(change(Impact::Docs, key, "doc text changed".into()));
    }
    // A type's direction is the strictest of its old and new uses.
    let dir = Direction {
        input: o.dir.input || n.dir.input,
        output: o.dir.output || n.dir.output,
    };
    match (&o.kind, &n.kind) {
        (Kind::Values(old), Kind::Values(new)) => out.extend(values(key, old, new)),
        (
            Kind::Input {
                schema: os,
                required: oq,
            },
            Kind::Input {
                schema: ns,
                required: nq,
            },
        ) => out.extend(value(key, INPUT, (os, *oq), (ns, *nq), false)),
        (
            Kind::Field {
                schema: os,
                required: oq,
            },
            Kind::Field {
                schema: ns,
                required: nq,
            },
        ) => out.extend(value(key, dir, (os, *oq), (ns, *nq), true)),
        (
            Kind::Operation {
                route: or,
                deprecated: od,
            },
            Kind::Operation {
                route: nr,
                deprecated: nd,
            },
        ) => {
            if or != nr {
                // Our name is kept, the request goes elsewhere.
                let what = format!("now {nr} (was {or})");
                out.push(change(Impact::Breaking, key, what));
            }
            if od != nd {
                out.push(deprecation(key, *nd));
            }
        }
        (Kind::Security(old), Kind::Security(new)) if old != new => {
            out.push(security(key, old, new))
        }
        (Kind::ProviderName(a), Kind::ProviderName(b)) if a != b => out.push(change(
            Impact::None,
            key,
            format!("the provider renamed {a} -> {b} (absorbed by openapi/names.yaml)"),
        )),
        (a, b) if a != b => {
            // A success response's type, a type's shape, a scheme: the wire format changed.
            let impact = match a {
                Kind::Response(_) if !is_success(key) => Impact::Additive,
                _ => Impact::Breaking,
            };
            let what = format!("changed from {} to {}", a.describe(), b.describe());
            out.push(change(impact, key, what));
        }
        _ => {}
    }
    out
}

/// Removed enum values break (refused as input; their variants go); new ones are additive
/// (accepted as input; absorbed by the open enums as output).
fn values(key: &str, old: &BTreeSet<String>, new: &BTreeSet<String>) -> Vec<Change> {
    let mut out = Vec::new();
    let gone: Vec<_> = old.difference(new).collect();
    if !gone.is_empty() {
        let what = format!("enum values removed: {}", list(gone.into_iter()));
        out.push(change(Impact::Breaking, key, what));
    }
    let added: Vec<_> = new.difference(old).collect();
    if !added.is_empty() {
        let what = format!("new enum values: {}", list(added.into_iter()));
        out.push(change(Impact::Additive, key, what));
    }
    out
}

/// Every facet of a parameter, form field or type field (its schema and required-ness), by
/// direction.
fn value(
    key: &str,
    dir: Direction,
    (old, old_required): (&Schema, bool),
    (new, new_required): (&Schema, bool),
    generated_field: bool,
) -> Vec<Change> {
    let facets = [
        base_type(old, new),
        nullability(dir, old, new),
        requiredness(dir, old_required, new_required),
        bounds(dir, old, new),
        default_value(old, new),
        style(old, new),
    ];
    let mut out: Vec<Change> = facets
        .into_iter()
        .flatten()
        .map(|(impact, what)| change(impact, key, what))
        .collect();
    if old.deprecated != new.deprecated {
        out.push(deprecation(key, new.deprecated));
    }
    // A generated struct field is `Option<T>` when it may be missing or null, `T` otherwise.
    let optional = |s: &Schema, required: bool| !required || s.nullable;
    let (was, now) = (optional(old, old_required), optional(new, new_required));
    if generated_field {
        out.extend(rust_field(key, was, now));
    }
    out
}

/// The base type: a different type is a different wire format, either way.
fn base_type(old: &Schema, new: &Schema) -> Option<(Impact, String)> {
    let what = format!("type changed from {} to {}", old.base, new.base);
    (old.base != new.base).then_some((Impact::Breaking, what))
}

/// Null accepted (input: wider) or possible (output: wider, so breaking).
fn nullability(dir: Direction, old: &Schema, new: &Schema) -> Option<(Impact, String)> {
    if old.nullable == new.nullable {
        return None;
    }
    let range = if new.nullable {
        Range::Wider
    } else {
        Range::Narrower
    };
    let what = match (new.nullable, dir.input, dir.output) {
        (true, true, true) => "now nullable: null may be sent and may come back",
        (true, true, false) => "now nullable: null is accepted",
        (true, false, _) => "now nullable: answers may carry null",
        (false, true, true) => "no longer nullable: null is refused and never comes back",
        (false, true, false) => "no longer nullable: null is refused",
        (false, false, _) => "no longer nullable: answers never carry null",
    };
    Some((by_range(dir, range), what.into()))
}

/// Required-ness: required narrows (absence no longer allowed): breaking for an input (calls
/// that leave it out are refused), additive for an output (always present now).
fn requiredness(dir: Direction, old: bool, new: bool) -> Option<(Impact, String)> {
    if old == new {
        return None;
    }
    let (what, range) = if new {
        ("now required", Range::Narrower)
    } else {
        ("now optional", Range::Wider)
    };
    Some((by_range(dir, range), what.into()))
}

/// Bounds: the accepted range, by direction.
fn bounds(dir: Direction, old: &Schema, new: &Schema) -> Option<(Impact, String)> {
    let range = new.bounds.compared_to(&old.bounds);
    if range == Range::Same {
        return None;
    }
    let how = match range {
        Range::Wider => "widened",
        Range::Narrower => "narrowed",
        _ => "changed",
    };
    let (old, new) = (bounds_text(old), bounds_text(new));
    let what = format!("bounds {how} from {old} to {new}");
    Some((by_range(dir, range), what))
}

/// Defaults decide what a call that leaves the value out gets (and what a decoder fills in for
/// a missing field): a default that appears documents it (additive); one that changes or goes
/// changes behaviour (breaking).
fn default_value(old: &Schema, new: &Schema) -> Option<(Impact, String)> {
    match (&old.default, &new.default) {
        (None, Some(d)) => Some((Impact::Additive, format!("default {d} declared"))),
        (Some(d), None) => Some((Impact::Breaking, format!("default {d} removed"))),
        (Some(a), Some(b)) if a != b => Some((
            Impact::Breaking,
            format!("default changed from {a} to {b}: calls that leave it out get {b}"),
        )),
        _ => None,
    }
}

/// A parameter's serialization (`style`/`explode`): another one writes calls differently.
fn style(old: &Schema, new: &Schema) -> Option<(Impact, String)> {
    if old.style == new.style {
        return None;
    }
    let show = |s: &Option<String>| s.clone().unwrap_or_else(|| "the default style".into());
    let (o, n) = (show(&old.style), show(&new.style));
    Some((
        Impact::Breaking,
        format!("serialization changed from {o} to {n}"),
    ))
}

/// A generated field turning between `Option<T>` and `T`: code reading it stops compiling.
fn rust_field(key: &str, was_optional: bool, optional: bool) -> Option<Change> {
    let what = match (was_optional, optional) {
        (true, false) => format!(
            "Rust API: the field's type changes from Option<T> to T; {}",
            builder_requires(key)
        ),
        (false, true) => "Rust API: the field's type changes from T to Option<T>".into(),
        _ => return None,
    };
    Some(change(Impact::Breaking, key, what))
}

/// The sentence every change that adds a builder requirement uses.
fn builder_requires(key: &str) -> String {
    let (ty, field) = key
        .strip_prefix("type ")
        .and_then(|rest| rest.split_once(" ."))
        .unwrap_or((key, ""));
    format!(
        "Rust API: the builder of {ty} now requires `{field}` (code that builds a {ty} without it gets an error from the builder; decoding is unaffected)"
    )
}

/// The direction rule: inputs may widen, outputs may narrow; a value travelling both ways
/// may do neither.
fn by_range(dir: Direction, range: Range) -> Impact {
    let input = !dir.input || range == Range::Wider || range == Range::Same;
    let output = !dir.output || range == Range::Narrower || range == Range::Same;
    if input && output {
        Impact::Additive
    } else {
        Impact::Breaking
    }
}

/// `[1..168] len[..3]`, or `none`.
fn bounds_text(s: &Schema) -> String {
    match s.bounds.to_string().trim() {
        "" => "none".into(),
        text => text.to_string(),
    }
}

/// Deprecation only warns: no call stops working.
fn deprecation(key: &str, now: bool) -> Change {
    let what = if now {
        "now deprecated"
    } else {
        "no longer deprecated"
    };
    change(Impact::Additive, key, what.into())
}

/// An operation's security: a new alternative beside the old ones, or no requirement at all,
/// is additive (old credentials still work); anything else changes what a call must send
/// (breaking).
fn security(key: &str, old: &BTreeSet<String>, new: &BTreeSet<String>) -> Change {
    let open = new.is_empty() || new.contains("anonymous");
    let impact = if open || (new.is_superset(old) && !old.is_empty()) {
        Impact::Additive
    } else {
        Impact::Breaking
    };
    let (old, new) = (alternatives(old), alternatives(new));
    change(impact, key, format!("security changed from {old} to {new}"))
}

/// `operation X body <media type>` (the body itself, not one of its form fields).
fn is_body_media(key: &str) -> bool {
    key.split_once(" body ")
        .is_some_and(|(_, rest)| !rest.contains(" ."))
}

/// `operation X response 2xx ...`.
fn is_success(key: &str) -> bool {
    key.split_once(" response ")
        .is_some_and(|(_, rest)| rest.starts_with('2'))
}
