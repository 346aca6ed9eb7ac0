//! `mistral-files`: upload, list, fetch and delete files of the Mistral AI Files API from a shell,
//! run a local emulator of the API (`serve`), or see the whole flow work against one (`demo`).
//!
//! Exit codes: 0 success, 1 API or I/O error, 2 usage error (see [`error::Exit`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod args;
mod commands;
mod demo;
mod error;
mod output;
mod serve;

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
    // `serve` (and `demo --keep`) stop on Ctrl-C by themselves; other commands are cancelled, so
    // that temporary files are cleaned up before exiting.
    let owns_ctrl_c = matches!(&cli.command, Command::Serve(_))
        || matches!(&cli.command, Command::Demo(d) if d.keep);
    let result = runtime.block_on(async {
        if owns_ctrl_c {
            return run(cli, &out).await;
        }
        tokio::select! {
            r = run(cli, &out) => r,
            _ = tokio::signal::ctrl_c() => Err(CliError::interrupted()),
        }
    });
    let code = match result {
        Ok(()) => error::Exit::Success,
        Err(err) => {
            if !err.is_broken_pipe() {
                err.print();
            }
            err.exit_code()
        }
    };
    // Do not wait for lingering background work (e.g. idle connections) on the way out.
    runtime.shutdown_background();
    std::process::exit(code as i32);
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
