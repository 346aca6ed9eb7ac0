//! A CHANGELOG draft for [`Release`]: the change report's lines grouped by operation or type
//! ([`Change::scope`]) under Keep a Changelog headings, the way `CHANGELOG.md` writes them.
//!
//! - **Breaking**: breaking lines of the contract, and the `mistral-files` public items removed,
//!   changed or added in a breaking way;
//! - **Added**: additive lines, and new `mistral-files` public items;
//! - **Changed**: doc-only lines.
//!
//! Lines of impact `none` (a provider rename our names absorb, a provider change our overlay
//! had already made) change nothing users see and are left out. The raw crate's listing diff
//! is left out too: it follows from the contract lines, which say it in the API's terms. The
//! draft is for a maintainer to edit, not to paste as is.

use super::Release;
use crate::changes::{Change, Impact};
use std::collections::BTreeMap;

/// The draft, as Markdown starting at `## [Unreleased]`.
pub fn draft(release: &Release) -> String {
    let mut out = String::from("## [Unreleased]\n\n");
    let versions: Vec<String> = release
        .crates
        .iter()
        .filter_map(|c| c.needed.as_ref().map(|n| format!("{} {n}", c.name)))
        .collect();
    out.push_str(&format!(
        "Regenerated from the provider's document (`cargo xtask codegen`: impact `{}`). Versions needed: {}.\n",
        release.report.impact(),
        if versions.is_empty() { "-".to_string() } else { versions.join(", ") }
    ));
    let library = release
        .api
        .iter()
        .find(|(name, _)| *name == "mistral-files");
    let mut any = false;
    for (heading, impact) in [
        ("Breaking", Impact::Breaking),
        ("Added", Impact::Additive),
        ("Changed", Impact::Docs),
    ] {
        let mut section = grouped(release.report.changes.iter().filter(|c| c.impact == impact));
        let library_lines = library.into_iter().flat_map(|(_, diff)| &diff.lines);
        for l in library_lines.filter(|l| l.impact == impact) {
            let verb = match (l.added, impact) {
                (false, _) => "removed or changed",
                (true, Impact::Breaking) => "added, breaking",
                (true, _) => "added",
            };
            let why = l.why.as_ref().map(|w| format!(": {w}")).unwrap_or_default();
            section
                .entry("`mistral-files` public API".to_string())
                .or_default()
                .push(format!("{verb} `{}`{why}", l.line));
        }
        if section.is_empty() {
            continue;
        }
        any = true;
        out.push_str(&format!("\n### {heading}\n"));
        for (scope, lines) in section {
            if let [only] = lines.as_slice() {
                out.push_str(&format!("- {scope}: {only}\n"));
                continue;
            }
            out.push_str(&format!("- {scope}:\n"));
            for line in lines {
                out.push_str(&format!("  - {line}\n"));
            }
        }
    }
    if !any {
        out.push_str("\nNothing users see changed.\n");
    }
    out
}

/// The changes' sentences by scope (`operation list_files` -> [`query page: ...`]), scopes
/// sorted; each sentence names the part of the scope it is about.
fn grouped<'a>(changes: impl Iterator<Item = &'a Change>) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in changes {
        let scope = c.scope();
        let part = c.subject.strip_prefix(&scope).unwrap_or_default().trim();
        let line = if part.is_empty() {
            c.what.clone()
        } else {
            format!("{part}: {}", c.what)
        };
        out.entry(format!("`{scope}`")).or_default().push(line);
    }
    out
}
