//! Downloads: a resumable byte stream ([`Download`]) and downloads to a file
//! ([`DownloadToPathRequest`]), from the API or from a signed URL.
//!
//! One file per concern, each used only by the ones above it:
//!
//! - `to_path`: writing a download to a file atomically; uses `stream`, `partial`, `target`,
//!   `feed` and `write_behind`.
//! - `feed`: hands a download's chunks to the disk writer thread through a fixed set of buffers;
//!   uses `stream` and `write_behind`.
//! - `write_behind`: the disk side of a download to a file: writes, flushes behind the writes
//!   (`sync_file_range` on Linux) and syncs at the end; uses `sys`.
//! - `sys`: the two system calls std does not wrap (`sync_file_range`, `renameat2`), the
//!   crate's only `unsafe` code; uses nothing of the crate.
//! - `stream`: the public [`Download`] stream and [`DownloadRequest`]; uses `resume`.
//! - `resume`: the state of a transfer and its reconnection after a failed body; uses `partial`
//!   (where a transfer continues a partial copy) and `target`.
//! - `partial`: the partial copy of a download to a file, kept between runs (and processes) under
//!   a name derived from the target and the file, so that a later run resumes it; its lock and
//!   the atomic placement at the target; uses `target`.
//! - `target`: what is fetched (an API file or a signed URL), which decides whether the API key
//!   is sent.

mod feed;
mod partial;
mod resume;
mod stream;
mod sys;
mod target;
mod to_path;
mod write_behind;

pub use stream::{Download, DownloadRequest};
pub use to_path::DownloadToPathRequest;
