//! The clients under test and one measured operation of each: the crate (`bench-client`), its
//! CLI (`cli`), curl (`curl`), and the Python and TypeScript SDKs (each through a driver
//! script of ours), all spawned through the `bench-rusage` launcher.
//!
//! Why a module of its own: the scenarios say what to measure ("upload this file with every
//! client"); this module knows how each client is invoked and how its result is read.

mod cli;
mod curl;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

use super::node::{self, NodeSdk};
use super::process::{self, Measured};
use super::python::{self, Venv};
use super::sample::Sample;
use crate::BENCH_KEY;

/// A client under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Crate,
    /// Diagnostics: the crate's download stream alone (no file, no fsync).
    CrateStream,
    /// The `mistral-files` CLI binary, one command per process.
    Cli,
    Curl,
    Python,
    /// The official TypeScript SDK, on node.
    Node,
}

impl Who {
    pub fn label(self) -> &'static str {
        match self {
            Who::Crate => "mistral-files (crate)",
            Who::CrateStream => "mistral-files, stream only (no file; diagnostic)",
            Who::Cli => "mistral-files CLI",
            Who::Curl => "curl",
            Who::Python => "Python SDK",
            Who::Node => "TypeScript SDK",
        }
    }
    /// Whether this is another project's client (what ours is compared with).
    pub fn is_baseline(self) -> bool {
        matches!(self, Who::Curl | Who::Python | Who::Node)
    }
}

/// The programs a run uses.
pub struct Tools {
    /// `bench-rusage`, through which every client is spawned (see [`process::via_launcher`]).
    pub launcher: Option<PathBuf>,
    pub client: PathBuf,
    pub server: PathBuf,
    /// The release `mistral-files` CLI binary.
    pub cli: PathBuf,
    pub curl: Option<String>,
    pub py: Option<Venv>,
    pub node: Option<NodeSdk>,
    /// The work directory (data files, emulator data, the download target).
    pub work: PathBuf,
}

/// One measured client operation.
pub struct Op {
    pub m: Measured,
    /// The operation's own time, as the client measured it.
    pub secs: f64,
    /// The client's JSON result (`Null` for curl downloads).
    pub result: Value,
}

impl Op {
    pub fn sample(&self, server_rss: Option<u64>) -> Sample {
        Sample {
            secs: self.secs,
            wall: self.m.wall.as_secs_f64(),
            rss_kib: self.m.max_rss_kib,
            server_rss_kib: server_rss,
        }
    }
}

/// The last line of `stdout` that is a JSON object.
pub fn last_json(stdout: &str) -> Result<Value> {
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .ok_or_else(|| anyhow!("no JSON result in output: {stdout:?}"))?;
    Ok(serde_json::from_str(line)?)
}

fn secs_of(v: &Value) -> Result<f64> {
    v["secs"]
        .as_f64()
        .ok_or_else(|| anyhow!("no secs in result {v}"))
}

fn ids_of(v: &Value) -> Vec<String> {
    v["ids"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

impl Tools {
    fn command(&self, program: impl AsRef<OsStr>) -> Command {
        process::via_launcher(self.launcher.as_deref(), program)
    }

    /// One `bench-client` operation.
    pub fn crate_op(&self, args: &[&str]) -> Result<Op> {
        let m = process::run(self.command(&self.client).args(args))?.ok("bench-client")?;
        let result = last_json(&m.stdout)?;
        Ok(Op {
            secs: secs_of(&result)?,
            m,
            result,
        })
    }

    /// One operation of the Python SDK's driver script.
    pub fn py_op(&self, args: &[&str]) -> Result<Op> {
        let py = self.py.as_ref().context("no Python SDK")?;
        let mut cmd = self.command(&py.python);
        cmd.env(python::KEY_ENV, BENCH_KEY).arg(&py.script);
        Self::script_op(cmd, args, "Python SDK client")
    }

    /// One operation of the TypeScript SDK's driver script.
    pub fn node_op(&self, args: &[&str]) -> Result<Op> {
        let sdk = self.node.as_ref().context("no TypeScript SDK")?;
        let mut cmd = self.command(&sdk.node);
        cmd.env(node::KEY_ENV, BENCH_KEY).arg(&sdk.script);
        Self::script_op(cmd, args, "TypeScript SDK client")
    }

    /// Runs a driver script's `cmd` with `args`; its last JSON line is the result.
    fn script_op(mut cmd: Command, args: &[&str], what: &str) -> Result<Op> {
        let m = process::run(cmd.args(args))?.ok(what)?;
        let result = last_json(&m.stdout)?;
        Ok(Op {
            secs: secs_of(&result)?,
            m,
            result,
        })
    }

    /// Lists every file with `who`'s page loop (curl has none).
    pub fn list(&self, who: Who, url: &str, page_size: u32) -> Result<Op> {
        let ps = page_size.to_string();
        match who {
            Who::Crate | Who::CrateStream => self.crate_op(&["list", url, &ps]),
            Who::Cli => self.cli_list(url, page_size),
            Who::Python => self.py_op(&["list", url, &ps]),
            Who::Node => self.node_op(&["list", url, &ps]),
            Who::Curl => bail!("curl has no page loop"),
        }
    }

    /// Upload: returns the measurement and the new file's id.
    pub fn upload(&self, who: Who, url: &str, path: &Path) -> Result<(Op, String)> {
        let p = path.to_string_lossy();
        let op = match who {
            Who::Crate | Who::CrateStream => self.crate_op(&["upload", url, &p])?,
            Who::Cli => self.cli_upload(url, path)?,
            Who::Python => self.py_op(&["upload", url, &p])?,
            Who::Node => self.node_op(&["upload", url, &p])?,
            Who::Curl => self.curl_upload(url, path)?,
        };
        let id = op.result["id"]
            .as_str()
            .ok_or_else(|| anyhow!("no id in upload result {}", op.result))?
            .to_string();
        Ok((op, id))
    }

    /// Download of file `id` to `out` (the stream-only diagnostic writes nothing).
    pub fn download(&self, who: Who, url: &str, id: &str, out: &Path) -> Result<Op> {
        let o = out.to_string_lossy();
        match who {
            Who::Crate => self.crate_op(&["download", url, id, &o]),
            Who::CrateStream => self.crate_op(&["download-discard", url, id]),
            Who::Cli => self.cli_download(url, id, out),
            Who::Python => self.py_op(&["download", url, id, &o]),
            Who::Node => self.node_op(&["download", url, id, &o]),
            Who::Curl => self.curl_download(url, id, out),
        }
    }

    /// N concurrent uploads of `path`; RSS is the sum over processes for curl (one per upload).
    pub fn concurrent(
        &self,
        who: Who,
        url: &str,
        path: &Path,
        n: usize,
    ) -> Result<(Sample, Vec<String>)> {
        let p = path.to_string_lossy();
        let ns = n.to_string();
        let (op, ids) = match who {
            Who::Crate | Who::CrateStream => {
                let op = self.crate_op(&["concurrent", url, &p, &ns])?;
                let ids = ids_of(&op.result);
                (op, ids)
            }
            Who::Python => {
                let op = self.py_op(&["concurrent", url, &p, &ns])?;
                let ids = ids_of(&op.result);
                (op, ids)
            }
            Who::Curl => self.curl_concurrent(url, path, n)?,
            Who::Cli | Who::Node => {
                bail!("{}: no concurrent uploads", who.label())
            }
        };
        if ids.len() != n {
            bail!("{}: expected {n} ids, got {}", who.label(), ids.len());
        }
        Ok((op.sample(None), ids))
    }

    /// Downloads every file into `dir` (the SDKs: their docs' loop, one file after another).
    pub fn download_all(&self, who: Who, url: &str, dir: &Path, page_size: u32) -> Result<Op> {
        let (d, ps) = (dir.to_string_lossy(), page_size.to_string());
        match who {
            Who::Crate => self.crate_op(&["download-all", url, &d, &ps]),
            Who::Cli => self.cli_download_all(url, dir),
            Who::Python => self.py_op(&["download-all", url, &d, &ps]),
            Who::Node => self.node_op(&["download-all", url, &d, &ps]),
            _ => bail!("{}: no bulk download", who.label()),
        }
    }

    /// Deletes every file (the SDKs: their docs' loop, one file after another).
    pub fn delete_all(&self, who: Who, url: &str, page_size: u32) -> Result<Op> {
        let ps = page_size.to_string();
        match who {
            Who::Crate => self.crate_op(&["delete-all", url, &ps]),
            Who::Cli => self.cli_delete_all(url),
            Who::Python => self.py_op(&["delete-all", url, &ps]),
            Who::Node => self.node_op(&["delete-all", url, &ps]),
            _ => bail!("{}: no bulk delete", who.label()),
        }
    }

    /// Deletes files with the crate, 64 per process.
    pub fn delete(&self, url: &str, ids: &[String]) -> Result<()> {
        for chunk in ids.chunks(64) {
            let mut args = vec!["delete", url];
            args.extend(chunk.iter().map(String::as_str));
            self.crate_op(&args)?;
        }
        Ok(())
    }

    /// Whether `who` can run (the crate and the CLI always can: the driver built them).
    fn has(&self, who: Who) -> bool {
        match who {
            Who::Crate | Who::CrateStream | Who::Cli => true,
            Who::Curl => self.curl.is_some(),
            Who::Python => self.py.is_some(),
            Who::Node => self.node.is_some(),
        }
    }

    /// Those of `clients` that can run, in that order.
    fn pick(&self, clients: &[Who]) -> Vec<Who> {
        clients.iter().copied().filter(|w| self.has(*w)).collect()
    }

    /// The concurrent uploads' clients: the crate, then curl and the Python SDK if available.
    pub fn baselines(&self) -> Vec<Who> {
        self.pick(&[Who::Crate, Who::Curl, Who::Python])
    }

    /// The transfers' clients: the crate and its CLI, then the baselines that are available.
    pub fn transfer_clients(&self) -> Vec<Who> {
        self.pick(&[Who::Crate, Who::Cli, Who::Curl, Who::Python, Who::Node])
    }

    /// The listings' clients: those with a page loop (all but curl).
    pub fn list_clients(&self) -> Vec<Who> {
        self.pick(&[Who::Crate, Who::Cli, Who::Python, Who::Node])
    }

    /// The bulk download's and delete's clients: the crate, its CLI and the SDKs' loops.
    pub fn bulk_clients(&self) -> Vec<Who> {
        self.pick(&[Who::Crate, Who::Cli, Who::Python, Who::Node])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_result_is_the_last_json_line() {
        let v = last_json("noise\n{\"secs\":1.5,\"id\":\"a\"}\n").unwrap();
        assert_eq!(secs_of(&v).unwrap(), 1.5);
        assert!(last_json("nothing").is_err());
    }

    #[test]
    fn ids_of_a_concurrent_result() {
        let v = serde_json::json!({"ids": ["a", "b"], "secs": 1.0});
        assert_eq!(ids_of(&v), ["a", "b"]);
        assert!(ids_of(&Value::Null).is_empty());
    }
}
