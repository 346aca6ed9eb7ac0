//! `cargo xtask bench`, `build-cost` and `chaos` pass every argument on to their binaries.

use clap::Parser;
use std::ffi::OsString;
use std::path::Path;
use xtask::cli::{bench_command, Cli, Cmd, BENCH};

fn bench_args(argv: &[&str]) -> Vec<OsString> {
    let cli = Cli::try_parse_from(["xtask", "bench"].iter().chain(argv)).unwrap();
    match cli.command {
        Cmd::Bench { args } => args,
        _ => unreachable!(),
    }
}

#[test]
fn bench_passes_every_argument_on() {
    for argv in [
        &[][..],
        &["--quick", "--only", "list"],
        &["--quick", "--no-python", "--only", "list"],
        &["--help"],
        &["--runs", "3", "--out", "x.md", "--only=flat,list"],
    ] {
        assert_eq!(bench_args(argv), argv, "{argv:?}");
    }
}

#[test]
fn bench_runs_the_driver_through_cargo() {
    let c = bench_command(
        Path::new("/r"),
        BENCH,
        "bench",
        &bench_args(&["--quick", "--only", "list"]),
    );
    let args: Vec<_> = c.get_args().collect();
    assert_eq!(
        args,
        [
            "run",
            "--release",
            "-p",
            "mistral-files-bench",
            "--bin",
            "bench",
            "--",
            "--quick",
            "--only",
            "list"
        ]
    );
    assert_eq!(c.get_current_dir(), Some(Path::new("/r")));
}

#[test]
fn chaos_forwards_to_its_own_crate() {
    let cli = Cli::try_parse_from(["xtask", "chaos", "--seed", "1", "--ops", "2000"]).unwrap();
    let Cmd::Chaos { args } = cli.command else {
        unreachable!()
    };
    let c = bench_command(Path::new("/r"), "mistral-files-chaos", "chaos", &args);
    let args: Vec<_> = c.get_args().collect();
    assert_eq!(
        args,
        [
            "run",
            "--release",
            "-p",
            "mistral-files-chaos",
            "--bin",
            "chaos",
            "--",
            "--seed",
            "1",
            "--ops",
            "2000"
        ]
    );
}
