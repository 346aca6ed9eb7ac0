//! The chaos run: `ops` operations (uploads from bytes, paths and readers, downloads, listings,
//! deletes), one after another, through the `mistral-files` client against the emulator with
//! seeded random faults (`mistral_files_emulator::Fault`); then, with the faults off, a check of
//! what the service holds against what the client reported ([`Verdict`]).
//!
//! The operations run one at a time so that a seed replays the same run: the same operations,
//! and the same faults on the same requests (the emulator draws its faults in request order).
//! `run` is used by the `chaos` binary (`cargo xtask chaos`) and by the suite's short run
//! (`tests/chaos.rs`).
//!
//! Modules: `ops` (the operations and what each reported), `check` (the end state against the
//! reports: lost, duplicated, corrupted, and the rest).

#![warn(missing_docs)]

mod check;
mod ops;

use std::time::Duration;

use mistral_files::{Client, RetryPolicy};
use mistral_files_emulator::{Emulator, Fault};

pub use check::Verdict;
pub use ops::{Outcomes, Reported, Upload};

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Seeds the operations and the emulator's faults: the same seed, the same run.
    pub seed: u64,
    /// How many operations.
    pub ops: usize,
    /// The share of requests that suffer a fault (0.0 to 1.0).
    pub fault_rate: f64,
    /// The client's total timeout per attempt; a held answer lasts twice as long.
    pub timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 1,
            ops: 2000,
            fault_rate: 0.10,
            timeout: Duration::from_millis(1000),
        }
    }
}

/// The faults of a run: every kind the emulator has, each as likely as the others among those
/// that apply to a request.
pub fn faults(timeout: Duration) -> Vec<Fault> {
    vec![
        Fault::DropBeforeHandling,
        Fault::StoreThenDrop,
        Fault::StoreThen502,
        Fault::DelayAnswer(timeout * 2),
        Fault::CutDownload { after: 1024 },
        Fault::Refuse {
            status: 429,
            retry_after: Duration::from_secs(1),
        },
        Fault::Refuse {
            status: 503,
            retry_after: Duration::from_secs(1),
        },
    ]
}

/// Runs `config` against a fresh emulator (loopback, a temporary data directory) and checks
/// the end state.
pub async fn run(config: &Config) -> anyhow::Result<(Outcomes, Verdict)> {
    let emu = Emulator::builder().api_key("chaos-key").start().await?;
    // Fast retries: a `Retry-After` is obeyed up to 50 ms, so that a run is not mostly waiting.
    let retry = RetryPolicy::default()
        .with_max_attempts(6)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(50))
        .with_max_retry_after(Duration::from_millis(50));
    let client = Client::builder()
        .api_key("chaos-key")
        .base_url(emu.url())
        .timeout(config.timeout)
        .retry_policy(retry)
        .build()?;
    let scratch = tempfile::tempdir()?;
    emu.faults()
        .inject_at_rate(config.fault_rate, config.seed, &faults(config.timeout));
    let outcomes = ops::drive(&client, config, scratch.path()).await;
    emu.faults().reset();
    let verdict = check::check(&client, &outcomes).await?;
    emu.shutdown().await;
    Ok((outcomes, verdict))
}
