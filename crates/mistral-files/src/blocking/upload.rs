//! Blocking uploads: [`UploadRequest`], the async one behind the same options, and the adapter
//! that lets a `std::io::Read` be an upload's source.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::stream;
use tokio::io::AsyncRead;

use super::{Client, Runtime};
use crate::error::Result;
use crate::progress::Progress;
use crate::types::{FileObject, FilePurpose, FileVisibility};

/// Chunk read from a `std::io::Read` source at a time (as the async uploads read files).
const CHUNK: usize = 256 * 1024;
/// Chunks read ahead of the network.
const READ_AHEAD: usize = 2;

/// An upload of the blocking client: set options, then [`send`](Self::send). The options,
/// checks and retries are those of [`crate::UploadRequest`].
///
/// ```no_run
/// # fn f(client: mistral_files::blocking::Client) -> mistral_files::Result<()> {
/// let file = client
///     .upload_path("train.jsonl")
///     .purpose(mistral_files::FilePurpose::FineTune)
///     .on_progress(|p| eprintln!("{}/{:?}", p.bytes_done, p.total))
///     .send()?;
/// println!("{file:?}");
/// # Ok(()) }
/// ```
#[must_use = "an upload does nothing until sent"]
pub struct UploadRequest {
    inner: crate::UploadRequest,
    rt: Runtime,
}

impl Client {
    /// Upload a file from disk (streamed), as [`crate::Client::upload_path`].
    pub fn upload_path(&self, path: impl AsRef<Path>) -> UploadRequest {
        self.upload(self.inner.upload_path(path))
    }

    /// Upload bytes held in memory, as [`crate::Client::upload_bytes`].
    ///
    /// ```no_run
    /// # fn f(client: mistral_files::blocking::Client) -> mistral_files::Result<()> {
    /// let file = client.upload_bytes("a.jsonl", b"{}\n").send()?;
    /// println!("{file:?}");
    /// # Ok(()) }
    /// ```
    pub fn upload_bytes(
        &self,
        file_name: impl Into<String>,
        data: impl Into<crate::UploadData>,
    ) -> UploadRequest {
        self.upload(self.inner.upload_bytes(file_name, data))
    }

    /// Upload from a reader that yields exactly `len` bytes, as
    /// [`crate::Client::upload_reader`]: read on a blocking thread, a chunk ahead of the network,
    /// and never retried (a reader cannot be rewound).
    ///
    /// ```no_run
    /// # fn f(client: mistral_files::blocking::Client) -> mistral_files::Result<()> {
    /// let data = std::io::Cursor::new(b"{\"a\":1}\n".to_vec());
    /// let file = client.upload_reader("a.jsonl", data, 8).send()?;
    /// println!("{file:?}");
    /// # Ok(()) }
    /// ```
    pub fn upload_reader(
        &self,
        file_name: impl Into<String>,
        reader: impl Read + Send + 'static,
        len: u64,
    ) -> UploadRequest {
        let reader = async_reader(Box::new(reader));
        self.upload(self.inner.upload_reader(file_name, reader, len))
    }

    fn upload(&self, inner: crate::UploadRequest) -> UploadRequest {
        UploadRequest {
            inner,
            rt: self.rt.clone(),
        }
    }
}

impl UploadRequest {
    /// The name the service stores, as [`crate::UploadRequest::file_name`].
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.inner = self.inner.file_name(name);
        self
    }

    /// The file's purpose, as [`crate::UploadRequest::purpose`].
    pub fn purpose(mut self, purpose: impl Into<FilePurpose>) -> Self {
        self.inner = self.inner.purpose(purpose);
        self
    }

    /// How long the service keeps the file, in whole hours, as
    /// [`crate::UploadRequest::expiry`].
    pub fn expiry(mut self, d: Duration) -> Self {
        self.inner = self.inner.expiry(d);
        self
    }

    /// Who can see the file, as [`crate::UploadRequest::visibility`].
    pub fn visibility(mut self, v: impl Into<FileVisibility>) -> Self {
        self.inner = self.inner.visibility(v);
        self
    }

    /// The file part's `Content-Type`, as [`crate::UploadRequest::content_type`].
    pub fn content_type(mut self, mime: impl Into<String>) -> Self {
        self.inner = self.inner.content_type(mime);
        self
    }

    /// Check every line is a JSON object before sending, as
    /// [`crate::UploadRequest::validate_jsonl`].
    pub fn validate_jsonl(mut self, yes: bool) -> Self {
        self.inner = self.inner.validate_jsonl(yes);
        self
    }

    /// Report progress to a callback (called on the client's runtime thread, which is the
    /// calling thread), as [`crate::UploadRequest::on_progress`].
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.inner = self.inner.on_progress(f);
        self
    }

    /// Run the checks and send the upload.
    pub fn send(self) -> Result<FileObject> {
        self.rt.block_on(self.inner.send())
    }
}

/// A `std::io::Read` as an `AsyncRead`: a blocking thread reads it in [`CHUNK`]s, at most
/// [`READ_AHEAD`] ahead of the upload. The thread starts at the first read, so an upload refused
/// by its checks reads nothing, and stops when the upload drops the reader.
fn async_reader(reader: Box<dyn Read + Send>) -> impl AsyncRead + Send + Unpin + 'static {
    enum State {
        Idle(Box<dyn Read + Send>),
        Running(tokio::sync::mpsc::Receiver<std::io::Result<Bytes>>),
    }
    let chunks = stream::unfold(State::Idle(reader), |state| async move {
        let mut rx = match state {
            State::Idle(reader) => read_on_a_thread(reader),
            State::Running(rx) => rx,
        };
        rx.recv().await.map(|item| (item, State::Running(rx)))
    });
    tokio_util::io::StreamReader::new(Box::pin(chunks))
}

/// Reads `reader` to its end on a blocking thread; its chunks (or its error) come out of the
/// returned channel.
fn read_on_a_thread(
    mut reader: Box<dyn Read + Send>,
) -> tokio::sync::mpsc::Receiver<std::io::Result<Bytes>> {
    let (tx, rx) = tokio::sync::mpsc::channel(READ_AHEAD);
    tokio::task::spawn_blocking(move || loop {
        let mut buf = BytesMut::zeroed(CHUNK);
        let item = match reader.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                buf.truncate(n);
                Ok(buf.freeze())
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => Err(e),
        };
        let failed = item.is_err();
        if tx.blocking_send(item).is_err() || failed {
            return;
        }
    });
    rx
}
