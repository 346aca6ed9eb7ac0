//! The change report of a regeneration: the committed normalized document against the new one
//! (see [`crate::changes`]), plus notes on names not pinned yet.

use super::{GeneratedFile, Inputs, GENERATED_RS, NORMALIZED, SPEC};
use crate::changes::{self, Change, Impact, Report};
use crate::names::{self, NameMap};
use anyhow::{Context, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Where `cargo xtask codegen` writes the report for the pull request's description.
pub const CHANGES_MD: &str = "target/codegen/CHANGES.md";

/// Classifies what the generated files change against what is committed below `root`.
///
/// Reads only the committed generated files, never builds anything, so it works even when the
/// new code no longer compiles with the rest of the workspace.
pub fn report(root: &Path, files: &[GeneratedFile]) -> Result<Report> {
    let committed: Vec<GeneratedFile> = [NORMALIZED, GENERATED_RS]
        .iter()
        .map(|rel| GeneratedFile {
            path: rel.into(),
            contents: std::fs::read_to_string(root.join(rel)).unwrap_or_default(),
        })
        .collect();
    report_between(&committed, files)
}

/// Classifies what `new` changes against `old` (both sets of generated files).
pub fn report_between(old: &[GeneratedFile], new: &[GeneratedFile]) -> Result<Report> {
    let text = |files: &[GeneratedFile], rel: &str| {
        files
            .iter()
            .find(|f| f.path == Path::new(rel))
            .map(|f| f.contents.clone())
            .unwrap_or_default()
    };
    let old_doc = parse_or_empty(&text(old, NORMALIZED));
    let new_doc = crate::doc::parse(&text(new, NORMALIZED)).context("reading the new document")?;
    let mut report = changes::compare(&old_doc, &new_doc);
    if report.changes.is_empty() {
        // The contract did not change; the generator (settings, progenitor) may have.
        report.changes = surface_changes(&text(old, GENERATED_RS), &text(new, GENERATED_RS));
    }
    Ok(report)
}

fn parse_or_empty(text: &str) -> Value {
    crate::doc::parse(text).unwrap_or(Value::Null)
}

/// Lines of the generated Rust surface that differ: removed lines are breaking, added ones
/// additive.
fn surface_changes(old_rs: &str, new_rs: &str) -> Vec<Change> {
    let (Ok(old), Ok(new)) = (
        crate::surface::render(old_rs),
        crate::surface::render(new_rs),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for change in similar::TextDiff::from_lines(&old, &new).iter_all_changes() {
        let line = change.value().trim();
        let impact = match change.tag() {
            similar::ChangeTag::Delete => Impact::Breaking,
            similar::ChangeTag::Insert => Impact::Additive,
            similar::ChangeTag::Equal => continue,
        };
        if !line.is_empty() {
            out.push(Change {
                impact,
                what: format!("generated Rust surface (the contract is unchanged): {line}"),
            });
        }
    }
    out
}

/// Schemas and operations of the vendored spec that `openapi/names.yaml` does not pin, each
/// with the entry to add.
pub fn unpinned_notes(root: &Path, inputs: &Inputs) -> Result<Vec<String>> {
    let names = NameMap::read(root)?;
    let spec = crate::doc::parse(&inputs.spec).with_context(|| format!("parsing {SPEC}"))?;
    let mut op_pointer = BTreeMap::new();
    let mut notes = Vec::new();
    for (key, pointer) in names::operations(&spec) {
        let id = spec
            .pointer(&pointer)
            .and_then(|op| op.get("operationId"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if !names.operations.contains_key(&id) {
            notes.push(format!(
                "operation {id} is not pinned: add `{id}: {key}` to {}",
                names::NAMES
            ));
        }
        op_pointer.insert(id, pointer);
    }
    for (schema, location) in names::first_locations(&spec, &op_pointer) {
        if !names.schemas.contains_key(&schema) {
            notes.push(format!(
                "schema {schema} is not pinned: add `{schema}: {location}` to {}",
                names::NAMES
            ));
        }
    }
    Ok(notes)
}
