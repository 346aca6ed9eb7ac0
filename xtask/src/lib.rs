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
//! 5. [`changes`]: the change report, classifying each difference between two revisions.
//! 6. [`release`] and [`audit`]: the version bumps a change needs, a CHANGELOG draft, and the
//!    pull request's description.
//!
//! [`names`] holds our names (`openapi/names.yaml`), [`prose`] the doc text rules.

pub mod audit;
pub mod changes;
pub mod cli;
pub mod codegen;
pub mod doc;
pub mod drill;
pub mod error_responses;
pub mod import;
pub mod inputs;
pub mod names;
pub mod normalize;
pub mod open_enums;
pub mod overlay;
pub mod prose;
pub mod public_api;
pub mod release;
pub mod revision;

use std::path::{Path, PathBuf};

/// The workspace root, found at run time as cargo finds it: the nearest directory at or above
/// the current one whose `Cargo.toml` declares `[workspace]` and which holds `openapi/`.
///
/// Found at run time (not fixed at compile time) so that with a shared `CARGO_TARGET_DIR` one
/// checkout's `cargo xtask` never writes into another checkout.
pub fn workspace_root() -> anyhow::Result<PathBuf> {
    let start = std::env::current_dir()?;
    find_workspace_root(&start).ok_or_else(|| {
        anyhow::anyhow!(
            "no mistral-files workspace at or above {} (a Cargo.toml with [workspace] next to openapi/); run cargo xtask inside the checkout",
            start.display()
        )
    })
}

/// The nearest directory at or above `start` that is a mistral-files workspace root.
pub fn find_workspace_root(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|dir| {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
        let is_workspace = manifest.lines().any(|l| l.trim() == "[workspace]");
        (is_workspace && dir.join("openapi").is_dir()).then(|| dir.to_path_buf())
    })
}

/// One generated file, relative to the workspace root (the generated code, the normalized
/// document, the public API listings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the workspace root.
    pub path: PathBuf,
    /// Full contents.
    pub contents: String,
}

impl GeneratedFile {
    /// The contents of the file at `path` among `files`.
    pub fn find<'a>(files: &'a [GeneratedFile], path: &str) -> Option<&'a str> {
        let file = files.iter().find(|f| f.path == Path::new(path));
        file.map(|f| f.contents.as_str())
    }
}

/// Writes `contents` to `rel` below `root`, refusing any path that would land outside `root`
/// (through `..` or a symlink). Returns the absolute path written.
pub fn write_inside(root: &Path, rel: &Path, contents: &str) -> anyhow::Result<PathBuf> {
    use anyhow::{bail, Context};
    let root = root
        .canonicalize()
        .with_context(|| format!("resolving {}", root.display()))?;
    let path = root.join(rel);
    let dir = path
        .parent()
        .ok_or_else(|| anyhow::anyhow!("{} has no parent directory", path.display()))?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let dir = dir.canonicalize()?;
    if !dir.starts_with(&root) {
        bail!(
            "refusing to write {}: it resolves outside the checkout {}",
            path.display(),
            root.display()
        );
    }
    let path = dir.join(path.file_name().expect("a file path"));
    std::fs::write(&path, contents).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

pub use codegen::header::sha256_hex;
