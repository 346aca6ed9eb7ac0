//! The suite's short chaos run: a fixed seed, a few hundred operations at a 10% fault rate,
//! then the end state checked (see the crate docs). A failure names the seed to replay with
//! `cargo xtask chaos --seed S --ops N`.

use std::time::Duration;

use mistral_files_chaos::{run, Config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_chaos_run_loses_duplicates_and_corrupts_nothing() {
    let config = Config {
        seed: 21,
        ops: 300,
        fault_rate: 0.10,
        timeout: Duration::from_millis(1000),
    };
    let (outcomes, verdict) = run(&config).await.expect("the run completes");
    assert!(
        verdict.passed(),
        "chaos check failed with seed {} ({} ops): {verdict:#?}\nreported: {:?}",
        config.seed,
        config.ops,
        outcomes.errors
    );
    // the faults did happen, and the reconciliation was exercised
    assert!(!outcomes.errors.is_empty() || outcomes.uploads.len() > 50);
    assert!(outcomes.live().len() > 10);
}
