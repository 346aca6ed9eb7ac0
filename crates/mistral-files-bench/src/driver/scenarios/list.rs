//! Listing: every file, page by page, with the crate's paging stream and the Python SDK's page
//! loop (curl has no paging), against the bare server's synthetic pages (each client's own cost)
//! and against the emulator seeded with `--list-files` files.
//!
//! Why a module of its own: it seeds the emulator, checks each client saw every file, and
//! reports requests per second, which no other section has.

use anyhow::{bail, Result};

use super::Ctx;
use crate::driver::args::BenchArgs;
use crate::driver::clients::{Tools, Who};
use crate::driver::memory::PeakWatch;
use crate::driver::process::Server;
use crate::driver::report::{Doc, Scenario, Series};

/// Adds `list-bare` and `list`, and the seeding time.
pub fn run(ctx: &mut Ctx, doc: &mut Doc) -> Result<()> {
    let (cfg, tools) = (ctx.cfg, ctx.tools);
    let (files, page) = (cfg.list_files(), cfg.page_size());
    let n = files.to_string();

    // The same listing against the bare server's synthetic pages: each client's own cost.
    let bare = ctx.start_bare(&["--files", &n])?;
    let series = list_runs(cfg, tools, &bare)?;
    bare.stop();
    let mut sc = Scenario::new(
        "list-bare",
        format!("List {files} files, page size {page}, bare server (synthetic pages)"),
        series,
    );
    sc.listing = true;
    doc.scenarios.push(sc);

    let emu = ctx.start_emulator("emulator-list")?;
    eprintln!("bench: seeding {files} files");
    let seed = tools.crate_op(&["seed", &emu.url, &n, "32"])?;
    doc.seed_secs = Some(seed.secs);
    let series = list_runs(cfg, tools, &emu)?;
    emu.stop();
    let mut sc = Scenario::new(
        "list",
        format!("List {files} files, page size {page}, emulator"),
        series,
    );
    sc.listing = true;
    doc.scenarios.push(sc);
    Ok(())
}

/// Lists all files with the crate's paging stream and the Python SDK's page loop.
fn list_runs(cfg: &BenchArgs, tools: &Tools, server: &Server) -> Result<Vec<Series>> {
    eprintln!(
        "bench: listing {} files from {}",
        cfg.list_files(),
        server.url
    );
    let ps = cfg.page_size().to_string();
    let mut series: Vec<Series> = tools
        .baselines()
        .into_iter()
        .filter(|w| *w != Who::Curl)
        .map(Series::new)
        .collect();
    for _ in 0..cfg.runs() {
        for s in &mut series {
            let w = PeakWatch::start(server.pid());
            let op = match s.who {
                Who::Python => tools.py_op(&["list", &server.url, &ps])?,
                _ => tools.crate_op(&["list", &server.url, &ps])?,
            };
            let count = op.result["count"].as_u64().unwrap_or(0);
            if count != cfg.list_files() as u64 {
                bail!(
                    "{} listed {count} files, expected {}",
                    s.who.label(),
                    cfg.list_files()
                );
            }
            s.requests = op.result["requests"].as_u64();
            s.samples.push(op.sample(w.finish()));
        }
    }
    Ok(series)
}
