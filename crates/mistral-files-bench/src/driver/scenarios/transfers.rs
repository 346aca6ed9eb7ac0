//! The large transfers: upload and download of `--size-mib` with every client, against the bare
//! server (each client's raw speed) and the emulator (what a user of the service would see).
//!
//! Why a module of its own: it is the heart of the report (four figures and most targets) and
//! the only section with the stream-only diagnostic row.

use std::path::Path;

use anyhow::{bail, Result};

use super::Ctx;
use crate::driver::clients::{Tools, Who};
use crate::driver::data::MIB;
use crate::driver::memory::PeakWatch;
use crate::driver::process::Server;
use crate::driver::report::{Doc, Scenario, Series};

/// Adds `bare-upload`, `bare-download`, `emu-upload` and `emu-download`.
pub fn run(ctx: &mut Ctx, doc: &mut Doc) -> Result<()> {
    let (cfg, tools) = (ctx.cfg, ctx.tools);
    let mib = cfg.size_mib();
    let (big, out) = (ctx.files.big.clone(), ctx.files.out.clone());

    // Bare server: each client's raw speed.
    let bare = ctx.start_bare(&[])?;
    let up = upload(cfg.runs(), tools, &bare, &big, false)?;
    let down = download(cfg.runs(), tools, &bare, mib, &out, None)?;
    bare.stop();
    doc.scenarios.push(Scenario::new(
        "bare-upload",
        format!("Upload {mib} MiB, bare sink server"),
        up,
    ));
    doc.scenarios.push(Scenario::new(
        "bare-download",
        format!("Download {mib} MiB to a file, bare source server"),
        down,
    ));

    // Emulator.
    let emu = ctx.start_emulator("emulator-transfers")?;
    let up = upload(cfg.runs(), tools, &emu, &big, true)?;
    let (seed, id) = tools.upload(Who::Crate, &emu.url, &big)?;
    drop(seed);
    let down = download(cfg.runs(), tools, &emu, mib, &out, Some(&id))?;
    tools.delete(&emu.url, &[id])?;
    emu.stop();
    doc.scenarios.push(Scenario::new(
        "emu-upload",
        format!("Upload {mib} MiB, emulator"),
        up,
    ));
    doc.scenarios.push(Scenario::new(
        "emu-download",
        format!("Download {mib} MiB to a file, emulator"),
        down,
    ));
    Ok(())
}

/// Uploads `path` with every client, `runs` times, interleaved.
fn upload(
    runs: usize,
    tools: &Tools,
    server: &Server,
    path: &Path,
    delete: bool,
) -> Result<Vec<Series>> {
    eprintln!("bench: uploads to {}", server.url);
    let mut series: Vec<Series> = tools
        .transfer_clients()
        .into_iter()
        .map(Series::new)
        .collect();
    for _ in 0..runs {
        for s in &mut series {
            settle_disk();
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

/// Downloads a `mib` MiB file (on the emulator: `id`; on the bare server: an id encoding the size)
/// with every client and the stream-only diagnostic, `runs` times, interleaved.
fn download(
    runs: usize,
    tools: &Tools,
    server: &Server,
    mib: u64,
    out: &Path,
    id: Option<&str>,
) -> Result<Vec<Series>> {
    eprintln!("bench: downloads from {}", server.url);
    let id = match id {
        Some(i) => i.to_string(),
        None => crate::bare_id(mib * MIB),
    };
    let mut series: Vec<Series> = tools
        .transfer_clients()
        .into_iter()
        .map(Series::new)
        .collect();
    series.push(Series::new(Who::CrateStream));
    for _ in 0..runs {
        for s in &mut series {
            let _ = std::fs::remove_file(out);
            settle_disk();
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

/// Flushes what earlier runs left in the page cache (`sync`, not measured), so that no client
/// pays for the writeback of the one before it: a client that writes only into the page cache
/// (curl, the SDKs) leaves 512 MiB for the disk to write while the next client runs, and a
/// durable download waits for the disk.
fn settle_disk() {
    let _ = std::process::Command::new("sync").status();
}
