//! The exclusive lock an emulator holds on its data directory: two emulators (two `serve`
//! processes) on one directory would clean up each other's uploads in progress and write the
//! same database. The lock is std's `File::try_lock` on `<data>/lock` (`flock` on Unix, as the
//! client locks a download's partial copy), released by the kernel when the process
//! ends however it ends (no stale lock after a crash); the file holds the holder's pid, so that
//! a second emulator can say who has it.
//!
//! A leaf: uses only `error`.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::error::EmulatorError;

/// The lock file's name in a data directory.
pub(crate) const LOCK_FILE: &str = "lock";

/// A held lock on a data directory; released when dropped.
#[derive(Debug)]
pub(crate) struct DirLock {
    _file: File,
}

impl DirLock {
    /// Takes the lock on `dir` (created if missing), or fails at once naming the holder's pid.
    pub(crate) fn acquire(dir: &Path) -> Result<DirLock, EmulatorError> {
        crate::store::create_private_dir(dir)?;
        let path = dir.join(LOCK_FILE);
        let io = |e: std::io::Error| EmulatorError::io(format!("locking {}", path.display()), e);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(EmulatorError::DataDirInUse {
                    dir: dir.to_path_buf(),
                    pid: holder(&mut file),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)).map(drop))
            .and_then(|()| writeln!(file, "{}", std::process::id()))
            .and_then(|()| file.flush())
            .map_err(io)?;
        Ok(DirLock { _file: file })
    }
}

/// Removes the temporary stores (directories named `prefix…` in `parent`) that emulators left
/// behind when they could not clean up (killed with SIGKILL, or a crash): a store is stale when
/// its lock file names a holder (written only once the lock is held, so a store still being set
/// up is never taken) and the lock is free (the kernel released it with the process). Taken
/// under the lock, so two emulators never remove the same store, nor a live one. Best effort:
/// returns how many were removed.
pub(crate) fn sweep_stale(parent: &Path, prefix: &str) -> usize {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let is_ours = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(prefix));
        if !is_ours || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let dir = entry.path();
        let Ok(mut file) = OpenOptions::new().read(true).open(dir.join(LOCK_FILE)) else {
            continue;
        };
        let mut text = String::new();
        if file.read_to_string(&mut text).is_err() || text.trim().parse::<u32>().is_err() {
            continue;
        }
        if file.try_lock().is_ok() && std::fs::remove_dir_all(&dir).is_ok() {
            tracing::debug!(dir = %dir.display(), "removed a stale temporary store");
            removed += 1;
        }
    }
    removed
}

/// The pid written by the lock's holder (it writes it right after taking the lock: give it a
/// moment if the file is still empty).
fn holder(file: &mut File) -> Option<u32> {
    for _ in 0..20 {
        let mut text = String::new();
        let _ = file.seek(SeekFrom::Start(0));
        if file.read_to_string(&mut text).is_ok() {
            if let Ok(pid) = text.trim().parse() {
                return Some(pid);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    None
}

#[cfg(test)]
mod sweep_tests {
    use super::*;

    #[test]
    fn only_unlocked_stores_that_name_a_holder_are_swept() {
        let parent = tempfile::tempdir().unwrap();
        let dead = parent.path().join("emu-dead");
        drop(DirLock::acquire(&dead).unwrap()); // the holder is gone: the lock is free
        let live = parent.path().join("emu-live");
        let _held = DirLock::acquire(&live).unwrap();
        let starting = parent.path().join("emu-starting");
        std::fs::create_dir(&starting).unwrap();
        std::fs::write(starting.join(LOCK_FILE), "").unwrap(); // no holder written yet
        let other = parent.path().join("not-ours");
        drop(DirLock::acquire(&other).unwrap());
        assert_eq!(sweep_stale(parent.path(), "emu-"), 1);
        assert!(!dead.exists());
        assert!(live.exists() && starting.exists() && other.exists());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_names_the_first_holder() {
        let dir = tempfile::tempdir().unwrap();
        let first = DirLock::acquire(dir.path()).unwrap();
        match DirLock::acquire(dir.path()) {
            Err(EmulatorError::DataDirInUse { pid, .. }) => {
                assert_eq!(pid, Some(std::process::id()))
            }
            other => panic!("{other:?}"),
        }
        drop(first);
        DirLock::acquire(dir.path()).expect("free again once released");
    }
}
