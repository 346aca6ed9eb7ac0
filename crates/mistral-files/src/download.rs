//! Downloads: a resumable byte stream ([`Download`]) and [`Client::download_to_path`].

use std::future::{Future, IntoFuture};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::stream::{self, BoxStream, Stream, StreamExt};
use reqwest::header::{
    HeaderValue, ACCEPT_RANGES, CONTENT_RANGE, ETAG, IF_RANGE, LAST_MODIFIED, RANGE,
};
use reqwest::StatusCode;
use tokio::io::AsyncRead;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::id::{FileId, IntoFileId};
use crate::progress::{Progress, ProgressFn};
use crate::retry::RetryClass;

/// Smallest write for downloads to disk (smaller network chunks are gathered up to it).
const WRITE_BUF: usize = 256 * 1024;
/// Chunks queued between the network and the disk writer of a download to disk.
const WRITE_QUEUE: usize = 2;

#[derive(Clone)]
enum Target {
    Api(FileId),
    Signed(String),
}

impl Target {
    fn log_path(&self) -> String {
        match self {
            Target::Api(id) => format!("/v1/files/{id}/content"),
            Target::Signed(u) => u.split('?').next().unwrap_or_default().to_string(),
        }
    }
}

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
///     // use chunk
///     # let _ = chunk;
/// }
/// # Ok(()) }
/// ```
pub struct Download {
    content_length: Option<u64>,
    content_type: Option<String>,
    stream: BoxStream<'static, Result<Bytes>>,
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
/// # let _ = dl; Ok(()) }
/// ```
#[must_use = "a download does nothing until awaited"]
pub struct DownloadRequest {
    client: Client,
    target: Result<Target>,
    progress: Option<ProgressFn>,
}

/// A pending download to a file; `.await` it (or call [`send`](Self::send)). Resolves to the number
/// of bytes written.
///
/// The content goes to a temporary file beside the target, is checked against the announced length
/// (and the file's metadata, when known), synced to disk, then renamed over the target: an
/// interrupted or failed download never leaves a partial file at the target.
///
/// ```no_run
/// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
/// let n = client.download_to_path("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e", "out.jsonl").overwrite(false).await?;
/// println!("wrote {n} bytes");
/// # Ok(()) }
/// ```
#[must_use = "a download does nothing until awaited"]
pub struct DownloadToPathRequest {
    req: DownloadRequest,
    path: PathBuf,
    overwrite: bool,
}

impl Client {
    /// Download a file's content as a stream.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let dl = client.download("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").await?;
    /// # let _ = dl; Ok(()) }
    /// ```
    pub fn download(&self, id: impl IntoFileId) -> DownloadRequest {
        DownloadRequest {
            client: self.clone(),
            target: id.into_file_id().map(Target::Api),
            progress: None,
        }
    }

    /// Download a file's content to `path` (atomically: temp file, fsync, rename).
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// client.download_to_path("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e", "results.jsonl").await?;
    /// # Ok(()) }
    /// ```
    pub fn download_to_path(
        &self,
        id: impl IntoFileId,
        path: impl AsRef<Path>,
    ) -> DownloadToPathRequest {
        DownloadToPathRequest {
            req: self.download(id),
            path: path.as_ref().to_path_buf(),
            overwrite: true,
        }
    }

    /// Fetch a signed URL's content as a stream, **without** the API key (the URL points at another
    /// host and carries its own credential).
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let url = client.signed_url("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").await?;
    /// let dl = client.fetch_signed_url(&url).await?;
    /// # let _ = dl; Ok(()) }
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
        }
    }

    /// Fetch a signed URL's content to `path`, without the API key (atomically, like
    /// [`download_to_path`](Self::download_to_path)).
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let url = client.signed_url("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").await?;
    /// client.fetch_signed_url_to_path(&url, "copy.bin").await?;
    /// # Ok(()) }
    /// ```
    pub fn fetch_signed_url_to_path(
        &self,
        url: impl AsRef<str>,
        path: impl AsRef<Path>,
    ) -> DownloadToPathRequest {
        DownloadToPathRequest {
            req: self.fetch_signed_url(url),
            path: path.as_ref().to_path_buf(),
            overwrite: true,
        }
    }
}

impl DownloadRequest {
    /// Report progress (bytes received / total) to a callback.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let dl = client.download("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").on_progress(|p| eprintln!("{:?}", p)).await?;
    /// # let _ = dl; Ok(()) }
    /// ```
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Start the download: sends the request (with retries) and returns once the response headers
    /// are in.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let dl = client.download("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").send().await?;
    /// # let _ = dl; Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Download> {
        let target = self.target?;
        let mut st = State {
            client: self.client,
            target,
            resp: None,
            offset: 0,
            skip: 0,
            total: None,
            ranges: false,
            validator: None,
            resumes: 0,
            progress: self.progress,
            finished: false,
        };
        let first = st.open().await?;
        let content_type = first
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        st.accept(first)?;
        if let Some(cb) = &st.progress {
            cb(Progress {
                bytes_done: 0,
                total: st.total,
            });
        }
        let content_length = st.total;
        let stream = stream::unfold(st, |mut st| async move {
            st.next().await.map(|item| (item, st))
        });
        Ok(Download {
            content_length,
            content_type,
            stream: stream.boxed(),
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

struct State {
    client: Client,
    target: Target,
    resp: Option<BoxStream<'static, reqwest::Result<Bytes>>>,
    /// Content bytes delivered so far.
    offset: u64,
    /// Bytes to drop from the start of the current response (a restart without `Range`).
    skip: u64,
    total: Option<u64>,
    ranges: bool,
    validator: Option<HeaderValue>,
    resumes: u32,
    progress: Option<ProgressFn>,
    finished: bool,
}

impl State {
    async fn open(&mut self) -> Result<reqwest::Response> {
        let client = self.client.clone();
        let target = self.target.clone();
        let range = (self.offset > 0 && self.ranges).then(|| format!("bytes={}-", self.offset));
        let validator = self.validator.clone();
        let path = target.log_path();
        client
            .with_retry("GET", &path, RetryClass::Idempotent, |_| async {
                let mut rb = match &target {
                    Target::Api(id) => client
                        .api_request(reqwest::Method::GET, &format!("/v1/files/{id}/content"))?,
                    Target::Signed(url) => client.foreign_request(url),
                };
                if let Some(r) = &range {
                    rb = rb.header(RANGE, r.as_str());
                    if let Some(v) = &validator {
                        rb = rb.header(IF_RANGE, v.clone());
                    }
                }
                Client::send_checked(rb).await
            })
            .await
    }

    /// Take a response as the current body, working out where it starts.
    fn accept(&mut self, resp: reqwest::Response) -> Result<()> {
        let status = resp.status();
        let headers = resp.headers();
        if self.offset == 0 {
            self.ranges = headers
                .get(ACCEPT_RANGES)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("bytes"));
            self.validator = headers
                .get(ETAG)
                .filter(|v| !v.as_bytes().starts_with(b"W/"))
                .or_else(|| headers.get(LAST_MODIFIED))
                .cloned();
        }
        if status == StatusCode::PARTIAL_CONTENT {
            let (start, total) = headers
                .get(CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_content_range)
                .ok_or_else(|| {
                    Error::invalid(
                        "server response",
                        "a 206 response without a usable Content-Range",
                    )
                })?;
            if start > self.offset {
                return Err(Error::invalid(
                    "server response",
                    "the server resumed past the requested offset",
                ));
            }
            self.skip = self.offset - start;
            if let (Some(t), Some(known)) = (total, self.total) {
                if t != known {
                    return Err(Error::invalid(
                        "server response",
                        "the file changed while downloading",
                    ));
                }
            }
            if self.total.is_none() {
                self.total = total;
            }
        } else {
            // A full body: drop what was already delivered.
            self.skip = self.offset;
            let len = resp.content_length();
            if self.offset == 0 {
                self.total = len;
            } else if let (Some(l), Some(t)) = (len, self.total) {
                if l != t {
                    return Err(Error::invalid(
                        "server response",
                        "the file changed while downloading",
                    ));
                }
            }
        }
        self.resp = Some(resp.bytes_stream().boxed());
        Ok(())
    }

    async fn next(&mut self) -> Option<Result<Bytes>> {
        if self.finished {
            return None;
        }
        loop {
            let err: Error = match self.resp.as_mut()?.next().await {
                Some(Ok(mut chunk)) => {
                    if self.skip > 0 {
                        let drop = (self.skip).min(chunk.len() as u64);
                        self.skip -= drop;
                        chunk = chunk.slice(drop as usize..);
                        if chunk.is_empty() {
                            continue;
                        }
                    }
                    self.offset += chunk.len() as u64;
                    if let Some(cb) = &self.progress {
                        cb(Progress {
                            bytes_done: self.offset,
                            total: self.total,
                        });
                    }
                    return Some(Ok(chunk));
                }
                None => match self.total {
                    Some(t) if self.offset < t => Error::LengthMismatch {
                        expected: t,
                        actual: self.offset,
                    },
                    _ => {
                        self.finished = true;
                        return None;
                    }
                },
                Some(Err(e)) => {
                    if self
                        .total
                        .is_some_and(|t| self.offset >= t && self.skip == 0)
                    {
                        // Everything arrived; the connection only failed on the way out.
                        self.finished = true;
                        return None;
                    }
                    Error::from(e)
                }
            };
            // The body failed: reconnect and continue, if the policy allows.
            let policy = &self.client.inner.retry;
            self.resumes += 1;
            if self.resumes >= policy.max_attempts() {
                self.finished = true;
                return Some(Err(err));
            }
            tracing::warn!(error = %err, offset = self.offset, attempt = self.resumes + 1, "download interrupted; resuming");
            tokio::time::sleep(policy.delay(self.resumes, None)).await;
            let resp = match self.open().await {
                Ok(r) => r,
                Err(e) => {
                    self.finished = true;
                    return Some(Err(e));
                }
            };
            if let Err(e) = self.accept(resp) {
                self.finished = true;
                return Some(Err(e));
            }
        }
    }
}

/// Parse `bytes START-END/TOTAL` (TOTAL may be `*`).
fn parse_content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, _end) = range.split_once('-')?;
    let total = if total == "*" {
        None
    } else {
        Some(total.parse().ok()?)
    };
    Some((start.parse().ok()?, total))
}

impl DownloadToPathRequest {
    /// Report progress (bytes received / total) to a callback.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// client.download_to_path("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e", "out.bin").on_progress(|p| eprintln!("{p:?}")).await?;
    /// # Ok(()) }
    /// ```
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.req = self.req.on_progress(f);
        self
    }

    /// Whether to replace an existing file at the target (default: yes). With `false`, an existing
    /// target is an error ([`Error::TargetExists`]) and no request is made.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// client.download_to_path("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e", "out.bin").overwrite(false).await?;
    /// # Ok(()) }
    /// ```
    pub fn overwrite(mut self, yes: bool) -> Self {
        self.overwrite = yes;
        self
    }

    /// Run the download.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let n = client.download_to_path("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e", "out.bin").send().await?;
    /// # let _ = n; Ok(()) }
    /// ```
    pub async fn send(self) -> Result<u64> {
        let DownloadToPathRequest {
            req,
            path,
            overwrite,
        } = self;
        let target = match &req.target {
            Ok(t) => t.clone(),
            Err(_) => return req.send().await.map(|_| 0),
        };
        let file_name = path.file_name().ok_or_else(|| {
            Error::invalid(
                "download target",
                format!("{} has no file name", path.display()),
            )
        })?;
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        match tokio::fs::metadata(&path).await {
            Ok(m) if m.is_dir() => return Err(Error::NotAFile { path }),
            Ok(_) if !overwrite => return Err(Error::TargetExists { path }),
            _ => {}
        }
        let expected = match &target {
            Target::Api(id) => req.client.retrieve(*id).await?.bytes,
            Target::Signed(_) => None,
        };

        let tmp = parent.join(format!(
            ".{}.{:016x}.part",
            file_name.to_string_lossy(),
            rand::random::<u64>()
        ));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .await
            .map_err(|e| Error::io(&tmp, e))?;
        let guard = TempGuard(Some(tmp.clone()));

        let mut dl = req.send().await?;
        let announced = dl.content_length();
        // The disk writes run on one blocking thread, fed whole chunks (no copy for large ones)
        // through a short queue: receiving and writing overlap, memory stays bounded.
        let file = file.into_std().await;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Bytes>(WRITE_QUEUE);
        let writer = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
            use std::io::Write;
            let mut file = file;
            while let Some(chunk) = rx.blocking_recv() {
                file.write_all(&chunk)?;
            }
            Ok(file)
        });
        let mut pending = BytesMut::new();
        let mut written = 0u64;
        let mut writer_failed = false;
        while let Some(chunk) = dl.next().await {
            let chunk = chunk?;
            written += chunk.len() as u64;
            // Small chunks (e.g. TLS records) are gathered into WRITE_BUF-sized writes.
            let next = if pending.is_empty() && chunk.len() >= WRITE_BUF {
                Some(chunk)
            } else {
                pending.extend_from_slice(&chunk);
                (pending.len() >= WRITE_BUF).then(|| pending.split().freeze())
            };
            if let Some(buf) = next {
                if tx.send(buf).await.is_err() {
                    writer_failed = true;
                    break;
                }
            }
        }
        if !pending.is_empty() && !writer_failed {
            let _ = tx.send(pending.freeze()).await;
        }
        drop(tx);
        let file = writer
            .await
            .map_err(|e| Error::io(&tmp, std::io::Error::other(e)))?
            .map_err(|e| Error::io(&tmp, e))?;
        for want in [expected, announced].into_iter().flatten() {
            if want != written {
                return Err(Error::LengthMismatch {
                    expected: want,
                    actual: written,
                });
            }
        }
        let file = tokio::task::spawn_blocking(move || file.sync_all().map(|()| file))
            .await
            .map_err(|e| Error::io(&tmp, std::io::Error::other(e)))?
            .map_err(|e| Error::io(&tmp, e))?;
        drop(file);
        if !overwrite && tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Err(Error::TargetExists { path });
        }
        tokio::fs::rename(&tmp, &path)
            .await
            .map_err(|e| Error::io(&path, e))?;
        guard.disarm();
        #[cfg(unix)]
        if let Ok(dir) = tokio::fs::File::open(&parent).await {
            let _ = dir.sync_all().await;
        }
        Ok(written)
    }
}

impl IntoFuture for DownloadToPathRequest {
    type Output = Result<u64>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<u64>> + Send>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Removes the temp file unless disarmed (also when the future is dropped mid-way).
struct TempGuard(Option<PathBuf>);

impl TempGuard {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range() {
        assert_eq!(
            parse_content_range("bytes 10-99/100"),
            Some((10, Some(100)))
        );
        assert_eq!(parse_content_range("bytes 0-0/*"), Some((0, None)));
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }
}
