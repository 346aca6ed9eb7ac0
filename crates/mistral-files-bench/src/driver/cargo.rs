//! Building this crate's binaries in release mode and finding them in cargo's JSON messages.
//!
//! Why a module of its own: the driver must run the binaries cargo just built wherever the target
//! directory is (`CARGO_TARGET_DIR`, a cross target), so it asks cargo rather than guessing paths.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::Value;

/// The binaries the driver runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Binaries {
    /// `bench-client`: one operation of the crate per process.
    pub client: PathBuf,
    /// `bench-server`: the bare server and the emulator.
    pub server: PathBuf,
    /// `bench-rusage`: the launcher every client is spawned through.
    pub launcher: PathBuf,
    /// `mistral-files`: the CLI, measured as a client of its own.
    pub cli: PathBuf,
}

/// `cargo build --release -p mistral-files-bench -p mistral-files-cli` of the binaries the
/// driver runs (not the driver itself, which may be running from another profile), in `root`;
/// where they are.
pub fn build_binaries(root: &Path) -> Result<Binaries> {
    eprintln!("bench: cargo build --release -p mistral-files-bench -p mistral-files-cli");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--release",
            "-p",
            "mistral-files-bench",
            "-p",
            "mistral-files-cli",
            "--bin",
            "bench-client",
            "--bin",
            "bench-server",
            "--bin",
            "bench-rusage",
            "--bin",
            "mistral-files",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo build")?;
    if !out.status.success() {
        bail!("cargo build --release -p mistral-files-bench -p mistral-files-cli failed");
    }
    find_binaries(&String::from_utf8_lossy(&out.stdout))
}

/// Finds the binaries in cargo's `--message-format=json` output (`compiler-artifact` messages
/// with an `executable`).
pub fn find_binaries(messages: &str) -> Result<Binaries> {
    let (mut client, mut server, mut launcher, mut cli) = (None, None, None, None);
    for line in messages.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let (Some(name), Some(exe)) = (v["target"]["name"].as_str(), v["executable"].as_str())
        else {
            continue;
        };
        match name {
            "bench-client" => client = Some(PathBuf::from(exe)),
            "bench-server" => server = Some(PathBuf::from(exe)),
            "bench-rusage" => launcher = Some(PathBuf::from(exe)),
            "mistral-files" => cli = Some(PathBuf::from(exe)),
            _ => {}
        }
    }
    Ok(Binaries {
        client: client.context("cargo did not report the bench-client binary")?,
        server: server.context("cargo did not report the bench-server binary")?,
        launcher: launcher.context("cargo did not report the bench-rusage binary")?,
        cli: cli.context("cargo did not report the mistral-files (CLI) binary")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(name: &str, exe: Option<&str>) -> String {
        serde_json::json!({
            "reason": "compiler-artifact",
            "target": {"name": name, "kind": ["bin"]},
            "executable": exe,
        })
        .to_string()
    }

    #[test]
    fn finds_the_binaries_in_cargo_messages() {
        let text = [
            artifact("mistral_files_bench", None),
            "not json".to_string(),
            artifact("bench-client", Some("/t/release/bench-client")),
            artifact("bench-server", Some("/t/release/bench-server")),
            artifact("bench", Some("/t/release/bench")),
            artifact("bench-rusage", Some("/t/release/bench-rusage")),
            artifact("mistral-files", Some("/t/release/mistral-files")),
            r#"{"reason":"build-finished","success":true}"#.to_string(),
        ]
        .join("\n");
        let b = find_binaries(&text).unwrap();
        assert_eq!(b.client, PathBuf::from("/t/release/bench-client"));
        assert_eq!(b.server, PathBuf::from("/t/release/bench-server"));
        assert_eq!(b.launcher, PathBuf::from("/t/release/bench-rusage"));
        assert_eq!(b.cli, PathBuf::from("/t/release/mistral-files"));
    }

    #[test]
    fn a_missing_binary_is_an_error() {
        let text = artifact("bench-client", Some("/t/bench-client"));
        let e = find_binaries(&text).unwrap_err().to_string();
        assert!(e.contains("bench-server"), "{e}");
    }
}
