//! Downloads: a resumable byte stream ([`Download`]) and downloads to a file
//! ([`DownloadToPathRequest`]), from the API or from a signed URL.
//!
//! One file per concern, each used only by the ones above it:
//!
//! - `to_path`: writing a download to a file atomically; uses `stream`, `partial` and `target`.
//! - `stream`: the public [`Download`] stream and [`DownloadRequest`]; uses `resume`.
//! - `resume`: the state of a transfer and its reconnection after a failed body; uses `partial`
//!   (where a transfer continues a partial copy) and `target`.
//! - `partial`: the partial copy of a download to a file, kept between runs (and processes) under
//!   a name derived from the target and the file, so that a later run resumes it; its lock and
//!   the atomic placement at the target; uses `target`.
//! - `target`: what is fetched (an API file or a signed URL), which decides whether the API key
//!   is sent.

mod partial;
mod resume;
mod stream;
mod target;
mod to_path;

pub use stream::{Download, DownloadRequest};
pub use to_path::DownloadToPathRequest;
