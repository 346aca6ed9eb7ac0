#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
// Two system calls std does not wrap (`sync_file_range`, `renameat2`) are the only `unsafe`
// code: see `download/sys.rs`. Everything else is safe code, and must stay so.
#![deny(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The crate's rooms. No two files use each other: each room uses only rooms below it in this
// list (the mod.rs of a directory says the same for the files inside it).
//
//   blocking/   the blocking client (feature `blocking`): wraps the async requests below
//   bulk/       Selection: delete and download many files, listed first, under one Concurrency
//   upload/     uploads: UploadRequest, the checks, the multipart form, the sources
//   download/   downloads: the resumable stream, downloads to a file
//   list/       ListRequest and paging: the request, the prefetching stream
//   by_id       calls addressed to one file by id: retrieve, delete, signed URLs
//   exec        the request executor: every request is sent, retried, timed out and mapped here
//   client      the Client and ClientBuilder::build
//   config      ClientBuilder and its settings
//   key         the API key, the one place it is held
//   retry       RetryPolicy and the retry loop (each attempt through the gate, if any)
//   concurrency the adaptive limit of requests in flight: Concurrency, the Gate of one operation
//   types       the file objects the API returns
//   id          FileId
//   progress    Progress
//   error/      Error, and the mapping of failed responses into it
#[cfg(feature = "blocking")]
pub mod blocking;
mod bulk;
mod by_id;
mod client;
mod concurrency;
mod config;
mod download;
mod error;
mod exec;
mod id;
mod key;
mod list;
mod progress;
mod retry;
mod types;
mod upload;

pub use bulk::{sanitize_file_name, Downloaded, FileOutcome, Selected, Selection};
pub use by_id::SignedUrlRequest;
pub use client::{install_tls_provider, Client};
pub use concurrency::Concurrency;
pub use config::{ClientBuilder, DEFAULT_BASE_URL, MAX_UPLOAD_BYTES};
pub use download::{Download, DownloadRequest, DownloadToPathRequest};
pub use error::{
    ApiError, ApiErrorBody, DecodeError, Error, LineError, Result, TransportError, ValidationItem,
};
pub use id::{FileId, IntoFileId};
pub use key::ApiKey;
pub use list::{ListRequest, DEFAULT_PAGE_SIZE, DEFAULT_PREFETCH};
pub use mistral_files_raw::{SIGNED_URL_MAX_EXPIRY_HOURS, SIGNED_URL_MIN_EXPIRY_HOURS};
pub use progress::{progress_to_watch, Progress};
pub use retry::RetryPolicy;
pub use types::{
    DeletedFile, FileObject, FilePage, FilePurpose, FileVisibility, SampleType, SignedUrl, Source,
};
pub use upload::{UploadData, UploadRequest, MAX_FILE_NAME_BYTES};

// What a caller needs to name, without adding the crates themselves: the status of an error,
// the chunks of a download, and the HTTP client `ClientBuilder::http_client` takes.
pub use bytes::Bytes;
/// The HTTP client this crate is built on, re-exported so that
/// [`ClientBuilder::http_client`](crate::ClientBuilder::http_client) can be given a
/// `mistral_files::reqwest::Client` of the very version this crate uses.
pub use reqwest;
pub use reqwest::StatusCode;
