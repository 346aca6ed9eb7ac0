//! Shared helpers: an emulator started in the test process, and the built binary pointed at it.

#![allow(dead_code)]

pub mod wire_literals;

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use mistral_files_emulator::{Emulator, RunningEmulator};
use serde_json::Value;
use tempfile::TempDir;

/// A distinctive key, so that tests can check it is never printed.
pub const KEY: &str = "sk-cli-test-S3CR3T-7c1f0e";

/// An emulator on a free loopback port plus a scratch directory (the commands' working directory).
pub struct Env {
    pub emu: RunningEmulator,
    pub dir: TempDir,
    rt: tokio::runtime::Runtime,
}

impl Env {
    /// Starts an emulator that expects [`KEY`].
    pub fn new() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let emu = rt
            .block_on(Emulator::builder().api_key(KEY).sync_writes(false).start())
            .expect("emulator starts");
        Env {
            emu,
            dir: tempfile::tempdir().expect("tempdir"),
            rt,
        }
    }

    /// The emulator's URL.
    pub fn url(&self) -> String {
        self.emu.url().to_string()
    }

    /// The binary, with a clean environment pointing at the emulator, run in the scratch dir.
    pub fn cmd(&self) -> Command {
        let mut c = bare_cmd();
        c.env("MISTRAL_API_KEY", KEY)
            .env("MISTRAL_BASE_URL", self.url())
            .current_dir(self.dir.path());
        c
    }

    /// Writes a file in the scratch directory.
    pub fn write(&self, name: &str, content: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).expect("write");
        p
    }

    /// Uploads `content` as `name` through the CLI and returns the JSON file object.
    pub fn upload(&self, name: &str, content: &[u8], extra: &[&str]) -> Value {
        let p = self.write(name, content);
        let out = self
            .cmd()
            .arg("upload")
            .arg(&p)
            .args(extra)
            .arg("--json")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let docs = json_lines(&out);
        assert_eq!(docs.len(), 1, "{}", String::from_utf8_lossy(&out));
        docs.into_iter().next().unwrap()
    }

    /// Runs a future on the test's runtime.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The number of API requests (`/v1/...`) the emulator has received.
    pub fn api_requests(&self) -> usize {
        self.emu
            .requests()
            .iter()
            .filter(|r| r.path.starts_with("/v1/"))
            .count()
    }

    /// A path in the scratch dir.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// The binary with MISTRAL_* variables removed and no colours, and a generous hang guard.
pub fn bare_cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mistral-files"));
    c.env_remove("MISTRAL_API_KEY")
        .env_remove("MISTRAL_BASE_URL")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(120));
    c
}

/// Parses stdout as one JSON document per line.
pub fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect()
}

/// stdout and stderr of an output, as text.
pub fn texts(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts the key appears in neither stream.
pub fn assert_no_key(out: &std::process::Output) {
    let (o, e) = texts(out);
    assert!(!o.contains(KEY), "key on stdout: {o}");
    assert!(!e.contains(KEY), "key on stderr: {e}");
    assert!(!e.contains("S3CR3T"), "part of the key on stderr");
}

/// A sample JSONL body of `n` lines.
pub fn jsonl(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| format!("{{\"messages\":[{{\"role\":\"user\",\"content\":\"q{i}\"}}]}}\n"))
        .collect::<String>()
        .into_bytes()
}

/// `p` as a string.
pub fn s(p: &Path) -> String {
    p.display().to_string()
}
