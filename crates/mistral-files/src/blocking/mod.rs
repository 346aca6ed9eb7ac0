//! The blocking client (feature `blocking`): [`Client`], the same operations as the async
//! [`crate::Client`] for code without an async runtime.
//!
//! ```no_run
//! use std::io::Read;
//! use mistral_files::{blocking::Client, FilePurpose};
//!
//! let client = Client::from_env()?;
//! let file = client.upload_path("batch.jsonl").purpose(FilePurpose::Batch).send()?;
//! for f in client.list().purpose(FilePurpose::Batch) {
//!     println!("{}", f?.filename);
//! }
//! client.download_to_path(file.id, "copy.jsonl").send()?;
//! let mut text = String::new();
//! client.download(file.id).send()?.read_to_string(&mut text)?;
//! client.delete(file.id)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Each blocking `Client` owns one single-threaded tokio runtime, made when the client is built
//! and shared by its clones: a call runs the async operation on it (`block_on`) and returns, no
//! runtime is started per call, and the connections stay pooled between calls. Clones may be
//! used from several threads at once. As with `reqwest::blocking`, do not call it from inside an
//! async runtime (that panics), and do not drop the last clone there either.
//!
//! The files of this room wrap the async request types one to one, so every option, check,
//! retry and guarantee is the async crate's: `upload` (uploads, and reading a
//! `std::io::Read`), `list` (one page, or an iterator over every page), `download` (to a
//! path, or as a `std::io::Read`). This file holds the client, the calls that need no request
//! type, and the signed URL request.

mod download;
mod list;
mod upload;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

pub use download::{Download, DownloadRequest, DownloadToPathRequest};
pub use list::{FileIter, ListRequest};
pub use upload::UploadRequest;

use crate::error::{Error, Result};
use crate::id::IntoFileId;
use crate::types::{DeletedFile, FileObject, SignedUrl};

/// The runtime every clone of a blocking [`Client`] shares.
#[derive(Clone)]
pub(crate) struct Runtime(Arc<tokio::runtime::Runtime>);

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Runtime(current thread)")
    }
}

impl Runtime {
    fn new() -> Result<Self> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("mistral-files-blocking")
            .build()
            .map(|rt| Runtime(Arc::new(rt)))
            .map_err(|source| Error::Runtime { source })
    }

    /// Runs `f` to completion on the client's runtime.
    pub(crate) fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.0.block_on(f)
    }
}

/// The Files API client, blocking. Cheap to clone (an `Arc` inside); clones share the HTTP
/// connection pool and the runtime. See the [module docs](self).
///
/// ```no_run
/// let client = mistral_files::blocking::Client::from_env()?;
/// let page = client.list().page_size(10).send()?;
/// # Ok::<(), mistral_files::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: crate::Client,
    rt: Runtime,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("blocking::Client")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl crate::ClientBuilder {
    /// Build a [`blocking::Client`](Client) (feature `blocking`), with its runtime.
    ///
    /// ```
    /// let client = mistral_files::Client::builder()
    ///     .api_key("k")
    ///     .base_url("http://127.0.0.1:8080")
    ///     .build_blocking()?;
    /// assert_eq!(client.base_url(), "http://127.0.0.1:8080");
    /// # Ok::<(), mistral_files::Error>(())
    /// ```
    pub fn build_blocking(self) -> Result<Client> {
        Client::new(self.build()?)
    }
}

impl Client {
    /// A blocking client that runs `client`'s calls, with a runtime of its own.
    ///
    /// ```
    /// let async_client = mistral_files::Client::builder().api_key("k").build()?;
    /// let client = mistral_files::blocking::Client::new(async_client)?;
    /// println!("{client:?}");
    /// # Ok::<(), mistral_files::Error>(())
    /// ```
    pub fn new(client: crate::Client) -> Result<Self> {
        Ok(Client {
            inner: client,
            rt: Runtime::new()?,
        })
    }

    /// A client configured from the environment, as [`crate::Client::from_env`].
    ///
    /// ```no_run
    /// let client = mistral_files::blocking::Client::from_env()?;
    /// # Ok::<(), mistral_files::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        crate::ClientBuilder::from_env().build_blocking()
    }

    /// The base URL in use, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.inner.base_url()
    }

    /// The async client the calls run on, to mix both styles.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// Fetch a file's metadata, as [`crate::Client::retrieve`].
    ///
    /// ```no_run
    /// # fn f(client: mistral_files::blocking::Client) -> mistral_files::Result<()> {
    /// match client.retrieve("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e") {
    ///     Ok(file) => println!("{}", file.filename),
    ///     Err(e) if e.is_not_found() => println!("no such file"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn retrieve(&self, id: impl IntoFileId) -> Result<FileObject> {
        self.rt.block_on(self.inner.retrieve(id))
    }

    /// Delete a file, as [`crate::Client::delete`].
    pub fn delete(&self, id: impl IntoFileId) -> Result<DeletedFile> {
        self.rt.block_on(self.inner.delete(id))
    }

    /// Ask for a signed URL to a file's content; [`send`](SignedUrlRequest::send) it.
    ///
    /// ```no_run
    /// # fn f(client: mistral_files::blocking::Client) -> mistral_files::Result<()> {
    /// let url = client.signed_url("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").send()?;
    /// let n = client.fetch_signed_url_to_path(&url, "copy.bin").send()?; // without the API key
    /// println!("{n:?}");
    /// # Ok(()) }
    /// ```
    pub fn signed_url(&self, id: impl IntoFileId) -> SignedUrlRequest {
        SignedUrlRequest {
            inner: self.inner.signed_url(id),
            rt: self.rt.clone(),
        }
    }
}

/// A pending signed-URL request of the blocking client; [`send`](Self::send) it.
#[must_use = "a request does nothing until sent"]
pub struct SignedUrlRequest {
    inner: crate::SignedUrlRequest,
    rt: Runtime,
}

impl SignedUrlRequest {
    /// How long the URL stays valid, in whole hours, as [`crate::SignedUrlRequest::expiry`].
    pub fn expiry(mut self, d: Duration) -> Self {
        self.inner = self.inner.expiry(d);
        self
    }

    /// Send the request.
    pub fn send(self) -> Result<SignedUrl> {
        self.rt.block_on(self.inner.send())
    }
}
