//! A description of the machine and of the tools measured, for the report's "Machine" section.
//!
//! Why a module of its own: figures mean little without the machine they came from, and reading
//! it (`/proc`, `--version` of each tool) has nothing to do with rendering.

use std::path::Path;
use std::process::Command;

use crate::driver::memory::parse_status_kib;

/// The first line of `cmd args...`'s stdout, if it succeeds.
fn run_text(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string()
    })
}

/// A description of this machine and the tools measured.
///
/// `py` is (the venv's python, the SDK's version); `node` is (node's version, the SDK's).
pub fn machine(
    curl: Option<&str>,
    py: Option<(&Path, &str)>,
    node: Option<(&str, &str)>,
) -> Vec<(String, String)> {
    let mut m = Vec::new();
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let nproc = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    m.push((
        "CPU".into(),
        format!("{cpu}, {nproc} cores available (nproc)"),
    ));
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| parse_status_kib(&t, "MemTotal"))
        .map(|k| format!("{:.1} GiB", k as f64 / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".into());
    m.push(("Memory".into(), mem));
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| format!("Linux {}", s.trim()))
        .unwrap_or_else(|_| std::env::consts::OS.to_string());
    m.push(("Kernel".into(), kernel));
    m.push((
        "rustc".into(),
        run_text("rustc", &["--version"]).unwrap_or_else(|| "unknown".into()),
    ));
    if let Some(c) = curl {
        m.push((
            "curl".into(),
            run_text(c, &["--version"]).unwrap_or_else(|| "unknown".into()),
        ));
    }
    if let Some((py, sdk)) = py {
        let v = run_text(&py.to_string_lossy(), &["--version"]).unwrap_or_default();
        m.push(("Python SDK".into(), format!("mistralai {sdk} on {v}")));
    }
    if let Some((node, sdk)) = node {
        m.push((
            "TypeScript SDK".into(),
            format!("@mistralai/mistralai {sdk} on node {node}"),
        ));
    }
    m
}
