//! `cargo xtask bench`: the crate's transfer, listing and concurrency figures against two
//! baselines (`curl` and the provider's Python SDK), written to `docs/BENCHMARKS.md`.
//!
//! xtask itself does not depend on the client crates (it must build fast for codegen): it builds
//! the `mistral-files-bench` binaries in release mode and runs every client and server as its own
//! process, so that each one's wall time and peak RSS are its own:
//! - `bench-server bare`: a sink/source (discards uploads, streams zeros), to show each client's
//!   raw speed; `bench-server emulator`: the emulator;
//! - `bench-client`: one operation of the `mistral-files` crate per process;
//! - `curl` and the Python SDK (in its own venv under the target dir) as baselines.
//!
//! Each figure is the median of several runs (clients interleaved run by run, so that noise from
//! the machine hits them alike), with min/max and the ratio to the faster baseline.

pub mod measure;
pub mod python;
pub mod report;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

use measure::{Measured, PeakWatch};
use report::{Doc, Sample, Scenario, Series};

/// The key the bench servers expect (`mistral_files_bench::BENCH_KEY`).
const KEY: &str = "bench-key";
const MIB: u64 = 1024 * 1024;

/// Options of `cargo xtask bench`.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct BenchArgs {
    /// Measured runs per figure (the median is reported, with min/max).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Size of the large transfer, MiB (at most 512, the service's limit).
    #[arg(long, default_value_t = 512)]
    pub size_mib: u64,
    /// Size of the small transfer that shows client memory is flat, MiB.
    #[arg(long, default_value_t = 64)]
    pub small_mib: u64,
    /// Files seeded into the emulator for the listing figure.
    #[arg(long, default_value_t = 10_000)]
    pub list_files: usize,
    /// Page size of the listing.
    #[arg(long, default_value_t = 100)]
    pub page_size: u32,
    /// Number of concurrent uploads.
    #[arg(long, default_value_t = 16)]
    pub concurrent: usize,
    /// Size of each concurrent upload, MiB.
    #[arg(long, default_value_t = 32)]
    pub concurrent_mib: u64,
    /// A short smoke run: 1 run, 16 MiB transfers, 500 files, 4 x 4 MiB concurrent uploads
    /// (writes target/bench/BENCHMARKS-quick.md unless --out is given).
    #[arg(long)]
    pub quick: bool,
    /// Only these sections (comma-separated): transfers, flat, concurrent, list.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<Section>,
    /// Skip the Python SDK baseline.
    #[arg(long)]
    pub no_python: bool,
    /// Skip the curl baseline.
    #[arg(long)]
    pub no_curl: bool,
    /// Run the emulator with fsynced uploads (its default; off in the bench so that the disk's
    /// flush speed is not what is measured).
    #[arg(long)]
    pub emulator_fsync: bool,
    /// Where to write the report (default docs/BENCHMARKS.md; quick: target/bench/BENCHMARKS-quick.md).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Keep the generated data files and venv-independent work files under target/bench.
    #[arg(long)]
    pub keep_data: bool,
}

/// A part of the bench.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// 512 MiB upload and download, bare server and emulator.
    Transfers,
    /// Client RSS at the small vs the large size.
    Flat,
    /// Concurrent uploads to the emulator.
    Concurrent,
    /// Listing through the paging stream.
    List,
}

/// The effective settings of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub runs: usize,
    pub size_mib: u64,
    pub small_mib: u64,
    pub list_files: usize,
    pub page_size: u32,
    pub concurrent: usize,
    pub concurrent_mib: u64,
    pub sections: Vec<Section>,
    pub python: bool,
    pub curl: bool,
    pub emulator_fsync: bool,
    pub out: PathBuf,
    pub keep_data: bool,
    pub quick: bool,
}

impl BenchArgs {
    /// Applies `--quick` and checks the values; `root` is the workspace root.
    pub fn config(&self, root: &Path, target_dir: &Path) -> Result<Config> {
        let mut c = Config {
            runs: self.runs,
            size_mib: self.size_mib,
            small_mib: self.small_mib,
            list_files: self.list_files,
            page_size: self.page_size,
            concurrent: self.concurrent,
            concurrent_mib: self.concurrent_mib,
            sections: if self.only.is_empty() {
                vec![
                    Section::Transfers,
                    Section::Flat,
                    Section::Concurrent,
                    Section::List,
                ]
            } else {
                self.only.clone()
            },
            python: !self.no_python,
            curl: !self.no_curl,
            emulator_fsync: self.emulator_fsync,
            out: root.join("docs").join("BENCHMARKS.md"),
            keep_data: self.keep_data,
            quick: self.quick,
        };
        if self.quick {
            c.runs = 1;
            c.size_mib = 16;
            c.small_mib = 4;
            c.list_files = 500;
            c.concurrent = 4;
            c.concurrent_mib = 4;
            c.out = target_dir.join("bench").join("BENCHMARKS-quick.md");
        }
        if let Some(o) = &self.out {
            c.out = o.clone();
        }
        if c.runs == 0 {
            bail!("--runs must be at least 1");
        }
        if c.size_mib == 0 || c.size_mib > 512 {
            bail!("--size-mib must be 1..=512 (512 MiB is the service's file limit)");
        }
        if c.small_mib == 0 || c.small_mib > c.size_mib {
            bail!("--small-mib must be 1..=--size-mib");
        }
        if c.concurrent == 0 || c.concurrent_mib == 0 || c.concurrent_mib > 512 {
            bail!("--concurrent and --concurrent-mib must be at least 1 (and at most 512 MiB)");
        }
        if c.page_size == 0 || c.list_files == 0 {
            bail!("--page-size and --list-files must be at least 1");
        }
        Ok(c)
    }
}

/// The cargo target directory in use (`CARGO_TARGET_DIR`, else `<root>/target`).
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if !d.is_empty() => {
            let d = PathBuf::from(d);
            if d.is_absolute() {
                d
            } else {
                root.join(d)
            }
        }
        _ => root.join("target"),
    }
}

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

struct Tools {
    /// `bench-rusage`, through which every client is spawned (see [`measure::via_launcher`]).
    launcher: Option<PathBuf>,
    client: PathBuf,
    server: PathBuf,
    curl: Option<String>,
    py: Option<python::Venv>,
    work: PathBuf,
}

/// A bench server process (stdin held open; closing it stops the server).
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    url: String,
}

impl Server {
    fn start(bin: &Path, args: &[&str]) -> Result<Server> {
        let mut child = Command::new(bin)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stdin = child.stdin.take();
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
        let url = line.trim().to_string();
        if !url.starts_with("http://") {
            let _ = child.kill();
            bail!("bench-server {args:?} did not print its URL (got {url:?})");
        }
        Ok(Server { child, stdin, url })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn stop(mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn last_json(stdout: &str) -> Result<Value> {
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

/// One measured client operation.
struct Op {
    m: Measured,
    secs: f64,
    result: Value,
}

impl Op {
    fn sample(&self, server_rss: Option<u64>) -> Sample {
        Sample {
            secs: self.secs,
            wall: self.m.wall.as_secs_f64(),
            rss_kib: self.m.max_rss_kib,
            server_rss_kib: server_rss,
        }
    }
}

impl Tools {
    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        measure::via_launcher(self.launcher.as_deref(), program)
    }

    fn crate_op(&self, args: &[&str]) -> Result<Op> {
        let m = measure::run(self.command(&self.client).args(args))?.ok("bench-client")?;
        let result = last_json(&m.stdout)?;
        Ok(Op {
            secs: secs_of(&result)?,
            m,
            result,
        })
    }

    fn py_op(&self, args: &[&str]) -> Result<Op> {
        let py = self.py.as_ref().context("no Python SDK")?;
        let m = measure::run(self.command(&py.python).arg(&py.script).args(args))?
            .ok("Python SDK client")?;
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
            .arg(format!("Authorization: Bearer {KEY}"));
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

    /// Upload: returns the measurement and the new file's id.
    fn upload(&self, who: Who, url: &str, path: &Path) -> Result<(Op, String)> {
        let p = path.to_string_lossy();
        let op = match who {
            Who::Crate | Who::CrateStream => self.crate_op(&["upload", url, &p])?,
            Who::Python => self.py_op(&["upload", url, &p])?,
            Who::Curl => {
                let m = measure::run(&mut self.curl_upload_cmd(url, path)?)?.ok("curl upload")?;
                let mut lines = m.stdout.lines().filter(|l| !l.trim().is_empty());
                let body: Value = serde_json::from_str(lines.next().unwrap_or_default())
                    .with_context(|| format!("curl upload output {:?}", m.stdout))?;
                let secs: f64 = lines.next().unwrap_or_default().trim().parse()?;
                Op {
                    secs,
                    m,
                    result: body,
                }
            }
        };
        let id = op.result["id"]
            .as_str()
            .ok_or_else(|| anyhow!("no id in upload result {}", op.result))?
            .to_string();
        Ok((op, id))
    }

    fn download(&self, who: Who, url: &str, id: &str, out: &Path) -> Result<Op> {
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
                let m = measure::run(&mut c)?.ok("curl download")?;
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
    fn concurrent(
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
            Who::Curl => {
                let started = Instant::now();
                let running: Vec<_> = (0..n)
                    .map(|_| measure::spawn(&mut self.curl_upload_cmd(url, path)?))
                    .collect::<Result<_>>()?;
                let mut rss = 0;
                let mut ids = Vec::new();
                let mut last = None;
                for r in running {
                    let m = r.wait()?.ok("curl upload")?;
                    rss += m.max_rss_kib.unwrap_or(0);
                    let body: Value =
                        serde_json::from_str(m.stdout.lines().next().unwrap_or_default())?;
                    ids.push(body["id"].as_str().unwrap_or_default().to_string());
                    last = Some(m);
                }
                let wall = started.elapsed();
                let mut m = last.expect("n >= 1");
                m.wall = wall;
                m.max_rss_kib = Some(rss);
                (
                    Op {
                        secs: wall.as_secs_f64(),
                        m,
                        result: Value::Null,
                    },
                    ids,
                )
            }
        };
        if ids.len() != n {
            bail!("{}: expected {n} ids, got {}", who.label(), ids.len());
        }
        Ok((op.sample(None), ids))
    }

    fn delete(&self, url: &str, ids: &[String]) -> Result<()> {
        for chunk in ids.chunks(64) {
            let mut args = vec!["delete", url];
            args.extend(chunk.iter().map(String::as_str));
            self.crate_op(&args)?;
        }
        Ok(())
    }

    fn baselines(&self) -> Vec<Who> {
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

/// Writes `mib` MiB of JSON lines to `path` (unless it already has that size).
pub fn make_data(path: &Path, mib: u64) -> Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == mib * MIB) {
        return Ok(());
    }
    let mut block = Vec::with_capacity(MIB as usize);
    let mut i = 0u64;
    while block.len() < MIB as usize {
        let line = format!(
            "{{\"messages\":[{{\"role\":\"user\",\"content\":\"sample {i}\"}},{{\"role\":\"assistant\",\"content\":\"{}\"}}]}}\n",
            "x".repeat((i % 97) as usize)
        );
        block.extend_from_slice(line.as_bytes());
        i += 1;
    }
    block.truncate(MIB as usize - 1);
    block.push(b'\n');
    let mut f = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
    );
    for _ in 0..mib {
        f.write_all(&block)?;
    }
    f.flush()?;
    Ok(())
}

struct Binaries {
    client: PathBuf,
    server: PathBuf,
    launcher: PathBuf,
}

fn build_binaries(root: &Path) -> Result<Binaries> {
    eprintln!("bench: cargo build --release -p mistral-files-bench");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--release",
            "-p",
            "mistral-files-bench",
            "--bins",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo build")?;
    if !out.status.success() {
        bail!("cargo build --release -p mistral-files-bench failed");
    }
    let (mut client, mut server, mut launcher) = (None, None, None);
    for line in String::from_utf8_lossy(&out.stdout).lines() {
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
            _ => {}
        }
    }
    Ok(Binaries {
        client: client.context("cargo did not report the bench-client binary")?,
        server: server.context("cargo did not report the bench-server binary")?,
        launcher: launcher.context("cargo did not report the bench-rusage binary")?,
    })
}

/// Runs the bench and writes the report.
pub fn run(root: &Path, args: &BenchArgs) -> Result<()> {
    let target = target_dir(root);
    let cfg = args.config(root, &target)?;
    let work = target.join("bench");
    std::fs::create_dir_all(&work)?;
    let mut doc = Doc::new(&cfg);

    // Tools.
    let curl = if !cfg.curl {
        doc.missing.push("curl baseline skipped (--no-curl)".into());
        None
    } else if measure::available("curl") {
        Some("curl".to_string())
    } else {
        doc.missing
            .push("curl was not found on PATH: the curl baseline is missing".into());
        None
    };
    let py = if !cfg.python {
        doc.missing
            .push("Python SDK baseline skipped (--no-python)".into());
        None
    } else if !measure::available("python3") {
        doc.missing
            .push("python3 was not found on PATH: the Python SDK baseline is missing".into());
        None
    } else {
        match python::setup("python3", &target.join("bench-venv"), &work) {
            Ok(v) => Some(v),
            Err(e) => {
                doc.missing.push(format!(
                    "the Python SDK could not be set up ({e:#}): its baseline is missing"
                ));
                None
            }
        }
    };
    for m in &doc.missing {
        eprintln!("bench: {m}");
    }
    let bins = build_binaries(root)?;
    doc.machine = report::machine(
        curl.as_deref(),
        py.as_ref()
            .map(|p| (p.python.as_path(), p.sdk_version.as_str())),
    );
    if let Some(p) = &py {
        // Compile the SDK's bytecode once, outside any measurement.
        let _ = Command::new(&p.python)
            .args(["-c", "import mistralai.client"])
            .status();
    }
    let tools = Tools {
        launcher: cfg!(unix).then_some(bins.launcher),
        client: bins.client,
        server: bins.server,
        curl,
        py,
        work: work.clone(),
    };
    let mut cleanup: Vec<PathBuf> = Vec::new();
    let result = run_sections(&cfg, &tools, &mut doc, &mut cleanup);
    if !cfg.keep_data {
        for p in &cleanup {
            let _ = if p.is_dir() {
                std::fs::remove_dir_all(p)
            } else {
                std::fs::remove_file(p)
            };
        }
    }
    result?;
    let text = doc.render();
    if let Some(dir) = cfg.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&cfg.out, text).with_context(|| format!("writing {}", cfg.out.display()))?;
    eprintln!("bench: wrote {}", cfg.out.display());
    Ok(())
}

fn emulator_args(cfg: &Config, dir: &Path) -> Vec<String> {
    let mut a = vec![
        "emulator".to_string(),
        "--data-dir".to_string(),
        dir.to_string_lossy().into_owned(),
    ];
    if cfg.emulator_fsync {
        a.push("--fsync".into());
    }
    a
}

fn start_emulator(
    cfg: &Config,
    tools: &Tools,
    name: &str,
    cleanup: &mut Vec<PathBuf>,
) -> Result<Server> {
    let dir = tools.work.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    cleanup.push(dir.clone());
    let args = emulator_args(cfg, &dir);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start(&tools.server, &args)
}

fn run_sections(
    cfg: &Config,
    tools: &Tools,
    doc: &mut Doc,
    cleanup: &mut Vec<PathBuf>,
) -> Result<()> {
    let has = |s: Section| cfg.sections.contains(&s);
    let big = tools.work.join(format!("bench-{}m.jsonl", cfg.size_mib));
    let small = tools.work.join(format!("bench-{}m.jsonl", cfg.small_mib));
    let conc = tools
        .work
        .join(format!("bench-{}m.jsonl", cfg.concurrent_mib));
    let out = tools.work.join("download.out");
    cleanup.extend([big.clone(), small.clone(), conc.clone(), out.clone()]);

    if has(Section::Transfers) || has(Section::Flat) {
        eprintln!("bench: writing {} MiB of test data", cfg.size_mib);
        make_data(&big, cfg.size_mib)?;
    }
    if has(Section::Transfers) {
        // Bare server: each client's raw speed.
        let bare = Server::start(&tools.server, &["bare"])?;
        let up = transfer_upload(cfg, tools, &bare, &big, false)?;
        let down = transfer_download(cfg, tools, &bare, cfg.size_mib, &out, None)?;
        bare.stop();
        doc.scenarios.push(Scenario::new(
            "bare-upload",
            format!("Upload {} MiB, bare sink server", cfg.size_mib),
            up,
        ));
        doc.scenarios.push(Scenario::new(
            "bare-download",
            format!(
                "Download {} MiB to a file, bare source server",
                cfg.size_mib
            ),
            down,
        ));

        // Emulator.
        let emu = start_emulator(cfg, tools, "emulator-transfers", cleanup)?;
        let up = transfer_upload(cfg, tools, &emu, &big, true)?;
        let (seed, id) = tools.upload(Who::Crate, &emu.url, &big)?;
        drop(seed);
        let down = transfer_download(cfg, tools, &emu, cfg.size_mib, &out, Some(&id))?;
        tools.delete(&emu.url, &[id])?;
        emu.stop();
        doc.scenarios.push(Scenario::new(
            "emu-upload",
            format!("Upload {} MiB, emulator", cfg.size_mib),
            up,
        ));
        doc.scenarios.push(Scenario::new(
            "emu-download",
            format!("Download {} MiB to a file, emulator", cfg.size_mib),
            down,
        ));
    }

    if has(Section::Flat) {
        eprintln!(
            "bench: client memory, {} MiB vs {} MiB",
            cfg.small_mib, cfg.size_mib
        );
        make_data(&small, cfg.small_mib)?;
        let emu = start_emulator(cfg, tools, "emulator-flat", cleanup)?;
        let mut rows = Vec::new();
        for (mib, path) in [(cfg.small_mib, &small), (cfg.size_mib, &big)] {
            let mut up = Vec::new();
            let mut down = Vec::new();
            for _ in 0..cfg.runs.min(3) {
                let w = PeakWatch::start(emu.pid());
                let (op, id) = tools.upload(Who::Crate, &emu.url, path)?;
                up.push(op.sample(w.finish()));
                let w = PeakWatch::start(emu.pid());
                let op = tools.download(Who::Crate, &emu.url, &id, &out)?;
                down.push(op.sample(w.finish()));
                let _ = std::fs::remove_file(&out);
                tools.delete(&emu.url, &[id])?;
            }
            rows.push((mib, up, down));
        }
        emu.stop();
        doc.flat = rows;
        let _ = std::fs::remove_file(&small);
    }
    if !has(Section::Flat) || cfg.keep_data {
        // keep
    } else {
        let _ = std::fs::remove_file(&big);
    }

    if has(Section::Concurrent) {
        eprintln!(
            "bench: {} concurrent uploads of {} MiB",
            cfg.concurrent, cfg.concurrent_mib
        );
        make_data(&conc, cfg.concurrent_mib)?;
        let emu = start_emulator(cfg, tools, "emulator-concurrent", cleanup)?;
        let mut series: Vec<Series> = tools.baselines().into_iter().map(Series::new).collect();
        for _ in 0..cfg.runs {
            for s in &mut series {
                let w = PeakWatch::start(emu.pid());
                let (mut sample, ids) = tools.concurrent(s.who, &emu.url, &conc, cfg.concurrent)?;
                sample.server_rss_kib = w.finish();
                s.samples.push(sample);
                tools.delete(&emu.url, &ids)?;
            }
        }
        emu.stop();
        let mut sc = Scenario::new(
            "concurrent",
            format!(
                "{} concurrent uploads of {} MiB, emulator",
                cfg.concurrent, cfg.concurrent_mib
            ),
            series,
        );
        sc.note = Some("curl: one process per upload, all started at once; its RSS is the sum over the processes.".into());
        doc.scenarios.push(sc);
        let _ = std::fs::remove_file(&conc);
    }

    if has(Section::List) {
        // The same listing against the bare server's synthetic pages: each client's own cost.
        let n = cfg.list_files.to_string();
        let bare = Server::start(&tools.server, &["bare", "--files", &n])?;
        let series = list_runs(cfg, tools, &bare)?;
        bare.stop();
        let mut sc = Scenario::new(
            "list-bare",
            format!(
                "List {} files, page size {}, bare server (synthetic pages)",
                cfg.list_files, cfg.page_size
            ),
            series,
        );
        sc.listing = true;
        doc.scenarios.push(sc);

        let emu = start_emulator(cfg, tools, "emulator-list", cleanup)?;
        eprintln!("bench: seeding {} files", cfg.list_files);
        let n = cfg.list_files.to_string();
        let seed = tools.crate_op(&["seed", &emu.url, &n, "32"])?;
        doc.seed_secs = Some(seed.secs);
        let series = list_runs(cfg, tools, &emu)?;
        emu.stop();
        let mut sc = Scenario::new(
            "list",
            format!(
                "List {} files, page size {}, emulator",
                cfg.list_files, cfg.page_size
            ),
            series,
        );
        sc.listing = true;
        doc.scenarios.push(sc);
    }
    Ok(())
}

/// Lists all files with the crate's paging stream and the Python SDK's page loop.
fn list_runs(cfg: &Config, tools: &Tools, server: &Server) -> Result<Vec<Series>> {
    eprintln!(
        "bench: listing {} files from {}",
        cfg.list_files, server.url
    );
    let ps = cfg.page_size.to_string();
    let mut series: Vec<Series> = tools
        .baselines()
        .into_iter()
        .filter(|w| *w != Who::Curl)
        .map(Series::new)
        .collect();
    for _ in 0..cfg.runs {
        for s in &mut series {
            let w = PeakWatch::start(server.pid());
            let op = match s.who {
                Who::Python => tools.py_op(&["list", &server.url, &ps])?,
                _ => tools.crate_op(&["list", &server.url, &ps])?,
            };
            let count = op.result["count"].as_u64().unwrap_or(0);
            if count != cfg.list_files as u64 {
                bail!(
                    "{} listed {count} files, expected {}",
                    s.who.label(),
                    cfg.list_files
                );
            }
            s.requests = op.result["requests"].as_u64();
            s.samples.push(op.sample(w.finish()));
        }
    }
    Ok(series)
}

/// Uploads `path` with every client, `runs` times, interleaved.
fn transfer_upload(
    cfg: &Config,
    tools: &Tools,
    server: &Server,
    path: &Path,
    delete: bool,
) -> Result<Vec<Series>> {
    eprintln!("bench: uploads to {}", server.url);
    let mut series: Vec<Series> = tools.baselines().into_iter().map(Series::new).collect();
    for _ in 0..cfg.runs {
        for s in &mut series {
            let w = PeakWatch::start(server.pid());
            let (op, id) = tools.upload(s.who, &server.url, path)?;
            s.samples.push(op.sample(w.finish()));
            if delete {
                tools.delete(&server.url, &[id])?;
            }
        }
    }
    Ok(series)
}

/// Downloads a `mib` MiB file (on the emulator: `id`; on the bare server: an id encoding the size).
fn transfer_download(
    cfg: &Config,
    tools: &Tools,
    server: &Server,
    mib: u64,
    out: &Path,
    id: Option<&str>,
) -> Result<Vec<Series>> {
    eprintln!("bench: downloads from {}", server.url);
    let id = match id {
        Some(i) => i.to_string(),
        None => format!("00000000-0000-4000-8000-{:012x}", mib * MIB),
    };
    let mut series: Vec<Series> = tools.baselines().into_iter().map(Series::new).collect();
    series.push(Series::new(Who::CrateStream));
    for _ in 0..cfg.runs {
        for s in &mut series {
            let _ = std::fs::remove_file(out);
            let w = PeakWatch::start(server.pid());
            let op = tools.download(s.who, &server.url, &id, out)?;
            s.samples.push(op.sample(w.finish()));
            let got = if s.who == Who::CrateStream {
                op.result["bytes"].as_u64().unwrap_or(0)
            } else {
                std::fs::metadata(out).map(|m| m.len()).unwrap_or(0)
            };
            if got != mib * MIB {
                bail!(
                    "{} downloaded {got} bytes, expected {}",
                    s.who.label(),
                    mib * MIB
                );
            }
            let _ = std::fs::remove_file(out);
        }
    }
    Ok(series)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        bench: BenchArgs,
    }

    fn parse(args: &[&str]) -> BenchArgs {
        Cli::try_parse_from(std::iter::once("bench").chain(args.iter().copied()))
            .unwrap()
            .bench
    }

    #[test]
    fn defaults_match_the_issue() {
        let c = parse(&[])
            .config(Path::new("/r"), Path::new("/r/target"))
            .unwrap();
        assert_eq!(c.size_mib, 512);
        assert_eq!(c.small_mib, 64);
        assert_eq!(c.list_files, 10_000);
        assert_eq!(c.page_size, 100);
        assert_eq!((c.concurrent, c.concurrent_mib), (16, 32));
        assert!(c.runs >= 3);
        assert_eq!(c.out, PathBuf::from("/r/docs/BENCHMARKS.md"));
        assert_eq!(c.sections.len(), 4);
        assert!(c.python && c.curl && !c.emulator_fsync);
    }

    #[test]
    fn quick_and_overrides() {
        let c = parse(&["--quick"])
            .config(Path::new("/r"), Path::new("/t"))
            .unwrap();
        assert_eq!((c.runs, c.size_mib, c.list_files), (1, 16, 500));
        assert_eq!(c.out, PathBuf::from("/t/bench/BENCHMARKS-quick.md"));
        let c = parse(&[
            "--runs",
            "7",
            "--size-mib",
            "128",
            "--only",
            "transfers,list",
            "--no-python",
            "--out",
            "x.md",
        ])
        .config(Path::new("/r"), Path::new("/t"))
        .unwrap();
        assert_eq!((c.runs, c.size_mib), (7, 128));
        assert_eq!(c.sections, vec![Section::Transfers, Section::List]);
        assert!(!c.python);
        assert_eq!(c.out, PathBuf::from("x.md"));
    }

    #[test]
    fn rejects_bad_values() {
        for bad in [
            &["--runs", "0"][..],
            &["--size-mib", "513"],
            &["--small-mib", "600"],
            &["--page-size", "0"],
        ] {
            assert!(
                parse(bad).config(Path::new("/r"), Path::new("/t")).is_err(),
                "{bad:?}"
            );
        }
        assert!(Cli::try_parse_from(["bench", "--only", "nope"]).is_err());
    }

    #[test]
    fn data_files_have_the_exact_size_and_end_lines() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("d.jsonl");
        make_data(&p, 2).unwrap();
        let data = std::fs::read(&p).unwrap();
        assert_eq!(data.len() as u64, 2 * MIB);
        assert_eq!(data.last(), Some(&b'\n'));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn json_result_is_the_last_json_line() {
        let v = last_json("noise\n{\"secs\":1.5,\"id\":\"a\"}\n").unwrap();
        assert_eq!(secs_of(&v).unwrap(), 1.5);
        assert!(last_json("nothing").is_err());
    }
}
