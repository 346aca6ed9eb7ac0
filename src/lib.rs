//! Workspace checks for `mistral-files`; this package has no API of its own.
//!
//! Its `build.rs` stops the build when `openapi/` changed without regenerating, and its
//! `tests/` hold the generated-surface snapshots, the codegen drift test and the
//! end-to-end tests that span several crates.
