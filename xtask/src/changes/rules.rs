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

use super::model::{alternatives, Direction, Entry, Kind};
use super::schema::{Range, Schema};
use super::{change, list, Change, Impact};
use std::collections::BTreeSet;

/// An entry that exists only in the new contract.
pub fn added(key: &str, entry: &Entry) -> Vec<Change> {
    let dir = entry.dir;
    let one = |impact, what: String| vec![change(impact, key, what)];
    match &entry.kind {
        Kind::ProviderName(name) => one(
            Impact::None,
            format!("the provider's name is {name} (ours is kept by openapi/names.yaml)"),
        ),
        // Another media type for a request body: calls keep sending the one they send.
        Kind::Input { schema, .. } if is_body_media(key) => one(
            Impact::Additive,
            format!("the request body may now also be sent as this media type ({schema})"),
        ),
        // A new input that calls must send: existing calls do not send it.
        Kind::Input {
            required: true,
            schema,
        } if entry.parent.is_some() => one(
            Impact::Breaking,
            format!("new required input ({schema}); existing calls do not send it"),
        ),
        Kind::Input { schema, .. } => {
            one(Impact::Additive, format!("new optional input ({schema})"))
        }
        // A new field of a type that requests send, required: existing requests lack it.
        Kind::Field {
            required: true,
            schema,
        } if dir.input => one(
            Impact::Breaking,
            format!("new required field ({schema}) in a type that requests send"),
        ),
        // A new field of a received type: the type is #[non_exhaustive], so additive; a
        // required one is also required by the generated builders.
        Kind::Field { required, schema } => {
            let mut what = format!("new field ({schema})");
            if *required && !schema.nullable {
                what.push_str(&format!("; {}", builder_requires(key)));
            }
            one(Impact::Additive, what)
        }
        // New enum values: more accepted (input) or absorbed by the open enums (output).
        Kind::Values(values) => one(
            Impact::Additive,
            format!("enum values {}", list(values.iter())),
        ),
        Kind::Operation { route, .. } => one(Impact::Additive, format!("new operation ({route})")),
        Kind::Type(shape) => one(Impact::Additive, format!("new type ({shape})")),
        Kind::Scheme(s) => one(Impact::Additive, format!("new security scheme ({s})")),
        Kind::Security(alts) => one(
            Impact::Breaking,
            format!("now requires {}", alternatives(alts)),
        ),
        Kind::Response(ty) => vec![response_added(key, ty)],
    }
}

/// A success status the client did not know may now come back in place of the one it decodes
/// (breaking); a newly documented error response is only better typed (additive).
fn response_added(key: &str, ty: &str) -> Change {
    if is_success(key) {
        change(
            Impact::Breaking,
            key,
            format!("new success response ({ty}): the operation's return type changes"),
        )
    } else {
        change(
            Impact::Additive,
            key,
            format!("newly documented error response ({ty})"),
        )
    }
}

/// An entry that exists only in the old contract.
pub fn removed(key: &str, entry: &Entry) -> Vec<Change> {
    let one = |impact, what: String| vec![change(impact, key, what)];
    match &entry.kind {
        Kind::ProviderName(name) => one(
            Impact::None,
            format!("no longer records the provider's name {name}"),
        ),
        // Values gone: refused when sent, and their generated variants go.
        Kind::Values(values) => one(
            Impact::Breaking,
            format!("every enum value removed ({})", list(values.iter())),
        ),
        // An error response no longer documented: errors still decode as the operation's
        // error type.
        Kind::Response(ty) if !is_success(key) => one(
            Impact::Additive,
            format!("error response no longer documented (was {ty})"),
        ),
        _ => one(Impact::Breaking, "removed".into()),
    }
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
                required: or,
            },
            Kind::Input {
                schema: ns,
                required: nr,
            },
        ) => out.extend(value(key, INPUT_ONLY, os, *or, ns, *nr, false)),
        (
            Kind::Field {
                schema: os,
                required: or,
            },
            Kind::Field {
                schema: ns,
                required: nr,
            },
        ) => out.extend(value(key, dir, os, *or, ns, *nr, true)),
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
                out.push(change(
                    Impact::Breaking,
                    key,
                    format!("now {nr} (was {or})"),
                ));
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

const INPUT_ONLY: Direction = Direction {
    input: true,
    output: false,
};

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

/// Every facet of a parameter, form field or type field, by direction.
fn value(
    key: &str,
    dir: Direction,
    old: &Schema,
    old_required: bool,
    new: &Schema,
    new_required: bool,
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
    if generated_field {
        out.extend(rust_field(key, old, old_required, new, new_required));
    }
    out
}

/// The base type: a different type is a different wire format, either way.
fn base_type(old: &Schema, new: &Schema) -> Option<(Impact, String)> {
    (old.base != new.base).then(|| {
        (
            Impact::Breaking,
            format!("type changed from {} to {}", old.base, new.base),
        )
    })
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
fn requiredness(
    dir: Direction,
    old_required: bool,
    new_required: bool,
) -> Option<(Impact, String)> {
    if old_required == new_required {
        return None;
    }
    let (what, range) = if new_required {
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
    let (ob, nb) = (bounds_text(old), bounds_text(new));
    Some((
        by_range(dir, range),
        format!("bounds {how} from {ob} to {nb}"),
    ))
}

/// Defaults decide what a call that leaves the value out gets (and what a decoder fills in for
/// a missing field): a default that appears documents it (additive); one that changes or goes
/// changes behaviour (breaking).
fn default_value(old: &Schema, new: &Schema) -> Option<(Impact, String)> {
    match (&old.default, &new.default) {
        _ if old.default == new.default => None,
        (None, Some(d)) => Some((Impact::Additive, format!("default {d} declared"))),
        (Some(d), None) => Some((Impact::Breaking, format!("default {d} removed"))),
        (Some(a), Some(b)) => Some((
            Impact::Breaking,
            format!("default changed from {a} to {b}: calls that leave it out get {b}"),
        )),
        (None, None) => unreachable!("the defaults differ"),
    }
}

/// A parameter's serialization (`style`/`explode`): another one writes calls differently.
fn style(old: &Schema, new: &Schema) -> Option<(Impact, String)> {
    if old.style == new.style {
        return None;
    }
    let show = |s: &Option<String>| s.clone().unwrap_or_else(|| "the default style".into());
    Some((
        Impact::Breaking,
        format!(
            "serialization changed from {} to {}",
            show(&old.style),
            show(&new.style)
        ),
    ))
}

/// A generated struct field is `Option<T>` when it may be missing or null, `T` otherwise.
fn rust_field(
    key: &str,
    old: &Schema,
    old_required: bool,
    new: &Schema,
    new_required: bool,
) -> Option<Change> {
    let optional = |s: &Schema, required: bool| !required || s.nullable;
    match (optional(old, old_required), optional(new, new_required)) {
        (true, false) => Some(change(
            Impact::Breaking,
            key,
            format!(
                "Rust API: the field's type changes from Option<T> to T; {}",
                builder_requires(key)
            ),
        )),
        (false, true) => Some(change(
            Impact::Breaking,
            key,
            "Rust API: the field's type changes from T to Option<T>".into(),
        )),
        _ => None,
    }
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

fn bounds_text(s: &Schema) -> String {
    let text = s.bounds.to_string();
    if text.is_empty() {
        "none".into()
    } else {
        text.trim().to_string()
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
    let what = format!(
        "security changed from {} to {}",
        alternatives(old),
        alternatives(new)
    );
    change(impact, key, what)
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
