//! `bench-rusage PROGRAM [ARGS...]`: runs a program (stdio inherited) and reports its peak RSS and
//! wall time on the last line of stderr, as `@@bench-rusage max_rss_kib=N wall_secs=S`, exiting
//! with the program's exit code.
//!
//! Why a launcher: Linux carries the peak RSS of the address space a process `exec`s from into
//! its `ru_maxrss`, so a client spawned straight from the (larger) orchestrator would report the
//! orchestrator's size as its floor. Spawned from this tiny process, the floor is this process's
//! own couple of MiB.

use std::process::Command;
use std::time::Instant;

fn main() {
    let mut args = std::env::args_os().skip(1);
    let Some(program) = args.next() else {
        eprintln!("usage: bench-rusage PROGRAM [ARGS...]");
        std::process::exit(2);
    };
    let started = Instant::now();
    let child = match Command::new(&program).args(args).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "bench-rusage: cannot run {}: {e}",
                program.to_string_lossy()
            );
            std::process::exit(127);
        }
    };
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain old data (all-zero is valid); `wait4` gets pointers to locals and
    // the pid of our own unreaped child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            eprintln!("bench-rusage: wait4 failed");
            std::process::exit(125);
        }
    }
    let wall = started.elapsed().as_secs_f64();
    // Linux: KiB; macOS: bytes.
    let kib = if cfg!(target_os = "macos") {
        usage.ru_maxrss as u64 / 1024
    } else {
        usage.ru_maxrss as u64
    };
    eprintln!("@@bench-rusage max_rss_kib={kib} wall_secs={wall:.6}");
    std::mem::forget(child);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    std::process::exit(code);
}
