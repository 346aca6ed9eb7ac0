//! The curl baseline: upload, download to a file, and N uploads at once (one process each).
//!
//! Why a module of its own: curl is driven by its command line and reports its own time
//! (`-w %{time_total}`), unlike the script-driven clients whose JSON result carries it.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result};
use serde_json::Value;

use super::{Op, Tools};
use crate::driver::process;
use crate::BENCH_KEY;

impl Tools {
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

    /// One upload; its result is the file object the server answered.
    pub(super) fn curl_upload(&self, url: &str, path: &Path) -> Result<Op> {
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

    /// One download of file `id` to `out`.
    pub(super) fn curl_download(&self, url: &str, id: &str, out: &Path) -> Result<Op> {
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

    /// `n` curl processes started at once; wall time over all, RSS summed.
    pub(super) fn curl_concurrent(
        &self,
        url: &str,
        path: &Path,
        n: usize,
    ) -> Result<(Op, Vec<String>)> {
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
}
