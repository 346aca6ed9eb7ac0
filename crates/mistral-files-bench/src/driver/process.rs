//! Process control: spawning the clients under test and waiting for them (wall time and peak RSS,
//! through the `bench-rusage` launcher), and starting and stopping the bench servers.
//!
//! Why a module of its own: every figure is one process's own wall time and memory, so how a
//! process is started, measured and ended is the same for every scenario and every client.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// What one client process did.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// Process wall time, spawn to exit.
    pub wall: Duration,
    /// Peak resident set size of the process, KiB (`None` where the OS cannot tell).
    pub max_rss_kib: Option<u64>,
    pub stdout: String,
    pub stderr: String,
}

impl Measured {
    /// Fails with the command's stderr unless it exited 0.
    pub fn ok(self, what: &str) -> Result<Self> {
        if self.code != Some(0) {
            bail!(
                "{what} failed (exit {:?}): {}",
                self.code,
                self.stderr.trim()
            );
        }
        Ok(self)
    }
}

fn reader(mut r: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = r.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    })
}

/// A spawned client whose resources are collected at exit.
pub struct Running {
    child: Child,
    started: Instant,
    out: JoinHandle<String>,
    err: JoinHandle<String>,
}

/// Spawns `cmd` with stdout/stderr captured (stdin closed).
pub fn spawn(cmd: &mut Command) -> Result<Running> {
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("spawning {:?}", cmd.get_program()))?;
    let out = reader(child.stdout.take().expect("piped"));
    let err = reader(child.stderr.take().expect("piped"));
    Ok(Running {
        child,
        started,
        out,
        err,
    })
}

impl Running {
    /// Waits for the process and collects its wall time and peak RSS.
    pub fn wait(self) -> Result<Measured> {
        let Running {
            mut child,
            started,
            out,
            err,
        } = self;
        let (status, mut max_rss_kib) = crate::rusage::wait(&mut child).context("wait4")?;
        let wall = started.elapsed();
        let mut stderr = err.join().unwrap_or_default();
        if let Some((kib, rest)) = launcher_report(&stderr) {
            // Spawned through `bench-rusage`: its figure is the client's own.
            max_rss_kib = Some(kib);
            stderr = rest;
        }
        Ok(Measured {
            code: status.code(),
            wall,
            max_rss_kib,
            stdout: out.join().unwrap_or_default(),
            stderr,
        })
    }
}

/// Runs `cmd` to completion and measures it.
pub fn run(cmd: &mut Command) -> Result<Measured> {
    spawn(cmd)?.wait()
}

/// The marker line `bench-rusage` writes last on stderr.
const MARKER: &str = "@@bench-rusage max_rss_kib=";

/// `program args...` run through the `bench-rusage` launcher, whose peak-RSS figure is the
/// program's own (a process spawned straight from this larger one would carry this process's
/// size into its `ru_maxrss` on Linux).
pub fn via_launcher(launcher: Option<&Path>, program: impl AsRef<OsStr>) -> Command {
    match launcher {
        Some(l) => {
            let mut c = Command::new(l);
            c.arg(program);
            c
        }
        None => Command::new(program),
    }
}

/// Finds the launcher's report in a stderr text: (peak RSS KiB, the text without it).
pub fn launcher_report(stderr: &str) -> Option<(u64, String)> {
    let start = stderr.rfind(MARKER)?;
    let rest = &stderr[start + MARKER.len()..];
    let kib = rest.split_whitespace().next()?.parse().ok()?;
    let end = rest
        .find('\n')
        .map(|i| start + MARKER.len() + i + 1)
        .unwrap_or(stderr.len());
    let mut text = stderr[..start].to_string();
    text.push_str(&stderr[end..]);
    Some((kib, text))
}

/// Whether a program can be run (`prog --version` exits 0).
pub fn available(prog: impl AsRef<Path>) -> bool {
    Command::new(prog.as_ref())
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A bench server process (stdin held open; closing it stops the server).
pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    /// The rest of its stdout, after the URL (kept open: a server that prints at exit must not
    /// write into a closed pipe).
    stdout: BufReader<ChildStdout>,
    /// The base URL it printed.
    pub url: String,
}

impl Server {
    /// Starts `bin args...` and reads the base URL it prints first.
    pub fn start(bin: &Path, args: &[&str]) -> Result<Server> {
        let mut child = Command::new(bin)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stdin = child.stdin.take();
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        stdout.read_line(&mut line)?;
        let url = line.trim().to_string();
        if !url.starts_with("http://") {
            let _ = child.kill();
            bail!("bench-server {args:?} did not print its URL (got {url:?})");
        }
        Ok(Server {
            child,
            stdin,
            stdout,
            url,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes its stdin and waits up to 10 s for it to exit, then kills it.
    pub fn stop(self) {
        self.stop_with_output();
    }

    /// [`stop`](Self::stop), and what it printed after its URL (the emulator's counts).
    pub fn stop_with_output(mut self) -> String {
        drop(self.stdin.take());
        self.wait_or_kill();
        let mut rest = String::new();
        let _ = self.stdout.read_to_string(&mut rest);
        rest
    }

    fn wait_or_kill(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The peak-RSS figures themselves are tested in `tests/rusage.rs`, a process of its own: a
    // child's `ru_maxrss` starts at this process's peak, which other unit tests here raise.

    #[test]
    fn reads_the_launcher_report() {
        let (kib, rest) =
            launcher_report("warn: x\n@@bench-rusage max_rss_kib=8123 wall_secs=0.5\n").unwrap();
        assert_eq!(kib, 8123);
        assert_eq!(rest, "warn: x\n");
        assert!(launcher_report("no marker").is_none());
    }

    #[test]
    fn exit_codes() {
        let m = run(Command::new("sh").args(["-c", "echo hi; exit 3"])).unwrap();
        assert_eq!(m.code, Some(3));
        assert_eq!(m.stdout.trim(), "hi");
        assert!(m.ok("sh").is_err());
    }
}
