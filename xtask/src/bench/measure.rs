//! Measuring child processes: wall time and peak RSS of a client process (from the kernel's
//! accounting, `wait4`'s `ru_maxrss`, which covers the whole life of that one process), and the
//! peak RSS of a long-running server over a window (`VmHWM`, reset through `clear_refs`, and a
//! sampler of `VmRSS` as a fallback where `clear_refs` is not allowed).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
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

fn reader(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = r.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    })
}

/// A spawned client whose resources are collected at exit.
pub struct Running {
    child: std::process::Child,
    started: Instant,
    out: std::thread::JoinHandle<String>,
    err: std::thread::JoinHandle<String>,
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
        let (code, mut max_rss_kib) = wait_rusage(&mut child)?;
        let wall = started.elapsed();
        let mut stderr = err.join().unwrap_or_default();
        if let Some((kib, rest)) = launcher_report(&stderr) {
            // Spawned through `bench-rusage`: its figure is the client's own.
            max_rss_kib = Some(kib);
            stderr = rest;
        }
        Ok(Measured {
            code,
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
pub fn via_launcher(launcher: Option<&Path>, program: impl AsRef<std::ffi::OsStr>) -> Command {
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

#[cfg(unix)]
fn wait_rusage(child: &mut std::process::Child) -> Result<(Option<i32>, Option<u64>)> {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain old data, zeroed is a valid value; `wait4` fills it and `status`.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid pointers to locals; `pid` is our own unreaped child.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e).context("wait4");
        }
    }
    let code = if libc::WIFEXITED(status) {
        Some(libc::WEXITSTATUS(status))
    } else {
        None
    };
    // Linux reports ru_maxrss in KiB (macOS in bytes).
    let kib = usage.ru_maxrss as u64;
    let kib = if cfg!(target_os = "macos") {
        kib / 1024
    } else {
        kib
    };
    Ok((code, Some(kib)))
}

#[cfg(not(unix))]
fn wait_rusage(child: &mut std::process::Child) -> Result<(Option<i32>, Option<u64>)> {
    let status = child.wait()?;
    Ok((status.code(), None))
}

/// Reads a `kB` field (`VmHWM`, `VmRSS`) of `/proc/<pid>/status` (Linux).
pub fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_status_kib(&text, field)
}

/// Parses `Field:   1234 kB` out of a `/proc/<pid>/status` text.
pub fn parse_status_kib(text: &str, field: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Resets a process's `VmHWM` to its current RSS (Linux `clear_refs` value 5). False if refused.
pub fn reset_hwm(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), b"5").is_ok()
}

/// Watches the peak RSS of a long-running process (a server) over a window.
pub struct PeakWatch {
    pid: u32,
    hwm_reset: bool,
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    sampler: Option<std::thread::JoinHandle<()>>,
}

impl PeakWatch {
    /// Starts a window: resets `VmHWM` if allowed and samples `VmRSS` every 5 ms.
    pub fn start(pid: u32) -> PeakWatch {
        let hwm_reset = reset_hwm(pid);
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(proc_status_kib(pid, "VmRSS").unwrap_or(0)));
        let (s, p) = (stop.clone(), peak.clone());
        let sampler = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                if let Some(kib) = proc_status_kib(pid, "VmRSS") {
                    p.fetch_max(kib, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        PeakWatch {
            pid,
            hwm_reset,
            stop,
            peak,
            sampler: Some(sampler),
        }
    }

    /// Ends the window: the peak RSS in KiB seen in it (`None` if nothing could be read).
    pub fn finish(mut self) -> Option<u64> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.sampler.take() {
            let _ = h.join();
        }
        let sampled = self.peak.load(Ordering::Relaxed);
        let hwm = if self.hwm_reset {
            proc_status_kib(self.pid, "VmHWM").unwrap_or(0)
        } else {
            0
        };
        let peak = sampled.max(hwm);
        (peak > 0).then_some(peak)
    }
}

impl Drop for PeakWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_status() {
        let text = "Name:\tx\nVmPeak:\t  10 kB\nVmHWM:\t    2172 kB\nVmRSS:\t 2000 kB\n";
        assert_eq!(parse_status_kib(text, "VmHWM"), Some(2172));
        assert_eq!(parse_status_kib(text, "VmRSS"), Some(2000));
        assert_eq!(parse_status_kib(text, "VmSwap"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn child_peak_rss_is_measured() {
        // A child that touches ~40 MiB must report at least that much; `true` far less.
        let small = run(&mut Command::new("true")).unwrap().ok("true").unwrap();
        let small = small.max_rss_kib.unwrap();
        let big = run(Command::new("sh")
            .arg("-c")
            .arg("head -c 41943040 /dev/zero | tail -c 1 >/dev/null; x=$(head -c 41943040 /dev/zero | tr '\\0' a); echo ${#x}"))
        .unwrap();
        assert_eq!(big.code, Some(0), "{}", big.stderr);
        assert!(small < 20 * 1024, "true used {small} KiB");
        assert!(
            big.max_rss_kib.unwrap() >= 40 * 1024,
            "{:?}",
            big.max_rss_kib
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn watches_own_process() {
        let w = PeakWatch::start(std::process::id());
        let v = vec![1u8; 32 << 20];
        std::thread::sleep(Duration::from_millis(20));
        let peak = w.finish().unwrap();
        drop(v);
        assert!(peak >= 32 * 1024, "peak {peak} KiB");
    }

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
