//! The two system calls downloads to a file need that std does not wrap: `sync_file_range(2)`
//! (write-behind, see `write_behind`) and `renameat2(2)` with `RENAME_NOREPLACE` (placing a
//! finished download without replacing a file created meanwhile, see `partial`). Linux only;
//! elsewhere the callers fall back (no write-behind; a hard link and an unlink).
//!
//! Why not a crate: rustix wraps `renameat2` but not `sync_file_range`, and it was the last
//! dependency a dependent compiled only for us (about 4 s of a cold debug build, measured with
//! `cargo xtask build-cost`); `libc` is built for tokio anyway. These are the crate's only
//! `unsafe` blocks; each passes integers and, for `renameat2`, two NUL-terminated paths that
//! live across the call.

use std::fs::File;
use std::io;
use std::path::Path;

#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
mod linux {
    use std::ffi::CString;
    use std::fs::File;
    use std::io;
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    pub(super) fn sync_range(file: &File, offset: u64, len: u64, flags: u32) -> io::Result<()> {
        let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
            return Err(io::Error::from(io::ErrorKind::InvalidInput));
        };
        // SAFETY: a descriptor borrowed from a live `File` and three integers; no memory is
        // passed.
        let rc = unsafe { libc::sync_file_range(file.as_raw_fd(), offset, len, flags) };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    fn c_path(p: &Path) -> io::Result<CString> {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a path with a NUL byte"))
    }

    pub(super) fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
        let (from, to) = (c_path(from)?, c_path(to)?);
        // SAFETY: both pointers are NUL-terminated strings owned by `from` and `to`, which live
        // until after the call; the kernel only reads them.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                from.as_ptr(),
                libc::AT_FDCWD,
                to.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }
}

/// Starts writeback of the range without waiting for it.
pub(super) fn start_writeback(file: &File, offset: u64, len: u64) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    return linux::sync_range(file, offset, len, libc::SYNC_FILE_RANGE_WRITE);
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (file, offset, len);
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}

/// Waits until the range is on disk (starting writeback of anything in it still dirty).
pub(super) fn wait_written(file: &File, offset: u64, len: u64) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    return linux::sync_range(
        file,
        offset,
        len,
        libc::SYNC_FILE_RANGE_WAIT_BEFORE
            | libc::SYNC_FILE_RANGE_WRITE
            | libc::SYNC_FILE_RANGE_WAIT_AFTER,
    );
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (file, offset, len);
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}

/// Renames `from` to `to` unless `to` exists, in one step. `AlreadyExists` if it does;
/// `Unsupported` where this system or file system has no such rename (the caller falls back).
pub(super) fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    return linux::rename_no_replace(from, to).map_err(|e| match e.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => {
            io::Error::from(io::ErrorKind::Unsupported)
        }
        _ => e,
    });
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (from, to);
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}
