//! Snapshots of what a reviewer of a regeneration reads (`cargo insta review`), built from the
//! committed files by xtask alone: they show their diffs even when a breaking change stops the
//! rest of the workspace from compiling. Each is one file, so one run shows every change of its
//! kind, and none holds doc text (prose edits leave them alone).
//!
//! - `raw_client_surface`: every generated operation (method, path, parameters, return type)
//!   and type (fields, serde names, Rust types, enum values).
//! - `wire_contract`: the contract itself, types by name (`$ref`s, not inlined), including the
//!   operations written by hand (the upload's multipart form, the raw download).

use std::path::{Path, PathBuf};
use xtask::codegen;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn raw_client_surface() {
    let generated = std::fs::read_to_string(root().join(codegen::GENERATED_RS)).unwrap();
    insta::assert_snapshot!(
        "raw_client_surface",
        xtask::surface::render(&generated).unwrap()
    );
}

#[test]
fn wire_contract() {
    let text = std::fs::read_to_string(root().join(codegen::NORMALIZED)).unwrap();
    let doc = xtask::doc::parse(&text).unwrap();
    let model = xtask::changes::model::build(&doc);
    insta::assert_snapshot!("wire_contract", xtask::changes::model::render(&model));
}
