//! Listing: every file, page by page, with the crate's paging stream, its CLI (`ls --jsonl`) and
//! the Python and TypeScript SDKs' page loops (curl has no paging), against the bare server's
//! synthetic pages (each client's own cost), the emulator seeded with `--list-files` files, and
//! the same emulator with `--list-latency-ms` added to every request (a service a network away,
//! where fetching pages one at a time is what costs).
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

/// The emulator's data directory, reused by the latency figure.
const EMULATOR_DIR: &str = "emulator-list";

/// Adds `list-bare`, `list` and `list-latency`, and the seeding time.
pub fn run(ctx: &mut Ctx, doc: &mut Doc) -> Result<()> {
    let (cfg, tools) = (ctx.cfg, ctx.tools);
    let (files, page) = (cfg.list_files(), cfg.page_size());
    let n = files.to_string();

    // The same listing against the bare server's synthetic pages: each client's own cost.
    let bare = ctx.start_bare(&["--files", &n])?;
    let series = list_runs(cfg, tools, &bare, tools.list_clients())?;
    bare.stop();
    let title = format!("List {files} files, page size {page}, bare server (synthetic pages)");
    doc.scenarios.push(listing("list-bare", title, series));

    let emu = ctx.start_emulator(EMULATOR_DIR)?;
    eprintln!("bench: seeding {files} files");
    let seed = tools.crate_op(&["seed", &emu.url, &n, "32"])?;
    doc.seed_secs = Some(seed.secs);
    let series = list_runs(cfg, tools, &emu, tools.list_clients())?;
    emu.stop();
    let title = format!("List {files} files, page size {page}, emulator");
    doc.scenarios.push(listing("list", title, series));

    let ms = cfg.list_latency_ms();
    if ms > 0 {
        let emu = ctx.restart_emulator_with_latency(EMULATOR_DIR, ms, &[])?;
        let series = list_runs(cfg, tools, &emu, tools.list_clients())?;
        emu.stop();
        let title = format!(
            "List {files} files, page size {page}, emulator with {ms} ms latency a request"
        );
        let mut sc = listing("list-latency", title, series);
        sc.note = Some(format!(
            "The emulator waits {ms} ms before every response (`--latency-ms`), as a service a \
network away would; the files are those of the figure above (not seeded again). The crate \
and its CLI run with their defaults: the page window adapts, from 4 requests in flight up to a \
ceiling of 16 while the answers come back fast and clean."
        ));
        doc.scenarios.push(sc);
    }
    Ok(())
}

fn listing(key: &'static str, title: String, series: Vec<Series>) -> Scenario {
    let mut sc = Scenario::new(key, title, series);
    sc.listing = true;
    sc
}

/// Lists all files with each of `clients`, `--runs` times, interleaved.
fn list_runs(
    cfg: &BenchArgs,
    tools: &Tools,
    server: &Server,
    clients: Vec<Who>,
) -> Result<Vec<Series>> {
    eprintln!(
        "bench: listing {} files from {}",
        cfg.list_files(),
        server.url
    );
    let mut series: Vec<Series> = clients.into_iter().map(Series::new).collect();
    for _ in 0..cfg.runs() {
        for s in &mut series {
            let w = PeakWatch::start(server.pid());
            let op = tools.list(s.who, &server.url, cfg.page_size())?;
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
