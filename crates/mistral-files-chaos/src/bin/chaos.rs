//! `cargo xtask chaos`: a chaos run of the mistral-files client against the emulator (see the
//! crate docs); prints what the client reported and the end state's check, ending with
//! `N lost, N duplicated, N corrupted`. Exits 1 when the check fails, printing the seed.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use mistral_files_chaos::{run, Config};

/// Many operations through seeded random faults, then a count of what the service holds.
#[derive(Parser)]
#[command(name = "chaos")]
struct Args {
    /// Seeds the operations and the faults (the same seed replays the same run).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many operations.
    #[arg(long, default_value_t = 2000)]
    ops: usize,
    /// The share of requests that suffer a fault, in percent.
    #[arg(long, default_value_t = 10.0)]
    fault_percent: f64,
    /// The client's total timeout per attempt, in milliseconds (held answers last twice as long).
    #[arg(long, default_value_t = 1000)]
    timeout_ms: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let config = Config {
        seed: args.seed,
        ops: args.ops,
        fault_rate: args.fault_percent / 100.0,
        timeout: Duration::from_millis(args.timeout_ms),
    };
    println!(
        "chaos: seed {}, {} operations, {}% faults",
        config.seed, config.ops, args.fault_percent
    );
    let started = Instant::now();
    let (outcomes, verdict) = match run(&config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e:#} (seed {})", config.seed);
            return ExitCode::FAILURE;
        }
    };
    let done = outcomes.live().len();
    println!(
        "reported: {} uploads ({} still held at the end), {} downloads ok, {} listings ok, {} deletes ok, {} deletes failed",
        outcomes.uploads.len(),
        done,
        outcomes.downloads_ok,
        outcomes.listings_ok,
        outcomes.deleted.len(),
        outcomes.delete_failed.len()
    );
    for (kind, n) in &outcomes.errors {
        println!("  failed {kind}: {n}");
    }
    println!("took {:.1} s", started.elapsed().as_secs_f64());
    if !verdict.passed() {
        eprintln!("chaos check failed (seed {}): {verdict:#?}", config.seed);
    }
    println!("{verdict}");
    if verdict.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
