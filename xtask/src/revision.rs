//! Reading the workspace's files at one revision: a git commit (`HEAD`, `main`, `HEAD~1`, a
//! hash) or the working tree.
//!
//! The change report, the audit and the release check compare two revisions' committed
//! contracts, so that their verdict depends on what was committed and not on what the last
//! `cargo xtask codegen` happened to write into the working tree.

use anyhow::{bail, Context, Result};
use std::fmt;
use std::path::Path;
use std::process::Command;

/// One revision of the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rev {
    /// The files as they are on disk now.
    WorkTree,
    /// The files of a git revision (anything `git rev-parse` takes).
    Git(String),
}

/// `Rev::WorkTree` for `"."`, a git revision otherwise (how the command line names one).
impl From<&str> for Rev {
    fn from(text: &str) -> Rev {
        match text {
            "." => Rev::WorkTree,
            rev => Rev::Git(rev.to_string()),
        }
    }
}

impl fmt::Display for Rev {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rev::WorkTree => f.write_str("the working tree"),
            Rev::Git(rev) => f.write_str(rev),
        }
    }
}

/// The text of `rel` (relative to the workspace root) at `rev`; `None` when the file does not
/// exist there.
pub fn read(root: &Path, rev: &Rev, rel: &str) -> Result<Option<String>> {
    match rev {
        Rev::WorkTree => match std::fs::read_to_string(root.join(rel)) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {rel}")),
        },
        Rev::Git(rev) => {
            let commit = resolve(root, rev)?;
            let out = git(root, &["show", &format!("{commit}:{rel}")])?;
            if out.status.success() {
                let text = String::from_utf8(out.stdout)
                    .with_context(|| format!("{rel} at {rev} is not UTF-8"))?;
                return Ok(Some(text));
            }
            // `git show` fails the same way for a missing path and a broken repository; the
            // revision resolved, so ask whether the path exists in it.
            let listed = git(root, &["ls-tree", "--name-only", &commit, "--", rel])?;
            if listed.status.success() && listed.stdout.is_empty() {
                return Ok(None);
            }
            bail!(
                "git show {rev}:{rel} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )
        }
    }
}

/// Like [`read`], but the file must exist.
pub fn read_required(root: &Path, rev: &Rev, rel: &str) -> Result<String> {
    read(root, rev, rel)?.with_context(|| format!("{rel} does not exist at {rev}"))
}

/// The commit hash `rev` names, or an error that says how to fix the revision.
pub fn resolve(root: &Path, rev: &str) -> Result<String> {
    let out = git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )?;
    if !out.status.success() {
        bail!(
            "`{rev}` is not a commit of the repository at {} (a shallow clone may lack it: fetch more history, e.g. `git fetch --unshallow`)",
            root.display()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Whether `root` is inside a git work tree that has at least one commit.
pub fn has_head(root: &Path) -> bool {
    git(root, &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// The paths that differ between two revisions, below `pathspec` (relative to the root).
pub fn changed_paths(root: &Path, base: &Rev, head: &Rev, pathspec: &str) -> Result<Vec<String>> {
    let mut commits = Vec::new();
    for rev in [base, head] {
        if let Rev::Git(rev) = rev {
            commits.push(resolve(root, rev)?);
        }
    }
    let mut args = vec!["diff", "--name-only"];
    args.extend(commits.iter().map(String::as_str));
    args.extend(["--", pathspec]);
    git_lines(root, &args)
}

/// The lines `git ARGS` prints in `root`, or an error with what it said.
pub(crate) fn git_lines(root: &Path, args: &[&str]) -> Result<Vec<String>> {
    let out = git(root, args)?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        bail!("git {} failed: {}", args[0], stderr.trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect())
}

fn git(root: &Path, args: &[&str]) -> Result<std::process::Output> {
    Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .with_context(|| format!("running git {}", args.join(" ")))
}
