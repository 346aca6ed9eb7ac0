//! Bad configuration on the command line (base URLs, a missing or wrong key) and the exit codes
//! `--help` documents: each a clear message and the right exit code, and the key is never
//! printed, not even with -vvv. Bad arguments are `bad_input.rs`.

use mistral_files_test_support::cli::{cli, path_arg, CliEnv, Run};
use mistral_files_test_support::{jsonl, KEY};
use predicates::prelude::*;

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_mistral-files");

/// The binary with no configuration.
fn bare_cmd() -> assert_cmd::Command {
    cli(BIN)
}

const GOOD_ID: &str = "3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e";

#[test]
fn base_urls() {
    let env = CliEnv::new(BIN);
    let port = env.emu.addr().port();
    // No scheme: usage error, no request.
    for bad in [
        format!("127.0.0.1:{port}"),
        "api.mistral.ai".to_string(),
        "ftp://x".into(),
        " ".into(),
    ] {
        env.cmd()
            .args(["ls", "--base-url", &bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("base URL"))
            .stderr(predicate::str::contains("--base-url"));
    }
    assert_eq!(env.api_requests(), 0);
    // Trailing slash: fine.
    env.cmd()
        .args(["ls", "--base-url", &format!("{}/", env.url())])
        .assert()
        .success();
    // A path prefix is kept (this server has none there: 404, API error).
    env.cmd()
        .args(["ls", "--base-url", &format!("{}/prefix", env.url())])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("404"));
    assert!(env
        .emu
        .requests()
        .iter()
        .any(|r| r.path == "/prefix/v1/files"));
    // Nobody listening: a connection error with a hint.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    env.cmd()
        .args([
            "ls",
            "--retries",
            "0",
            "--base-url",
            &format!("http://127.0.0.1:{closed}"),
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("connect"))
        .stderr(predicate::str::contains("MISTRAL_BASE_URL"));
}

#[test]
fn missing_key_is_a_usage_error_that_says_what_to_set() {
    let env = CliEnv::new(BIN);
    for args in [vec!["ls"], vec!["get", GOOD_ID], vec!["upload", "x.jsonl"]] {
        bare_cmd()
            .args(&args)
            .args(["--base-url", &env.url()])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "set MISTRAL_API_KEY or pass --api-key",
            ));
    }
    bare_cmd()
        .env("MISTRAL_API_KEY", "  ")
        .args(["ls", "--base-url", &env.url()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("MISTRAL_API_KEY"));
    assert_eq!(env.api_requests(), 0);
}

#[test]
fn wrong_key_is_401_with_hint_and_not_printed() {
    let env = CliEnv::new(BIN);
    let wrong = "sk-WRONG-k3y-9d8e";
    let out = bare_cmd()
        .env("MISTRAL_API_KEY", wrong)
        .args(["ls", "-vvv", "--base-url", &env.url()])
        .fails_with(1);
    let (o, e) = (&out.stdout, &out.stderr);
    assert!(e.contains("401"), "{e}");
    assert!(e.contains("Unauthorized"), "{e}");
    assert!(e.contains("check the API key"), "{e}");
    assert!(!e.contains(wrong) && !o.contains(wrong), "{e}");
    // Also through --api-key.
    let out = bare_cmd()
        .args([
            "get",
            GOOD_ID,
            "-vvv",
            "--api-key",
            wrong,
            "--base-url",
            &env.url(),
        ])
        .fails_with(1);
    let (o, e) = (&out.stdout, &out.stderr);
    assert!(!e.contains(wrong) && !o.contains(wrong), "{e}");
}

#[test]
fn key_is_never_printed_even_with_vvv() {
    let env = CliEnv::new(BIN);
    let f = env.upload("k.jsonl", &jsonl(2), &[]);
    let id = f["id"].as_str().unwrap().to_string();
    let p = path_arg(&env.write("k2.jsonl", &jsonl(1)));
    let runs: Vec<Vec<&str>> = vec![
        vec!["upload", &p],
        vec!["ls"],
        vec!["ls", "--json"],
        vec!["get", &id],
        vec!["url", &id],
        vec!["download", &id, "-o", "k.out"],
        vec!["rm", &id],
        vec!["get", &id],
        vec!["--help"],
        vec!["ls", "--help"],
    ];
    for args in runs {
        let out = env.cmd().args(&args).arg("-vvv").run();
        out.assert_no_key();
    }
    // Verbose logging did log something (so the check above means something).
    let out = env.cmd().args(["ls", "-vvv"]).run();
    assert!(!out.stderr.is_empty());
    // clap's usage errors do not echo it either.
    let out = env
        .cmd()
        .args(["ls", "--api-key", KEY, "--api-key", KEY])
        .run();
    assert_eq!(out.status.code(), Some(2));
    out.assert_no_key();
}

#[test]
fn help_documents_exit_codes() {
    bare_cmd()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:"))
        .stdout(predicate::str::contains("2  usage error"))
        .stdout(predicate::str::contains("MISTRAL_API_KEY"));
    for cmd in [
        "upload", "ls", "get", "rm", "url", "download", "serve", "demo",
    ] {
        bare_cmd().args([cmd, "--help"]).assert().success();
    }
}
