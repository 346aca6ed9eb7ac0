//! Maintainer tasks for the `mistral-files` workspace, as a library so that the
//! workspace tests can run the same code as `cargo xtask`.
//!
//! The pipeline, in order (see `ARCHITECTURE.md`):
//!
//! 1. [`import`]: the provider's whole OpenAPI 3.1 document -> `openapi/mistral-files.yaml`
//!    (the `files` operations and the schemas they reach, canonically ordered).
//! 2. [`overlay`]: our corrections (`openapi/overlay.yaml`, OpenAPI Overlay 1.0) applied on top.
//! 3. [`normalize`]: OpenAPI 3.1 -> the 3.0.3 dialect progenitor reads.
//! 4. [`codegen`]: progenitor + our open enums -> formatted `generated.rs` with a provenance header.
//! 5. [`surface`]: a readable listing of the generated public API, for snapshot review.

pub mod codegen;
pub mod doc;
pub mod import;
pub mod normalize;
pub mod open_enums;
pub mod overlay;
pub mod surface;

use std::path::{Path, PathBuf};

/// The workspace root (the parent of the `xtask` crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Lowercase hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
