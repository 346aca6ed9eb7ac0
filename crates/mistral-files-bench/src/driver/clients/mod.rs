//! The clients under test and one measured operation of each: the crate (`bench-client`), curl
//! and the Python SDK, all spawned through the `bench-rusage` launcher.
//!
//! Why a module of its own: the scenarios say what to measure ("upload this file with every
//! client"); this module knows how each client is invoked and how its result is read.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

use super::process::{self, Measured};
use super::python::{self, Venv};
use super::report::Sample;
use crate::BENCH_KEY;

/// A client under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Crate,
    /// Diagnostics: the crate's download stream alone (no file, no fsync).
    CrateStream,
    Curl,
    Python,
}

impl Who {
    pub fn label(self) -> &'static str {
        match self {
            Who::Crate => "mistral-files (crate)",
            Who::CrateStream => "mistral-files, stream only (no file; diagnostic)",
            Who::Curl => "curl",
            Who::Python => "Python SDK",
        }
    }
    pub fn is_baseline(self) -> bool {
        matches!(self, Who::Curl | Who::Python)
    }
}

/// The programs a run uses.
pub struct Tools {
    /// `bench-rusage`, through which every client is spawned (see [`process::via_launcher`]).
    pub launcher: Option<PathBuf>,
    pub client: PathBuf,
    pub server: PathBuf,
    pub curl: Option<String>,
    pub py: Option<Venv>,
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
        cmd.env(python::KEY_ENV, BENCH_KEY)
            .arg(&py.script)
            .args(args);
        let m = process::run(&mut cmd)?.ok("Python SDK client")?;
        let result = last_json(&m.stdout)?;
        Ok(Op {
            secs: secs_of(&result)?,
            m,
            result,
        })
    }

    fn curl_cmd(&self) -> Result<Command> {
        let curl = self.curl.as_ref().context("no curl")?;
        let mut c = self.command(curl);
        c.args(["-sS", "-f", "-H"])
            .arg(format!("Authorization: Bearer {BENCH_KEY}"));
        Ok(c)
    }

    fn curl_upload_cmd(&self, url: &str, path: &Path) -> Result<Command> {
        let mut c = self.curl_cmd()?;
        c.arg("-F")
            .arg(format!("file=@{}", path.display()))
            .args(["-w", "\n%{time_total}\n"])
            .arg(format!("{url}/v1/files"));
        Ok(c)
    }

    fn curl_upload(&self, url: &str, path: &Path) -> Result<Op> {
        let m = process::run(&mut self.curl_upload_cmd(url, path)?)?.ok("curl upload")?;
        let mut lines = m.stdout.lines().filter(|l| !l.trim().is_empty());
        let body: Value = serde_json::from_str(lines.next().unwrap_or_default())
            .with_context(|| format!("curl upload output {:?}", m.stdout))?;
        let secs: f64 = lines.next().unwrap_or_default().trim().parse()?;
        Ok(Op {
            secs,
            m,
            result: body,
        })
    }

    /// Upload: returns the measurement and the new file's id.
    pub fn upload(&self, who: Who, url: &str, path: &Path) -> Result<(Op, String)> {
        let p = path.to_string_lossy();
        let op = match who {
            Who::Crate | Who::CrateStream => self.crate_op(&["upload", url, &p])?,
            Who::Python => self.py_op(&["upload", url, &p])?,
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
            Who::Python => self.py_op(&["download", url, id, &o]),
            Who::Curl => {
                let mut c = self.curl_cmd()?;
                c.arg("-o")
                    .arg(out)
                    .args(["-w", "%{time_total}\n"])
                    .arg(format!("{url}/v1/files/{id}/content"));
                let m = process::run(&mut c)?.ok("curl download")?;
                let secs: f64 = m.stdout.trim().parse()?;
                Ok(Op {
                    secs,
                    m,
                    result: Value::Null,
                })
            }
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
        };
        if ids.len() != n {
            bail!("{}: expected {n} ids, got {}", who.label(), ids.len());
        }
        Ok((op.sample(None), ids))
    }

    /// `n` curl processes started at once; wall time over all, RSS summed.
    fn curl_concurrent(&self, url: &str, path: &Path, n: usize) -> Result<(Op, Vec<String>)> {
        let started = Instant::now();
        let running: Vec<_> = (0..n)
            .map(|_| process::spawn(&mut self.curl_upload_cmd(url, path)?))
            .collect::<Result<_>>()?;
        let mut rss = 0;
        let mut ids = Vec::new();
        let mut last = None;
        for r in running {
            let m = r.wait()?.ok("curl upload")?;
            rss += m.max_rss_kib.unwrap_or(0);
            let body: Value = serde_json::from_str(m.stdout.lines().next().unwrap_or_default())?;
            ids.push(body["id"].as_str().unwrap_or_default().to_string());
            last = Some(m);
        }
        let wall = started.elapsed();
        let mut m = last.expect("n >= 1");
        m.wall = wall;
        m.max_rss_kib = Some(rss);
        let op = Op {
            secs: wall.as_secs_f64(),
            m,
            result: Value::Null,
        };
        Ok((op, ids))
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

    /// The crate, then the baselines that are available.
    pub fn baselines(&self) -> Vec<Who> {
        let mut v = vec![Who::Crate];
        if self.curl.is_some() {
            v.push(Who::Curl);
        }
        if self.py.is_some() {
            v.push(Who::Python);
        }
        v
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
