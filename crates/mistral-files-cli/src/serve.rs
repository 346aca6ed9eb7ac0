//! `mistral-files serve`: the local emulator of the Files API, with fault-injection flags. It
//! holds its data directory (a second `serve` on it fails, naming this one's pid) and stops
//! gracefully on SIGTERM, SIGINT or SIGHUP: no new connections, requests in flight get
//! `--grace-period` seconds, then those still running end without leaving anything
//! half-written; exit 0.

use std::time::Duration;

use mistral_files_emulator::{Emulator, EmulatorError, FaultConfig, DEFAULT_API_KEY};
use serde_json::json;

use crate::args::ServeArgs;
use crate::error::CliError;
use crate::output::Out;
use crate::signals::StopSignals;

/// Starts the emulator, prints where it listens, and serves until a stop signal.
pub async fn serve(args: ServeArgs, out: &Out) -> Result<(), CliError> {
    // caught from now on: a signal during start-up also ends in a graceful stop
    let mut signals = StopSignals::install()
        .map_err(|e| CliError::failure(format!("cannot catch SIGTERM/SIGINT/SIGHUP: {e}")))?;
    let grace = Duration::from_secs(args.grace_period);
    let mut b = Emulator::builder()
        .bind(args.addr)
        .check_file_formats(!args.no_format_check);
    // `--api-key`, else MISTRAL_API_KEY (a non-UTF-8 value counts as unset: the default key)
    let key_env = std::env::var("MISTRAL_API_KEY").ok();
    let key_given = args
        .api_key
        .as_deref()
        .or(key_env.as_deref())
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let auth = if args.no_auth {
        b = b.no_auth();
        "none".to_string()
    } else if let Some(k) = key_given {
        b = b.api_key(k);
        "the key from --api-key / MISTRAL_API_KEY (not shown)".to_string()
    } else {
        format!("{DEFAULT_API_KEY} (the default; choose one with --api-key)")
    };
    if let Some(d) = &args.data {
        b = b.data_dir(d);
    }
    if let Some(u) = &args.public_url {
        if !(u.starts_with("http://") || u.starts_with("https://")) {
            return Err(CliError::usage(format!(
                "invalid --public-url {u:?}: it must start with http:// or https://"
            )));
        }
        b = b.public_url(u);
    }
    b = b.faults(FaultConfig {
        latency: args.latency_ms.map(Duration::from_millis),
        fail_next: args.fail_next.clone(),
        cut_download_after: args.cut_download_after,
        stall_download_after: args
            .stall_download_after
            .map(|(bytes, secs)| (bytes, Duration::from_secs(secs))),
        throttle_download: args.throttle_download,
    });
    let emu = b.start().await.map_err(|e| {
        let err = CliError::failure(format!("could not start the emulator: {e}"));
        match e {
            EmulatorError::DataDirInUse { .. } => err,
            _ => err.hint("is the address already in use? pick another with --addr, or --addr 127.0.0.1:0 for any free port"),
        }
    })?;
    let data = match &args.data {
        Some(_) => emu.data_dir().display().to_string(),
        None => format!("{} (temporary, removed on exit)", emu.data_dir().display()),
    };
    out.line(format!("Files API emulator listening on {}", emu.url()))?;
    out.line(format!("  API:   {}/v1/files", emu.url()))?;
    out.line(format!("  data:  {data}"))?;
    out.line(format!("  key:   {auth}"))?;
    if !args.no_auth && key_given.is_none() {
        out.line(format!(
            "  try:   curl -H 'Authorization: Bearer {DEFAULT_API_KEY}' {}/v1/files",
            emu.url()
        ))?;
    }
    out.line(format!(
        "Ctrl-C or SIGTERM stops it (requests in flight get {} s to finish).",
        args.grace_period
    ))?;
    out.doc(&json!({
        "url": emu.url(),
        "addr": emu.addr().to_string(),
        "data_dir": emu.data_dir(),
        "temporary": args.data.is_none(),
        "auth": if args.no_auth { "none" } else if key_given.is_some() { "custom-key" } else { "default-key" },
    }))?;
    let signal = emu
        .run_until(signals.recv(), grace)
        .await
        .map_err(|e| CliError::failure(format!("the emulator stopped: {e}")))?;
    tracing::info!(%signal, "the emulator stopped");
    Ok(())
}
