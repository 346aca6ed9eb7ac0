//! `mistral-files`: upload, list, fetch and delete files of the Mistral AI Files API from a shell,
//! run a local emulator of the API (`serve`), or see the whole flow work against one (`demo`).
//!
//! Exit codes: 0 success, 1 API or I/O error, 2 usage error (see [`error::Exit`]); stopped by a
//! signal, 128 + its number: 130 (SIGINT), 143 (SIGTERM), 129 (SIGHUP) (see [`signals`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod args;
mod bulk;
mod commands;
mod completions;
mod demo;
mod error;
mod examples;
mod explain;
mod format;
mod logging;
mod mode;
mod output;
mod progress;
mod serve;
mod signals;
mod table;
mod transfer;

use crate::args::{Cli, Command, DownloadSource};
use crate::error::CliError;
use crate::output::Out;

fn main() {
    let cli = parse();
    let mode = cli.command.mode();
    let client = cli.command.client_args();
    logging::init(logging::Settings {
        verbose: cli.global.verbose,
        retries: client.map_or(3, |c| c.retries),
        json: mode.is_json(),
        base: client
            .and_then(|c| api::base_url(c).ok())
            .unwrap_or_default(),
    });
    // One thread drives the network (the library's disk writes and file reads run on tokio's
    // blocking pool): a transfer is bound by the network and the disk, not by this thread, and
    // fewer threads mean fewer allocator arenas and stacks (docs/BENCHMARKS.md, "Memory").
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            CliError::failure(format!("could not start the async runtime: {e}")).print(mode);
            std::process::exit(error::Exit::Failure as i32);
        }
    };
    let out = Out::new(mode);
    // `serve` (and `demo --keep`) handle the stop signals themselves (a graceful shutdown);
    // other commands are dropped at the first one, so that temporary files are cleaned up (or
    // kept for resuming) before exiting.
    let owns_signals = matches!(&cli.command, Command::Serve(_))
        || matches!(&cli.command, Command::Demo(d) if d.keep);
    let is_download = matches!(&cli.command, Command::Download(_));
    let ended = runtime.block_on(async {
        if owns_signals {
            return Ended::Done(run(cli, &out).await);
        }
        let mut stop = match signals::StopSignals::install() {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(error = %e, "cannot catch SIGINT/SIGTERM/SIGHUP");
                None
            }
        };
        let stopped = async {
            match stop.as_mut() {
                Some(s) => s.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            r = run(cli, &out) => Ended::Done(r),
            signal = stopped => Ended::Stopped(signal),
        }
    });
    let code = match ended {
        Ended::Done(Ok(())) => error::Exit::Success as i32,
        Ended::Done(Err(err)) => {
            if !err.is_broken_pipe() {
                err.print(mode);
            }
            err.exit_code() as i32
        }
        Ended::Stopped(signal) => {
            let mut err = CliError::interrupted();
            err.message = format!("interrupted by {signal}");
            if is_download {
                err = err.hint("run the same download again: it resumes where it stopped");
            }
            err.print(mode);
            signal.exit_code()
        }
    };
    // Do not wait for lingering background work (e.g. idle connections) on the way out.
    runtime.shutdown_background();
    std::process::exit(code);
}

/// How a command ended.
enum Ended {
    /// It ran to its end.
    Done(Result<(), CliError>),
    /// A signal stopped it.
    Stopped(signals::StopSignal),
}

/// Parses the command line. Help and version exit 0; usage errors exit 2, as one
/// `{"error": {...}}` JSON document on stderr when the arguments ask for JSON output.
fn parse() -> Cli {
    use clap::Parser;
    let e = match Cli::try_parse() {
        Ok(cli) => return cli,
        Err(e) => e,
    };
    if e.use_stderr() && args::wants_json(std::env::args_os()) {
        let text = e.render().to_string();
        let mut parts = text.split("\n\n");
        let message = parts.next().unwrap_or_default();
        let message = message.trim_start_matches("error: ").trim();
        // clap's suggestion (`tip: a similar argument exists: '--json'`), if it made one
        let tip = parts
            .filter_map(|p| p.trim().strip_prefix("tip: "))
            .next()
            .unwrap_or("see --help");
        CliError::usage(message).hint(tip).print(mode::Mode::Json);
        std::process::exit(error::Exit::Usage as i32);
    }
    e.exit()
}

/// Dispatches the parsed command line.
async fn run(cli: Cli, out: &Out) -> Result<(), CliError> {
    let bars = progress::enabled(out.mode);
    match cli.command {
        Command::Upload(a) => transfer::upload(&api::client(&a.client, true)?, a, out, bars).await,
        Command::Ls(a) => commands::ls(&api::client(&a.client, true)?, a, out).await,
        Command::Get(a) => commands::get(&api::client(&a.client, true)?, a, out).await,
        Command::Rm(a) => commands::rm(&api::client(&a.client, true)?, a, out).await,
        Command::Url(a) => commands::url(&api::client(&a.client, true)?, a, out).await,
        Command::Download(a) => {
            // by filter (no sources) the files are listed with the key
            let key_required = a.sources.is_empty()
                || a.sources.iter().any(|s| matches!(s, DownloadSource::Id(_)));
            transfer::download(&api::client(&a.client, key_required)?, a, out, bars).await
        }
        Command::Serve(a) => serve::serve(a, out).await,
        Command::Demo(a) => demo::demo(a, out).await,
        Command::Completions(a) => completions::completions(a),
        Command::Man(a) => completions::man(a),
    }
}
