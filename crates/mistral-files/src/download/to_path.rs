//! Downloading to a file: [`DownloadToPathRequest`], which never leaves a partial file at the
//! target, and resumes an interrupted download, in this process or the next.
//!
//! The content goes to a partial copy beside the target (same directory, so the final rename
//! cannot cross file systems; see `partial` for its name, record and lock), is checked against
//! every length known for it, synced, and only then moved to the target. A download that stops
//! (a connection lost for good, the future dropped, the process killed) keeps its partial copy
//! when the server gave a validator, and the next download of the same file to the same target
//! continues it with `Range` + `If-Range`; a failure that resuming cannot fix (a 4xx, a length
//! that does not match) removes it. Disk writes run on a blocking thread fed through a small
//! fixed set of buffers (see `feed`), so receiving and writing overlap while memory stays small.

use std::ffi::OsStr;
use std::future::{Future, IntoFuture};
use std::path::{Path, PathBuf};
use std::pin::Pin;

use super::feed::write_download;
use super::partial::{source_key, Partial};
use super::stream::{Download, DownloadRequest};
use super::target::Target;
use super::write_behind::DurableWriter;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::id::IntoFileId;
use crate::progress::Progress;

/// A pending download to a file; `.await` it (or call [`send`](Self::send)). Resolves to the
/// file's size in bytes.
///
/// The content goes to a partial copy beside the target (`.NAME.ID.part`, with a record of the
/// file's length and `ETag` in `.NAME.ID.meta`), is checked against the announced length (and the
/// file's metadata, when known), synced to disk, then moved to the target: an interrupted or
/// failed download never leaves a partial file at the target. If it is interrupted (even by a
/// crash or `kill -9`), the next download of the same file to the same target resumes from the
/// partial copy with `Range` and `If-Range`; a copy that no longer matches the file is discarded
/// and the download starts over. Two downloads to the same target at once: the second fails
/// (`Error::Io`, the partial is locked).
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
    /// The file's size when the caller knows it already (a bulk download has just listed it):
    /// spares the request for its metadata.
    known_size: Option<u64>,
}

impl Client {
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
            known_size: None,
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
            known_size: None,
        }
    }
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
    /// target is an error ([`Error::TargetExists`]) and no request is made; a file created at the
    /// target while downloading is never replaced either (the final move is atomic:
    /// `renameat2(RENAME_NOREPLACE)`, or a hard link then an unlink).
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

    /// The file's size, known from a listing: the download checks against it instead of asking
    /// for the file's metadata first. `None` asks.
    pub(crate) fn known_size(mut self, bytes: Option<u64>) -> Self {
        self.known_size = bytes;
        self
    }

    /// Run the download.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let n = client.download_to_path("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e", "out.bin").send().await?;
    /// println!("{n:?}");
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<u64> {
        let DownloadToPathRequest {
            req,
            path,
            overwrite,
            known_size,
        } = self;
        let target = match &req.target {
            Ok(t) => t.clone(),
            Err(_) => return req.send().await.map(|_| 0),
        };
        let (parent, file_name) = parent_and_name(&path)?;
        match tokio::fs::metadata(&path).await {
            Ok(m) if m.is_dir() => return Err(Error::NotAFile { path }),
            Ok(_) if !overwrite => return Err(Error::TargetExists { path }),
            _ => {}
        }
        let expected = match (&target, known_size) {
            (Target::Api(_), Some(n)) => Some(n),
            (Target::Api(id), None) => req.client.retrieve(*id).await?.bytes,
            (Target::Signed(_), _) => None,
        };
        let key = source_key(&target);
        let (dir, name) = (parent.clone(), file_name.to_os_string());
        let (mut partial, resume) = blocking(move || {
            let mut partial = Partial::open(&dir, &name, &key)?;
            let resume = partial.resumable(expected);
            if resume.is_none() {
                partial.restart()?;
            }
            Ok((partial, resume))
        })
        .await?;
        if let Some(r) = &resume {
            tracing::info!(offset = r.offset, path = %partial.path.display(), "resuming a partial download");
        }
        let from_scratch = req.restarted_for(target);
        let mut req = req;
        req.resume = resume.clone();
        let mut dl = match req.send().await {
            Ok(dl) => dl,
            // the partial copy asked for a range the file no longer has: start over
            Err(e)
                if resume.is_some()
                    && e.status() == Some(reqwest::StatusCode::RANGE_NOT_SATISFIABLE) =>
            {
                match from_scratch.send().await {
                    Ok(dl) => dl,
                    Err(e) => return Err(settle(partial, e)),
                }
            }
            Err(e) => return Err(settle(partial, e)),
        };
        let start = dl.start;
        let size = match fill(&mut partial, &mut dl, start, expected).await {
            Ok(size) => size,
            Err(e) => return Err(settle(partial, e)),
        };
        let target_path = path.clone();
        tokio::task::spawn_blocking(move || partial.place(&target_path, overwrite))
            .await
            .map_err(|e| Error::io(&path, std::io::Error::other(e)))??;
        tracing::debug!(path = %path.display(), bytes = size, "download placed at its target");
        // Make the rename itself durable.
        #[cfg(unix)]
        if let Ok(dir) = tokio::fs::File::open(&parent).await {
            let _ = dir.sync_all().await;
        }
        Ok(size)
    }
}

impl IntoFuture for DownloadToPathRequest {
    type Output = Result<u64>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<u64>> + Send>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A failed download's partial copy: kept for the next run when resuming could help (the
/// connection failed, the server was unavailable), removed otherwise. Returns the error.
fn settle(partial: Partial, e: Error) -> Error {
    if !e.is_retryable() {
        partial.discard();
    }
    // else dropped here: kept if it has a record
    e
}

/// Runs a file operation on the blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::io(".", std::io::Error::other(e)))?
}

/// Writes the download into the partial copy (from `start`, its kept length) and checks and
/// syncs it; the file's size. A new copy is recorded (a few bytes, written in place: it must
/// happen before the first byte of content) before anything is written.
async fn fill(
    partial: &mut Partial,
    dl: &mut Download,
    start: u64,
    expected: Option<u64>,
) -> Result<u64> {
    if start == 0 {
        // a new copy (or the old one no longer matches): the record comes first
        partial.restart()?;
        partial.record(dl.validator.as_ref(), dl.content_length())?;
    }
    let writer = DurableWriter::new(partial.writer_at(start)?, start);
    let writer = write_download(writer, dl, &partial.path).await?;
    let size = start + writer.written();
    for want in [expected, dl.content_length()].into_iter().flatten() {
        if want != size {
            return Err(Error::LengthMismatch {
                expected: want,
                actual: size,
            });
        }
    }
    sync(writer, &partial.path).await?;
    Ok(size)
}

/// The directory the target is in (`.` for a bare name) and its file name.
fn parent_and_name(path: &Path) -> Result<(PathBuf, &OsStr)> {
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
    Ok((parent, file_name))
}

/// Make the partial copy at `tmp` durable (its last writes and its size) before it is renamed
/// over the target; most of it was flushed behind the writes already.
async fn sync(writer: DurableWriter, tmp: &Path) -> Result<()> {
    let (file, flushed) = tokio::task::spawn_blocking(move || writer.finish())
        .await
        .map_err(|e| Error::io(tmp, std::io::Error::other(e)))?
        .map_err(|e| Error::io(tmp, e))?;
    drop(file);
    tracing::debug!(
        path = %tmp.display(),
        written = flushed.written,
        flushed_behind = flushed.behind,
        "partial copy synced"
    );
    Ok(())
}
