//! The `mistral-files` CLI as its own client: upload, download to a file, listing, and the bulk
//! download and delete, each one release-build process run as a user would run it.
//!
//! Why a module of its own: the CLI reports no time of its own, so, like curl's concurrent
//! figure, its time is the whole process's wall time (start-up, argument parsing and output
//! included), and its results are read from its `--json` / `--jsonl` output.

use std::path::Path;
use std::process::Command;

use anyhow::{anyhow, Context, Result};
use serde_json::Value;

use super::{Op, Tools};
use crate::driver::process::{self, Measured};
use crate::BENCH_KEY;

/// The environment variable the CLI reads its key from (a key on the command line would be
/// visible to other users, which the CLI's own help warns about).
const KEY_ENV: &str = "MISTRAL_API_KEY";

impl Tools {
    /// `mistral-files SUBCOMMAND --base-url URL ARGS...` with the bench key in its environment.
    fn cli_cmd(&self, sub: &str, url: &str) -> Command {
        let mut c = self.command(&self.cli);
        c.env(KEY_ENV, BENCH_KEY)
            .env_remove("MISTRAL_BASE_URL")
            .args([sub, "--base-url", url]);
        c
    }

    /// The whole process's wall time is the CLI's time (it measures none of its own).
    fn cli_op(m: Measured, result: Value) -> Op {
        Op {
            secs: m.wall.as_secs_f64(),
            m,
            result,
        }
    }

    /// `mistral-files upload PATH --json`: the result is the uploaded file object.
    pub(super) fn cli_upload(&self, url: &str, path: &Path) -> Result<Op> {
        let mut c = self.cli_cmd("upload", url);
        c.arg(path).arg("--json");
        let m = process::run(&mut c)?.ok("mistral-files upload")?;
        let v: Value = serde_json::from_str(m.stdout.trim())
            .with_context(|| format!("mistral-files upload output {:?}", m.stdout))?;
        // `--json` prints one array, one object per uploaded file.
        let file = v
            .as_array()
            .and_then(|a| a.first())
            .cloned()
            .ok_or_else(|| anyhow!("no file in mistral-files upload output {v}"))?;
        Ok(Self::cli_op(m, file))
    }

    /// `mistral-files download ID -o OUT --force`.
    pub(super) fn cli_download(&self, url: &str, id: &str, out: &Path) -> Result<Op> {
        let mut c = self.cli_cmd("download", url);
        c.arg(id).arg("-o").arg(out).arg("--force");
        let m = process::run(&mut c)?.ok("mistral-files download")?;
        Ok(Self::cli_op(m, Value::Null))
    }

    /// `mistral-files download --all -o DIR --jsonl`: every file into `dir`, one outcome line per
    /// file; the result has the count of files written.
    pub(super) fn cli_download_all(&self, url: &str, dir: &Path) -> Result<Op> {
        let mut c = self.cli_cmd("download", url);
        c.args(["--all", "--jsonl", "-o"]).arg(dir);
        Self::counted(c, "mistral-files download --all")
    }

    /// `mistral-files rm --all --yes --jsonl`: every file deleted, one outcome line per file.
    pub(super) fn cli_delete_all(&self, url: &str) -> Result<Op> {
        let mut c = self.cli_cmd("rm", url);
        c.args(["--all", "--yes", "--jsonl"]);
        Self::counted(c, "mistral-files rm --all")
    }

    /// Runs a command that prints one outcome line per file; the result has the count of lines.
    fn counted(mut c: Command, what: &str) -> Result<Op> {
        let m = process::run(&mut c)?.ok(what)?;
        let count = count_lines(&m.stdout);
        Ok(Self::cli_op(m, serde_json::json!({ "count": count })))
    }

    /// `mistral-files ls --jsonl --page-size N` (one line per file, printed as pages arrive):
    /// the result has the count of files and of requests, like the other clients'.
    pub fn cli_list(&self, url: &str, page_size: u32) -> Result<Op> {
        let mut c = self.cli_cmd("ls", url);
        c.args(["--jsonl", "--page-size", &page_size.to_string()]);
        let m = process::run(&mut c)?.ok("mistral-files ls")?;
        let count = count_lines(&m.stdout);
        // The CLI pages with the crate's stream, so it makes the requests the crate does.
        let requests = count.div_ceil(u64::from(page_size)).max(1);
        Ok(Self::cli_op(
            m,
            serde_json::json!({"count": count, "requests": requests}),
        ))
    }
}

/// The number of JSON object lines in `text`.
fn count_lines(text: &str) -> u64 {
    text.lines()
        .filter(|l| l.trim_start().starts_with('{'))
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_object_lines_only() {
        assert_eq!(count_lines("{\"id\":1}\n{\"id\":2}\n\n"), 2);
        assert_eq!(count_lines(""), 0);
    }
}
