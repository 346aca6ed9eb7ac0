//! The partial copy of a download to a file, kept between runs so that a later one (in this
//! process or in another, after a crash, a `kill -9`, a SIGTERM) resumes it instead of starting
//! over.
//!
//! Beside the target `NAME` it is `.NAME.KEY.part`, `KEY` being the file id (or a hash of a
//! signed URL without its query): the same target and file always give the same name. Next to
//! it, `.NAME.KEY.meta` records what the partial is a copy of: the file's length and its
//! validator (a strong `ETag`, else `Last-Modified`). The order of writes keeps the pair honest
//! whenever the process dies: the record is removed before the partial is emptied, and written
//! before the first byte, so a record always describes the bytes beside it. A partial without
//! a record (or with one naming another source, or longer than the file) is never resumed.
//!
//! While a download runs, its partial is locked (`flock`, Unix): a second download to the same
//! target fails at once rather than writing into the same file. Placing the finished file is a
//! rename; without overwriting it is atomic: `renameat2(RENAME_NOREPLACE)` (Linux), else a hard
//! link and an unlink, so a file created at the target meanwhile is never replaced.
//!
//! Synchronous file operations: callers run them on the blocking pool. Uses `target` (the key).

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

use reqwest::header::HeaderValue;
use serde::{Deserialize, Serialize};

use super::target::Target;
use crate::error::{Error, Result};

/// Where a transfer starts when a partial copy is resumed.
#[derive(Clone, Debug)]
pub(super) struct ResumeFrom {
    /// Bytes already in the partial.
    pub(super) offset: u64,
    /// The validator they were downloaded under (sent as `If-Range`).
    pub(super) validator: HeaderValue,
    /// The file's length then, when known.
    pub(super) total: Option<u64>,
}

/// What a partial is a copy of.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Record {
    /// Format of this record.
    version: u32,
    /// The key of the source (the file id, or the signed URL's hash).
    source: String,
    /// The file's length, when the server announced it.
    total: Option<u64>,
    /// The `ETag` or `Last-Modified` value, as sent.
    validator: String,
}

const RECORD_VERSION: u32 = 1;
/// Longest file name most file systems take, in bytes.
const MAX_NAME: usize = 255;

/// The key a target's partial is named by: the file id, or a hash of the signed URL without its
/// query (its token); stable across processes.
pub(super) fn source_key(target: &Target) -> String {
    match target {
        Target::Api(id) => id.to_string(),
        Target::Signed(url) => {
            let base = url.split(['?', '#']).next().unwrap_or_default();
            // FNV-1a, 64 bits: stable, and enough to tell URLs apart in one directory
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in base.bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
            format!("u{h:016x}")
        }
    }
}

/// `.NAME.KEY.EXT` beside the target, the name part shortened (on a character boundary) so
/// the whole fits in [`MAX_NAME`] bytes.
fn sibling(dir: &Path, file_name: &OsStr, key: &str, ext: &str) -> PathBuf {
    let name = file_name.to_string_lossy();
    let room = MAX_NAME - (key.len() + ext.len() + 3);
    let mut cut = name.len().min(room);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    dir.join(format!(".{}.{key}.{ext}", &name[..cut]))
}

/// A locked partial copy beside its target, with its record.
pub(super) struct Partial {
    /// `.NAME.KEY.part`.
    pub(super) path: PathBuf,
    /// `.NAME.KEY.meta`.
    record_path: PathBuf,
    key: String,
    /// Open for writing, and locked while this value lives.
    file: File,
    /// Keep the partial when dropped (it has a record, so a later run can resume it).
    keep: bool,
    /// Moved to the target: nothing to clean up.
    placed: bool,
}

impl Partial {
    /// Opens (creating it if needed) and locks the partial of `dir/file_name` for `key`. A
    /// download already running to the same target is an error (`WouldBlock`).
    pub(super) fn open(dir: &Path, file_name: &OsStr, key: &str) -> Result<Partial> {
        let path = sibling(dir, file_name, key, "part");
        let record_path = sibling(dir, file_name, key, "meta");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        lock(&file).map_err(|e| Error::io(&path, e))?;
        Ok(Partial {
            path,
            record_path,
            key: key.to_string(),
            file,
            keep: false,
            placed: false,
        })
    }

    /// Where to resume, if what a previous run left is a usable copy of this source: a record
    /// naming it with a validator, and no more bytes than the file has (`expected`, the size the
    /// API reports, must match the recorded length when both are known). A complete partial is
    /// resumed one byte before its end, so that the server still confirms the validator.
    pub(super) fn resumable(&mut self, expected: Option<u64>) -> Option<ResumeFrom> {
        let record: Record =
            serde_json::from_slice(&std::fs::read(&self.record_path).ok()?).ok()?;
        if record.version != RECORD_VERSION || record.source != self.key {
            return None;
        }
        if let (Some(e), Some(t)) = (expected, record.total) {
            if e != t {
                return None;
            }
        }
        let validator = HeaderValue::from_str(&record.validator).ok()?;
        let mut offset = self.file.metadata().ok()?.len();
        if let Some(total) = record.total.or(expected) {
            if offset > total {
                return None;
            }
            if offset == total && total > 0 {
                offset -= 1;
                self.file.set_len(offset).ok()?;
            }
        }
        if offset == 0 {
            return None;
        }
        self.keep = true;
        Some(ResumeFrom {
            offset,
            validator,
            total: record.total,
        })
    }

    /// Start over: the record goes first, then the bytes.
    pub(super) fn restart(&mut self) -> Result<()> {
        self.keep = false;
        match std::fs::remove_file(&self.record_path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::io(&self.record_path, e))
            }
            _ => {}
        }
        self.file.set_len(0).map_err(|e| Error::io(&self.path, e))
    }

    /// Records what the (empty) partial is about to receive. Without a validator nothing is
    /// recorded, and the partial is removed rather than kept if the download stops.
    pub(super) fn record(
        &mut self,
        validator: Option<&HeaderValue>,
        total: Option<u64>,
    ) -> Result<()> {
        let Some(validator) = validator.and_then(|v| v.to_str().ok()) else {
            return Ok(());
        };
        let record = Record {
            version: RECORD_VERSION,
            source: self.key.clone(),
            total,
            validator: validator.to_string(),
        };
        let bytes =
            serde_json::to_vec(&record).map_err(|e| Error::io(&self.record_path, e.into()))?;
        // written whole under another name, then renamed: never a half record
        let tmp = self.record_path.with_extension("meta-new");
        std::fs::write(&tmp, bytes)
            .and_then(|()| std::fs::rename(&tmp, &self.record_path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                Error::io(&self.record_path, e)
            })?;
        self.keep = true;
        Ok(())
    }

    /// A handle positioned at `offset` (the end of what is kept) to append the rest.
    pub(super) fn writer_at(&self, offset: u64) -> Result<File> {
        let mut f = self
            .file
            .try_clone()
            .map_err(|e| Error::io(&self.path, e))?;
        f.set_len(offset)
            .and_then(|()| f.seek(SeekFrom::Start(offset)).map(drop))
            .map_err(|e| Error::io(&self.path, e))?;
        Ok(f)
    }

    /// Removes the partial and its record now (a failure that a later run could not resume).
    pub(super) fn discard(mut self) {
        self.keep = false;
        drop(self);
    }

    /// Moves the finished partial to `target`, replacing a file there only if `overwrite`;
    /// without it, a file at the target (even one created a moment ago) is
    /// [`Error::TargetExists`], atomically.
    pub(super) fn place(mut self, target: &Path, overwrite: bool) -> Result<()> {
        let placed = if overwrite {
            std::fs::rename(&self.path, target).map_err(|e| Error::io(target, e))
        } else {
            place_no_overwrite(&self.path, target)
        };
        if placed.is_ok() {
            self.placed = true;
            let _ = std::fs::remove_file(&self.record_path);
        } else {
            self.keep = false;
        }
        placed
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.placed && !self.keep {
            let _ = std::fs::remove_file(&self.record_path);
            let _ = std::fs::remove_file(&self.path);
        }
        // the lock goes with the file handle
    }
}

/// Locks `file` for this download, failing at once if another holds it (an advisory lock:
/// `flock` on Unix, `LockFileEx` on Windows).
fn lock(file: &File) -> std::io::Result<()> {
    file.try_lock().map_err(|e| match e {
        std::fs::TryLockError::WouldBlock => std::io::Error::new(
            std::io::ErrorKind::WouldBlock,
            "another download to the same target is running (its partial file is locked)",
        ),
        std::fs::TryLockError::Error(e) => e,
    })
}

/// Renames `from` to `to` unless `to` exists, atomically: `renameat2(RENAME_NOREPLACE)` where the
/// kernel and file system have it, else a hard link (which fails if `to` exists) and an unlink.
#[cfg(unix)]
fn place_no_overwrite(from: &Path, to: &Path) -> Result<()> {
    let exists = || Error::TargetExists {
        path: to.to_path_buf(),
    };
    match super::sys::rename_no_replace(from, to) {
        Ok(()) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(exists()),
        // not supported by this system or file system: fall back to a hard link
        Err(e) if e.kind() == std::io::ErrorKind::Unsupported => {}
        Err(e) => return Err(Error::io(to, e)),
    }
    match std::fs::hard_link(from, to) {
        Ok(()) => {
            let _ = std::fs::remove_file(from);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
        Err(e) => Err(Error::io(to, e)),
    }
}

/// Without `link` semantics to rely on, the check and the rename are two steps (not atomic).
#[cfg(not(unix))]
fn place_no_overwrite(from: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        return Err(Error::TargetExists {
            path: to.to_path_buf(),
        });
    }
    std::fs::rename(from, to).map_err(|e| Error::io(to, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable_and_fit() {
        let dir = Path::new("/d");
        let id: crate::FileId = "3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e".parse().unwrap();
        let key = source_key(&Target::Api(id));
        assert_eq!(
            sibling(dir, OsStr::new("out.jsonl"), &key, "part"),
            Path::new("/d/.out.jsonl.3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e.part")
        );
        let long = "é".repeat(200);
        let p = sibling(dir, OsStr::new(&long), &key, "meta");
        assert!(p.file_name().unwrap().len() <= MAX_NAME);
        let a = source_key(&Target::Signed("https://b.example/f/x?sig=1".into()));
        let b = source_key(&Target::Signed("https://b.example/f/x?sig=2".into()));
        let c = source_key(&Target::Signed("https://b.example/f/y?sig=1".into()));
        assert_eq!(a, b, "the token is not part of the key");
        assert_ne!(a, c);
    }

    #[test]
    fn a_record_is_honoured_only_for_its_source_and_length() {
        let dir = tempfile::tempdir().unwrap();
        let name = OsStr::new("t.bin");
        let etag = HeaderValue::from_static("\"abc\"");
        {
            let mut p = Partial::open(dir.path(), name, "k1").unwrap();
            assert!(p.resumable(None).is_none(), "nothing yet");
            p.record(Some(&etag), Some(10)).unwrap();
            std::io::Write::write_all(&mut p.writer_at(0).unwrap(), b"12345").unwrap();
            // a second download to the same target is refused while this one holds it
            #[cfg(unix)]
            assert!(Partial::open(dir.path(), name, "k1").is_err());
        } // dropped with a record: kept
        let mut p = Partial::open(dir.path(), name, "k1").unwrap();
        let r = p.resumable(Some(10)).unwrap();
        assert_eq!((r.offset, r.total), (5, Some(10)));
        assert_eq!(r.validator, etag);
        assert!(p.resumable(Some(11)).is_none(), "the file changed size");
        drop(p);
        let mut other = Partial::open(dir.path(), name, "k2").unwrap();
        assert!(other.resumable(None).is_none(), "another file's partial");
        other.discard();
        let mut p = Partial::open(dir.path(), name, "k1").unwrap();
        p.restart().unwrap();
        drop(p); // no record: removed
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn placing_without_overwrite_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t.bin");
        let mut p = Partial::open(dir.path(), OsStr::new("t.bin"), "k").unwrap();
        std::io::Write::write_all(&mut p.writer_at(0).unwrap(), b"new").unwrap();
        p.record(Some(&HeaderValue::from_static("\"e\"")), Some(3))
            .unwrap();
        std::fs::write(&target, b"old").unwrap();
        let e = p.place(&target, false).unwrap_err();
        assert!(matches!(e, Error::TargetExists { .. }), "{e:?}");
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        let p = Partial::open(dir.path(), OsStr::new("t.bin"), "k").unwrap();
        std::fs::remove_file(&target).unwrap();
        p.place(&target, false).unwrap();
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "only the target is left"
        );
    }
}
