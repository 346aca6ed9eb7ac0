//! Nothing left behind: the emulator's temporary store (`mistral-files-emulator-*` in the
//! temporary directory) is removed when `serve` stops and when `demo` ends, and one left by a
//! `serve` killed with SIGKILL (nothing runs then) is removed by the next emulator that starts.
//! Each test gives its processes a temporary directory of its own (`TMPDIR`) and counts the
//! stores in it before and after.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use mistral_files_test_support::cli::stop;
use mistral_files_test_support::KEY;

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_mistral-files");

/// How many temporary stores are in `tmp`.
fn stores(tmp: &Path) -> usize {
    std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("mistral-files-emulator-")
        })
        .count()
}

/// The binary with `TMPDIR` set to `tmp`.
fn cmd(tmp: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.env("TMPDIR", tmp)
        .env("MISTRAL_API_KEY", KEY)
        .env_remove("MISTRAL_BASE_URL")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1");
    c
}

/// `serve` on a free loopback port, once it has printed where it listens.
fn serve(tmp: &Path) -> (Child, BufReader<std::process::ChildStdout>) {
    let mut child = cmd(tmp)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.contains("http://127.0.0.1:"), "{first:?}");
    (child, out)
}

#[test]
fn serve_removes_its_temporary_store_when_stopped() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(stores(tmp.path()), 0);
    let (mut child, _out) = serve(tmp.path());
    assert_eq!(stores(tmp.path()), 1);
    stop(&mut child);
    assert_eq!(stores(tmp.path()), 0);
}

#[test]
fn demo_removes_its_temporary_store() {
    let tmp = tempfile::tempdir().unwrap();
    let out = cmd(tmp.path()).arg("demo").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stores(tmp.path()), 0);
}

#[test]
fn a_store_left_by_a_killed_serve_is_removed_by_the_next_emulator() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut killed, _out) = serve(tmp.path());
    killed.kill().unwrap(); // SIGKILL: the store stays
    killed.wait().unwrap();
    assert_eq!(stores(tmp.path()), 1);
    let (mut next, _out) = serve(tmp.path());
    assert_eq!(
        stores(tmp.path()),
        1,
        "the stale store is gone, the new one is there"
    );
    stop(&mut next);
    assert_eq!(stores(tmp.path()), 0);
}
