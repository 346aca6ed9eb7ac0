//! Where an upload's content comes from, and the name it is stored under.
//!
//! Each source carries its own name: bytes and readers are given one, a path has its file name
//! unless another is set. Keeping the name in the source means no source can lack one. Reading
//! is here too: each attempt of an upload gets the content afresh as a stream of exactly the
//! announced length.

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Mutex;

use bytes::{Bytes, BytesMut};
use futures_util::stream::{self, Stream, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::error::{Error, Result};
use crate::progress::{Progress, ProgressFn};
use crate::retry::RetryClass;

/// Read chunk size for streamed uploads (256 KiB: large chunks are most of upload speed).
pub(super) const UPLOAD_CHUNK: usize = 256 * 1024;

type BoxReader = Box<dyn AsyncRead + Send + Unpin>;

/// The content of an upload and the name to store it under.
pub(super) enum Body {
    /// A file on disk, read again for each attempt; `name` replaces its file name.
    Path { path: PathBuf, name: Option<String> },
    /// Bytes in memory.
    Bytes { name: String, data: Bytes },
    /// A reader yielding exactly `len` bytes. It can be read once, so it sits in a slot that
    /// the first attempt empties.
    Reader {
        name: String,
        reader: Mutex<Option<BoxReader>>,
        len: u64,
    },
}

type ContentStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

impl Body {
    pub(super) fn reader(name: String, reader: BoxReader, len: u64) -> Self {
        Body::Reader {
            name,
            reader: Mutex::new(Some(reader)),
            len,
        }
    }

    /// Store the content under `name` instead.
    pub(super) fn set_name(&mut self, new: String) {
        match self {
            Body::Path { name, .. } => *name = Some(new),
            Body::Bytes { name, .. } | Body::Reader { name, .. } => *name = new,
        }
    }

    /// The name to store the content under (not yet checked against the service's rules).
    pub(super) fn name(&self) -> Result<String> {
        match self {
            Body::Path { name: Some(n), .. }
            | Body::Bytes { name: n, .. }
            | Body::Reader { name: n, .. } => Ok(n.clone()),
            Body::Path { path, name: None } => match path.file_name() {
                Some(os) => os
                    .to_str()
                    .map(str::to_owned)
                    .ok_or_else(|| Error::InvalidFileName {
                        name: os.to_string_lossy().into_owned(),
                        reason: "it is not valid UTF-8; set a name with file_name()",
                    }),
                None => Err(Error::NotAFile { path: path.clone() }),
            },
        }
    }

    /// The content's length; for a path, after checking that it is a regular file.
    pub(super) async fn size(&self) -> Result<u64> {
        match self {
            Body::Path { path, .. } => {
                let meta = tokio::fs::metadata(path).await.map_err(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        Error::FileNotFound { path: path.clone() }
                    } else {
                        Error::io(path, e)
                    }
                })?;
                if !meta.is_file() {
                    return Err(Error::NotAFile { path: path.clone() });
                }
                Ok(meta.len())
            }
            Body::Bytes { data, .. } => Ok(data.len() as u64),
            Body::Reader { len, .. } => Ok(*len),
        }
    }

    /// How the upload may be retried: a reader cannot be rewound, so never.
    pub(super) fn retry_class(&self) -> RetryClass {
        match self {
            Body::Reader { .. } => RetryClass::Never,
            Body::Path { .. } | Body::Bytes { .. } => RetryClass::Upload,
        }
    }

    /// The content for one attempt, exactly `size` bytes, reporting progress.
    pub(super) async fn content(
        &self,
        size: u64,
        progress: Option<ProgressFn>,
    ) -> Result<ContentStream> {
        let raw: ContentStream = match self {
            Body::Path { path, .. } => {
                let f = tokio::fs::File::open(path)
                    .await
                    .map_err(|e| Error::io(path, e))?;
                Box::pin(exact_len(file_chunks(f.into_std().await, size), size))
            }
            Body::Bytes { data, .. } => {
                // Hand big buffers over in large slices (cheap clones of the same allocation).
                let b = data.clone();
                let chunks: Vec<std::io::Result<Bytes>> = (0..b.len())
                    .step_by(UPLOAD_CHUNK)
                    .map(|i| Ok(b.slice(i..(i + UPLOAD_CHUNK).min(b.len()))))
                    .collect();
                Box::pin(stream::iter(chunks))
            }
            Body::Reader { reader, .. } => {
                let r = reader
                    .lock()
                    .expect("reader slot poisoned")
                    .take()
                    .ok_or_else(|| {
                        Error::invalid(
                            "upload source",
                            "the reader was already consumed by an earlier attempt",
                        )
                    })?;
                Box::pin(exact_len(
                    tokio_util::io::ReaderStream::with_capacity(r.take(size), UPLOAD_CHUNK),
                    size,
                ))
            }
        };
        Ok(match progress {
            Some(cb) => with_progress(raw, size, cb),
            None => raw,
        })
    }
}

/// Report 0 of `size` now, then the bytes handed to the HTTP body so far after each chunk.
fn with_progress(raw: ContentStream, size: u64, cb: ProgressFn) -> ContentStream {
    cb(Progress {
        bytes_done: 0,
        total: Some(size),
    });
    let mut done = 0u64;
    Box::pin(raw.map(move |c| {
        if let Ok(b) = &c {
            done += b.len() as u64;
            cb(Progress {
                bytes_done: done,
                total: Some(size),
            });
        }
        c
    }))
}

/// Chunks in flight between the reader thread of a path upload and the HTTP body.
const READ_AHEAD: usize = 2;

/// Up to `size` bytes of `file` in `UPLOAD_CHUNK` pieces, read on one blocking thread that stays
/// [`READ_AHEAD`] chunks ahead of the network (one thread per upload rather than a blocking-pool
/// hop and a copy per chunk, as `tokio::fs::File` would do).
fn file_chunks(
    file: std::fs::File,
    size: u64,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(READ_AHEAD);
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut file = file.take(size);
        loop {
            let mut buf = BytesMut::zeroed(UPLOAD_CHUNK);
            let mut filled = 0;
            let res = loop {
                match file.read(&mut buf[filled..]) {
                    Ok(0) => break Ok(()),
                    Ok(n) => {
                        filled += n;
                        if filled == buf.len() {
                            break Ok(());
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => break Err(e),
                }
            };
            let item = match res {
                Ok(()) if filled == 0 => return,
                Ok(()) => {
                    buf.truncate(filled);
                    Ok(buf.freeze())
                }
                Err(e) => Err(e),
            };
            let stop = item.is_err() || filled < UPLOAD_CHUNK;
            // The receiver is gone when the request was dropped: stop reading.
            if tx.blocking_send(item).is_err() || stop {
                return;
            }
        }
    });
    stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}

/// Fail the stream if it ends before `size` bytes (a file that shrank, a short reader), rather than
/// send a truncated body.
fn exact_len(
    s: impl Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    size: u64,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let mut seen = 0u64;
    s.map(Some)
        .chain(stream::iter([None]))
        .filter_map(move |item| {
            let out = match item {
                Some(Ok(b)) => {
                    seen += b.len() as u64;
                    Some(Ok(b))
                }
                Some(Err(e)) => Some(Err(e)),
                None if seen < size => Some(Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("the upload source ended after {seen} of {size} bytes"),
                ))),
                None => None,
            };
            std::future::ready(out)
        })
}
