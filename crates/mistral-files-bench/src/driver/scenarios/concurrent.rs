//! Concurrent uploads: `--concurrent` uploads of `--concurrent-mib` at once to the emulator, by
//! the crate (one process, many tasks), curl (one process per upload) and the Python SDK
//! (threads).
//!
//! Why a module of its own: each client runs the uploads its own way, so the figure is one run
//! of N uploads, and curl's memory is the sum over its processes (said in the report's note).

use anyhow::Result;

use super::Ctx;
use crate::driver::data::make_data;
use crate::driver::memory::PeakWatch;
use crate::driver::report::{Doc, Scenario, Series};

/// Adds the `concurrent` figure.
pub fn run(ctx: &mut Ctx, doc: &mut Doc) -> Result<()> {
    let (cfg, tools) = (ctx.cfg, ctx.tools);
    let (n, mib) = (cfg.concurrent(), cfg.concurrent_mib());
    eprintln!("bench: {n} concurrent uploads of {mib} MiB");
    let conc = ctx.files.conc.clone();
    make_data(&conc, mib)?;
    let emu = ctx.start_emulator("emulator-concurrent")?;
    let mut series: Vec<Series> = tools.baselines().into_iter().map(Series::new).collect();
    for _ in 0..cfg.runs() {
        for s in &mut series {
            let w = PeakWatch::start(emu.pid());
            let (mut sample, ids) = tools.concurrent(s.who, &emu.url, &conc, n)?;
            sample.server_rss_kib = w.finish();
            s.samples.push(sample);
            tools.delete(&emu.url, &ids)?;
        }
    }
    emu.stop();
    let mut sc = Scenario::new(
        "concurrent",
        format!("{n} concurrent uploads of {mib} MiB, emulator"),
        series,
    );
    sc.note = Some(
        "curl: one process per upload, all started at once; its RSS is the sum over the processes."
            .into(),
    );
    doc.scenarios.push(sc);
    let _ = std::fs::remove_file(&conc);
    Ok(())
}
