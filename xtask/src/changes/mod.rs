//! The change report of `cargo xtask codegen`: what a regeneration changes for users, one line
//! per change, each classified as oasdiff classifies API changes, then the highest impact.
//!
//! - **breaking**: a removed or renamed operation, parameter, field or type; a changed type; a
//!   new required input; a removed enum value; a field that turns optional or required (its
//!   Rust type changes between `T` and `Option<T>`).
//! - **additive**: a new operation, type, optional input, output field or enum value.
//! - **docs**: doc text only (our `openapi/docs.yaml`).
//! - **none**: a provider rename that `openapi/names.yaml` absorbs.
//!
//! The comparison runs on [`model`]s of the committed and the new normalized documents, so the
//! report exists before anything is compiled (a breaking change may stop the workspace from
//! building; the report still says why).

pub mod model;

use model::{Entry, Kind, Model};
use std::collections::BTreeSet;
use std::fmt;

/// How much a change matters to users, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// Nothing users see (a rename absorbed by our names).
    None,
    /// Doc text only.
    Docs,
    /// New things only; existing code keeps compiling and working.
    Additive,
    /// Existing code may stop compiling or working.
    Breaking,
}

impl fmt::Display for Impact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Impact::None => "none",
            Impact::Docs => "docs",
            Impact::Additive => "additive",
            Impact::Breaking => "breaking",
        })
    }
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Its class.
    pub impact: Impact,
    /// What changed, in a sentence.
    pub what: String,
}

/// Every change between two versions of the contract.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The changes, breaking first.
    pub changes: Vec<Change>,
}

impl Report {
    /// The highest impact, `none` when nothing changed.
    pub fn impact(&self) -> Impact {
        self.changes
            .iter()
            .map(|c| c.impact)
            .max()
            .unwrap_or(Impact::None)
    }

    /// One line per change, then `impact: <highest>` as the last line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for c in &self.changes {
            out.push_str(&format!("{}: {}\n", c.impact, c.what));
        }
        out.push_str(&format!("impact: {}\n", self.impact()));
        out
    }

    /// The report as Markdown, for a pull request's description.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# Change report\n\n**Impact: {}**\n\n", self.impact());
        if self.changes.is_empty() {
            out.push_str("No change to the operations, types or doc text.\n");
        }
        for impact in [
            Impact::Breaking,
            Impact::Additive,
            Impact::Docs,
            Impact::None,
        ] {
            let lines: Vec<_> = self.changes.iter().filter(|c| c.impact == impact).collect();
            if lines.is_empty() {
                continue;
            }
            out.push_str(&format!("## {impact}\n\n"));
            for c in lines {
                out.push_str(&format!("- {}\n", c.what));
            }
            out.push('\n');
        }
        out
    }
}

/// Compares two normalized documents (committed, then new).
pub fn compare(old: &serde_json::Value, new: &serde_json::Value) -> Report {
    compare_models(&model::build(old), &model::build(new))
}

/// Compares two contracts.
pub fn compare_models(old: &Model, new: &Model) -> Report {
    let mut changes = Vec::new();
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        match (old.get(key), new.get(key)) {
            (Some(o), None) if !parent_gone(o, new) => changes.push(removed(key, o)),
            (None, Some(n)) if !parent_gone(n, old) => changes.extend(added(key, n)),
            (Some(o), Some(n)) => changes.extend(changed(key, o, n)),
            _ => {}
        }
    }
    changes.sort_by(|a, b| b.impact.cmp(&a.impact).then_with(|| a.what.cmp(&b.what)));
    Report { changes }
}

/// Whether the entry's parent is missing on the other side (then only the parent is reported).
fn parent_gone(entry: &Entry, other: &Model) -> bool {
    entry
        .parent
        .as_ref()
        .is_some_and(|p| !other.contains_key(p))
}

fn change(impact: Impact, what: String) -> Change {
    Change { impact, what }
}

fn removed(key: &str, entry: &Entry) -> Change {
    match &entry.kind {
        Kind::ProviderName(name) => change(
            Impact::None,
            format!(
                "{}: no longer records the provider's name {name}",
                owner(key)
            ),
        ),
        Kind::Values(values) => change(
            Impact::Breaking,
            format!(
                "{}: every enum value removed ({})",
                owner(key),
                list(values.iter())
            ),
        ),
        _ => change(Impact::Breaking, format!("{key}: removed")),
    }
}

fn added(key: &str, entry: &Entry) -> Option<Change> {
    Some(match &entry.kind {
        Kind::ProviderName(name) => change(
            Impact::None,
            format!(
                "{}: the provider's name is {name} (ours is kept by openapi/names.yaml)",
                owner(key)
            ),
        ),
        Kind::Input { required: true, ty } if entry.parent.is_some() => change(
            Impact::Breaking,
            format!("{key}: new required input ({ty}); existing calls do not send it"),
        ),
        Kind::Field { required: true, ty } if entry.dir.input => change(
            Impact::Breaking,
            format!("{key}: new required field ({ty}) in a type that requests send"),
        ),
        Kind::Input { ty, .. } => change(
            Impact::Additive,
            format!("{key}: new optional input ({ty})"),
        ),
        Kind::Field { ty, .. } => change(Impact::Additive, format!("{key}: new field ({ty})")),
        Kind::Values(values) => change(
            Impact::Additive,
            format!("{}: enum values {}", owner(key), list(values.iter())),
        ),
        Kind::Operation(mp) => change(Impact::Additive, format!("{key}: new operation ({mp})")),
        Kind::Type(shape) => change(Impact::Additive, format!("{key}: new type ({shape})")),
        Kind::Response(ty) => change(Impact::Additive, format!("{key}: new response ({ty})")),
    })
}

fn changed(key: &str, o: &Entry, n: &Entry) -> Vec<Change> {
    let mut out = Vec::new();
    if o.doc != n.doc {
        out.push(change(Impact::Docs, format!("{key}: doc text changed")));
    }
    match (&o.kind, &n.kind) {
        (Kind::Values(old), Kind::Values(new)) => out.extend(values_changed(key, old, new)),
        (
            Kind::Input {
                ty: ot,
                required: or,
            },
            Kind::Input {
                ty: nt,
                required: nr,
            },
        ) => {
            out.extend(type_change(key, ot, nt));
            out.extend(input_requiredness(key, *or, *nr));
        }
        (
            Kind::Field {
                ty: ot,
                required: or,
            },
            Kind::Field {
                ty: nt,
                required: nr,
            },
        ) => {
            out.extend(type_change(key, ot, nt));
            if or != nr {
                let now = if *nr { "required" } else { "optional" };
                let what =
                    format!("{key}: now {now} (its Rust type changes between T and Option<T>)");
                out.push(change(Impact::Breaking, what));
            }
        }
        (Kind::ProviderName(a), Kind::ProviderName(b)) if a != b => out.push(change(
            Impact::None,
            format!(
                "{}: the provider renamed {a} -> {b} (absorbed by openapi/names.yaml)",
                owner(key)
            ),
        )),
        (a, b) if a != b => out.push(change(
            Impact::Breaking,
            format!("{key}: changed from {} to {}", describe(a), describe(b)),
        )),
        _ => {}
    }
    out
}

/// Removed enum values break; new ones are additive (the generated enums are open).
fn values_changed(key: &str, old: &BTreeSet<String>, new: &BTreeSet<String>) -> Vec<Change> {
    let mut out = Vec::new();
    let gone: Vec<_> = old.difference(new).collect();
    if !gone.is_empty() {
        let what = format!(
            "{}: enum values removed: {}",
            owner(key),
            list(gone.into_iter())
        );
        out.push(change(Impact::Breaking, what));
    }
    let added: Vec<_> = new.difference(old).collect();
    if !added.is_empty() {
        let what = format!(
            "{}: new enum values: {}",
            owner(key),
            list(added.into_iter())
        );
        out.push(change(Impact::Additive, what));
    }
    out
}

/// An input that becomes required breaks existing calls; one that becomes optional does not.
fn input_requiredness(key: &str, was: bool, is: bool) -> Option<Change> {
    match (was, is) {
        (false, true) => Some(change(
            Impact::Breaking,
            format!("{key}: now required; existing calls may not send it"),
        )),
        (true, false) => Some(change(Impact::Additive, format!("{key}: now optional"))),
        _ => None,
    }
}

fn type_change(key: &str, old: &str, new: &str) -> Option<Change> {
    (old != new).then(|| {
        change(
            Impact::Breaking,
            format!("{key}: type changed from {old} to {new}"),
        )
    })
}

fn describe(kind: &Kind) -> String {
    match kind {
        Kind::Operation(s) | Kind::Response(s) | Kind::Type(s) | Kind::ProviderName(s) => s.clone(),
        Kind::Input { ty, .. } | Kind::Field { ty, .. } => ty.clone(),
        Kind::Values(v) => list(v.iter()),
    }
}

/// `type X` for the key `type X values` or `type X provider-name`.
fn owner(key: &str) -> &str {
    key.strip_suffix(" values")
        .or_else(|| key.strip_suffix(" provider-name"))
        .unwrap_or(key)
}

fn list<'a>(values: impl Iterator<Item = &'a String>) -> String {
    values
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
