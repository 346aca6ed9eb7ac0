//! Peak RSS of child processes, measured the way the driver does (`driver::process::run`, directly
//! and through the `bench-rusage` launcher).
//!
//! These live in a test binary of their own: on Linux a child's `ru_maxrss` starts at the peak
//! RSS of the process it was spawned from, and the unit tests of the library raise that peak on
//! purpose (`driver::memory`), so next to them a small child would look large.

#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::Command;

use mistral_files_bench::driver::process::{run, via_launcher};

/// Touches ~40 MiB, then prints the length of a 40 MiB string.
const BIG: &str = "head -c 41943040 /dev/zero | tail -c 1 >/dev/null; x=$(head -c 41943040 /dev/zero | tr '\\0' a); echo ${#x}";

fn launcher() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_bench-rusage"))
}

#[test]
fn child_peak_rss_is_measured() {
    // A child that touches ~40 MiB must report at least that much; `true` far less.
    let small = run(&mut Command::new("true")).unwrap().ok("true").unwrap();
    let small = small.max_rss_kib.unwrap();
    let big = run(Command::new("sh").arg("-c").arg(BIG)).unwrap();
    assert_eq!(big.code, Some(0), "{}", big.stderr);
    assert!(small < 20 * 1024, "true used {small} KiB");
    assert!(
        big.max_rss_kib.unwrap() >= 40 * 1024,
        "{:?}",
        big.max_rss_kib
    );
}

#[test]
fn the_launcher_reports_the_program_s_own_peak_and_exit_code() {
    let small = run(&mut via_launcher(Some(launcher()), "true")).unwrap();
    assert_eq!(small.code, Some(0), "{}", small.stderr);
    let small = small.max_rss_kib.unwrap();
    assert!(small < 20 * 1024, "true used {small} KiB");

    let big = run(via_launcher(Some(launcher()), "sh").arg("-c").arg(BIG)).unwrap();
    assert_eq!(big.code, Some(0), "{}", big.stderr);
    assert_eq!(big.stdout.trim(), "41943040");
    assert!(!big.stderr.contains("@@bench-rusage"), "{}", big.stderr);
    assert!(
        big.max_rss_kib.unwrap() >= 40 * 1024,
        "{:?}",
        big.max_rss_kib
    );

    let failed = run(via_launcher(Some(launcher()), "sh").args(["-c", "exit 7"])).unwrap();
    assert_eq!(failed.code, Some(7));
    let killed = run(via_launcher(Some(launcher()), "sh").args(["-c", "kill -9 $$"])).unwrap();
    assert_eq!(killed.code, Some(128 + 9));
}
