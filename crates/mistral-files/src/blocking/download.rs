//! Blocking downloads: to a path ([`DownloadToPathRequest`], atomic and resumed as the async
//! one), or as a [`Download`] that is a `std::io::Read` and can be copied to any `Write`.

use std::io::{Read, Write};
use std::path::Path;

use bytes::{Buf, Bytes};
use futures_util::StreamExt;

use super::{Client, Runtime};
use crate::error::{Error, Result};
use crate::id::IntoFileId;
use crate::progress::Progress;

impl Client {
    /// Download a file's content; [`send`](DownloadRequest::send) gives a [`Download`] to read.
    ///
    /// ```no_run
    /// # fn f(client: mistral_files::blocking::Client) -> mistral_files::Result<()> {
    /// let mut out = Vec::new();
    /// let n = client.download("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").send()?.copy_to(&mut out)?;
    /// println!("{n:?}");
    /// # Ok(()) }
    /// ```
    pub fn download(&self, id: impl IntoFileId) -> DownloadRequest {
        self.download_request(self.inner.download(id))
    }

    /// Fetch a signed URL's content **without** the API key, as
    /// [`crate::Client::fetch_signed_url`].
    pub fn fetch_signed_url(&self, url: impl AsRef<str>) -> DownloadRequest {
        self.download_request(self.inner.fetch_signed_url(url))
    }

    /// Download a file's content to `path`: temp file, length checks, fsync, rename; a dropped
    /// connection is resumed with `Range`. As [`crate::Client::download_to_path`].
    ///
    /// ```no_run
    /// # fn f(client: mistral_files::blocking::Client) -> mistral_files::Result<()> {
    /// let n = client.download_to_path("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e", "out.jsonl").send()?;
    /// println!("wrote {n} bytes");
    /// # Ok(()) }
    /// ```
    pub fn download_to_path(
        &self,
        id: impl IntoFileId,
        path: impl AsRef<Path>,
    ) -> DownloadToPathRequest {
        DownloadToPathRequest {
            inner: self.inner.download_to_path(id, path),
            rt: self.rt.clone(),
        }
    }

    /// Fetch a signed URL's content to `path`, without the API key, as
    /// [`crate::Client::fetch_signed_url_to_path`].
    pub fn fetch_signed_url_to_path(
        &self,
        url: impl AsRef<str>,
        path: impl AsRef<Path>,
    ) -> DownloadToPathRequest {
        DownloadToPathRequest {
            inner: self.inner.fetch_signed_url_to_path(url, path),
            rt: self.rt.clone(),
        }
    }

    fn download_request(&self, inner: crate::DownloadRequest) -> DownloadRequest {
        DownloadRequest {
            inner,
            rt: self.rt.clone(),
        }
    }
}

/// A pending download of the blocking client; [`send`](Self::send) it for a [`Download`].
#[must_use = "a download does nothing until sent"]
pub struct DownloadRequest {
    inner: crate::DownloadRequest,
    rt: Runtime,
}

impl DownloadRequest {
    /// Report progress (bytes received / total) to a callback.
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.inner = self.inner.on_progress(f);
        self
    }

    /// Send the request; returns once the response headers are in.
    pub fn send(self) -> Result<Download> {
        let inner = self.rt.block_on(self.inner.send())?;
        Ok(Download {
            inner,
            rt: self.rt,
            chunk: Bytes::new(),
        })
    }
}

/// A file's content, read as it arrives (never buffered whole); reconnects by itself as
/// [`crate::Download`] does. It is a `std::io::Read` (errors are `std::io::Error`s wrapping
/// [`Error`]); [`copy_to`](Self::copy_to) writes it to any `Write` and keeps the error typed.
///
/// ```no_run
/// # fn f(client: mistral_files::blocking::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use std::io::BufRead;
/// let dl = client.download("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").send()?;
/// for line in std::io::BufReader::new(dl).lines() {
///     println!("{}", line?);
/// }
/// # Ok(()) }
/// ```
pub struct Download {
    inner: crate::Download,
    rt: Runtime,
    /// What is left of the last chunk received.
    chunk: Bytes,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("blocking::Download")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl Download {
    /// The content length, when the server announced it.
    pub fn content_length(&self) -> Option<u64> {
        self.inner.content_length()
    }

    /// The `Content-Type` the server sent.
    pub fn content_type(&self) -> Option<&str> {
        self.inner.content_type()
    }

    /// The next chunk of the content; `None` at the end.
    fn next_chunk(&mut self) -> Option<Result<Bytes>> {
        if !self.chunk.is_empty() {
            return Some(Ok(std::mem::take(&mut self.chunk)));
        }
        self.rt.block_on(self.inner.next())
    }

    /// Write the whole content to `out`; the number of bytes written. A failed write is
    /// [`Error::Write`], a failed download the download's own error.
    pub fn copy_to(mut self, out: &mut impl Write) -> Result<u64> {
        let mut written = 0u64;
        while let Some(chunk) = self.next_chunk() {
            let chunk = chunk?;
            out.write_all(&chunk)
                .map_err(|source| Error::Write { source })?;
            written += chunk.len() as u64;
        }
        out.flush().map_err(|source| Error::Write { source })?;
        Ok(written)
    }
}

impl Read for Download {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match self.next_chunk() {
                None => return Ok(0),
                Some(Err(e)) => return Err(std::io::Error::other(e)),
                Some(Ok(chunk)) if chunk.is_empty() => continue,
                Some(Ok(mut chunk)) => {
                    let n = chunk.len().min(buf.len());
                    buf[..n].copy_from_slice(&chunk[..n]);
                    chunk.advance(n);
                    self.chunk = chunk;
                    return Ok(n);
                }
            }
        }
    }
}

/// A pending download to a file of the blocking client; [`send`](Self::send) it. Resolves to
/// the number of bytes written; the options are those of [`crate::DownloadToPathRequest`].
#[must_use = "a download does nothing until sent"]
pub struct DownloadToPathRequest {
    inner: crate::DownloadToPathRequest,
    rt: Runtime,
}

impl DownloadToPathRequest {
    /// Report progress (bytes received / total) to a callback.
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.inner = self.inner.on_progress(f);
        self
    }

    /// Whether to replace an existing file at the target (default: yes).
    pub fn overwrite(mut self, yes: bool) -> Self {
        self.inner = self.inner.overwrite(yes);
        self
    }

    /// Run the download.
    pub fn send(self) -> Result<u64> {
        self.rt.block_on(self.inner.send())
    }
}
