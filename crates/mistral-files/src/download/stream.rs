//! Downloading as a stream: [`Download`] and the request that starts one,
//! [`DownloadRequest`].
//!
//! The public types only: what a caller holds and reads. How the stream survives a failed
//! connection is `resume.rs`; writing it to a file is `to_path.rs`, which builds on these.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::stream::{self, BoxStream, Stream, StreamExt};
use tokio::io::AsyncRead;

use super::partial::ResumeFrom;
use super::resume::Transfer;
use super::target::Target;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::id::IntoFileId;
use crate::progress::{Progress, ProgressFn};

/// A file's content as a stream of byte chunks, never buffered whole.
///
/// If the connection fails mid-way, the stream reconnects by itself (per the client's retry
/// policy), asking for the rest with `Range` when the server supports it, or skipping what was
/// already delivered otherwise: what you read is always the file, in order, with nothing repeated.
///
/// ```no_run
/// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
/// use futures_util::TryStreamExt;
/// let mut dl = client.download("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").await?;
/// println!("{:?} bytes", dl.content_length());
/// while let Some(chunk) = dl.try_next().await? {
///     println!("{} bytes", chunk.len());
/// }
/// # Ok(()) }
/// ```
pub struct Download {
    content_length: Option<u64>,
    content_type: Option<String>,
    stream: BoxStream<'static, Result<Bytes>>,
    /// Where the stream starts in the file (0 unless a partial copy is continued).
    pub(super) start: u64,
    /// The file's validator (strong `ETag`, else `Last-Modified`), if the server sent one.
    pub(super) validator: Option<reqwest::header::HeaderValue>,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("content_length", &self.content_length)
            .field("content_type", &self.content_type)
            .finish_non_exhaustive()
    }
}

impl Download {
    /// The content length, when the server announced it.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let dl = client.download("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").await?;
    /// println!("{:?}", dl.content_length());
    /// # Ok(()) }
    /// ```
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// The `Content-Type` the server sent.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let dl = client.download("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").await?;
    /// println!("{:?}", dl.content_type());
    /// # Ok(()) }
    /// ```
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The content as an `AsyncRead` (errors become `std::io::Error`s wrapping [`Error`]).
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> std::io::Result<()> {
    /// let dl = client.download("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").await.map_err(std::io::Error::other)?;
    /// let mut reader = dl.into_async_read();
    /// tokio::io::copy(&mut reader, &mut tokio::io::sink()).await?;
    /// # Ok(()) }
    /// ```
    pub fn into_async_read(self) -> impl AsyncRead + Send + Unpin + 'static {
        tokio_util::io::StreamReader::new(self.stream.map(|r| r.map_err(std::io::Error::other)))
    }
}

impl Stream for Download {
    type Item = Result<Bytes>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}

/// A pending download; `.await` it (or call [`send`](Self::send)) to get a [`Download`].
///
/// ```no_run
/// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
/// let dl = client.download("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").on_progress(|p| println!("{}", p.bytes_done)).await?;
/// println!("{dl:?}");
/// # Ok(()) }
/// ```
#[must_use = "a download does nothing until awaited"]
pub struct DownloadRequest {
    pub(super) client: Client,
    /// The target, or why the id or URL given was refused (reported by `send`, not before).
    pub(super) target: Result<Target>,
    progress: Option<ProgressFn>,
    /// A partial copy to continue (downloads to a file only).
    pub(super) resume: Option<ResumeFrom>,
}

impl Client {
    /// Download a file's content as a stream.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let dl = client.download("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").await?;
    /// println!("{dl:?}");
    /// # Ok(()) }
    /// ```
    pub fn download(&self, id: impl IntoFileId) -> DownloadRequest {
        DownloadRequest {
            client: self.clone(),
            target: id.into_file_id().map(Target::Api),
            progress: None,
            resume: None,
        }
    }

    /// Fetch a signed URL's content as a stream, **without** the API key (the URL points at another
    /// host and carries its own credential).
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let url = client.signed_url("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").await?;
    /// let dl = client.fetch_signed_url(&url).await?;
    /// println!("{dl:?}");
    /// # Ok(()) }
    /// ```
    pub fn fetch_signed_url(&self, url: impl AsRef<str>) -> DownloadRequest {
        let url = url.as_ref();
        let target = if url.starts_with("https://") || url.starts_with("http://") {
            Ok(Target::Signed(url.to_string()))
        } else {
            Err(Error::invalid("signed URL", "it must be an http(s):// URL"))
        };
        DownloadRequest {
            client: self.clone(),
            target,
            progress: None,
            resume: None,
        }
    }
}

impl DownloadRequest {
    /// Report progress (bytes received / total) to a callback.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let dl = client.download("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").on_progress(|p| eprintln!("{:?}", p)).await?;
    /// println!("{dl:?}");
    /// # Ok(()) }
    /// ```
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// The same request for `target`, from the start of the file (no partial copy).
    pub(super) fn restarted_for(&self, target: Target) -> DownloadRequest {
        DownloadRequest {
            client: self.client.clone(),
            target: Ok(target),
            progress: self.progress.clone(),
            resume: None,
        }
    }

    /// Start the download: sends the request (with retries) and returns once the response headers
    /// are in.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let dl = client.download("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").send().await?;
    /// println!("{dl:?}");
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Download> {
        let (transfer, content_type) =
            Transfer::start(self.client, self.target?, self.progress, self.resume).await?;
        let content_length = transfer.total();
        let start = transfer.start_offset();
        let validator = transfer.validator().cloned();
        let stream = stream::unfold(transfer, |mut t| async move {
            t.next().await.map(|item| (item, t))
        });
        Ok(Download {
            content_length,
            content_type,
            stream: stream.boxed(),
            start,
            validator,
        })
    }
}

impl IntoFuture for DownloadRequest {
    type Output = Result<Download>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Download>> + Send>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
