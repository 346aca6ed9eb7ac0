//! `rm` and `download` by filter, end to end against the emulator: the dry run lists what would
//! be done, `rm` asks on a terminal (in a pseudo-terminal here) and refuses without one unless
//! `--yes`, `download` fetches every matching file into a directory, and one file failing
//! half-way is reported while the others are written (non-zero exit). Old files and batch
//! results are stored with the emulator's `seed_file` (an upload makes neither).

use std::collections::BTreeMap;
use std::time::Duration;

use mistral_files_emulator::SeedFile;
use mistral_files_test_support::cli::{CliEnv, Run};
use mistral_files_test_support::{content, KEY};
use serde_json::Value;

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_mistral-files");

const DAY: Duration = Duration::from_secs(86_400);

/// Stores `seed`; its id.
fn seed(env: &CliEnv, seed: SeedFile) -> String {
    env.block_on(env.emu.seed_file(seed))
        .expect("seed")
        .to_string()
}

/// Three batch files two days old (to be selected), a fresh batch file and an old fine-tuning
/// file (not selected); the ids of the three.
fn old_batches(env: &CliEnv) -> Vec<String> {
    let old = |name: &str| {
        SeedFile::new(name, b"{}\n".to_vec())
            .sample_type("batch_request")
            .age(2 * DAY)
    };
    let mut ids: Vec<String> = ["a.jsonl", "b.jsonl", "c.jsonl"]
        .into_iter()
        .map(|n| seed(env, old(n)))
        .collect();
    seed(
        env,
        SeedFile::new("fresh.jsonl", b"{}\n".to_vec()).sample_type("batch_request"),
    );
    seed(
        env,
        SeedFile::new("tune.jsonl", b"{}\n".to_vec())
            .purpose("fine-tune")
            .sample_type("instruct")
            .age(2 * DAY),
    );
    ids.sort();
    ids
}

/// The ids of every file left.
fn remaining(env: &CliEnv) -> Vec<String> {
    let mut ids: Vec<String> = env
        .ok(&["ls", "--json"])
        .json_array()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

const RM_OLD_BATCHES: [&str; 5] = ["rm", "--purpose", "batch", "--older-than", "1d"];

#[test]
fn rm_by_filter_dry_run_lists_the_files_it_would_delete() {
    let env = CliEnv::new(BIN);
    let selected = old_batches(&env);
    let before = remaining(&env);
    let out = env.ok(&[&RM_OLD_BATCHES[..], &["--dry-run"]].concat());
    for id in &before {
        assert_eq!(
            out.stdout.contains(id.as_str()),
            selected.contains(id),
            "{id}\n{}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("2d old"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("3 files (9 B): dry run, nothing deleted"),
        "{}",
        out.stdout
    );
    assert_eq!(remaining(&env), before);

    let json = env
        .ok(&[&RM_OLD_BATCHES[..], &["--dry-run", "--json"]].concat())
        .json_array();
    let mut listed: Vec<&str> = json.iter().map(|f| f["id"].as_str().unwrap()).collect();
    listed.sort_unstable();
    assert_eq!(listed, selected);
    assert!(json.iter().all(|f| f["status"] == "selected"));
}

/// `rm --purpose batch --older-than 1d` in a pseudo-terminal, answering `typed`.
#[cfg(unix)]
fn rm_on_a_terminal(env: &CliEnv, typed: &[u8]) -> (std::process::ExitStatus, String) {
    let mut cmd = std::process::Command::new(BIN);
    cmd.args(RM_OLD_BATCHES)
        .env("MISTRAL_API_KEY", KEY)
        .env("MISTRAL_BASE_URL", env.url())
        .env("NO_COLOR", "1")
        .current_dir(env.dir.path());
    mistral_files_test_support::pty::run_typing(cmd, 100, false, typed)
}

#[cfg(unix)]
#[test]
fn rm_by_filter_on_a_terminal_asks_and_deletes_only_after_a_yes() {
    let env = CliEnv::new(BIN);
    let selected = old_batches(&env);
    let before = remaining(&env);

    let (status, screen) = rm_on_a_terminal(&env, b"n\n");
    assert_eq!(status.code(), Some(1), "{screen}");
    assert!(screen.contains("Delete 3 files (9 B)? [y/N]"), "{screen}");
    assert!(
        screen.contains("cancelled: nothing was deleted"),
        "{screen}"
    );
    for id in &selected {
        assert!(
            screen.contains(id.as_str()),
            "the question lists {id}: {screen}"
        );
    }
    assert_eq!(remaining(&env), before);

    let (status, screen) = rm_on_a_terminal(&env, b"y\n");
    assert_eq!(status.code(), Some(0), "{screen}");
    let left = remaining(&env);
    assert_eq!(left.len(), 2);
    assert!(selected.iter().all(|id| !left.contains(id)), "{left:?}");
}

#[test]
fn rm_by_filter_without_a_terminal_needs_yes() {
    let env = CliEnv::new(BIN);
    let selected = old_batches(&env);
    let before = remaining(&env);

    let refused = env
        .cmd()
        .args(RM_OLD_BATCHES)
        .write_stdin("y\n")
        .fails_with(2);
    assert!(
        refused.stderr.contains("stdin is not a terminal"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert_eq!(remaining(&env), before);

    let out = env
        .cmd()
        .args(RM_OLD_BATCHES)
        .args(["--yes", "--json"])
        .write_stdin("")
        .succeeds()
        .json_array();
    let mut deleted: Vec<&str> = out.iter().map(|o| o["id"].as_str().unwrap()).collect();
    deleted.sort_unstable();
    assert_eq!(deleted, selected);
    assert!(
        out.iter()
            .all(|o| o["status"] == "deleted" && o["name"].is_string()),
        "{out:?}"
    );
    assert_eq!(remaining(&env).len(), 2);
}

#[test]
fn ids_and_filters_exclude_each_other_and_nothing_selected_is_refused() {
    let env = CliEnv::new(BIN);
    let id = mistral_files_test_support::FILE_ID;
    let both = env.fails(2, &["rm", id, "--purpose", "batch"]);
    assert!(
        both.stderr.contains("cannot be used with"),
        "{}",
        both.stderr
    );
    let none = env.fails(2, &["rm"]);
    assert!(none.stderr.contains("required"), "{}", none.stderr);
    let all_and_more = env.fails(2, &["download", "--all", "--name", "x"]);
    assert!(
        all_and_more.stderr.contains("cannot be used with"),
        "{}",
        all_and_more.stderr
    );
    let bad_age = env.fails(2, &["rm", "--older-than", "7", "--dry-run"]);
    assert!(
        bad_age.stderr.contains("a number without a unit"),
        "{}",
        bad_age.stderr
    );
    assert_eq!(env.api_requests(), 0);
}

/// Four batch results (200 KB each, distinct) and two other files; the results' names and
/// contents.
fn batch_results(env: &CliEnv) -> BTreeMap<String, Vec<u8>> {
    let mut results = BTreeMap::new();
    for i in 0..4u64 {
        let name = format!("job-{i}.jsonl");
        let data = content(200_000, i);
        seed(env, SeedFile::new(&name, data.clone()));
        results.insert(name, data);
    }
    seed(
        env,
        SeedFile::new("errors.jsonl", b"{}\n".to_vec()).sample_type("batch_error"),
    );
    seed(
        env,
        SeedFile::new("input.jsonl", b"{}\n".to_vec()).sample_type("batch_request"),
    );
    results
}

const DOWNLOAD_RESULTS: [&str; 7] = [
    "download",
    "--purpose",
    "batch",
    "--sample-type",
    "batch_result",
    "-o",
    "results/",
];

#[test]
fn download_by_filter_fetches_every_matching_file() {
    let env = CliEnv::new(BIN);
    let results = batch_results(&env);
    let out = env.ok(&DOWNLOAD_RESULTS);
    assert_eq!(
        out.stdout.matches("✓ downloaded").count(),
        4,
        "{}",
        out.stdout
    );
    let dir = env.path("results");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 4);
    for (name, data) in &results {
        assert_eq!(&std::fs::read(dir.join(name)).unwrap(), data, "{name}");
    }
    // again: every file is there already
    let again = env.ok(&DOWNLOAD_RESULTS);
    assert_eq!(
        again.stdout.matches("= skipped").count(),
        4,
        "{}",
        again.stdout
    );
}

#[test]
fn one_download_failing_half_way_is_reported_and_the_others_are_written() {
    let env = CliEnv::new(BIN);
    let results = batch_results(&env);
    // the next download is cut after 50 kB; without retries it is not reconnected
    env.emu.faults().cut_download_after(50_000);
    let out = env
        .cmd()
        .args(DOWNLOAD_RESULTS)
        .args(["--retries", "0", "--parallel", "2", "--json"])
        .fails_with(1);
    let outcomes: Vec<Value> = out.json_array();
    assert_eq!(outcomes.len(), 4, "{outcomes:?}");
    let failed: Vec<&Value> = outcomes
        .iter()
        .filter(|o| o["status"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1, "{outcomes:?}");
    assert!(failed[0]["error"].is_string(), "{:?}", failed[0]);
    let failed_name = failed[0]["name"].as_str().unwrap();
    let dir = env.path("results");
    for o in outcomes.iter().filter(|o| o["status"] == "downloaded") {
        let name = o["name"].as_str().unwrap();
        assert_eq!(
            std::fs::read(dir.join(name)).unwrap(),
            results[name],
            "{name}"
        );
    }
    assert!(!dir.join(failed_name).exists());
    assert!(out.stderr_json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("1 of 4 downloads failed"));

    // the same command again resumes the cut file and skips the others
    let again = env.ok(&DOWNLOAD_RESULTS);
    assert_eq!(
        again.stdout.matches("= skipped").count(),
        3,
        "{}",
        again.stdout
    );
    assert_eq!(
        std::fs::read(dir.join(failed_name)).unwrap(),
        results[failed_name]
    );
}
