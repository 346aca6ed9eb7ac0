//! The change report of two revisions of the contract: their inputs (the vendored spec, our
//! overlay, our doc text, our names) read from git or the working tree, normalized by the same
//! pipeline as `codegen`, and compared three ways:
//!
//! 1. the effective contracts (spec + overlay + docs): what the generated code follows;
//! 2. the provider's own documents (the spec alone): every provider change, including those
//!    an overlay action overrides. Such a change is reported with the provider's impact and
//!    the action that overrides it, which may now contradict the provider; a provider change
//!    that our corrections had already made is reported as `none`, with a note to remove the
//!    redundant action;
//! 3. when neither contract changed, the generated Rust surface (a settings or generator
//!    change).
//!
//! The report is a function of the two revisions: running codegen again, or in between, does
//! not change it.

use super::model::{self, Kind};
use super::overlays::{self, Effect};
use super::{change, compare, sort, Change, Impact, Report};
use crate::inputs::{self, Inputs, NAMES, RAW_LISTING};
use crate::names::{self, NameMap};
use crate::revision::{self, Rev};
use anyhow::{Context, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Where `cargo xtask codegen` writes the report for the pull request's description.
pub const CHANGES_MD: &str = "target/codegen/CHANGES.md";

/// One side of a comparison: a revision's inputs and, if known, the raw crate's API listing.
#[derive(Debug, Clone)]
pub struct Side {
    /// The inputs.
    pub inputs: Inputs,
    /// Its names file (for the notes on names not pinned).
    pub names: String,
    /// The raw crate's public API listing (`public-api.txt`), if any.
    pub raw_listing: Option<String>,
}

impl Side {
    /// A revision's inputs and raw API listing.
    pub fn at(root: &Path, rev: &Rev) -> Result<Side> {
        Ok(Side {
            inputs: Inputs::at(root, rev)?,
            names: revision::read_required(root, rev, NAMES)?,
            raw_listing: revision::read(root, rev, RAW_LISTING)?,
        })
    }
}

/// The report between two revisions (`cargo xtask changes --base REV [--head REV]`).
pub fn between_revisions(root: &Path, base: &Rev, head: &Rev) -> Result<Report> {
    let old = Side::at(root, base).with_context(|| format!("reading the contract at {base}"))?;
    let new = Side::at(root, head).with_context(|| format!("reading the contract at {head}"))?;
    report(&old, &new)
}

/// The report `cargo xtask codegen` prints: `HEAD` against the working tree's inputs and the
/// raw API listing just generated from them. Outside a git checkout there is no committed contract to
/// compare with, and the report says so.
pub fn for_codegen(root: &Path, inputs: &Inputs, raw_listing: &str) -> Result<Report> {
    let new = Side {
        inputs: inputs.clone(),
        names: revision::read_required(root, &Rev::WorkTree, NAMES)?,
        raw_listing: Some(raw_listing.to_string()),
    };
    if !revision::has_head(root) {
        let mut report = report(&new, &new)?;
        report
            .notes
            .push("not a git checkout with a commit: nothing committed to compare with".into());
        return Ok(report);
    }
    report(&Side::at(root, &Rev::Git("HEAD".into()))?, &new)
}

/// The report between two sides.
pub fn report(old: &Side, new: &Side) -> Result<Report> {
    let before = inputs::normalized(&old.inputs).context("the old contract")?;
    let after = inputs::normalized(&new.inputs).context("the new contract")?;
    let mut report = compare(&before.effective, &after.effective);
    let provider = compare(&before.provider, &after.provider);
    let effects = action_effects(new)?;
    report
        .changes
        .extend(provider_only(&report.changes, provider.changes, &effects));
    let (old_api, new_api) = (
        old.raw_listing.as_deref().unwrap_or_default(),
        new.raw_listing.as_deref().unwrap_or_default(),
    );
    if report.changes.is_empty() {
        // The contract did not change; the generator (settings, progenitor) may have.
        report.changes = super::rust_api::all_changes(old_api, new_api);
    } else {
        let rust = super::rust_api::changes(old_api, new_api, &report.changes);
        report.changes.extend(rust);
    }
    sort(&mut report.changes);
    report.notes = notes(new, &after.effective, after.doc_notes, &effects)?;
    Ok(report)
}

/// The effects of the new overlay on the new spec: a provider change is hidden by an action
/// when that action still changes the entry in the new document.
fn action_effects(new: &Side) -> Result<Vec<Effect>> {
    let parse = |text: &str| crate::doc::parse(text);
    overlays::effects(&parse(&new.inputs.spec)?, &parse(&new.inputs.overlay)?)
}

/// The provider's changes the effective report does not already show.
fn provider_only(effective: &[Change], provider: Vec<Change>, effects: &[Effect]) -> Vec<Change> {
    let mut out = Vec::new();
    for c in provider.into_iter().filter(|c| !effective.contains(c)) {
        let live = effects
            .iter()
            .find(|e| !e.redundant() && e.covers(&c.subject));
        let why = match live {
            Some(e) => format!(
                ", overridden by overlay action {}{}: the action now contradicts the provider; check it and fix or remove it",
                e.index, e.about
            ),
            None => "; our contract already said so through our overlay".into(),
        };
        let what = format!("{} (the provider's change{why})", c.what);
        let impact = live.map_or(Impact::None, |_| c.impact);
        out.push(change(impact, &c.subject, what));
    }
    out
}

/// Everything a reviewer should know besides the changes.
fn notes(
    new: &Side,
    effective: &Value,
    doc_notes: Vec<String>,
    effects: &[Effect],
) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    notes.extend(effects.iter().filter_map(Effect::note));
    notes.extend(doc_notes);
    notes.extend(undocumented(effective));
    notes.extend(unpinned(&new.names, &new.inputs.spec)?);
    let mut prepared = effective.clone();
    notes.extend(crate::error_responses::merge(&mut prepared));
    Ok(notes)
}

/// Operations, types, parameters and fields with no doc text of ours.
pub fn undocumented(effective: &Value) -> Vec<String> {
    model::build(effective)
        .iter()
        .filter(|(key, e)| {
            let body_field = key.contains(" body ");
            let needs_doc = matches!(e.kind, Kind::Operation { .. } | Kind::Type(_))
                || matches!(e.kind, Kind::Field { .. })
                || (matches!(e.kind, Kind::Input { .. }) && !body_field);
            needs_doc && e.doc.is_none()
        })
        .map(|(key, _)| format!("{key} has no doc text: add it to {}", crate::prose::DOCS))
        .collect()
}

/// Schemas and operations of the spec that the names file does not pin, each with the entry
/// to add.
pub fn unpinned(names_text: &str, spec_text: &str) -> Result<Vec<String>> {
    let names = NameMap::parse(names_text).with_context(|| format!("in {NAMES}"))?;
    let spec = crate::doc::parse(spec_text).context("parsing the spec")?;
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
                "operation {id} is not pinned: add `{id}: {key}` to {NAMES}"
            ));
        }
        op_pointer.insert(id, pointer);
    }
    for (schema, location) in names::first_locations(&spec, &op_pointer) {
        if !names.schemas.contains_key(&schema) {
            notes.push(format!(
                "schema {schema} is not pinned: add `{schema}: {location}` to {NAMES}"
            ));
        }
    }
    Ok(notes)
}
