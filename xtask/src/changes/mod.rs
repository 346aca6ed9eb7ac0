//! The change report: what a change of the contract means for users, one line per change,
//! each classified by the direction-aware rules of the `rules` module, then the highest impact.
//!
//! - **breaking**: existing code may stop compiling or working (a removed operation, input,
//!   field or enum value; a narrower input or a wider output; a changed type, default,
//!   serialization or security; a generated field turning between `T` and `Option<T>`).
//! - **additive**: new things, wider inputs, narrower outputs, deprecations; existing code
//!   keeps compiling and working.
//! - **docs**: doc text only (our `openapi/docs.yaml`).
//! - **none**: a provider rename that `openapi/names.yaml` absorbs, or a provider change our
//!   corrections already made.
//!
//! The comparison runs on [`model`]s of two normalized documents, so the report exists before
//! anything is compiled (a breaking change may stop the workspace from building; the report
//! still says why). [`contract`] builds the report of two revisions' inputs, including the
//! provider's own changes under our overlay ([`overlays`]).

pub mod contract;
mod directions;
pub mod model;
pub mod overlays;
mod rules;
pub mod rust_api;
pub mod schema;

use model::{Entry, Model};
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
    /// The contract entry it is about (`operation list_files query page`, `type FilePurpose`).
    pub subject: String,
    /// What changed, in a sentence.
    pub what: String,
}

impl Change {
    /// The operation or type the change belongs to (`operation list_files`, `type FileObject`,
    /// `security scheme ApiKey`), for grouping.
    pub fn scope(&self) -> String {
        let words: Vec<&str> = self.subject.split(' ').collect();
        // `security scheme X` has three words.
        let n = 2 + usize::from(words.first() == Some(&"security"));
        words[..n.min(words.len())].join(" ")
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.impact, self.subject, self.what)
    }
}

/// Every change between two versions of the contract, and what a reviewer should know besides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The changes, breaking first.
    pub changes: Vec<Change>,
    /// Notes: overlay actions the provider made redundant, entries without doc text, doc
    /// entries that match nothing, names not pinned, how error responses were merged.
    pub notes: Vec<String>,
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
        let mut out: String = self.changes.iter().map(|c| format!("{c}\n")).collect();
        out.push_str(&format!("impact: {}\n", self.impact()));
        out
    }

    /// The report as Markdown, for a pull request's description.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# Change report\n\n**Impact: {}**\n\n", self.impact());
        if self.changes.is_empty() {
            out.push_str("No change to the operations, types or doc text.\n\n");
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
            out.extend(
                lines
                    .iter()
                    .map(|c| format!("- {}: {}\n", c.subject, c.what)),
            );
            out.push('\n');
        }
        if !self.notes.is_empty() {
            out.push_str("## Notes\n\n");
            out.extend(self.notes.iter().map(|note| format!("- {note}\n")));
            out.push('\n');
        }
        out
    }
}

/// Compares two normalized documents (old, then new).
pub fn compare(old: &serde_json::Value, new: &serde_json::Value) -> Report {
    compare_models(&model::build(old), &model::build(new))
}

/// Compares two contracts.
pub fn compare_models(old: &Model, new: &Model) -> Report {
    let mut changes = Vec::new();
    let mut gone = Vec::new();
    let mut came = Vec::new();
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        match (old.get(key), new.get(key)) {
            (Some(o), None) if !parent_gone(o, new) => gone.push((key.as_str(), o)),
            (None, Some(n)) if !parent_gone(n, old) => came.push((key.as_str(), n)),
            (Some(o), Some(n)) => changes.extend(rules::changed(key, o, n)),
            _ => {}
        }
    }
    changes.extend(renames(old, new, &mut gone, &mut came));
    changes.extend(gone.iter().map(|(k, e)| rules::removed(k, e)));
    changes.extend(came.iter().map(|(k, e)| rules::added(k, e)));
    sort(&mut changes);
    Report {
        changes,
        notes: Vec::new(),
    }
}

/// Breaking first, then by subject.
pub fn sort(changes: &mut [Change]) {
    changes.sort_by(|a, b| (b.impact, &a.subject, &a.what).cmp(&(a.impact, &b.subject, &b.what)));
}

/// A removed and an added entry of the same kind, parent and shape, each the only such one:
/// one "renamed?" line instead of two (as breaking as the removal).
fn renames(
    old: &Model,
    new: &Model,
    gone: &mut Vec<(&str, &Entry)>,
    came: &mut Vec<(&str, &Entry)>,
) -> Vec<Change> {
    let gone_shapes: Vec<Shape> = gone.iter().map(|(k, e)| shape(old, k, e)).collect();
    let came_shapes: Vec<Shape> = came.iter().map(|(k, e)| shape(new, k, e)).collect();
    let count = |shapes: &[Shape], s: &Shape| shapes.iter().filter(|x| *x == s).count();
    let mut out = Vec::new();
    let mut paired = (BTreeSet::new(), BTreeSet::new());
    for ((gk, ge), gs) in gone.iter().zip(&gone_shapes) {
        let provider_name = matches!(ge.kind, model::Kind::ProviderName(_));
        if provider_name || count(&gone_shapes, gs) != 1 || count(&came_shapes, gs) != 1 {
            continue;
        }
        let at = came_shapes.iter().position(|s| s == gs).expect("counted");
        let (ck, ce) = came[at];
        let (removed, added) = (rules::removed(gk, ge), rules::added(ck, ce));
        let impact = removed.impact.max(added.impact);
        let new_name = match &ge.parent {
            Some(parent) => ck.strip_prefix(parent.as_str()).unwrap_or(ck).trim(),
            None => ck,
        };
        let what = format!(
            "renamed to `{}`? (removed, and an entry of the same shape added: {})",
            owner(new_name),
            ge.kind.describe()
        );
        out.push(change(impact, gk, what));
        paired.0.insert(gk.to_string());
        paired.1.insert(ck.to_string());
    }
    gone.retain(|(k, _)| !paired.0.contains(*k));
    came.retain(|(k, _)| !paired.1.contains(*k));
    out
}

/// What a rename keeps: the parent, the kind, and the shape (for an operation, its method and
/// everything below it, since its route and name are what a rename changes).
type Shape = (Option<String>, &'static str, String);

fn shape(model: &Model, key: &str, e: &Entry) -> Shape {
    let describe = match &e.kind {
        model::Kind::Operation { route, .. } => {
            let method = route.split(' ').next().unwrap_or_default();
            format!("{method} {}", children(model, key))
        }
        kind => kind.describe(),
    };
    (e.parent.clone(), e.kind.variant(), describe)
}

/// The names of everything below an entry (keys relative to it), as one string: a moved
/// operation keeps its parameters and responses, though an overlay action addressed to it may
/// no longer apply to their schemas.
fn children(model: &Model, key: &str) -> String {
    let prefix = format!("{key} ");
    model
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(_, e)| !matches!(e.kind, model::Kind::ProviderName(_)))
        .map(|(k, _)| &k[prefix.len()..])
        .collect::<Vec<_>>()
        .join(";")
}

/// Whether the entry's parent is missing on the other side (then only the parent is reported).
fn parent_gone(entry: &Entry, other: &Model) -> bool {
    entry
        .parent
        .as_ref()
        .is_some_and(|p| !other.contains_key(p))
}

fn change(impact: Impact, key: &str, what: String) -> Change {
    Change {
        impact,
        subject: owner(key).to_string(),
        what,
    }
}

/// `type X` for the key `type X values` or `type X provider-name`.
pub(crate) fn owner(key: &str) -> &str {
    key.strip_suffix(" values")
        .or_else(|| key.strip_suffix(" provider-name"))
        .unwrap_or(key)
}

pub(crate) fn list<'a>(values: impl Iterator<Item = &'a String>) -> String {
    values
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
