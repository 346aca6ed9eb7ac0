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
        std::fs::create_dir_all(dir)
            .map_err(|e| EmulatorError::io(format!("creating {}", dir.display()), e))?;
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
