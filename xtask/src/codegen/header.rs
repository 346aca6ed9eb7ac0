//! The provenance header of the generated file: written by `codegen`, read by every drift
//! check. One parser for all of them: xtask uses this module, and the workspace's `build.rs`
//! includes the same file (`#[path]`), so it must depend on nothing but `std` and `sha2`.

use std::path::Path;

/// Lowercase hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))
}

/// The `(input path, sha256)` pairs the header records, in order: every leading comment line
/// of the form `// <label>: <path> sha256:<hex>`.
pub fn recorded_inputs(generated: &str) -> Vec<(String, String)> {
    generated
        .lines()
        .take_while(|l| l.starts_with("//"))
        .filter_map(|l| {
            let (_, rest) = l.split_once(": ")?;
            let (path, hash) = rest.split_once(" sha256:")?;
            Some((path.trim().to_string(), hash.trim().to_string()))
        })
        .collect()
}

/// The recorded inputs below `root` whose content no longer has the recorded hash (or that
/// cannot be read), and whether the header recorded any input at all.
pub fn stale_inputs(root: &Path, generated: &str) -> (Vec<String>, bool) {
    let recorded = recorded_inputs(generated);
    let stale = recorded
        .iter()
        .filter(|(path, hash)| match std::fs::read(root.join(path)) {
            Ok(bytes) => sha256_hex(&bytes) != *hash,
            Err(_) => true,
        })
        .map(|(path, _)| path.clone())
        .collect();
    (stale, !recorded.is_empty())
}
