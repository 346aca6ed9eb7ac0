//! Bulk work on thousands of small files through an emulator a network away (`--bulk-latency-ms`
//! before every response): download every file into a directory and delete every file, with the
//! crate's bulk streams, its CLI (`download --all`, `rm --all --yes`) and the SDKs' loops (list,
//! then one file after another, as their docs show); then the crate's bulk delete against the
//! emulator's rate limit (`--rate-limit`), with the number of requests it answered 429.
//!
//! Why a module of its own: every delete needs the same files again, so the files are seeded
//! once into a data directory that each run gets a fresh copy of (the emulator keeps its files
//! and metadata there), and each run is checked to have done all its work.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::Ctx;
use crate::driver::clients::{Op, Who};
use crate::driver::memory::PeakWatch;
use crate::driver::process::Server;
use crate::driver::report::{Doc, RateRun, Scenario, Series};

/// The data directory the files are seeded into once.
const SEED_DIR: &str = "emulator-bulk-seed";
/// The copy of it each run works on.
const RUN_DIR: &str = "emulator-bulk-run";
/// Where each client's download of every file goes (emptied before each).
const DOWNLOAD_DIR: &str = "bulk-download";

/// Adds `bulk-download`, `bulk-delete` and the rate-limited run.
pub fn run(ctx: &mut Ctx, doc: &mut Doc) -> Result<()> {
    let (cfg, tools) = (ctx.cfg, ctx.tools);
    let (files, ms) = (cfg.bulk_files(), cfg.bulk_latency_ms());
    let seed = ctx.start_emulator(SEED_DIR)?;
    eprintln!("bench: seeding {files} files for the bulk figures");
    let op = tools.crate_op(&["seed", &seed.url, &files.to_string(), "32"])?;
    seed.stop();
    doc.bulk_seed_secs = Some(op.secs);
    ctx.cleanup.push(tools.work.join(RUN_DIR));
    ctx.cleanup.push(tools.work.join(DOWNLOAD_DIR));

    let mut downloads: Vec<Series> = tools.bulk_clients().into_iter().map(Series::new).collect();
    let mut deletes = downloads.clone();
    for _ in 0..cfg.bulk_runs() {
        // Downloads change nothing: one emulator serves every client's run.
        let emu = ctx.restart_emulator_with_latency(SEED_DIR, ms, &[])?;
        for s in &mut downloads {
            s.samples.push(download_all(ctx, &emu, s.who)?);
        }
        emu.stop();
        for s in &mut deletes {
            let emu = fresh_copy(ctx, &[])?;
            s.samples.push(delete_all(ctx, &emu, s.who)?);
            emu.stop();
        }
    }
    let title =
        |what: &str| format!("{what} {files} files, emulator with {ms} ms latency a request");
    let mut sc = Scenario::new("bulk-download", title("Download all"), downloads);
    sc.note = Some(
        "Each client lists every file and writes each one into an empty directory; the SDKs with \
the loop their docs show (one file after another), the crate with `Selection::download_to_dir` \
(atomic, fsynced files, as many at once as its adaptive limit allows), the CLI with \
`download --all -o DIR`. Every run is checked to have written every file."
            .into(),
    );
    doc.scenarios.push(sc);
    let mut sc = Scenario::new("bulk-delete", title("Delete all"), deletes);
    sc.note = Some(
        "Each client lists every file, then deletes each one (the SDKs one after another, the \
crate with `Selection::delete`, the CLI with `rm --all --yes`), on a fresh copy of the same \
files; every run is checked to have left none."
            .into(),
    );
    doc.scenarios.push(sc);
    if cfg.rate_limit() > 0 {
        doc.rate = Some(rate_limited_delete(ctx)?);
    }
    Ok(())
}

/// One download of every file by `who` into an empty directory, checked.
fn download_all(ctx: &Ctx, emu: &Server, who: Who) -> Result<crate::driver::sample::Sample> {
    let (cfg, tools) = (ctx.cfg, ctx.tools);
    let dir = tools.work.join(DOWNLOAD_DIR);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    eprintln!("bench: {} downloads every file", who.label());
    let w = PeakWatch::start(emu.pid());
    let op = tools.download_all(who, &emu.url, &dir, cfg.page_size())?;
    let sample = op.sample(w.finish());
    let written = count_files(&dir)?;
    if written != cfg.bulk_files() {
        bail!(
            "{} wrote {written} files, expected {}",
            who.label(),
            cfg.bulk_files()
        );
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(sample)
}

/// One delete of every file by `who`, checked: the crate then lists none.
fn delete_all(ctx: &Ctx, emu: &Server, who: Who) -> Result<crate::driver::sample::Sample> {
    let (cfg, tools) = (ctx.cfg, ctx.tools);
    eprintln!("bench: {} deletes every file", who.label());
    let w = PeakWatch::start(emu.pid());
    let op = tools.delete_all(who, &emu.url, cfg.page_size())?;
    let sample = op.sample(w.finish());
    check_count(&op, who, cfg.bulk_files())?;
    let left = tools.list(Who::Crate, &emu.url, cfg.page_size())?;
    if left.result["count"].as_u64() != Some(0) {
        bail!("{} left files behind: {}", who.label(), left.result);
    }
    Ok(sample)
}

/// The crate's bulk delete against the emulator's rate limit: time, requests, 429s.
fn rate_limited_delete(ctx: &mut Ctx) -> Result<RateRun> {
    let (cfg, tools) = (ctx.cfg, ctx.tools);
    let limit = cfg.rate_limit();
    eprintln!("bench: the crate deletes every file against a limit of {limit} requests/s");
    let emu = fresh_copy(ctx, &["--rate-limit", &limit.to_string()])?;
    let op = tools.delete_all(Who::Crate, &emu.url, cfg.page_size());
    let out = emu.stop_with_output();
    let op = op?;
    check_count(&op, Who::Crate, cfg.bulk_files())?;
    let stats: serde_json::Value = crate::driver::clients::last_json(&out)
        .with_context(|| format!("the emulator's counts (it printed {out:?})"))?;
    let count = |k: &str| {
        stats[k]
            .as_u64()
            .with_context(|| format!("no {k} in the emulator's counts {stats}"))
    };
    Ok(RateRun {
        limit,
        files: cfg.bulk_files(),
        latency_ms: cfg.bulk_latency_ms(),
        secs: op.secs,
        requests: count("requests")?,
        rate_limited: count("rate_limited")?,
    })
}

/// Fails unless `op` reports `want` files done.
fn check_count(op: &Op, who: Who, want: usize) -> Result<()> {
    let n = op.result["count"].as_u64().unwrap_or(0);
    if n != want as u64 {
        bail!("{} reported {n} files done, expected {want}", who.label());
    }
    Ok(())
}

/// An emulator with the bulk latency (and `extra` arguments) on a fresh copy of the seeded
/// files.
fn fresh_copy(ctx: &Ctx, extra: &[&str]) -> Result<Server> {
    let work = &ctx.tools.work;
    let run = work.join(RUN_DIR);
    let _ = std::fs::remove_dir_all(&run);
    copy_dir(&work.join(SEED_DIR), &run)?;
    ctx.restart_emulator_with_latency(RUN_DIR, ctx.cfg.bulk_latency_ms(), extra)
}

/// Copies the directory tree `from` to `to` (files and directories only: the emulator's data).
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target: PathBuf = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// The number of regular files in `dir` (not below it).
fn count_files(dir: &Path) -> Result<usize> {
    let mut n = 0;
    for entry in std::fs::read_dir(dir)? {
        if entry?.file_type()?.is_file() {
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_a_tree_and_counts_its_files() {
        let tmp = std::env::temp_dir().join(format!("bench-bulk-test-{}", std::process::id()));
        let (a, b) = (tmp.join("a"), tmp.join("b"));
        std::fs::create_dir_all(a.join("sub")).unwrap();
        std::fs::write(a.join("one"), "1").unwrap();
        std::fs::write(a.join("sub").join("two"), "22").unwrap();
        copy_dir(&a, &b).unwrap();
        assert_eq!(
            std::fs::read_to_string(b.join("sub").join("two")).unwrap(),
            "22"
        );
        assert_eq!(count_files(&b).unwrap(), 1);
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
