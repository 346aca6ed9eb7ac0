//! Client memory as the file grows: the crate's upload and download of `--small-mib` and of
//! `--size-mib` through the emulator, to show its peak RSS does not follow the file size.
//!
//! Why a module of its own: it measures one client at two sizes rather than clients against each
//! other, and its figures go to their own table of the report ([`Doc::flat`]).

use anyhow::Result;

use super::Ctx;
use crate::driver::clients::Who;
use crate::driver::data::make_data;
use crate::driver::memory::PeakWatch;
use crate::driver::report::{Doc, Sample};

/// Fills `doc.flat` with (MiB, upload runs, download runs) for the small then the large size.
pub fn run(ctx: &mut Ctx, doc: &mut Doc) -> Result<()> {
    let (cfg, tools) = (ctx.cfg, ctx.tools);
    eprintln!(
        "bench: client memory, {} MiB vs {} MiB",
        cfg.small_mib(),
        cfg.size_mib()
    );
    let (small, big, out) = (
        ctx.files.small.clone(),
        ctx.files.big.clone(),
        ctx.files.out.clone(),
    );
    make_data(&small, cfg.small_mib())?;
    let emu = ctx.start_emulator("emulator-flat")?;
    let mut rows = Vec::new();
    for (mib, path) in [(cfg.small_mib(), &small), (cfg.size_mib(), &big)] {
        let mut up: Vec<Sample> = Vec::new();
        let mut down: Vec<Sample> = Vec::new();
        for _ in 0..cfg.runs().min(3) {
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
    Ok(())
}
