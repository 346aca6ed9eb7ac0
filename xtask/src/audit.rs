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
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

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
            let why: Vec<_> = diff
                .lines
                .iter()
                .filter_map(|l| l.why.as_ref().map(|w| (l, w)))
                .collect();
            for (l, w) in why {
                out.push_str(&format!("- breaking although added: `{}`: {w}\n", l.line));
            }
        }
        out.push_str("## Snapshots changed\n\n");
        if self.snapshots.is_empty() {
            out.push_str("None.\n\n");
        } else {
            for s in &self.snapshots {
                out.push_str(&format!("- `{s}`\n"));
            }
            out.push('\n');
        }
        out.push_str(&self.versions_section());
        out.push_str("## Notes\n\n");
        if r.report.notes.is_empty() {
            out.push_str("None.\n");
        }
        for note in &r.report.notes {
            out.push_str(&format!("- {note}\n"));
        }
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
                .max()
                .unwrap_or(Impact::None);
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
        for p in &r.problems {
            out.push_str(&format!("- **{p}**\n"));
        }
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

/// `*.snap` files that differ between the revisions; with the working tree as `head`, new
/// snapshot files not yet added to git count too (insta writes them there).
pub fn changed_snapshots(root: &Path, base: &Rev, head: &Rev) -> Result<Vec<String>> {
    // git's default pathspec lets `*` match `/`: every `.snap` at any depth.
    let mut paths = revision::changed_paths(root, base, head, "*.snap")?;
    if *head == Rev::WorkTree {
        let out = Command::new("git")
            .args(["ls-files", "--others", "--exclude-standard", "--", "*.snap"])
            .current_dir(root)
            .output()
            .context("running git ls-files")?;
        if !out.status.success() {
            bail!(
                "git ls-files failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        paths.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string),
        );
    }
    paths.sort();
    paths.dedup();
    Ok(paths)
}
