//! A newcomer's first two commands, timed cold: from a fresh clone of the repository (its
//! committed `HEAD`), each with a target directory of its own, the wall time of the README's
//! demo command (`cargo run --release -p mistral-files-cli -- demo`) and of its test command
//! (`cargo test --workspace --locked`). So a change that makes either slower shows in review.
//!
//! Both run offline (`CARGO_NET_OFFLINE`): the registry cache is warm from the workspace's own
//! builds, and the figure is the build, not the download.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

/// The two cold times, and the commit they were measured at.
#[derive(Debug, Clone, Default)]
pub struct CloneFigures {
    /// The commit cloned (`git rev-parse --short HEAD`).
    pub commit: String,
    /// `cargo run --release -p mistral-files-cli -- demo`, seconds.
    pub demo_secs: f64,
    /// `cargo test --workspace --locked`, seconds.
    pub test_secs: f64,
}

/// The README's demo command.
pub const DEMO: [&str; 6] = ["run", "--release", "-p", "mistral-files-cli", "--", "demo"];

/// The README's test command.
pub const TEST: [&str; 3] = ["test", "--workspace", "--locked"];

/// Clones `root` into `work/clone` and times both commands there, each cold.
pub fn measure(root: &Path, work: &Path) -> Result<CloneFigures> {
    let clone = work.join("clone");
    let _ = std::fs::remove_dir_all(&clone);
    let status = Command::new("git")
        .args(["clone", "--quiet", "--no-hardlinks"])
        .arg(root)
        .arg(&clone)
        .status()
        .context("running git clone")?;
    if !status.success() {
        bail!("git clone of {} failed", root.display());
    }
    let commit = Command::new("git")
        .current_dir(&clone)
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let demo_secs = timed(&clone, &DEMO, "target-demo")?;
    eprintln!("build-cost: fresh clone, the demo command: {demo_secs:.1} s");
    let test_secs = timed(&clone, &TEST, "target-test")?;
    eprintln!("build-cost: fresh clone, the test command: {test_secs:.1} s");
    let _ = std::fs::remove_dir_all(&clone);
    Ok(CloneFigures {
        commit,
        demo_secs,
        test_secs,
    })
}

/// `cargo ARGS` in `dir` with the target directory `dir/target`, offline: the wall time.
fn timed(dir: &Path, args: &[&str], target: &str) -> Result<f64> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let t = Instant::now();
    let out = Command::new(cargo)
        .current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", dir.join(target))
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("CARGO_BUILD_RUSTC_WRAPPER")
        .env_remove("MISTRAL_API_KEY")
        .env_remove("MISTRAL_BASE_URL")
        .output()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    let secs = t.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!(
            "cargo {} failed in the fresh clone:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(secs)
}

/// The report's lines for these figures.
pub fn render(f: &CloneFigures) -> String {
    format!(
        "\n### A newcomer's first commands (fresh clone, commit {})\n\n\
         Cold, from a fresh clone with its own target directory for each command (offline: the \
         registry cache is warm).\n\n\
         | command | cold wall time |\n|---|---|\n\
         | `cargo {}` | {:.1} s |\n\
         | `cargo {}` | {:.1} s |\n",
        f.commit,
        DEMO.join(" "),
        f.demo_secs,
        TEST.join(" "),
        f.test_secs
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commands_are_the_readmes() {
        let readme = include_str!("../../../../README.md");
        assert!(readme.contains(&format!("cargo {}", DEMO.join(" "))));
        assert!(readme.contains(&format!("cargo {}", TEST.join(" "))));
        let text = render(&CloneFigures {
            commit: "abc1234".into(),
            demo_secs: 150.0,
            test_secs: 240.0,
        });
        assert!(
            text.contains("| `cargo test --workspace --locked` | 240.0 s |"),
            "{text}"
        );
    }
}
