//! Helpers shared by the tests of every crate of the workspace (a dev-dependency only; loopback
//! only).
//!
//! - [`emulator`](mod@emulator): an emulator expecting [`KEY`], a [`mistral_files::Client`] for
//!   it with fast retries, and look-ups in what the emulator recorded.
//! - [`server`]: a scripted loopback HTTP/1.1 server, for faults the emulator does not model and
//!   for capturing the requests a client builds.
//! - [`http`]: plain-`reqwest` calls to the emulator's API, hand-built multipart bodies and raw
//!   TCP requests (the emulator's own tests).
//! - [`data`]: sha256 hex and deterministic content.
//! - [`cli`]: a runner for the built `mistral-files` binary whose result is an [`cli::Outcome`];
//!   the calling test crate passes the binary's path (`env!("CARGO_BIN_EXE_mistral-files")`).
//! - [`pty`](mod@pty): a pseudo-terminal to run a command in (Unix), what it draws and what is
//!   typed at it.
//! - [`wire_literals`]: the guard against hand-kept copies of the spec's enum values in a crate's
//!   `src/`.
//!
//! The most used items are re-exported at the root.

#![warn(missing_docs)]

pub mod cli;
pub mod data;
pub mod emulator;
pub mod http;
#[cfg(unix)]
pub mod pty;
pub mod server;
pub mod wire_literals;

pub use data::{content, hex, jsonl, mkfifo, sha256_hex};
pub use emulator::{
    client_at, client_for, downloaded, emulator, emulator_builder, emulator_with, fast_retries,
    header, listed_pages, query_values, requests_to, setup, uploaded_batch,
};
pub use server::{http_response, json_200, refused_url, Reply, ScriptedServer};

/// The API key every test emulator expects and every test client sends. Distinctive (`S3CR3T`),
/// so that a test can check it is never printed or logged; deliberately not the emulator's
/// default key (`mistral_files_emulator::DEFAULT_API_KEY`).
pub const KEY: &str = "sk-test-S3CR3T-7c1f0e";

/// A well-formed file id that no test emulator holds.
pub const FILE_ID: &str = "3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e";

/// A file object for [`FILE_ID`] as a server might send it: no size, and a purpose and sample type
/// that the spec does not list (the client must keep them).
pub const FILE_JSON: &str = r#"{"id":"3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e","object":"file","bytes":null,"created_at":1700000000,"filename":"a.jsonl","purpose":"brand-new-purpose","sample_type":"something_new","source":"upload","deleted":false}"#;
