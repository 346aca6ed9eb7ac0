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
    let mut child = match Command::new(&program).args(args).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "bench-rusage: cannot run {}: {e}",
                program.to_string_lossy()
            );
            std::process::exit(127);
        }
    };
    let (status, kib) = match mistral_files_bench::rusage::wait(&mut child) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bench-rusage: wait4 failed: {e}");
            std::process::exit(125);
        }
    };
    let wall = started.elapsed().as_secs_f64();
    let kib = kib.unwrap_or(0);
    eprintln!("@@bench-rusage max_rss_kib={kib} wall_secs={wall:.6}");
    let code = mistral_files_bench::rusage::exit_code(status);
    std::process::exit(code);
}
