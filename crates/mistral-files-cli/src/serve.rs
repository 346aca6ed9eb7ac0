//! `mistral-files serve`: the local emulator of the Files API, with fault-injection flags. It
//! holds its data directory (a second `serve` on it fails, naming this one's pid) and stops
//! gracefully on SIGTERM, SIGINT or SIGHUP: no new connections, requests in flight get
//! `--grace-period` seconds, then those still running end without leaving anything
//! half-written; exit 0.
//!
//! On an address reachable from the network (anything but loopback) the default key is refused
//! (exit 2, naming `--api-key`) unless `--insecure-default-key` allows it; serving it that way,
//! or `--no-auth`, prints a `warning:` at every start. The start-up lines say the address bound
//! and who can reach it, and the rate limit (`--rate-limit N/s`, per key) when there is one.

use std::path::Path;
use std::time::Duration;

use mistral_files_emulator::{Emulator, EmulatorError, FaultConfig, DEFAULT_API_KEY};
use serde_json::json;

use crate::args::ServeArgs;
use crate::error::CliError;
use crate::output::Out;
use crate::signals::StopSignals;

/// The key clients must send, from `--api-key`, `--api-key-file` or `MISTRAL_API_KEY` (in that
/// order; an empty value counts as none, a non-UTF-8 variable as unset), with where it came from.
fn given_key(args: &ServeArgs) -> Result<Option<(String, &'static str)>, CliError> {
    let usable = |k: &str| Some(k.trim().to_string()).filter(|k| !k.is_empty());
    if let Some(k) = args.api_key.as_deref().and_then(usable) {
        return Ok(Some((k, "--api-key")));
    }
    if let Some(path) = &args.api_key_file {
        return key_from_file(path).map(|k| Some((k, "--api-key-file")));
    }
    Ok(std::env::var("MISTRAL_API_KEY")
        .ok()
        .as_deref()
        .and_then(usable)
        .map(|k| (k, "MISTRAL_API_KEY")))
}

/// The key in a file: its text without surrounding whitespace, on one line. Its content is never
/// quoted in an error.
fn key_from_file(path: &Path) -> Result<String, CliError> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::InvalidData => "it is not UTF-8 text".to_string(),
            _ => e.to_string(),
        };
        CliError::usage(format!(
            "cannot read the key file {shown} (--api-key-file): {why}"
        ))
    })?;
    let key = text.trim();
    if key.is_empty() {
        return Err(CliError::usage(format!(
            "the key file {shown} (--api-key-file) is empty"
        )));
    }
    if key.contains(['\n', '\r']) {
        return Err(CliError::usage(format!(
            "the key file {shown} (--api-key-file) has more than one line: it must hold the key alone"
        )));
    }
    Ok(key.to_string())
}

/// Starts the emulator, prints where it listens, and serves until a stop signal.
pub async fn serve(args: ServeArgs, out: &Out) -> Result<(), CliError> {
    // caught from now on: a signal during start-up also ends in a graceful stop
    let mut signals = StopSignals::install()
        .map_err(|e| CliError::failure(format!("cannot catch SIGTERM/SIGINT/SIGHUP: {e}")))?;
    let grace = Duration::from_secs(args.grace_period);
    let mut b = Emulator::builder()
        .bind(args.addr)
        .check_file_formats(!args.no_format_check)
        .insecure_default_key(args.insecure_default_key);
    let key_given = if args.no_auth {
        None
    } else {
        given_key(&args)?
    };
    let auth = if args.no_auth {
        b = b.no_auth();
        "none".to_string()
    } else if let Some((k, from)) = &key_given {
        b = b.api_key(k.as_str());
        format!("the key from {from} (not shown)")
    } else {
        format!("{DEFAULT_API_KEY} (the default; choose one with --api-key)")
    };
    if let Some(d) = &args.data {
        b = b.data_dir(d);
    }
    if let Some(n) = args.rate_limit {
        b = b.rate_limit(n);
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
    let emu = b.start().await.map_err(|e| match e {
        EmulatorError::WellKnownKeyOnNetwork { addr, exposure } => CliError::usage(format!(
            "refusing to serve the default key {DEFAULT_API_KEY} on {addr} ({exposure}): \
             set a key of your own with --api-key, MISTRAL_API_KEY or --api-key-file"
        ))
        .hint(format!(
            "--addr 127.0.0.1:{} keeps it on this machine; --insecure-default-key serves it \
             anyway (anyone who can reach the port can read, upload and delete files)",
            addr.port()
        )),
        EmulatorError::DataDirInUse { .. } => {
            CliError::failure(format!("could not start the emulator: {e}"))
        }
        _ => CliError::failure(format!("could not start the emulator: {e}")).hint(
            "is the address already in use? pick another with --addr, or --addr 127.0.0.1:0 for any free port",
        ),
    })?;
    // the emulator's warnings, each naming the option that allowed it (also in the JSON document)
    let flag = if args.no_auth {
        "--no-auth"
    } else {
        "--insecure-default-key"
    };
    let warnings: Vec<String> = emu
        .warnings()
        .iter()
        .map(|w| format!("{w} ({flag})"))
        .collect();
    if !out.json() {
        for w in &warnings {
            crate::progress::eprint_line(&format!("warning: {w}"));
        }
    }
    let exposure = emu.exposure();
    let data = match &args.data {
        Some(_) => emu.data_dir().display().to_string(),
        None => format!("{} (temporary, removed on exit)", emu.data_dir().display()),
    };
    out.line(format!("Files API emulator listening on {}", emu.url()))?;
    out.line(format!("  bound: {} ({exposure})", emu.addr()))?;
    out.line(format!("  API:   {}/v1/files", emu.url()))?;
    out.line(format!("  data:  {data}"))?;
    out.line(format!("  key:   {auth}"))?;
    if let Some(n) = args.rate_limit {
        out.line(format!(
            "  limit: {n} requests/s per key, then 429 with Retry-After"
        ))?;
    }
    if exposure.reachable_from_network() && args.public_url.is_none() {
        out.line(format!(
            "  signed URLs start with {}: set --public-url to the address other machines use",
            emu.url()
        ))?;
    }
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
        "exposure": exposure.as_str(),
        "reachable_from_network": exposure.reachable_from_network(),
        "warnings": warnings,
        "rate_limit_per_second": args.rate_limit,
    }))?;
    let signal = emu
        .run_until(signals.recv(), grace)
        .await
        .map_err(|e| CliError::failure(format!("the emulator stopped: {e}")))?;
    tracing::info!(%signal, "the emulator stopped");
    Ok(())
}
