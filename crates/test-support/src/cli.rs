//! Running the built `mistral-files` binary, and `serve` as a child process. This crate cannot
//! see the binary: the calling test crate passes its path, `env!("CARGO_BIN_EXE_mistral-files")`.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::time::Duration;

use assert_cmd::Command;
use mistral_files_emulator::RunningEmulator;
use serde_json::Value;
use tempfile::TempDir;

use crate::emulator::emulator_with;
use crate::KEY;

/// The binary at `bin` with the `MISTRAL_*` variables and `RUST_LOG` removed, `NO_COLOR=1`, and a
/// generous hang guard (120 s).
pub fn cli(bin: impl AsRef<OsStr>) -> Command {
    let mut c = Command::new(bin);
    c.env_remove("MISTRAL_API_KEY")
        .env_remove("MISTRAL_BASE_URL")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(120));
    c
}

/// What a finished command did: its exit status and its output as text.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The exit status.
    pub status: ExitStatus,
    /// Standard output (lossy UTF-8).
    pub stdout: String,
    /// Standard error (lossy UTF-8).
    pub stderr: String,
    stdout_bytes: Vec<u8>,
}

impl Outcome {
    /// The outcome of a finished process.
    pub fn from_output(out: std::process::Output) -> Outcome {
        Outcome {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            stdout_bytes: out.stdout,
        }
    }

    /// The exit code (`None` when killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Standard output exactly as written (for binary content).
    pub fn stdout_bytes(&self) -> &[u8] {
        &self.stdout_bytes
    }

    /// Standard output as one JSON document per non-blank line (`--jsonl`); panics on a line that
    /// is not JSON.
    pub fn json_lines(&self) -> Vec<Value> {
        json_lines(&self.stdout)
    }

    /// Standard output parsed as exactly one JSON document, as `json.load` would (`--json`);
    /// panics otherwise, showing both streams.
    #[track_caller]
    pub fn json(&self) -> Value {
        one_document(&self.stdout, "stdout", self)
    }

    /// Standard output parsed as exactly one JSON document that is an array (the `--json` output
    /// of a command with a list of results); panics otherwise.
    #[track_caller]
    pub fn json_array(&self) -> Vec<Value> {
        match self.json() {
            Value::Array(items) => items,
            other => panic!("a JSON array expected on stdout, got {other}"),
        }
    }

    /// Standard error parsed as exactly one JSON document (an error in `--json` mode:
    /// `{"error": {...}}`); panics otherwise.
    #[track_caller]
    pub fn stderr_json(&self) -> Value {
        one_document(&self.stderr, "stderr", self)
    }

    /// Panics unless the key ([`KEY`], or its `S3CR3T` part) is absent from both streams.
    #[track_caller]
    pub fn assert_no_key(&self) {
        assert!(!self.stdout.contains(KEY), "key on stdout: {}", self.stdout);
        assert!(!self.stderr.contains(KEY), "key on stderr: {}", self.stderr);
        assert!(!self.stderr.contains("S3CR3T"), "part of the key on stderr");
    }
}

/// Parses `text` as one JSON document (surrounding whitespace allowed, nothing else).
#[track_caller]
fn one_document(text: &str, which: &str, out: &Outcome) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| {
        panic!(
            "{which} is not one JSON document ({e}); exit status {}\n--- stdout\n{}\n--- stderr\n{}",
            out.status, out.stdout, out.stderr
        )
    })
}

/// Parses text as one JSON document per non-blank line; panics on a line that is not JSON.
pub fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect()
}

/// Runs a command to its end and returns its [`Outcome`], checking the exit status (replaces
/// `.assert().success().get_output().clone()`).
pub trait Run {
    /// Runs it; any exit status.
    fn run(&mut self) -> Outcome;

    /// Runs it; panics (showing both streams) unless it exits with 0.
    #[track_caller]
    fn succeeds(&mut self) -> Outcome {
        self.fails_with(0)
    }

    /// Runs it; panics (showing both streams) unless it exits with `code`.
    #[track_caller]
    fn fails_with(&mut self, code: i32) -> Outcome {
        let out = self.run();
        assert_eq!(
            out.code(),
            Some(code),
            "exit status {}\n--- stdout\n{}\n--- stderr\n{}",
            out.status,
            out.stdout,
            out.stderr
        );
        out
    }
}

impl Run for Command {
    fn run(&mut self) -> Outcome {
        Outcome::from_output(self.output().expect("the command runs"))
    }
}

/// An emulator on a free loopback port (expecting [`KEY`]) with its own runtime, a scratch
/// directory (the commands' working directory), and the binary to run against them.
pub struct CliEnv {
    /// The emulator.
    pub emu: RunningEmulator,
    /// The scratch directory.
    pub dir: TempDir,
    bin: PathBuf,
    rt: tokio::runtime::Runtime,
}

impl CliEnv {
    /// Starts an emulator (writes not synced to disk, for speed) for the binary at `bin`
    /// (`env!("CARGO_BIN_EXE_mistral-files")`).
    pub fn new(bin: impl Into<PathBuf>) -> CliEnv {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let emu = rt.block_on(emulator_with(|b| b.sync_writes(false)));
        CliEnv {
            emu,
            dir: tempfile::tempdir().expect("tempdir"),
            bin: bin.into(),
            rt,
        }
    }

    /// The emulator's URL.
    pub fn url(&self) -> String {
        self.emu.url().to_string()
    }

    /// The binary with no configuration ([`cli`]).
    pub fn bare_cmd(&self) -> Command {
        cli(&self.bin)
    }

    /// The binary pointed at the emulator (`MISTRAL_API_KEY`, `MISTRAL_BASE_URL`), run in the
    /// scratch directory.
    pub fn cmd(&self) -> Command {
        let mut c = self.bare_cmd();
        c.env("MISTRAL_API_KEY", KEY)
            .env("MISTRAL_BASE_URL", self.url())
            .current_dir(self.dir.path());
        c
    }

    /// [`cmd`](Self::cmd) with these arguments, run; panics unless it exits with 0.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> Outcome {
        self.cmd().args(args).succeeds()
    }

    /// [`cmd`](Self::cmd) with these arguments, run; panics unless it exits with `code`.
    #[track_caller]
    pub fn fails(&self, code: i32, args: &[&str]) -> Outcome {
        self.cmd().args(args).fails_with(code)
    }

    /// Writes a file in the scratch directory; returns its path.
    pub fn write(&self, name: &str, content: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, content).expect("write");
        p
    }

    /// A path in the scratch directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `content` as `name`, uploads it with `upload PATH EXTRA... --json`, and returns the
    /// file object printed (the one element of the array).
    #[track_caller]
    pub fn upload(&self, name: &str, content: &[u8], extra: &[&str]) -> Value {
        let p = self.write(name, content);
        let out = self
            .cmd()
            .arg("upload")
            .arg(&p)
            .args(extra)
            .arg("--json")
            .succeeds()
            .json();
        let files = out.as_array().expect("upload --json prints an array");
        assert_eq!(files.len(), 1, "{out}");
        files[0].clone()
    }

    /// Runs a future on the environment's runtime.
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
}

/// A path as a string (for argument lists of `&str`).
pub fn path_arg(p: &Path) -> String {
    p.display().to_string()
}

/// A `mistral-files serve --addr 127.0.0.1:0 ARGS` child with its log (stderr) in a file;
/// killed on drop unless it already exited.
pub struct Serve {
    /// The process.
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    log: PathBuf,
    bin: std::ffi::OsString,
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Serve {
    /// Starts `BIN serve --addr 127.0.0.1:0 ARGS` (expecting [`KEY`]), its stderr in the file
    /// `log`, and reads the URL it prints.
    pub fn start(bin: impl AsRef<OsStr>, args: &[&str], log: PathBuf) -> Serve {
        let bin = bin.as_ref().to_os_string();
        let mut child = std::process::Command::new(&bin)
            .env_remove("MISTRAL_BASE_URL")
            .env_remove("RUST_LOG")
            .env("MISTRAL_API_KEY", KEY)
            .env("NO_COLOR", "1")
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {first:?}"))
            .to_string();
        Serve {
            child,
            url,
            log,
            bin,
            _stdout: stdout,
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        self.url.trim_start_matches("http://").to_string()
    }

    /// What it logged (stderr) so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The binary pointed at this server, in `dir`, as a child to spawn.
    pub fn child_cmd(&self, dir: &Path) -> std::process::Command {
        let mut c = std::process::Command::new(&self.bin);
        c.env_remove("RUST_LOG")
            .env("NO_COLOR", "1")
            .env("MISTRAL_API_KEY", KEY)
            .env("MISTRAL_BASE_URL", &self.url)
            .current_dir(dir);
        c
    }

    /// The binary pointed at this server, in `dir`.
    pub fn cmd(&self, dir: &Path) -> Command {
        let mut c = cli(&self.bin);
        c.env("MISTRAL_API_KEY", KEY)
            .env("MISTRAL_BASE_URL", &self.url)
            .current_dir(dir);
        c
    }

    /// Uploads `data` as `name` (written in `dir`) as a batch file; its id.
    pub fn upload(&self, dir: &Path, name: &str, data: &[u8]) -> String {
        std::fs::write(dir.join(name), data).unwrap();
        let out = self
            .cmd(dir)
            .args(["upload", name, "--purpose", "batch", "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        // `upload --json` writes one array, one object per file
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v[0]["id"].as_str().unwrap().to_string()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// Stops a `serve` child as a user does (SIGTERM: it shuts down gracefully and removes its
/// temporary store; SIGKILL would leave the store behind) and waits for it; SIGKILL only if
/// SIGTERM cannot be sent.
pub fn stop(child: &mut std::process::Child) {
    if !matches!(child.try_wait(), Ok(None)) {
        return;
    }
    let termed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .is_ok_and(|s| s.success());
    if !termed {
        let _ = child.kill();
    }
    let _ = child.wait();
}

/// A raw HTTP/1.1 exchange with the server at `addr` (send `Connection: close`); the response
/// text, read until the server closes the connection.
pub fn raw_http(addr: &str, request: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}
