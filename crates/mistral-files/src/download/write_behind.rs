//! The disk side of a download to a file: writes the content into the partial copy and flushes
//! it *while* the transfer runs (write-behind), so that the `fsync` which makes the download
//! durable before its rename finds almost nothing left to write.
//!
//! Why: syncing 512 MiB only at the end doubles a download's time on a disk that flushes at about
//! the network's speed (the flush starts when the transfer is over). Here, every [`WINDOW`] of
//! completed content is handed to the kernel's writeback at once (`sync_file_range` with
//! `SYNC_FILE_RANGE_WRITE`, which does not wait), and the window before it is waited for, so the
//! flushing runs beside the transfer and at most two windows are dirty at any time. The
//! guarantee is unchanged: [`DurableWriter::finish`] still ends with `fsync` (data and size),
//! and the caller renames only after it returned.
//!
//! `sync_file_range` is Linux-only; elsewhere only the final `fsync` runs. A file system that
//! refuses it (some FUSE or network file systems) turns write-behind off for that download:
//! it is a speed-up, never needed for correctness.

use std::fs::File;
use std::io::{self, Write};

use super::sys as os;

/// Content handed to writeback at a time: large enough that the syscalls cost nothing next to
/// the writes, small enough that the tail left for the final `fsync` is short.
pub(super) const WINDOW: u64 = 8 * 1024 * 1024;

/// A partial copy being written from `start` (where a resumed copy left off), flushed behind
/// the writes.
pub(super) struct DurableWriter {
    file: File,
    /// Offset in the file of the first byte this writer wrote.
    start: u64,
    /// Bytes written by this writer.
    written: u64,
    /// Bytes (counted from `start`) whose writeback was started.
    started: u64,
    /// Bytes (counted from `start`) known to be on disk.
    settled: u64,
    /// Write-behind still on (off after the file system refused it once).
    behind: bool,
}

/// What the writer did, for the caller's log and for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Flushed {
    /// Bytes written by this writer.
    pub(super) written: u64,
    /// Bytes already on disk before the final `fsync` (flushed behind the writes).
    pub(super) behind: u64,
}

impl DurableWriter {
    /// A writer at the current position of `file`, which is `start` bytes into it.
    pub(super) fn new(file: File, start: u64) -> DurableWriter {
        DurableWriter {
            file,
            start,
            written: 0,
            started: 0,
            settled: 0,
            behind: cfg!(target_os = "linux"),
        }
    }

    /// Bytes written so far.
    pub(super) fn written(&self) -> u64 {
        self.written
    }

    /// Appends `buf`; every completed window goes to writeback.
    pub(super) fn write(&mut self, buf: &[u8]) -> io::Result<()> {
        self.file.write_all(buf)?;
        self.written += buf.len() as u64;
        if self.behind && self.written - self.started >= WINDOW {
            self.push_window();
        }
        Ok(())
    }

    /// Starts writeback of what was written since the last window, then waits for the window
    /// before it (so dirty pages stay bounded and the final `fsync` is short).
    fn push_window(&mut self) {
        let (from, to) = (self.started, self.written);
        let waited = if self.settled < from {
            os::wait_written(&self.file, self.start + self.settled, from - self.settled)
        } else {
            Ok(())
        };
        let started = os::start_writeback(&self.file, self.start + from, to - from);
        match waited.and(started) {
            Ok(()) => {
                self.settled = from;
                self.started = to;
            }
            Err(e) => {
                // a speed-up only: the final fsync still makes the copy durable
                tracing::debug!(error = %e, "write-behind refused by the file system; syncing at the end only");
                self.behind = false;
            }
        }
    }

    /// Makes everything written durable (`fsync`: the content and the file's size) and gives
    /// the file back.
    pub(super) fn finish(self) -> io::Result<(File, Flushed)> {
        self.file.sync_all()?;
        let flushed = Flushed {
            written: self.written,
            behind: self.settled,
        };
        Ok((self.file, flushed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn chunked(writer: &mut DurableWriter, total: usize, chunk: usize) -> Vec<u8> {
        let data: Vec<u8> = (0..total).map(|i| (i % 251) as u8).collect();
        for part in data.chunks(chunk) {
            writer.write(part).unwrap();
        }
        data
    }

    #[test]
    fn writes_everything_and_flushes_completed_windows_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part");
        let file = File::create(&path).unwrap();
        let mut w = DurableWriter::new(file, 0);
        let total = (3 * WINDOW + WINDOW / 2) as usize;
        let data = chunked(&mut w, total, 256 * 1024);
        assert_eq!(w.written(), total as u64);
        let (_, flushed) = w.finish().unwrap();
        assert_eq!(flushed.written, total as u64);
        let mut back = Vec::new();
        File::open(&path).unwrap().read_to_end(&mut back).unwrap();
        assert!(back == data, "the file holds exactly what was written");
        if cfg!(target_os = "linux") && flushed.behind > 0 {
            // windows pushed at 8, 16 and 24 MiB; the one before the last is waited for
            assert_eq!(flushed.behind, 2 * WINDOW);
        } else {
            // off on other systems, and on a file system that refuses sync_file_range
            assert_eq!(flushed.behind, 0);
        }
    }

    #[test]
    fn a_resumed_copy_is_flushed_from_its_own_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part");
        std::fs::write(&path, vec![7u8; 1000]).unwrap();
        let mut file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        use std::io::Seek;
        file.seek(io::SeekFrom::Start(1000)).unwrap();
        let mut w = DurableWriter::new(file, 1000);
        let total = (2 * WINDOW + 10) as usize;
        let data = chunked(&mut w, total, 1 << 20);
        let (_, flushed) = w.finish().unwrap();
        assert_eq!(flushed.written, total as u64);
        let back = std::fs::read(&path).unwrap();
        assert_eq!(back.len(), 1000 + total);
        assert!(back[..1000].iter().all(|&b| b == 7));
        assert!(back[1000..] == data[..]);
    }

    #[test]
    fn small_files_are_only_synced_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let file = File::create(dir.path().join("part")).unwrap();
        let mut w = DurableWriter::new(file, 0);
        w.write(b"hello").unwrap();
        let (_, flushed) = w.finish().unwrap();
        assert_eq!(
            flushed,
            Flushed {
                written: 5,
                behind: 0
            }
        );
    }
}
