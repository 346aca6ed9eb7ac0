//! What the raw crate's public API listing (`crates/mistral-files-raw/public-api.txt`, one
//! item a line) says that the contract model cannot: a bound that makes typify pick another
//! integer type (`minimum: 0` gives `u64`, `minimum: 1` `NonZeroU64`), a newtype that appears
//! or goes, a builder setter whose argument changes. Each item removed or changed between two
//! listings becomes a "Rust API only" line, unless its operation or type already has a
//! breaking line (which says more). When the contract did not change at all, every line of
//! the listing's diff is reported (a generator or settings change).

use super::{change, Change, Impact};
use heck::ToSnakeCase;
use std::collections::BTreeMap;

/// The Rust API lines for a listing change, beside the contract's changes.
pub fn changes(old: &str, new: &str, contract: &[Change]) -> Vec<Change> {
    let already_breaking = |scope: &str| {
        contract
            .iter()
            .any(|c| c.impact == Impact::Breaking && c.scope() == scope)
    };
    let (old, new) = (items(old), items(new));
    let gone = gone_types(&old, &new);
    let mut out = Vec::new();
    for (key, line) in &old {
        let scope = scope_of(key);
        if already_breaking(&scope) || belongs_to_gone(key, &gone) {
            continue;
        }
        if let Some(what) = difference(line, new.get(key)) {
            let what = format!("Rust API only (the wire is compatible): {what}");
            out.push(change(Impact::Breaking, &scope, what));
        }
    }
    out
}

/// Every difference between two listings: removed or changed items are breaking, new ones
/// additive.
pub fn all_changes(old: &str, new: &str) -> Vec<Change> {
    let (old, new) = (items(old), items(new));
    let mut out = Vec::new();
    for (key, line) in &old {
        if let Some(what) = difference(line, new.get(key)) {
            out.push(generated(Impact::Breaking, key, what));
        }
    }
    for (key, line) in new.iter().filter(|(k, _)| !old.contains_key(*k)) {
        out.push(generated(Impact::Additive, key, format!("new: `{line}`")));
    }
    out
}

/// What became of an item of the old listing, if anything.
fn difference(line: &str, now: Option<&String>) -> Option<String> {
    match now {
        None => Some(format!("`{line}` is gone")),
        Some(now) if now != line => Some(format!("`{line}` becomes `{now}`")),
        Some(_) => None,
    }
}

/// The paths of the types (structs, enums) that are in `old` and not in `new`.
fn gone_types(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<String> {
    old.keys()
        .filter(|k| !new.contains_key(*k))
        .filter_map(|k| {
            k.strip_prefix("pub struct ")
                .or_else(|| k.strip_prefix("pub enum "))
        })
        .map(str::to_string)
        .collect()
}

/// Whether an item is a member or an impl of a type that is gone (the type's own line says
/// it all).
fn belongs_to_gone(key: &str, gone: &[String]) -> bool {
    gone.iter().any(|ty| {
        let path = key.rsplit(' ').next().unwrap_or(key);
        path.starts_with(&format!("{ty}::")) || (key.starts_with("impl") && path == ty)
    })
}

fn generated(impact: Impact, key: &str, what: String) -> Change {
    let what = format!("{what} (the raw crate's API listing; the contract is unchanged)");
    change(impact, &scope_of(key), what)
}

/// The listing's items by what identifies them: `pub fn <path>`, `pub <path>` for a field,
/// the whole line for an impl or a type.
fn items(listing: &str) -> BTreeMap<String, String> {
    listing
        .lines()
        // `# ` starts the header's comment lines; `#[non_exhaustive]` starts items.
        .filter(|l| !l.trim().is_empty() && !l.starts_with("# "))
        .map(|l| (key(l), l.to_string()))
        .collect()
}

/// The item kinds a listing line may start with, after `pub`.
const KINDS: &[&str] = &[
    "fn", "const", "static", "type", "struct", "enum", "union", "trait", "mod", "use", "macro",
];

/// What identifies a listing line across two listings: `pub <kind> <path>`, generic arguments
/// and signature left out (`#[non_exhaustive]` dropped).
pub fn key(line: &str) -> String {
    let line = line.strip_prefix("#[non_exhaustive] ").unwrap_or(line);
    let Some(rest) = line.strip_prefix("pub ") else {
        return line.to_string();
    };
    let (kind, rest) = match rest.split_once(' ') {
        Some((k, r)) if KINDS.contains(&k) => (format!("{k} "), r),
        _ => (String::new(), rest),
    };
    format!("pub {kind}{}", path_of(rest))
}

/// The path an item line starts with, generic arguments left out
/// (`builder::ListFiles<'a>::search<V>(self, ...)` -> `builder::ListFiles::search`;
/// `types::FileObject::bytes: Option<i64>` -> `types::FileObject::bytes`).
fn path_of(rest: &str) -> String {
    let mut path = String::new();
    let mut depth = 0;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            _ if depth > 0 => {}
            ':' if chars.peek() == Some(&':') => {
                chars.next();
                path.push_str("::");
            }
            c if c.is_alphanumeric() || c == '_' => path.push(c),
            _ => break,
        }
    }
    path
}

/// `mistral_files_raw::types::FileObject::bytes` -> `type FileObject`;
/// `mistral_files_raw::builder::ListFiles::page` -> `operation list_files`.
pub fn scope_of(key: &str) -> String {
    let path = key.rsplit([' ']).next().unwrap_or(key);
    let segments: Vec<&str> = path.split("::").collect();
    match segments.as_slice() {
        [_, "types", "builder", ty, ..] | [_, "types", ty, ..] | [_, "open_enums", ty, ..] => {
            format!("type {ty}")
        }
        [_, "builder", op, ..] => format!("operation {}", op.to_snake_case()),
        [_, "Client", op, ..] => format!("operation {op}"),
        _ => "raw crate API".into(),
    }
}
