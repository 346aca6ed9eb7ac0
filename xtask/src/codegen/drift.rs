//! Comparing generated files with what is committed, and writing them.

use super::{GeneratedFile, GENERATED_RS, OVERLAY, SPEC};
use anyhow::Result;
use std::path::{Path, PathBuf};

/// A generated file whose committed contents differ from what the inputs generate.
#[derive(Debug)]
pub struct Drift {
    /// Path relative to the workspace root.
    pub path: PathBuf,
    /// Unified diff from the committed file to the generated one.
    pub diff: String,
    /// What probably happened and where the change belongs.
    pub hint: String,
}

/// Compares every generated file with what is on disk, byte for byte.
pub fn check(root: &Path, files: &[GeneratedFile]) -> Vec<Drift> {
    files
        .iter()
        .filter_map(|f| {
            let on_disk = std::fs::read_to_string(root.join(&f.path)).unwrap_or_default();
            (on_disk != f.contents).then(|| Drift {
                path: f.path.clone(),
                diff: similar::TextDiff::from_lines(&on_disk, &f.contents)
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("a/{} (committed)", f.path.display()),
                        &format!("b/{} (generated)", f.path.display()),
                    )
                    .to_string(),
                hint: hint(&f.path, &on_disk, &f.contents),
            })
        })
        .collect()
}

/// Why a file drifted: inputs changed without a regeneration, or the file was edited by hand.
fn hint(path: &Path, committed: &str, generated: &str) -> String {
    let same_header = header(committed) == header(generated) && !header(committed).is_empty();
    let name = path.display();
    if committed.is_empty() {
        format!("{name} is missing: run `{}`", super::COMMAND)
    } else if same_header && path == Path::new(GENERATED_RS) {
        format!(
            "{name} was edited by hand: its header's input hashes match {SPEC} and {OVERLAY} but its body does not. \
             Never edit it; put the change where it belongs (a correction of the contract: {OVERLAY}; a Rust name: \
             openapi/names.yaml; doc text: openapi/docs.yaml; how code is generated: xtask/src/codegen/mod.rs::settings), \
             then run `{}`",
            super::COMMAND
        )
    } else if same_header {
        format!(
            "{name} was edited by hand or by another generator version: run `{}`",
            super::COMMAND
        )
    } else {
        format!(
            "openapi/ changed since {name} was generated: run `{}`",
            super::COMMAND
        )
    }
}

/// What a generated file records of its inputs: the header's hashes (Rust), or the
/// `x-generated` block (the normalized JSON, a listing: nothing).
fn header(text: &str) -> String {
    if text.starts_with("//") {
        format!("{:?}", super::header::recorded_inputs(text))
    } else {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v.get("x-generated").map(|x| x.to_string()))
            .unwrap_or_default()
    }
}

/// Checks `files` against what is below `root` (`only_check`) printing each diff, or writes
/// them printing each path; then `{up_to_date} (N files)` if nothing drifted. Returns the drift.
pub fn ensure(
    root: &Path,
    files: &[GeneratedFile],
    only_check: bool,
    up_to_date: &str,
) -> Result<Vec<Drift>> {
    if !only_check {
        for path in write(root, files)? {
            println!("wrote {}", path.display());
        }
        return Ok(Vec::new());
    }
    let drift = check(root, files);
    for d in &drift {
        println!("{}", d.diff);
    }
    if drift.is_empty() {
        println!("{up_to_date} ({} files)", files.len());
    }
    Ok(drift)
}

/// Writes every generated file below `root` (never outside it); returns the absolute paths.
pub fn write(root: &Path, files: &[GeneratedFile]) -> Result<Vec<PathBuf>> {
    files
        .iter()
        .map(|f| crate::write_inside(root, &f.path, &f.contents))
        .collect()
}
