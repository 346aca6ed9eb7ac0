//! `mistral-files`: upload, list, fetch and delete files of the Mistral AI Files API from a shell,
//! run a local emulator of the API (`serve`), or see the whole flow work against one (`demo`).
//!
//! Exit codes: 0 success, 1 API or I/O error, 2 usage error (see [`error::Exit`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod args;
mod commands;
mod completions;
mod demo;
mod error;
mod examples;
mod explain;
mod logging;
mod output;
mod progress;
mod serve;
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
            .and_then(|c| commands::base_url(c).ok())
            .unwrap_or_default(),
    });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
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
                err.print(mode);
            }
            err.exit_code()
        }
    };
    // Do not wait for lingering background work (e.g. idle connections) on the way out.
    runtime.shutdown_background();
    std::process::exit(code as i32);
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
        CliError::usage(message).hint(tip).print(output::Mode::Json);
        std::process::exit(error::Exit::Usage as i32);
    }
    e.exit()
}

/// Dispatches the parsed command line.
async fn run(cli: Cli, out: &Out) -> Result<(), CliError> {
    let bars = progress::enabled(out.mode);
    match cli.command {
        Command::Upload(a) => {
            transfer::upload(&commands::client(&a.client, true)?, a, out, bars).await
        }
        Command::Ls(a) => commands::ls(&commands::client(&a.client, true)?, a, out).await,
        Command::Get(a) => commands::get(&commands::client(&a.client, true)?, a, out).await,
        Command::Rm(a) => commands::rm(&commands::client(&a.client, true)?, a, out).await,
        Command::Url(a) => commands::url(&commands::client(&a.client, true)?, a, out).await,
        Command::Download(a) => {
            let key_required = a.sources.iter().any(|s| matches!(s, DownloadSource::Id(_)));
            transfer::download(&commands::client(&a.client, key_required)?, a, out, bars).await
        }
        Command::Serve(a) => serve::serve(a, out).await,
        Command::Demo(a) => demo::demo(a, out).await,
        Command::Completions(a) => completions::completions(a),
        Command::Man(a) => completions::man(a),
    }
}
