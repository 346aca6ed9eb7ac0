//! The sections of the bench, one module each, run in a fixed order: [`transfers`], [`flat`]
//! (client memory as the file grows), [`concurrent`], [`list`] and [`bulk`].
//!
//! Why this module: it holds what the sections share (the settings, the clients, the data files,
//! starting the emulator with its own data directory) and the order they run in, which decides
//! when the large data file can be removed.

pub mod bulk;
pub mod concurrent;
pub mod flat;
pub mod list;
pub mod transfers;

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::args::{BenchArgs, Section};
use super::clients::Tools;
use super::data::make_data;
use super::process::Server;
use super::report::Doc;

/// The work files of a run, under the work directory.
pub struct Files {
    /// The large transfer (`--size-mib`).
    pub big: PathBuf,
    /// The small transfer of the flat-memory check (`--small-mib`).
    pub small: PathBuf,
    /// One concurrent upload (`--concurrent-mib`).
    pub conc: PathBuf,
    /// Where downloads are written.
    pub out: PathBuf,
}

impl Files {
    fn new(cfg: &BenchArgs, work: &Path) -> Files {
        let data = |mib: u64| work.join(format!("bench-{mib}m.jsonl"));
        Files {
            big: data(cfg.size_mib()),
            small: data(cfg.small_mib()),
            conc: data(cfg.concurrent_mib()),
            out: work.join("download.out"),
        }
    }
}

/// What every section needs.
pub struct Ctx<'a> {
    pub cfg: &'a BenchArgs,
    pub tools: &'a Tools,
    pub files: Files,
    /// Work files and directories to remove at the end (unless `--keep-data`).
    pub cleanup: &'a mut Vec<PathBuf>,
}

impl Ctx<'_> {
    /// Starts the bare sink/source server with `args` after `bare`.
    pub fn start_bare(&self, args: &[&str]) -> Result<Server> {
        let mut a = vec!["bare"];
        a.extend_from_slice(args);
        Server::start(&self.tools.server, &a)
    }

    /// Starts the emulator on a fresh data directory `<work>/<name>`.
    pub fn start_emulator(&mut self, name: &str) -> Result<Server> {
        let dir = self.tools.work.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        self.cleanup.push(dir.clone());
        let args = emulator_args(self.cfg, &dir);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Server::start(&self.tools.server, &args)
    }

    /// Starts the emulator again on the data directory `<work>/<name>` of an earlier (stopped)
    /// one, with `latency_ms` added before every response (and `extra` arguments): its files
    /// are still there, so nothing is seeded through the latency.
    pub fn restart_emulator_with_latency(
        &self,
        name: &str,
        latency_ms: u64,
        extra: &[&str],
    ) -> Result<Server> {
        let mut args = emulator_args(self.cfg, &self.tools.work.join(name));
        args.extend(["--latency-ms".to_string(), latency_ms.to_string()]);
        args.extend(extra.iter().map(|a| a.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Server::start(&self.tools.server, &args)
    }
}

fn emulator_args(cfg: &BenchArgs, dir: &Path) -> Vec<String> {
    let mut a = vec![
        "emulator".to_string(),
        "--data-dir".to_string(),
        dir.to_string_lossy().into_owned(),
    ];
    if cfg.emulator_fsync() {
        a.push("--fsync".into());
    }
    a
}

/// Runs the chosen sections into `doc`; the work files go on `cleanup`, also on failure.
pub fn run_all(
    cfg: &BenchArgs,
    tools: &Tools,
    doc: &mut Doc,
    cleanup: &mut Vec<PathBuf>,
) -> Result<()> {
    let files = Files::new(cfg, &tools.work);
    cleanup.extend([
        files.big.clone(),
        files.small.clone(),
        files.conc.clone(),
        files.out.clone(),
    ]);
    let mut ctx = Ctx {
        cfg,
        tools,
        files,
        cleanup,
    };
    if cfg.has(Section::Transfers) || cfg.has(Section::Flat) {
        eprintln!("bench: writing {} MiB of test data", cfg.size_mib());
        make_data(&ctx.files.big, cfg.size_mib())?;
    }
    if cfg.has(Section::Transfers) {
        transfers::run(&mut ctx, doc)?;
    }
    if cfg.has(Section::Flat) {
        flat::run(&mut ctx, doc)?;
        if !cfg.keep_data() {
            // The large file is not used after this section.
            let _ = std::fs::remove_file(&ctx.files.big);
        }
    }
    if cfg.has(Section::Concurrent) {
        concurrent::run(&mut ctx, doc)?;
    }
    if cfg.has(Section::List) {
        list::run(&mut ctx, doc)?;
    }
    if cfg.has(Section::Bulk) {
        bulk::run(&mut ctx, doc)?;
    }
    Ok(())
}
