//! A child process's exit status and peak RSS from the kernel's accounting (`wait4`'s
//! `ru_maxrss`, which covers the whole life of that one process).
//!
//! Why a module of its own: both the `bench-rusage` launcher and the driver (for the processes it
//! waits for itself) need this `wait4` loop, and it is `unsafe` code, so it is written once.

use std::io;
use std::process::{Child, ExitStatus};

/// Waits for `child` (not yet waited for) and returns its exit status and its peak resident set
/// size in KiB (`None` where the OS cannot tell). The child is reaped: do not wait for it again.
#[cfg(unix)]
pub fn wait(child: &mut Child) -> io::Result<(ExitStatus, Option<u64>)> {
    use std::os::unix::process::ExitStatusExt;

    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain old data, all-zero is a valid value; `wait4` fills it and `status`.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid pointers to locals; `pid` is our own unreaped child.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    // Linux reports ru_maxrss in KiB (macOS in bytes).
    let kib = usage.ru_maxrss as u64;
    let kib = if cfg!(target_os = "macos") {
        kib / 1024
    } else {
        kib
    };
    Ok((ExitStatus::from_raw(status), Some(kib)))
}

/// Waits for `child`; the peak RSS is not known on this OS.
#[cfg(not(unix))]
pub fn wait(child: &mut Child) -> io::Result<(ExitStatus, Option<u64>)> {
    Ok((child.wait()?, None))
}

/// The exit code a launcher should exit with to mirror `status` (128 + the signal if killed).
pub fn exit_code(status: ExitStatus) -> i32 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return 128 + sig;
        }
    }
    status.code().unwrap_or(1)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn exit_codes_and_signals() {
        let mut c = Command::new("sh").args(["-c", "exit 3"]).spawn().unwrap();
        let (st, kib) = wait(&mut c).unwrap();
        assert_eq!((st.code(), exit_code(st)), (Some(3), 3));
        assert!(kib.unwrap() > 0);
        let mut c = Command::new("sh")
            .args(["-c", "kill -9 $$"])
            .spawn()
            .unwrap();
        let (st, _) = wait(&mut c).unwrap();
        assert_eq!((st.code(), exit_code(st)), (None, 128 + 9));
    }
}
