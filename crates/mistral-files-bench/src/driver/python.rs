//! The Python SDK baseline: its own virtual environment under the target directory, with the
//! provider's official SDK (`pip install mistralai`), and a small driver script.
//!
//! Why a module of its own: the SDK is set up once per run (and reused across runs), outside
//! every measurement; the script itself is a real Python file, `sdk_client.py`, beside this one.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// The driver: one operation per process, printing one JSON line like the crate's `bench-client`
/// (`secs` is the operation's own time, interpreter start-up and imports excluded).
pub const SCRIPT: &str = include_str!("sdk_client.py");

/// The environment variable the script reads the API key from (set to
/// [`crate::BENCH_KEY`] by the driver).
pub const KEY_ENV: &str = "BENCH_KEY";

/// A ready virtual environment.
pub struct Venv {
    pub python: PathBuf,
    pub script: PathBuf,
    pub sdk_version: String,
}

/// Creates `dir` (a venv) if needed, installs `mistralai` if it is not importable, writes the
/// driver script into `work`.
pub fn setup(python3: &str, dir: &Path, work: &Path) -> Result<Venv> {
    let python = dir.join("bin").join("python");
    if !python.exists() {
        create_venv(python3, dir)?;
    }
    let sdk_version = match sdk_version(&python) {
        Some(v) => v,
        None => {
            install_sdk(&python, dir)?;
            sdk_version(&python).context("mistralai is not importable after pip install")?
        }
    };
    let script = work.join("sdk_client.py");
    std::fs::write(&script, SCRIPT).with_context(|| format!("writing {}", script.display()))?;
    Ok(Venv {
        python,
        script,
        sdk_version,
    })
}

fn create_venv(python3: &str, dir: &Path) -> Result<()> {
    eprintln!(
        "bench: creating a Python virtual environment in {}",
        dir.display()
    );
    let st = Command::new(python3)
        .args(["-m", "venv"])
        .arg(dir)
        .status()
        .context("running python3 -m venv")?;
    if !st.success() {
        bail!("python3 -m venv {} failed", dir.display());
    }
    Ok(())
}

/// The installed `mistralai` version, if it is importable.
fn sdk_version(python: &Path) -> Option<String> {
    let out = Command::new(python)
        .args([
            "-c",
            "import importlib.metadata as m; print(m.version('mistralai'))",
        ])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn install_sdk(python: &Path, dir: &Path) -> Result<()> {
    eprintln!("bench: pip install mistralai (into {})", dir.display());
    let st = Command::new(python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "mistralai",
        ])
        .status()
        .context("running pip")?;
    if !st.success() {
        bail!("pip install mistralai failed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_takes_the_key_from_the_environment() {
        assert!(SCRIPT.contains(&format!("os.environ[\"{KEY_ENV}\"]")));
        assert!(!SCRIPT.contains(crate::BENCH_KEY));
    }
}
