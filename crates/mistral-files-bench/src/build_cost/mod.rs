//! `cargo xtask build-cost` (the `build-cost` binary): what depending on `mistral-files` costs a
//! new app's first build, against the same app on reqwest + tokio + serde_json, with either rustls
//! provider; and each provider's TLS transfer speed. Writes the build-cost section of
//! `docs/BENCHMARKS.md` (see [`report`]).
//!
//! Every app is a fresh project in its own directory with its own target directory, so each
//! build is cold: nothing is shared with the workspace's target directory or between apps.
//! [`apps`] holds their sources; this file writes, builds, times and runs them.

pub mod apps;
pub mod clone;
pub mod report;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Parser;

use apps::{Lib, Tls};
use report::{Build, Figures, Transfer};

/// `build-cost`'s options.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "build-cost",
    about = "Cold-build cost of an app on mistral-files vs reqwest + tokio + serde_json, and TLS provider speed; writes the build-cost section of docs/BENCHMARKS.md"
)]
pub struct BuildCostArgs {
    /// Cold builds per app (each several minutes of CPU).
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
    /// Skip the fresh clone's cold demo and test commands (`clone`: several minutes each).
    #[arg(long)]
    pub no_clone: bool,
    /// Skip the TLS transfer measurement (and its two release builds).
    #[arg(long)]
    pub no_transfer: bool,
    /// MiB per TLS download.
    #[arg(long, default_value_t = 256)]
    pub transfer_mib: u64,
    /// Downloads per TLS figure (the median is reported).
    #[arg(long, default_value_t = 5)]
    pub transfer_runs: usize,
    /// Where to write (default docs/BENCHMARKS.md; only the build-cost section is replaced).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Only check that every app compiles (`cargo check`, sharing one target directory, so
    /// warm after the first time): no timing, nothing written.
    #[arg(long)]
    pub check: bool,
}

/// The list apps, in the order they are built.
const LIST_APPS: [(Lib, Tls); 4] = [
    (Lib::Plain, Tls::AwsLc),
    (Lib::MistralFiles, Tls::AwsLc),
    (Lib::Plain, Tls::Ring),
    (Lib::MistralFiles, Tls::Ring),
];

/// `--check`: every app compiles.
fn check(root: &Path, work: &Path) -> Result<()> {
    let target = work.join("check-target");
    let mut apps: Vec<(String, String, String)> = LIST_APPS
        .iter()
        .map(|&(lib, tls)| {
            let name = format!("check-list-{lib:?}-{tls:?}").to_lowercase();
            (
                name,
                apps::list_manifest(lib, tls, root),
                apps::list_main(lib, tls),
            )
        })
        .collect();
    for tls in Tls::ALL {
        let name = format!("check-transfer-{tls:?}").to_lowercase();
        apps.push((name, apps::transfer_manifest(tls), apps::transfer_main(tls)));
    }
    for (name, manifest, main) in apps {
        let dir = work.join(&name);
        write_app(&dir, &manifest, &main, root)?;
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let out = Command::new(cargo)
            .current_dir(&dir)
            .args(["check", "--offline"])
            .env("CARGO_TARGET_DIR", &target)
            .output()?;
        if !out.status.success() {
            bail!(
                "{name} does not compile:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        eprintln!("build-cost: {name} compiles");
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

/// Measures and writes the section.
pub fn run(root: &Path, args: &BuildCostArgs) -> Result<()> {
    if args.runs == 0 || args.transfer_runs == 0 {
        bail!("--runs and --transfer-runs must be at least 1");
    }
    let work = crate::driver::target_dir(root).join("build-cost");
    std::fs::create_dir_all(&work)?;
    if args.check {
        return check(root, &work);
    }
    let mut figures = Figures {
        runs: args.runs,
        transfer_runs: args.transfer_runs,
        machine: machine(),
        ..Figures::default()
    };
    for (lib, tls) in LIST_APPS {
        figures.builds.push(Build {
            lib,
            tls,
            secs: Vec::new(),
            crates: 0,
        });
    }
    // Runs interleaved app by app, so that a busy spell of the machine hits all of them alike.
    for run in 0..args.runs {
        for b in &mut figures.builds {
            let dir = work.join(format!("list-{:?}-{:?}-{run}", b.lib, b.tls).to_lowercase());
            write_app(
                &dir,
                &apps::list_manifest(b.lib, b.tls, root),
                &apps::list_main(b.lib, b.tls),
                root,
            )?;
            let (secs, crates) = cold_build(&dir, false)?;
            eprintln!(
                "build-cost: {} with {}: {secs:.1} s, {crates} crates",
                b.lib.name(),
                b.tls.name()
            );
            b.secs.push(secs);
            b.crates = crates;
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    if !args.no_transfer {
        figures.transfers = transfers(root, &work, args)?;
    }
    if !args.no_clone {
        figures.clone = Some(clone::measure(root, &work)?);
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| root.join("docs").join("BENCHMARKS.md"));
    let existing = std::fs::read_to_string(&out).ok();
    let text = report::splice(existing.as_deref(), &figures.render());
    std::fs::write(&out, text).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("build-cost: wrote {}", out.display());
    Ok(())
}

/// Writes a project: its manifest, `src/main.rs`, and the workspace's `Cargo.lock` (so that it
/// builds the versions the workspace tests).
fn write_app(dir: &Path, manifest: &str, main: &str, root: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(dir.join("Cargo.toml"), manifest)?;
    std::fs::write(dir.join("src/main.rs"), main)?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    Ok(())
}

/// `cargo build` (release if asked) of the project in `dir` into its own target directory,
/// offline; the wall time and the number of crates compiled.
fn cold_build(dir: &Path, release: bool) -> Result<(f64, usize)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(dir)
        .args(["build", "--offline"])
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("CARGO_BUILD_RUSTC_WRAPPER");
    if release {
        cmd.arg("--release");
    }
    let t = Instant::now();
    let out = cmd.output().context("running cargo build")?;
    let secs = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("cargo build failed in {}:\n{stderr}", dir.display());
    }
    let crates = stderr
        .lines()
        .filter(|l| l.trim_start().starts_with("Compiling "))
        .count();
    Ok((secs, crates))
}

/// Builds and runs the transfer program for each provider.
fn transfers(root: &Path, work: &Path, args: &BuildCostArgs) -> Result<Vec<Transfer>> {
    let (cert, key) = self_signed(work)?;
    let mut out = Vec::new();
    for tls in Tls::ALL {
        let dir = work.join(format!("transfer-{:?}", tls).to_lowercase());
        write_app(
            &dir,
            &apps::transfer_manifest(tls),
            &apps::transfer_main(tls),
            root,
        )?;
        let (build_secs, _) = cold_build(&dir, true)?;
        let exe = dir.join("target/release/tls-transfer");
        let run = Command::new(&exe)
            .arg(&cert)
            .arg(&key)
            .arg(args.transfer_mib.to_string())
            .arg(args.transfer_runs.to_string())
            .output()
            .with_context(|| format!("running {}", exe.display()))?;
        if !run.status.success() {
            bail!(
                "the {} transfer failed: {}",
                tls.name(),
                String::from_utf8_lossy(&run.stderr)
            );
        }
        let secs: f64 = String::from_utf8_lossy(&run.stdout).trim().parse()?;
        eprintln!(
            "build-cost: {} transfer: {secs:.3} s for {} MiB (release build {build_secs:.1} s)",
            tls.name(),
            args.transfer_mib
        );
        out.push(Transfer {
            tls,
            build_secs,
            secs,
            mib: args.transfer_mib,
        });
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(out)
}

/// A throwaway self-signed certificate for `localhost` and 127.0.0.1 (P-256), made by the
/// `openssl` command: the paths of the certificate and its key.
fn self_signed(work: &Path) -> Result<(PathBuf, PathBuf)> {
    let (cert, key) = (work.join("cert.pem"), work.join("key.pem"));
    let status = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .context("running openssl (needed for the TLS transfer; --no-transfer skips it)")?;
    if !status.success() {
        bail!("openssl could not make a self-signed certificate");
    }
    Ok((cert, key))
}

/// The machine, for the report: cores and the Rust toolchain.
fn machine() -> Vec<(String, String)> {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    vec![("cores".into(), cores.to_string()), ("rustc".into(), rustc)]
}
