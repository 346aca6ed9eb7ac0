//! Client memory as the file grows: the crate's and its CLI's upload and download of
//! `--small-mib` and of `--size-mib` through the emulator, to show their peak RSS does not follow
//! the file size.
//!
//! Why a module of its own: it measures our clients at two sizes rather than clients against
//! each other, and its figures go to their own table of the report ([`Doc::flat`]).

use anyhow::Result;

use super::Ctx;
use crate::driver::clients::Who;
use crate::driver::data::make_data;
use crate::driver::memory::PeakWatch;
use crate::driver::report::{Doc, Flat};

/// Fills `doc.flat` with the crate's then the CLI's runs, small size then large size.
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
    for who in [Who::Crate, Who::Cli] {
        for (mib, path) in [(cfg.small_mib(), &small), (cfg.size_mib(), &big)] {
            let mut row = Flat::new(who, mib);
            for _ in 0..cfg.runs().min(3) {
                let w = PeakWatch::start(emu.pid());
                let (op, id) = tools.upload(who, &emu.url, path)?;
                row.up.push(op.sample(w.finish()));
                let w = PeakWatch::start(emu.pid());
                let op = tools.download(who, &emu.url, &id, &out)?;
                row.down.push(op.sample(w.finish()));
                let _ = std::fs::remove_file(&out);
                tools.delete(&emu.url, &[id])?;
            }
            rows.push(row);
        }
    }
    emu.stop();
    doc.flat = rows;
    let _ = std::fs::remove_file(&small);
    Ok(())
}
