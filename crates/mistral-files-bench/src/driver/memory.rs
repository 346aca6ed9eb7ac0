//! The peak RSS of a long-running server over a window (one client run): `VmHWM`, reset through
//! `clear_refs`, and a sampler of `VmRSS` as a fallback where `clear_refs` is not allowed.
//!
//! Why a module of its own: a server lives across many runs, so the kernel's per-process
//! accounting that measures clients ([`super::process`]) cannot say what one run cost it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

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
    fn watches_own_process() {
        let w = PeakWatch::start(std::process::id());
        let v = vec![1u8; 32 << 20];
        std::thread::sleep(Duration::from_millis(20));
        let peak = w.finish().unwrap();
        drop(v);
        assert!(peak >= 32 * 1024, "peak {peak} KiB");
    }
}
