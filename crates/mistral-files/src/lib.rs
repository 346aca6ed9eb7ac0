#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod client;
mod config;
mod download;
mod error;
mod id;
mod key;
mod list;
mod ops;
mod progress;
mod retry;
mod types;
mod upload;

pub use client::Client;
pub use config::{ClientBuilder, DEFAULT_BASE_URL, MAX_UPLOAD_BYTES};
pub use download::{Download, DownloadRequest, DownloadToPathRequest};
pub use error::{ApiErrorBody, Error, Result, ValidationItem};
pub use id::{FileId, IntoFileId};
pub use key::ApiKey;
pub use list::{ListRequest, DEFAULT_PAGE_SIZE};
pub use ops::SignedUrlRequest;
pub use progress::{progress_to_watch, Progress};
pub use retry::RetryPolicy;
pub use types::{
    DeletedFile, FileObject, FilePage, FilePurpose, FileVisibility, SampleType, SignedUrl, Source,
};
pub use upload::{UploadRequest, MAX_FILE_NAME_BYTES};
