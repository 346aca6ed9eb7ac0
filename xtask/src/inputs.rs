//! The inputs of a generation (the vendored spec, our overlay, our doc text) and the pipeline
//! that turns them into the normalized document: the one definition of "the contract" that
//! `codegen`, the change report and the drill share.

use crate::revision::{self, Rev};
use crate::{doc, normalize, overlay};
use anyhow::{Context, Result};
use serde_json::Value;
use std::path::Path;

/// The vendored spec, as `cargo xtask import` writes it.
pub const SPEC: &str = "openapi/mistral-files.yaml";
/// Our corrections, applied before generation.
pub const OVERLAY: &str = "openapi/overlay.yaml";
/// Our doc text, applied after the overlay.
pub const DOCS: &str = crate::prose::DOCS;
/// The generated Rust code.
pub const GENERATED_RS: &str = "crates/mistral-files-raw/src/generated.rs";
/// The raw crate's public API listing, rewritten by codegen (the report diffs it for what only
/// the Rust API shows).
pub const RAW_LISTING: &str = "crates/mistral-files-raw/public-api.txt";
/// Our names (read by import; part of a revision's contract).
pub const NAMES: &str = crate::names::NAMES;

/// The inputs of a generation.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// Text of [`SPEC`].
    pub spec: String,
    /// Text of [`OVERLAY`].
    pub overlay: String,
    /// Text of [`DOCS`].
    pub docs: String,
}

impl Inputs {
    /// Reads the inputs from the working tree below `root`.
    pub fn read(root: &Path) -> Result<Self> {
        Self::at(root, &Rev::WorkTree)
    }

    /// Reads the inputs of a revision.
    pub fn at(root: &Path, rev: &Rev) -> Result<Self> {
        Ok(Self {
            spec: revision::read_required(root, rev, SPEC)?,
            overlay: revision::read_required(root, rev, OVERLAY)?,
            docs: revision::read_required(root, rev, DOCS)?,
        })
    }
}

/// A contract, in the three forms the report compares.
#[derive(Debug, Clone)]
pub struct Normalized {
    /// The provider's structure alone (the spec normalized, without our overlay or docs).
    pub provider: Value,
    /// The spec with our overlay and doc text, normalized: what progenitor reads.
    pub effective: Value,
    /// Entries of `openapi/docs.yaml` that match nothing.
    pub doc_notes: Vec<String>,
}

/// Spec + overlay + our doc text -> the normalized OpenAPI 3.0.3 document (and the provider's
/// own, for the report).
pub fn normalized(inputs: &Inputs) -> Result<Normalized> {
    let spec = doc::parse(&inputs.spec).with_context(|| format!("parsing {SPEC}"))?;
    let overlay_doc = doc::parse(&inputs.overlay).with_context(|| format!("parsing {OVERLAY}"))?;
    let mut document = spec.clone();
    // An action that selects nothing is left out here and reported by the change report.
    overlay::apply(&mut document, &overlay_doc).with_context(|| format!("applying {OVERLAY}"))?;
    let docs = doc::parse(&inputs.docs).with_context(|| format!("parsing {DOCS}"))?;
    let doc_notes = crate::prose::apply_docs(&mut document, &docs)?;
    Ok(Normalized {
        provider: normalize::normalize(&spec),
        effective: normalize::normalize(&document),
        doc_notes,
    })
}
