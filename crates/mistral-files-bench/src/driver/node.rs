//! The TypeScript SDK baseline: the provider's official SDK (`@mistralai/mistralai` from npm)
//! installed under the target directory, and a small driver script run by `node`.
//!
//! Why a module of its own: like the Python SDK ([`super::python`]), the SDK is installed once
//! (and reused across runs), outside every measurement; the script itself is a real file,
//! `sdk_client.mjs`, beside this one.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// The driver: one operation per process, printing one JSON line like the Python script
/// (`secs` is the operation's own time, node start-up and imports excluded).
pub const SCRIPT: &str = include_str!("sdk_client.mjs");

/// The npm package, pinned to a major version so that a new major cannot change the call
/// shapes the script uses under a later run.
pub const PACKAGE: &str = "@mistralai/mistralai@2";

/// The environment variable the script reads the API key from (set to
/// [`crate::BENCH_KEY`] by the driver), as for the Python script.
pub const KEY_ENV: &str = super::python::KEY_ENV;

/// A ready install.
pub struct NodeSdk {
    /// The `node` program.
    pub node: PathBuf,
    /// The script, written into the install directory so that its `import` resolves there.
    pub script: PathBuf,
    pub sdk_version: String,
    pub node_version: String,
}

/// Installs the SDK into `dir` (`npm install --prefix dir`) unless it is there already, and
/// writes the driver script beside its `node_modules`.
pub fn setup(node: &str, npm: &str, dir: &Path) -> Result<NodeSdk> {
    let sdk_version = match sdk_version(dir) {
        Some(v) => v,
        None => {
            install_sdk(npm, dir)?;
            sdk_version(dir).context("@mistralai/mistralai is not installed after npm install")?
        }
    };
    let node_version = version_of(node).context("node --version failed")?;
    let script = dir.join("sdk_client.mjs");
    std::fs::write(&script, SCRIPT).with_context(|| format!("writing {}", script.display()))?;
    Ok(NodeSdk {
        node: PathBuf::from(node),
        script,
        sdk_version,
        node_version,
    })
}

/// The installed SDK's version, from its `package.json`, if it is installed.
fn sdk_version(dir: &Path) -> Option<String> {
    let manifest = dir.join("node_modules/@mistralai/mistralai/package.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(manifest).ok()?).ok()?;
    v["version"].as_str().map(str::to_string)
}

fn version_of(program: &str) -> Option<String> {
    let out = Command::new(program).arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn install_sdk(npm: &str, dir: &Path) -> Result<()> {
    eprintln!("bench: npm install {PACKAGE} (into {})", dir.display());
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let st = Command::new(npm)
        .args(["install", "--prefix"])
        .arg(dir)
        .args(["--no-audit", "--no-fund", "--loglevel=error", PACKAGE])
        .status()
        .context("running npm")?;
    if !st.success() {
        bail!("npm install {PACKAGE} failed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_takes_the_key_from_the_environment() {
        assert!(SCRIPT.contains(&format!("process.env[\"{KEY_ENV}\"]")));
        assert!(!SCRIPT.contains(crate::BENCH_KEY));
    }

    #[test]
    fn a_missing_install_has_no_version() {
        assert_eq!(sdk_version(Path::new("/nonexistent/bench-node")), None);
    }
}
