//! `mistral-files`: upload, list, fetch and delete files of the Mistral AI Files API from a shell,
//! run a local emulator of the API (`serve`), or see the whole flow work against one (`demo`).
//!
//! Exit codes: 0 success, 1 API or I/O error, 2 usage error (see [`error::Exit`]); stopped by a
//! signal, 128 + its number: 130 (SIGINT), 143 (SIGTERM), 129 (SIGHUP) (see [`signals`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod args;
mod commands;
mod demo;
mod error;
mod output;
mod serve;
mod signals;

use std::io::IsTerminal;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::error::CliError;
use crate::output::Out;

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap: help and version exit 0, usage errors exit 2.
            e.exit();
        }
    };
    init_tracing(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            std::process::exit(error::Exit::Failure as i32);
        }
    };
    let out = Out::new(cli.global.json);
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
                err.print();
            }
            err.exit_code() as i32
        }
        Ended::Stopped(signal) => {
            let mut err = CliError::interrupted();
            err.message = format!("interrupted by {signal}");
            if is_download {
                err = err.hint("run the same download again: it resumes where it stopped");
            }
            err.print();
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

/// Dispatches the parsed command line.
async fn run(cli: Cli, out: &Out) -> Result<(), CliError> {
    let progress = std::io::stderr().is_terminal();
    match cli.command {
        Command::Upload(args) => {
            commands::upload(&commands::client(&cli.global)?, args, out, progress).await
        }
        Command::Ls(args) => commands::ls(&commands::client(&cli.global)?, args, out).await,
        Command::Get(args) => commands::get(&commands::client(&cli.global)?, args, out).await,
        Command::Rm(args) => commands::rm(&commands::client(&cli.global)?, args, out).await,
        Command::Url(args) => commands::url(&commands::client(&cli.global)?, args, out).await,
        Command::Download(args) => {
            commands::download(&commands::client(&cli.global)?, args, out, progress).await
        }
        Command::Serve(args) => serve::serve(&cli.global, args, out).await,
        Command::Demo(args) => demo::demo(args, out).await,
    }
}

/// Sets up `tracing` on stderr: warnings by default, `-v` info, `-vv` debug, `-vvv` trace.
/// `RUST_LOG` overrides the level when set.
fn init_tracing(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(verbose >= 2)
        .try_init();
}
