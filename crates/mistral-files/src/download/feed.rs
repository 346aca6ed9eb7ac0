//! The hand-off from the network to the disk: a download's chunks are copied into a small,
//! fixed set of buffers that one blocking thread writes (through `write_behind`) and hands back.
//!
//! Why copy: a chunk from the HTTP stack is a slice of that stack's read buffer, so holding it in
//! a queue makes the stack allocate a fresh read buffer for the next read; with a few chunks in
//! flight that was about 2 MiB of buffers and a steady churn of large allocations (measured
//! with `valgrind --tool=massif` on `bench-client download`). Copying into [`POOL`] buffers of
//! [`WRITE_BUF`] bytes costs one `memcpy` (tens of milliseconds for 512 MiB) and keeps the
//! memory of a download flat and small whatever its size. Receiving and writing still overlap.

use std::path::Path;

use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::stream::Download;
use super::write_behind::DurableWriter;
use crate::error::{Error, Result};

/// Bytes per disk write (network chunks are gathered up to it).
const WRITE_BUF: usize = 256 * 1024;
/// Buffers in all: one filling, one queued, one being written.
const POOL: usize = 3;

/// The network side's buffers: the one being filled, and where written ones come back.
struct Buffers {
    filling: Vec<u8>,
    back: mpsc::Receiver<Vec<u8>>,
    made: usize,
}

impl Buffers {
    /// The next empty buffer: a new one until [`POOL`] exist, then one the writer gave back
    /// (`None` if the writer stopped).
    async fn next(&mut self) -> Option<Vec<u8>> {
        if self.made < POOL {
            self.made += 1;
            return Some(Vec::with_capacity(WRITE_BUF));
        }
        self.back.recv().await
    }
}

/// Writes the whole download through `writer` (into the partial copy at `tmp`); the writer,
/// with everything written. On an error of the download, what was received before it is written
/// first (a later run resumes after it), and the writer is waited for, so that nothing writes to
/// the partial copy once this returns.
pub(super) async fn write_download(
    writer: DurableWriter,
    dl: &mut Download,
    tmp: &Path,
) -> Result<DurableWriter> {
    let (full_tx, full_rx) = mpsc::channel::<Vec<u8>>(POOL);
    let (back_tx, back_rx) = mpsc::channel::<Vec<u8>>(POOL);
    let writer = tokio::task::spawn_blocking(move || write_all(writer, full_rx, back_tx));
    let mut bufs = Buffers {
        filling: Vec::with_capacity(WRITE_BUF),
        back: back_rx,
        made: 1,
    };
    let received = receive(dl, &mut bufs, &full_tx).await;
    if let Ok(()) | Err(Stop::Download(_)) = &received {
        if !bufs.filling.is_empty() {
            let _ = full_tx.send(std::mem::take(&mut bufs.filling)).await;
        }
    }
    drop(full_tx);
    let writer = writer
        .await
        .map_err(|e| Error::io(tmp, std::io::Error::other(e)))?
        .map_err(|e| Error::io(tmp, e))?;
    match received {
        Err(Stop::Download(e)) => Err(e),
        // the writer's own error was returned above
        Ok(()) | Err(Stop::Writer) => Ok(writer),
    }
}

/// Why receiving stopped early.
enum Stop {
    /// The download failed.
    Download(Error),
    /// The writer stopped (its error is what the caller reports).
    Writer,
}

/// Copies every chunk of `dl` into the buffers, sending each full one to the writer.
async fn receive(
    dl: &mut Download,
    bufs: &mut Buffers,
    full: &mpsc::Sender<Vec<u8>>,
) -> std::result::Result<(), Stop> {
    while let Some(chunk) = dl.next().await {
        let mut rest = &chunk.map_err(Stop::Download)?[..];
        while !rest.is_empty() {
            let room = WRITE_BUF - bufs.filling.len();
            let (now, later) = rest.split_at(rest.len().min(room));
            bufs.filling.extend_from_slice(now);
            rest = later;
            if bufs.filling.len() == WRITE_BUF {
                let next = bufs.next().await.ok_or(Stop::Writer)?;
                let done = std::mem::replace(&mut bufs.filling, next);
                full.send(done).await.map_err(|_| Stop::Writer)?;
            }
        }
    }
    Ok(())
}

/// The writer thread: writes each buffer, then gives it back emptied.
fn write_all(
    mut writer: DurableWriter,
    mut full: mpsc::Receiver<Vec<u8>>,
    back: mpsc::Sender<Vec<u8>>,
) -> std::io::Result<DurableWriter> {
    while let Some(mut buf) = full.blocking_recv() {
        writer.write(&buf)?;
        buf.clear();
        // the network side may have finished and dropped its end: nothing to give back to
        let _ = back.blocking_send(buf);
    }
    Ok(writer)
}
