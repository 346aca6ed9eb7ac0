//! `demo` (human and JSON, with no configuration) and `serve` (a child process answering plain HTTP).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

use mistral_files_test_support::cli::{cli, Run};
use mistral_files_test_support::{jsonl, KEY};
use predicates::prelude::*;

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_mistral-files");

/// The binary with no configuration.
fn bare_cmd() -> assert_cmd::Command {
    cli(BIN)
}

#[test]
fn demo_passes_with_no_configuration() {
    // Whatever the environment says, the demo uses its own emulator and key.
    let out = bare_cmd()
        .env("MISTRAL_API_KEY", "sk-ignored")
        .env("MISTRAL_BASE_URL", "http://127.0.0.1:9")
        .arg("demo")
        .succeeds();
    let o = &out.stdout;
    assert!(!o.contains('✗'), "{o}");
    for step in [
        "✓ start the emulator",
        "✓ upload sample.jsonl",
        "✓ list files",
        "✓ retrieve it",
        "✓ signed URL",
        "without the API key",
        "✓ download and compare",
        "identical",
        "✓ delete it",
        "✓ retrieve after delete: 404",
        "All 8 steps passed.",
    ] {
        assert!(o.contains(step), "missing {step:?} in:\n{o}");
    }
    // Nothing set at all also works.
    bare_cmd().arg("demo").assert().success();
}

#[test]
fn demo_json() {
    let out = bare_cmd().args(["demo", "--json"]).succeeds();
    let docs = out.json_array();
    let steps: Vec<&str> = docs.iter().map(|d| d["step"].as_str().unwrap()).collect();
    assert_eq!(
        steps,
        [
            "start",
            "upload",
            "list",
            "retrieve",
            "signed_url",
            "download",
            "delete",
            "gone",
            "summary"
        ]
    );
    assert!(docs.iter().all(|d| d["ok"] == true));
    assert_eq!(docs[1]["file"]["filename"], "sample.jsonl");
    assert_eq!(docs[1]["file"]["num_lines"], 3);
    assert_eq!(docs[4]["sent_key"], false);
    assert_eq!(docs[5]["identical"], true);
    assert_eq!(docs[7]["status"], 404);
    assert_eq!(docs[8]["passed"], 8);
}

/// A `serve` child, killed on drop.
struct Server {
    child: Child,
    url: String,
    /// Kept open so that the server's later writes to stdout do not fail.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Server {
    fn drop(&mut self) {
        mistral_files_test_support::cli::stop(&mut self.child);
    }
}

/// Starts `mistral-files serve --addr 127.0.0.1:0 ARGS` and reads the URL it prints.
fn serve(args: &[&str], key: Option<&str>) -> Server {
    let mut c = std::process::Command::new(BIN);
    c.env_remove("MISTRAL_API_KEY")
        .env_remove("MISTRAL_BASE_URL")
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(k) = key {
        c.env("MISTRAL_API_KEY", k);
    }
    let mut child = c.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut reader = BufReader::new(stdout);
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    let url = if first.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(&first).unwrap();
        v["url"].as_str().unwrap().to_string()
    } else {
        first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {first:?}"))
            .to_string()
    };
    Server {
        child,
        url,
        _stdout: reader,
    }
}

/// A raw HTTP/1.1 request; returns (status line, body).
fn raw_get(url: &str, path: &str, auth: Option<&str>) -> (String, String) {
    let hostport = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(hostport).unwrap();
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\n");
    if let Some(k) = auth {
        req.push_str(&format!("Authorization: Bearer {k}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status = resp.lines().next().unwrap_or_default().to_string();
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn serve_answers_plain_http() {
    let srv = serve(&[], None);
    assert!(srv.url.starts_with("http://127.0.0.1:"), "{}", srv.url);
    let (status, body) = raw_get(&srv.url, "/v1/files", Some("test-key"));
    assert!(status.contains("200"), "{status}");
    let v: serde_json::Value = serde_json::from_str(body.trim()).unwrap();
    assert_eq!(v["object"], "list");
    let (status, body) = raw_get(&srv.url, "/v1/files", None);
    assert!(status.contains("401"), "{status}");
    assert!(body.contains("Unauthorized"), "{body}");

    // And the CLI itself talks to it.
    let p = tempfile::tempdir().unwrap();
    let f = p.path().join("s.jsonl");
    std::fs::write(&f, jsonl(2)).unwrap();
    bare_cmd()
        .env("MISTRAL_API_KEY", "test-key")
        .env("MISTRAL_BASE_URL", &srv.url)
        .arg("upload")
        .arg(&f)
        .assert()
        .success();
    bare_cmd()
        .env("MISTRAL_API_KEY", "test-key")
        .env("MISTRAL_BASE_URL", &srv.url)
        .arg("ls")
        .assert()
        .success()
        .stdout(predicate::str::contains("s.jsonl"));
}

#[test]
fn serve_with_key_data_dir_and_faults() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap().to_string();
    {
        let srv = serve(&["--data", &dir, "--fail-next", "1:503"], Some(KEY));
        let (status, _) = raw_get(&srv.url, "/v1/files", Some(KEY));
        assert!(status.contains("503"), "{status}");
        let (status, _) = raw_get(&srv.url, "/v1/files", Some("test-key"));
        assert!(status.contains("401"), "{status}");
        let (status, _) = raw_get(&srv.url, "/v1/files", Some(KEY));
        assert!(status.contains("200"), "{status}");
        let f = data.path().join("keep.jsonl");
        std::fs::write(&f, jsonl(1)).unwrap();
        bare_cmd()
            .env("MISTRAL_API_KEY", KEY)
            .env("MISTRAL_BASE_URL", &srv.url)
            .arg("upload")
            .arg(&f)
            .assert()
            .success();
    }
    // Restarted on the same data directory: the file is still there.
    let srv = serve(&["--data", &dir, "--no-auth", "--json"], None);
    let (status, body) = raw_get(&srv.url, "/v1/files", None);
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("keep.jsonl"), "{body}");
}
