//! The snapshot of what a reviewer of a regeneration reads (`cargo insta review`), built from the
//! committed files by xtask alone: it shows its diff even when a breaking change stops the rest
//! of the workspace from compiling, and holds no doc text (prose edits leave it alone).
//!
//! - `wire_contract`: the contract itself, types by name (`$ref`s, not inlined), including the
//!   operations written by hand (the upload's multipart form, the raw download).
//!
//! The generated Rust API has one listing, `crates/mistral-files-raw/public-api.txt`, rewritten
//! by `cargo xtask codegen` and checked by `codegen --check`.

use std::path::PathBuf;
use xtask::codegen;

/// The checkout's root (tests run in `xtask/`).
fn root() -> PathBuf {
    xtask::workspace_root().expect("the tests run inside the checkout")
}

#[test]
fn wire_contract() {
    let text = std::fs::read_to_string(root().join(codegen::NORMALIZED)).unwrap();
    let doc = xtask::doc::parse(&text).unwrap();
    let model = xtask::changes::model::build(&doc);
    insta::assert_snapshot!("wire_contract", xtask::changes::model::render(&model));
}
