//! Streaming a file part to storage: the receiving task fills pooled 256 KiB buffers and hands
//! them to a writer that hashes, counts lines, writes, and starts writeback on the blocking pool
//! (a few writes at once for the whole emulator), so that receiving and writing overlap and
//! nothing of a file is held whole in memory.
//!
//! Depends on `multipart` (the part's bytes), `buffer_pool` and `store` (the temp file written
//! to); it knows nothing of form fields or HTTP answers.

use std::sync::{Arc, OnceLock};

use futures_util::FutureExt;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinHandle;

use super::jsonl::{JsonlCheck, Verdict};
use super::multipart::{FormError, FormReader};
use crate::buffer_pool::{BufferPool, PooledBuf};
use crate::store::TempFile;

/// What streaming one part produced.
pub(super) struct Streamed {
    pub(super) size: u64,
    pub(super) sha256: [u8; 32],
    pub(super) lines: i64,
    /// The fine-tuning check of the content, when it was asked for.
    pub(super) jsonl: Option<Verdict>,
}

/// Buffers queued between the receiving task and the writer thread of one upload.
const IN_FLIGHT: usize = 2;
/// In durable mode, start writeback every this many bytes so the final fsync is short.
const WRITEBACK_EVERY: u64 = 8 * 1024 * 1024;

/// Consumes bytes on a blocking thread: hash, count lines, write, start writeback.
struct Sink {
    file: Option<std::fs::File>,
    hasher: Sha256,
    newlines: i64,
    last: Option<u8>,
    count_lines: bool,
    jsonl: Option<JsonlCheck>,
    written: u64,
    writeback_from: Option<u64>,
}

impl Sink {
    fn new(file: Option<std::fs::File>, checks: PartChecks, durable: bool) -> Sink {
        Sink {
            file,
            hasher: Sha256::new(),
            newlines: 0,
            last: None,
            count_lines: checks.count_lines,
            jsonl: checks.jsonl.then(JsonlCheck::default),
            written: 0,
            writeback_from: durable.then_some(0),
        }
    }

    /// What was streamed: `size` bytes received, their hash, and the lines (a last line without
    /// its `\n` counts).
    fn finish(self, size: u64) -> Streamed {
        let mut lines = self.newlines;
        if self.last.is_some_and(|b| b != b'\n') {
            lines += 1;
        }
        Streamed {
            size,
            sha256: self.hasher.finalize().into(),
            lines,
            jsonl: self.jsonl.map(JsonlCheck::finish),
        }
    }

    fn consume(&mut self, buf: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        if buf.is_empty() {
            return Ok(());
        }
        self.hasher.update(buf);
        if self.count_lines {
            self.newlines += count_newlines(buf);
        }
        if let Some(check) = self.jsonl.as_mut() {
            check.feed(buf);
        }
        self.last = buf.last().copied();
        if let Some(f) = self.file.as_mut() {
            f.write_all(buf)?;
            self.written += buf.len() as u64;
            if let Some(from) = self.writeback_from {
                if self.written - from >= WRITEBACK_EVERY {
                    start_writeback(f, from, self.written - from);
                    self.writeback_from = Some(self.written);
                }
            }
        }
        Ok(())
    }
}

/// Counts `\n` bytes; written so that the compiler vectorizes it (u8 lanes, 255 at a time).
fn count_newlines(buf: &[u8]) -> i64 {
    buf.chunks(255)
        .map(|c| c.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n')) as i64)
        .sum()
}

/// Asks the kernel to start writing a range back to disk without waiting (Linux), so that
/// the fsync at the end of a large upload has little left to do.
#[cfg(target_os = "linux")]
fn start_writeback(file: &std::fs::File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
        return;
    };
    // SAFETY: a valid open file descriptor; the call only schedules writeback of its pages.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &std::fs::File, _offset: u64, _len: u64) {}

/// What to work out about a part's content while it streams.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct PartChecks {
    /// Count its lines (a JSONL file's `num_lines`).
    pub(super) count_lines: bool,
    /// Check it as fine-tuning JSONL.
    pub(super) jsonl: bool,
}

/// Why a part could not be streamed.
pub(super) enum PartError {
    TooLarge,
    Form(FormError),
    Io(std::io::Error),
}

/// Streams one part into `temp` (or only hashes it when `temp` is `None`): the receiving task
/// fills 256 KiB buffers from `pool` and hands them to a writer on the blocking pool, so
/// receiving and hashing/writing overlap; at most [`IN_FLIGHT`] + 2 buffers are used per upload,
/// and at most the pool's size in all.
pub(super) async fn stream_part(
    reader: &mut FormReader,
    temp: Option<&mut TempFile>,
    max: u64,
    checks: PartChecks,
    durable: bool,
    pool: &Arc<BufferPool>,
) -> Result<Streamed, PartError> {
    let mut temp = temp;
    let sink = Sink::new(temp.as_mut().and_then(|t| t.file.take()), checks, durable);
    let (tx, rx) = mpsc::channel::<PooledBuf>(IN_FLIGHT);
    let writer = spawn_writer(sink, rx);
    let mut feeder = Feeder {
        tx,
        filling: None,
        pool,
    };
    let received = match receive(reader, &mut feeder, max).await {
        Ok(received) => received,
        // the buffers are freed and the writer ends; the handler drains the rest of the body
        Err(e) => return Err(e),
    };
    if !received.writer_gone {
        let _ = feeder.hand_over().await;
    }
    drop(feeder);
    let mut sink = writer
        .await
        .map_err(|e| PartError::Io(std::io::Error::other(e)))?
        .map_err(PartError::Io)?;
    if received.writer_gone {
        return Err(PartError::Io(std::io::Error::other(
            "upload writer stopped",
        )));
    }
    if let Some(t) = temp {
        t.file = sink.file.take();
    }
    Ok(sink.finish(received.size))
}

/// Writes running at once, all uploads of the process together: one per core.
///
/// Why: a blocking thread per upload for its whole length would hold one thread (with its stack
/// and, once it allocates, its own allocator arena) per concurrent upload, all taking turns on
/// the same cores. Each buffer is one short blocking task instead, and at most this many run at
/// once, whatever the number of uploads.
fn write_slots() -> Arc<Semaphore> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    SLOTS
        .get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            Arc::new(Semaphore::new(cores))
        })
        .clone()
}

/// Feeds `sink` the buffers queued in `rx`, one blocking task per buffer (in order, one at a
/// time for this upload, within [`write_slots`] for all), until the queue closes.
fn spawn_writer(
    mut sink: Sink,
    mut rx: mpsc::Receiver<PooledBuf>,
) -> JoinHandle<std::io::Result<Sink>> {
    tokio::spawn(async move {
        while let Some(buf) = rx.recv().await {
            let slot = write_slots()
                .acquire_owned()
                .await
                .map_err(std::io::Error::other)?;
            sink = tokio::task::spawn_blocking(move || {
                let _slot = slot;
                sink.consume(buf.bytes()).map(|()| sink)
                // `buf` goes back to the pool here
            })
            .await
            .map_err(std::io::Error::other)??;
        }
        Ok(sink)
    })
}

/// How receiving a part ended (when it was not refused).
struct Received {
    size: u64,
    /// The writer stopped (an I/O error, reported when it is joined) before the part ended.
    writer_gone: bool,
}

/// Receives the part's bytes into `feeder` until its end, refusing it once over `max` bytes.
async fn receive(
    reader: &mut FormReader,
    feeder: &mut Feeder<'_>,
    max: u64,
) -> Result<Received, PartError> {
    let mut size: u64 = 0;
    loop {
        let next = match reader.chunk().now_or_never() {
            Some(next) => next,
            None => {
                // Nothing more has arrived yet: hand what is buffered to the writer rather than
                // hold a pooled buffer while waiting on this client (a stalled client must not
                // keep the other uploads waiting for buffers).
                if feeder.hand_over().await.is_err() {
                    return Ok(Received {
                        size,
                        writer_gone: true,
                    });
                }
                reader.chunk().await
            }
        };
        let Some(bytes) = next.map_err(PartError::Form)? else {
            return Ok(Received {
                size,
                writer_gone: false,
            });
        };
        size += bytes.len() as u64;
        if size > max {
            return Err(PartError::TooLarge);
        }
        if feeder.feed(&bytes).await.is_err() {
            return Ok(Received {
                size,
                writer_gone: true,
            });
        }
    }
}

/// The writer has stopped: nothing more can be queued.
struct WriterGone;

/// The receiving side of one part: fills pooled buffers and queues them to the writer.
struct Feeder<'p> {
    tx: mpsc::Sender<PooledBuf>,
    /// The buffer being filled, if any.
    filling: Option<PooledBuf>,
    pool: &'p Arc<BufferPool>,
}

impl Feeder<'_> {
    /// Copies `bytes` into pooled buffers, queuing each one as it fills.
    async fn feed(&mut self, mut bytes: &[u8]) -> Result<(), WriterGone> {
        while !bytes.is_empty() {
            if self.filling.is_none() {
                self.filling = Some(self.pool.get().await);
            }
            let b = self.filling.as_mut().expect("a buffer was just taken");
            bytes = b.fill_from(bytes);
            if b.is_full() {
                self.hand_over().await?;
            }
        }
        Ok(())
    }

    /// Queues the buffer being filled if it holds anything, and gives it up either way.
    async fn hand_over(&mut self) -> Result<(), WriterGone> {
        match self.filling.take() {
            Some(b) if !b.is_empty() => self.tx.send(b).await.map_err(|_| WriterGone),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_newlines() {
        let data: Vec<u8> = (0..100_000u32)
            .map(|i| if i % 7 == 0 { b'\n' } else { b'x' })
            .collect();
        let expected = data.iter().filter(|&&b| b == b'\n').count() as i64;
        assert_eq!(count_newlines(&data), expected);
        assert_eq!(count_newlines(&[b'\n'; 600]), 600);
        assert_eq!(count_newlines(b""), 0);
    }
}
