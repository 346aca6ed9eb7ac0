//! Workspace checks for `mistral-files`; this package has no API of its own.
//!
//! Its `build.rs` stops the build when `openapi/` changed without regenerating, and its
//! `tests/` hold the generated-surface snapshots, the codegen drift test and the
//! end-to-end tests that span several crates.

/// The root README's Rust snippets, compiled as doctests (`cargo test --doc`): every `use` in
/// it must resolve, every line must type-check.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct RootReadme;
