//! The pull request's description (`cargo xtask audit --base REV`): everything a reviewer of a
//! contract change needs, in one Markdown document, from two revisions of the workspace.
//!
//! Sections, in order: the impact; the change report's lines by operation or type; each
//! crate's public API listing diff; the insta snapshots (`*.snap`) that changed; the version
//! each publishable crate needs (and whether `Cargo.toml` has it); every note of the report
//! (redundant overlay actions, items without doc text, doc entries matching nothing, names not
//! pinned, how error responses were merged). Every section is always there, saying "none"
//! when empty, so a reviewer (and a test) can tell "nothing" from "not checked".

use crate::changes::Impact;
use crate::release::{Release, LISTINGS};
use crate::revision::{self, Rev};
use anyhow::Result;
use std::collections::BTreeMap;
use std::path::Path;

/// The audit of the change from `base` to `head`.
#[derive(Debug, Clone)]
pub struct Audit {
    /// The release view of the change (it holds the change report and the API diffs).
    pub release: Release,
    /// Snapshot files that differ between the revisions (added, changed or removed).
    pub snapshots: Vec<String>,
}

impl Audit {
    /// Compares two revisions of the workspace below `root`.
    pub fn between(root: &Path, base: &Rev, head: &Rev) -> Result<Audit> {
        let release = Release::between(root, base, head)?;
        Ok(Audit {
            release,
            snapshots: changed_snapshots(root, base, head)?,
        })
    }

    /// The Markdown description.
    pub fn to_markdown(&self) -> String {
        let r = &self.release;
        let mut out = format!(
            "# Contract audit: {} -> {}\n\n**Impact: {}**\n\n",
            r.base,
            r.head,
            r.report.impact()
        );
        out.push_str(&self.changes_section());
        for (name, diff) in &r.api {
            let path = LISTINGS.iter().find(|(n, _)| n == name).map_or("", |l| l.1);
            let (removed, added) = diff.counts();
            out.push_str(&format!(
                "## Public API: `{name}`\n\n`{path}`: {}, {removed} line(s) removed or changed, {added} added.\n\n",
                diff.impact()
            ));
            if !diff.lines.is_empty() {
                out.push_str(&format!("```diff\n{}```\n\n", diff.to_diff()));
            }
            for l in &diff.lines {
                if let Some(w) = &l.why {
                    out.push_str(&format!("- breaking although added: `{}`: {w}\n", l.line));
                }
            }
        }
        let snapshots = list(self.snapshots.iter().map(|s| format!("`{s}`")));
        out.push_str(&format!("## Snapshots changed\n\n{snapshots}\n"));
        out.push_str(&self.versions_section());
        out.push_str(&format!("## Notes\n\n{}", list(r.report.notes.iter())));
        out
    }

    /// The report's lines grouped by operation or type, breaking first within each.
    fn changes_section(&self) -> String {
        let mut out = String::from("## Changes by operation and type\n\n");
        let mut by_scope: BTreeMap<String, Vec<_>> = BTreeMap::new();
        for c in &self.release.report.changes {
            by_scope.entry(c.scope()).or_default().push(c);
        }
        if by_scope.is_empty() {
            out.push_str("No change to the operations, types or doc text.\n\n");
        }
        for (scope, changes) in by_scope {
            let top = changes
                .iter()
                .map(|c| c.impact)
                .fold(Impact::None, Ord::max);
            out.push_str(&format!("### `{scope}` ({top})\n\n"));
            for c in changes {
                out.push_str(&format!("- **{}** `{}`: {}\n", c.impact, c.subject, c.what));
            }
            out.push('\n');
        }
        out
    }

    /// A table of the crates' needed versions.
    fn versions_section(&self) -> String {
        let r = &self.release;
        let mut out = String::from(
            "## Version bumps\n\n| crate | at base | needs | in Cargo.toml | from | |\n|---|---|---|---|---|---|\n",
        );
        for c in &r.crates {
            let base = c
                .base_version
                .as_ref()
                .map_or("new".into(), |v| v.to_string());
            let needed = c.needed.as_ref().map_or("-".into(), |v| v.to_string());
            let verdict = if c.ok() { "ok" } else { "**too low**" };
            out.push_str(&format!(
                "| `{}` | {base} | {needed} ({}) | {} | {} | {verdict} |\n",
                c.name,
                c.impact,
                c.version,
                c.reasons.join("; ")
            ));
        }
        out.push('\n');
        out.extend(r.problems.iter().map(|p| format!("- **{p}**\n")));
        if !r.problems.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!(
            "Checked against {} by `cargo xtask release-check`; run it against the last release's tag before releasing.\n\n",
            r.base
        ));
        out
    }
}

/// A Markdown list of `items`, or `None.` when there are none.
fn list(items: impl Iterator<Item = impl std::fmt::Display>) -> String {
    let list: String = items.map(|item| format!("- {item}\n")).collect();
    if list.is_empty() {
        "None.\n".into()
    } else {
        list
    }
}

/// `*.snap` files that differ between the revisions; with the working tree as `head`, new
/// snapshot files not yet added to git count too (insta writes them there).
pub fn changed_snapshots(root: &Path, base: &Rev, head: &Rev) -> Result<Vec<String>> {
    // git's default pathspec lets `*` match `/`: every `.snap` at any depth.
    let mut paths = revision::changed_paths(root, base, head, "*.snap")?;
    if *head == Rev::WorkTree {
        let untracked = ["ls-files", "--others", "--exclude-standard", "--", "*.snap"];
        paths.extend(revision::git_lines(root, &untracked)?);
    }
    paths.sort();
    paths.dedup();
    Ok(paths)
}
