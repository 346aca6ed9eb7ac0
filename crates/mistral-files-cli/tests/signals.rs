//! The binary as the world stops it: killed (SIGKILL) or asked to stop (SIGTERM from `timeout`,
//! Docker, systemd; SIGINT from Ctrl-C; SIGHUP from a closed terminal) in the middle of a
//! download, which the next run resumes; `serve` stopped in the middle of a large upload, which
//! leaves nothing behind; and two `serve` processes on one data directory. Real child
//! processes, loopback only; every wait is bounded.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use mistral_files_test_support::cli::{raw_http, Serve};
use mistral_files_test_support::{content, sha256_hex, KEY};
use rustix::process::{kill_process, Pid, Signal};

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_mistral-files");

/// Polls `cond` every 20 ms for up to 60 s (a bound, not a speed assertion); whether it held.
fn wait_for(mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(60);
    while Instant::now() < end {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    cond()
}

/// Waits (at most 60 s) for `child` to exit.
fn exit_of(child: &mut Child) -> ExitStatus {
    let mut status = None;
    assert!(
        wait_for(|| {
            status = child.try_wait().unwrap();
            status.is_some()
        }),
        "the process did not exit"
    );
    status.unwrap()
}

fn send(child: &Child, signal: Signal) {
    kill_process(Pid::from_child(child), signal).expect("signal sent");
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// `download` killed with SIGKILL, SIGTERM, SIGINT or SIGHUP once half the file is on disk:
/// the partial copy is kept (SIGTERM/INT/HUP: exit 143/130/129; SIGKILL: nothing runs); run
/// again, the download asks the server for the remaining bytes only (`Range` in the server's
/// log), ends byte-identical, and leaves no partial copy.
#[test]
fn a_download_stopped_at_half_resumes_in_the_next_run_and_ends_byte_identical() {
    let work = tempfile::tempdir().unwrap();
    // 1 MiB/s: the 2 MiB file takes about 2 s, long enough to be stopped half-way
    let srv = Serve::start(
        BIN,
        &["-v", "--throttle-download", "1048576"],
        work.path().join("serve.log"),
    );
    let data = content(2 * 1024 * 1024, 21);
    let id = srv.upload(work.path(), "data.jsonl", &data);
    for (signal, expected_code) in [
        (Signal::KILL, None),
        (Signal::TERM, Some(143)),
        (Signal::INT, Some(130)),
        (Signal::HUP, Some(129)),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let kept = stop_at_half(&srv, &id, dir.path(), signal, expected_code, &data);
        // the next run: the remaining bytes only
        resume(&srv, &id, dir.path(), signal, kept, &data);
    }
}

/// Starts `download` of `id` into `dir`, sends `signal` once half of `data` is on disk,
/// checks the exit (`expected_code`, or killed) and that the partial copy is kept; its length.
fn stop_at_half(
    srv: &Serve,
    id: &str,
    dir: &Path,
    signal: Signal,
    expected_code: Option<i32>,
    data: &[u8],
) -> u64 {
    let half = data.len() as u64 / 2;
    let part = dir.join(format!(".out.bin.{id}.part"));
    let mut child = srv
        .child_cmd(dir)
        .args(["download", id, "-o", "out.bin"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        wait_for(|| std::fs::metadata(&part).is_ok_and(|m| m.len() >= half)),
        "{signal:?}: the download did not reach half-way"
    );
    send(&child, signal);
    let status = exit_of(&mut child);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    match expected_code {
        Some(code) => {
            assert_eq!(status.code(), Some(code), "{signal:?}: {stderr}");
            assert!(stderr.contains("interrupted by SIG"), "{stderr}");
            assert!(stderr.contains("resumes"), "{stderr}");
        }
        None => {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(9), "{status:?}");
        }
    }
    assert!(
        !dir.join("out.bin").exists(),
        "never a short file at the target"
    );
    let kept = std::fs::metadata(&part)
        .expect("the partial copy is kept")
        .len();
    assert!(
        kept >= half && kept < data.len() as u64,
        "{signal:?}: {kept}"
    );
    kept
}

/// Runs the download again in `dir`: it asks for the bytes from `kept` on and ends with `data`.
fn resume(srv: &Serve, id: &str, dir: &Path, signal: Signal, kept: u64, data: &[u8]) {
    let log_before = srv.log().len();
    let out = srv
        .cmd(dir)
        .args(["download", id, "-o", "out.bin"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{signal:?}: {out:?}");
    let got = std::fs::read(dir.join("out.bin")).unwrap();
    assert_eq!(
        sha256_hex(&got),
        sha256_hex(data),
        "{signal:?}: byte-identical"
    );
    assert_eq!(
        entries(dir),
        ["out.bin"],
        "{signal:?}: no partial copy left"
    );
    let log = srv.log()[log_before..].to_string();
    assert!(
        log.contains(&format!("range=bytes={kept}-")),
        "{signal:?}: the server's log shows no Range request for the remaining bytes from {kept}:\n{log}"
    );
}

/// `serve --grace-period 2` gets SIGTERM while a 300 MB upload is arriving (slowly): it exits 0
/// within the grace period (plus a bounded margin), leaves no file in `tmp/` and no row for the
/// upload; restarted on the same data directory, every file completed before is intact.
#[test]
fn serve_stops_gracefully_on_sigterm_during_a_300_mb_upload() {
    let work = tempfile::tempdir().unwrap();
    let data_dir = work.path().join("data");
    let data_arg = data_dir.display().to_string();
    let mut srv = Serve::start(
        BIN,
        &["--data", &data_arg, "--grace-period", "2"],
        work.path().join("serve.log"),
    );
    let files: Vec<(String, Vec<u8>)> = (0..3u64)
        .map(|i| {
            let data = content(300_000 + i as usize, 30 + i);
            (
                srv.upload(work.path(), &format!("done{i}.jsonl"), &data),
                data,
            )
        })
        .collect();

    // a 300 MB upload, sent slowly by a client that keeps sending until the server closes
    let total_file: u64 = 300 * 1000 * 1000;
    let sender = upload_slowly(&srv, total_file);
    let tmp = data_dir.join("tmp");
    assert!(
        wait_for(|| std::fs::read_dir(&tmp).is_ok_and(|d| d
            .flatten()
            .any(|e| e.metadata().is_ok_and(|m| m.len() > 4 * 1024 * 1024)))),
        "the upload is under way"
    );
    send(&srv.child, Signal::TERM);
    let status = exit_of(&mut srv.child);
    assert_eq!(status.code(), Some(0), "{}", srv.log());
    let sent = sender.join().unwrap();
    assert!(sent < total_file, "the upload was still arriving");
    assert!(
        entries(&tmp).is_empty(),
        "tmp/ is empty: {:?}",
        entries(&tmp)
    );
    let log = srv.log();
    assert!(log.contains("grace period over"), "{log}");

    the_completed_files_are_intact(work.path(), &data_arg, &data_dir, &files);
}

/// Starts an upload of a `total_file`-byte file to `srv` and sends it slowly (256 KiB every
/// 20 ms) until it is all sent or the server closes; the thread returns the bytes sent.
fn upload_slowly(srv: &Serve, total_file: u64) -> std::thread::JoinHandle<u64> {
    let boundary = "big-upload-boundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.jsonl\"\r\n\r\n"
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    let len = head.len() as u64 + total_file + tail.len() as u64;
    let mut s = TcpStream::connect(srv.addr()).unwrap();
    s.write_all(
        format!(
            "POST /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len}\r\n\r\n{head}"
        )
        .as_bytes(),
    )
    .unwrap();
    std::thread::spawn(move || {
        let piece = vec![b'x'; 256 * 1024];
        let mut sent = 0u64;
        while sent < total_file {
            if s.write_all(&piece).is_err() {
                break;
            }
            sent += piece.len() as u64;
            std::thread::sleep(Duration::from_millis(20));
        }
        sent
    })
}

/// `serve` restarted on the data directory: the completed `files`, whole, and nothing of the
/// unfinished upload.
fn the_completed_files_are_intact(
    work: &Path,
    data_arg: &str,
    data_dir: &Path,
    files: &[(String, Vec<u8>)],
) {
    let srv = Serve::start(BIN, &["--data", data_arg], work.join("serve2.log"));
    let list = raw_http(
        &srv.addr(),
        format!("GET /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    );
    let body: serde_json::Value =
        serde_json::from_str(list.split_once("\r\n\r\n").unwrap().1.trim()).unwrap();
    assert_eq!(body["total"], files.len(), "{body}");
    assert!(!list.contains("big.jsonl"));
    for (id, data) in files {
        let dir = tempfile::tempdir().unwrap();
        srv.cmd(dir.path())
            .args(["download", id, "-o", "copy"])
            .assert()
            .success();
        assert_eq!(std::fs::read(dir.path().join("copy")).unwrap(), *data);
    }
    assert_eq!(entries(&data_dir.join("content")).len(), files.len());
}

/// SIGINT and SIGHUP stop `serve` gracefully too, with exit 0.
#[test]
fn serve_exits_0_on_sigint_and_sighup() {
    let work = tempfile::tempdir().unwrap();
    for signal in [Signal::INT, Signal::HUP] {
        let mut srv = Serve::start(BIN, &[], work.path().join("serve.log"));
        send(&srv.child, signal);
        assert_eq!(exit_of(&mut srv.child).code(), Some(0), "{signal:?}");
    }
}

/// A second `serve` on a data directory in use fails at once, naming the first one's pid; once
/// the first is gone (even killed), the directory is free.
#[test]
fn a_second_serve_on_the_same_data_dir_fails_naming_the_holder_pid() {
    let work = tempfile::tempdir().unwrap();
    let data_arg = work.path().join("data").display().to_string();
    let mut first = Serve::start(BIN, &["--data", &data_arg], work.path().join("1.log"));
    let out = mistral_files_test_support::cli::cli(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--data", &data_arg])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let pid = first.child.id();
    assert!(
        stderr.contains(&format!("in use by another emulator (pid {pid})")),
        "{stderr}"
    );
    assert!(!stderr.contains("address already in use"), "{stderr}");
    first.child.kill().unwrap();
    exit_of(&mut first.child);
    let second = Serve::start(BIN, &["--data", &data_arg], work.path().join("2.log"));
    assert!(second.url.starts_with("http://127.0.0.1:"));
}
