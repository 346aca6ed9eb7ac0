//! `mistral-files serve` on an address other machines can reach: the default key is refused
//! (exit 2, naming `--api-key`) unless `--insecure-default-key` allows it with a warning at every
//! start; a key of one's own (flag, variable or file) starts it, and the start-up lines say the
//! address bound and that it is reachable from the network. The servers started here bind
//! `0.0.0.0:0` and are reached through `127.0.0.1` only; each is killed at the end. Listed in
//! docs/RELIABILITY.md.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use mistral_files_test_support::cli::{cli, raw_http, Run};
use mistral_files_test_support::KEY;
use serde_json::Value;

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_mistral-files");

/// A `serve` child started on `0.0.0.0:0` (or what `args` say), killed on drop.
struct Started {
    child: Child,
    /// Its stdout up to and including the `Ctrl-C …` line (or the one JSON document).
    stdout: String,
    stderr_file: PathBuf,
    /// `127.0.0.1:PORT`.
    local: String,
}

impl Started {
    /// What it wrote on stderr so far (everything written before its start-up lines, at least).
    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_file).unwrap_or_default()
    }

    /// `GET /v1/files` through loopback with `key`; the status code.
    fn list_status(&self, key: &str) -> u16 {
        let answer = raw_http(
            &self.local,
            format!(
                "GET /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        );
        answer
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {answer:?}"))
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        mistral_files_test_support::cli::stop(&mut self.child);
    }
}

/// Starts `serve --addr 0.0.0.0:0 ARGS` with `MISTRAL_API_KEY` set to `env_key` (or unset), and
/// reads its start-up output.
fn start(dir: &Path, args: &[&str], env_key: Option<&str>) -> Started {
    let stderr_file = dir.join(format!("serve-{}.log", args.join("_").replace('/', "_")));
    let mut c = std::process::Command::new(BIN);
    c.env_remove("MISTRAL_API_KEY")
        .env_remove("MISTRAL_BASE_URL")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .args(["serve", "--addr", "0.0.0.0:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_file).unwrap());
    if let Some(k) = env_key {
        c.env("MISTRAL_API_KEY", k);
    }
    let mut child = c.spawn().unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut stdout = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            mistral_files_test_support::cli::stop(&mut child);
            panic!(
                "serve ended before its start-up lines: {stdout}\n{}",
                std::fs::read_to_string(&stderr_file).unwrap_or_default()
            );
        }
        stdout.push_str(&line);
        if line.starts_with('{') || line.starts_with("Ctrl-C") {
            break;
        }
    }
    let url = if stdout.starts_with('{') {
        let doc: Value = serde_json::from_str(&stdout).unwrap();
        doc["url"].as_str().unwrap().to_string()
    } else {
        stdout
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap()
            .to_string()
    };
    let local = url.trim_start_matches("http://").to_string();
    assert!(local.starts_with("127.0.0.1:"), "{stdout}");
    Started {
        child,
        stdout,
        stderr_file,
        local,
    }
}

#[test]
fn serve_off_loopback_with_the_default_key_exits_2_naming_api_key() {
    for args in [
        &["serve", "--addr", "0.0.0.0:8080"][..],
        &["serve", "--addr", "[::]:8080"],
        &["serve", "--addr", "0.0.0.0:8080", "--api-key", "test-key"],
        // an address of no interface here: refused before any bind is tried (a bind failure
        // would exit 1)
        &["serve", "--addr", "192.0.2.7:8080"],
    ] {
        let out = cli(BIN).args(args).fails_with(2);
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
        let err = &out.stderr;
        assert!(err.contains("--api-key"), "{args:?}: {err}");
        assert!(
            err.contains("refusing to serve the default key test-key"),
            "{err}"
        );
        assert!(err.contains("reachable from the network"), "{err}");
        assert!(err.contains("--insecure-default-key"), "{err}");
        assert!(err.contains(&format!("on {}", args[2])), "{err}");
    }
    let out = cli(BIN)
        .args(["serve", "--addr", "0.0.0.0:8080", "--json"])
        .fails_with(2);
    let err = out.stderr_json();
    assert_eq!(err["error"]["exit_code"], 2, "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--api-key"),
        "{err}"
    );
}

#[test]
fn serve_off_loopback_with_a_key_starts_and_says_it_is_reachable_from_the_network() {
    let work = tempfile::tempdir().unwrap();
    let key_file = work.path().join("key");
    std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
    let key_file = key_file.display().to_string();
    for (args, env_key, from) in [
        (vec!["--api-key", KEY], None, "--api-key"),
        (vec![], Some(KEY), "MISTRAL_API_KEY"),
        (vec!["--api-key-file", &key_file], None, "--api-key-file"),
    ] {
        let srv = start(work.path(), &args, env_key);
        let out = &srv.stdout;
        let port = srv.local.rsplit(':').next().unwrap();
        assert!(
            out.contains(&format!(
                "\n  bound: 0.0.0.0:{port} (all interfaces: reachable from the network)\n"
            )),
            "{out}"
        );
        assert!(
            out.contains(&format!("  key:   the key from {from} (not shown)")),
            "{out}"
        );
        assert!(out.contains("set --public-url"), "{out}");
        assert!(!out.contains(KEY) && !out.contains("S3CR3T"), "{out}");
        assert!(!srv.stderr().contains("warning"), "{}", srv.stderr());
        assert_eq!(srv.list_status(KEY), 200);
        assert_eq!(srv.list_status("test-key"), 401);
        assert!(!srv.stderr().contains("S3CR3T"), "{}", srv.stderr());
    }

    let srv = start(work.path(), &["--json"], Some(KEY));
    let doc: Value = serde_json::from_str(&srv.stdout).unwrap();
    assert_eq!(doc["exposure"], "all-interfaces", "{doc}");
    assert_eq!(doc["reachable_from_network"], true, "{doc}");
    assert_eq!(doc["auth"], "custom-key", "{doc}");
    assert_eq!(doc["warnings"], serde_json::json!([]), "{doc}");
    assert!(
        doc["addr"].as_str().unwrap().starts_with("0.0.0.0:"),
        "{doc}"
    );
}

#[test]
fn serve_off_loopback_with_the_opt_in_starts_with_a_warning_at_every_start() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("store").display().to_string();
    for _start in 0..2 {
        let srv = start(
            work.path(),
            &["--insecure-default-key", "--data", &data],
            None,
        );
        let port = srv.local.rsplit(':').next().unwrap();
        let warnings: Vec<String> = srv
            .stderr()
            .lines()
            .filter(|l| l.starts_with("warning: "))
            .map(String::from)
            .collect();
        assert_eq!(
            warnings,
            [format!(
                "warning: 0.0.0.0:{port} (all interfaces: reachable from the network) accepts the \
                 well-known default API key: anyone who can reach it can list, read, upload and \
                 delete files (--insecure-default-key)"
            )],
            "{}",
            srv.stderr()
        );
        // told once, as a line: not also as a log record
        assert_eq!(srv.stderr().matches("well-known").count(), 1);
        assert!(
            srv.stdout.contains("reachable from the network"),
            "{}",
            srv.stdout
        );
        assert!(
            srv.stdout.contains("  key:   test-key (the default"),
            "{}",
            srv.stdout
        );
        assert_eq!(srv.list_status("test-key"), 200);
    }
    // in JSON the warning is in the document (stderr is kept for errors)
    let srv = start(work.path(), &["--insecure-default-key", "--json"], None);
    let doc: Value = serde_json::from_str(&srv.stdout).unwrap();
    assert_eq!(doc["auth"], "default-key", "{doc}");
    let warnings = doc["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{doc}");
    assert!(
        warnings[0]
            .as_str()
            .unwrap()
            .ends_with("(--insecure-default-key)"),
        "{doc}"
    );
    // no key at all off loopback: allowed (asked for by name), warned about likewise
    let srv = start(work.path(), &["--no-auth"], None);
    assert!(
        srv.stderr().contains("accepts requests without an API key")
            && srv.stderr().contains("(--no-auth)"),
        "{}",
        srv.stderr()
    );
}

#[test]
fn serve_on_loopback_says_this_machine_only_and_warns_about_nothing() {
    let mut c = std::process::Command::new(BIN);
    c.env_remove("MISTRAL_API_KEY")
        .env_remove("RUST_LOG")
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let (mut first, mut second) = (String::new(), String::new());
    reader.read_line(&mut first).unwrap();
    reader.read_line(&mut second).unwrap();
    mistral_files_test_support::cli::stop(&mut child);
    let out = child.wait_with_output().unwrap();
    let port = first.trim().rsplit(':').next().unwrap();
    assert_eq!(
        second,
        format!("  bound: 127.0.0.1:{port} (loopback: this machine only)\n"),
        "{first}"
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("warning"),
        "{out:?}"
    );
}

#[test]
fn a_bad_key_file_is_a_usage_error_that_never_quotes_it() {
    let work = tempfile::tempdir().unwrap();
    let empty = work.path().join("empty");
    std::fs::write(&empty, "\n  \n").unwrap();
    let two_lines = work.path().join("two-lines");
    std::fs::write(&two_lines, format!("{KEY}\nsecond-S3CR3T\n")).unwrap();
    let binary = work.path().join("binary");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x53]).unwrap();
    let missing = work.path().join("missing");
    for (path, says) in [
        (&empty, "is empty"),
        (&two_lines, "more than one line"),
        (&binary, "not UTF-8"),
        (&missing, "cannot read"),
    ] {
        let p = path.display().to_string();
        let out = cli(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--api-key-file", &p])
            .fails_with(2);
        assert!(out.stderr.contains(says), "{p}: {}", out.stderr);
        assert!(out.stderr.contains("--api-key-file"), "{}", out.stderr);
        assert!(out.stderr.contains(&p), "{}", out.stderr);
        out.assert_no_key();
    }
    let out = cli(BIN)
        .args(["serve", "--api-key", "x", "--api-key-file", "k"])
        .fails_with(2);
    assert!(out.stderr.contains("cannot be used with"), "{}", out.stderr);
}
