//! Downloading to a file: [`DownloadToPathRequest`], which never leaves a partial file at the
//! target.
//!
//! The content goes to a temporary file beside the target (same directory, so the final rename
//! cannot cross file systems), is checked against every length known for it, synced, and only
//! then renamed over the target. The temporary file is removed on any failure, and also when
//! the future is dropped mid-way. Disk writes run on a blocking thread fed through a short
//! queue, so receiving and writing overlap while memory stays bounded.

use std::ffi::OsStr;
use std::future::{Future, IntoFuture};
use std::path::{Path, PathBuf};
use std::pin::Pin;

use bytes::{Bytes, BytesMut};
use futures_util::stream::StreamExt;

use super::stream::{Download, DownloadRequest};
use super::target::Target;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::id::IntoFileId;
use crate::progress::Progress;

/// Smallest write for downloads to disk (smaller network chunks are gathered up to it).
const WRITE_BUF: usize = 256 * 1024;
/// Chunks queued between the network and the disk writer of a download to disk.
const WRITE_QUEUE: usize = 2;

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
        let (parent, file_name) = parent_and_name(&path)?;
        match tokio::fs::metadata(&path).await {
            Ok(m) if m.is_dir() => return Err(Error::NotAFile { path }),
            Ok(_) if !overwrite => return Err(Error::TargetExists { path }),
            _ => {}
        }
        let expected = match &target {
            Target::Api(id) => req.client.retrieve(*id).await?.bytes,
            Target::Signed(_) => None,
        };
        let (file, temp) = TempFile::create(&parent, file_name).await?;

        let mut dl = req.send().await?;
        let announced = dl.content_length();
        let (file, written) = write_download(file, &mut dl, &temp.path).await?;
        for want in [expected, announced].into_iter().flatten() {
            if want != written {
                return Err(Error::LengthMismatch {
                    expected: want,
                    actual: written,
                });
            }
        }
        sync(file, &temp.path).await?;
        if !overwrite && tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Err(Error::TargetExists { path });
        }
        tokio::fs::rename(&temp.path, &path)
            .await
            .map_err(|e| Error::io(&path, e))?;
        temp.disarm();
        // Make the rename itself durable.
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

/// Write the whole download to `file` (the temp file at `tmp`); the file and the number of
/// bytes written.
async fn write_download(
    file: tokio::fs::File,
    dl: &mut Download,
    tmp: &Path,
) -> Result<(std::fs::File, u64)> {
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
        .map_err(|e| Error::io(tmp, std::io::Error::other(e)))?
        .map_err(|e| Error::io(tmp, e))?;
    Ok((file, written))
}

/// Flush `file` (the temp file at `tmp`) to disk before it is renamed over the target.
async fn sync(file: std::fs::File, tmp: &Path) -> Result<()> {
    let file = tokio::task::spawn_blocking(move || file.sync_all().map(|()| file))
        .await
        .map_err(|e| Error::io(tmp, std::io::Error::other(e)))?
        .map_err(|e| Error::io(tmp, e))?;
    drop(file);
    Ok(())
}

/// The temporary file beside the target; removed when dropped unless disarmed (also when the
/// download's future is dropped mid-way).
struct TempFile {
    path: PathBuf,
    armed: bool,
}

impl TempFile {
    /// Create a new, uniquely named temp file in `dir` for a target named `file_name`.
    async fn create(dir: &Path, file_name: &OsStr) -> Result<(tokio::fs::File, TempFile)> {
        let path = dir.join(format!(
            ".{}.{:016x}.part",
            file_name.to_string_lossy(),
            fastrand::u64(..)
        ));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(|e| Error::io(&path, e))?;
        Ok((file, TempFile { path, armed: true }))
    }

    /// Keep the file: it has been renamed over the target.
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
