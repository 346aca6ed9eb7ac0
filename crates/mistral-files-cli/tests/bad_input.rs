//! Bad input on the command line: each a clear message and the right exit code (2 usage, 1 API or
//! I/O), and no request sent when the input is refused locally. The key is never printed.

mod common;

use common::*;
use predicates::prelude::*;

const GOOD_ID: &str = "3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e";

#[test]
fn bad_ids_are_usage_errors_and_send_nothing() {
    let env = Env::new();
    let bad = [
        "",
        "not-a-uuid",
        "../../etc/passwd",
        "..%2F..%2Fetc",
        "%2e%2e",
        "3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e/../x",
        " 3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e",
        "3b6d2a3e5c434f479d5e1f1a2b3c4d5e",
    ];
    for id in bad {
        for cmd in [
            vec!["get", id],
            vec!["rm", GOOD_ID, id],
            vec!["url", id],
            vec!["download", id],
        ] {
            env.cmd()
                .args(&cmd)
                .assert()
                .code(2)
                .stderr(predicate::str::contains("invalid file id"));
        }
    }
    assert_eq!(env.api_requests(), 0);
}

#[test]
fn bad_paths_are_io_errors() {
    let env = Env::new();
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (env.path("nope.jsonl"), "not found"),
        (env.dir.path().to_path_buf(), "not a regular file"),
        (env.write("empty.jsonl", b""), "empty"),
    ];
    for (p, msg) in cases {
        env.cmd()
            .arg("upload")
            .arg(&p)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(msg));
    }
    #[cfg(unix)]
    {
        let fifo = env.path("fifo.jsonl");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ok {
            env.cmd()
                .arg("upload")
                .arg(&fifo)
                .assert()
                .code(1)
                .stderr(predicate::str::contains("not a regular file"));
        }
    }
    assert_eq!(env.api_requests(), 0);
}

#[test]
fn out_of_range_options_are_usage_errors() {
    let env = Env::new();
    let p = s(&env.write("ok.jsonl", &jsonl(1)));
    let q = s(&env.write("ok2.jsonl", &jsonl(1)));
    let long_name = format!("{}.jsonl", "n".repeat(300));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["upload", &p, "--purpose", "audio"], "--purpose"),
        (vec!["upload", &p, "--purpose", "FINE"], "--purpose"),
        (vec!["upload", &p, "--expiry", "0"], "--expiry"),
        (vec!["upload", &p, "--expiry", "-1"], "--expiry"),
        (vec!["upload", &p, "--expiry", "1.5"], "--expiry"),
        (vec!["upload", &p, "--expiry", "99999999999"], "--expiry"),
        (vec!["upload", &p, "--visibility", "team"], "--visibility"),
        (vec!["upload", &p, "--parallel", "0"], "--parallel"),
        (vec!["upload", &p, &q, "--name", "x.jsonl"], "--name"),
        (
            vec!["upload", &p, "--name", "a/b.jsonl"],
            "invalid file name",
        ),
        (vec!["upload", &p, "--name", ""], "invalid file name"),
        (vec!["upload", &p, "--name", ".."], "invalid file name"),
        (
            vec!["upload", &p, "--name", &long_name],
            "invalid file name",
        ),
        (vec!["upload", &p, "--name", "x.txt"], "only .jsonl"),
        (vec!["upload"], "PATH"),
        (vec!["ls", "--page-size", "0"], "--page-size"),
        (vec!["ls", "--page-size", "-1"], "--page-size"),
        (vec!["ls", "--page-size", "10001"], "--page-size"),
        (
            vec!["ls", "--page-size", "99999999999999999999"],
            "--page-size",
        ),
        (vec!["ls", "--limit", "0"], "--limit"),
        (vec!["ls", "--sample-type", "weird"], "--sample-type"),
        (vec!["ls", "--source", "elsewhere"], "--source"),
        (vec!["url", GOOD_ID, "--expiry", "0"], "--expiry"),
        (vec!["rm"], "ID"),
        (vec!["frobnicate"], "frobnicate"),
        (vec!["serve", "--addr", "localhost"], "--addr"),
        (vec!["serve", "--fail-next", "x:503"], "--fail-next"),
        (vec!["ls", "--retries", "-3"], "--retries"),
    ];
    for (args, needle) in cases {
        let out = env.cmd().args(&args).assert().code(2).get_output().clone();
        let (_, e) = texts(&out);
        assert!(e.contains(needle), "{args:?}: {e}");
    }
    assert_eq!(env.api_requests(), 0);
}

#[test]
fn base_urls() {
    let env = Env::new();
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
    let env = Env::new();
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
    let env = Env::new();
    let wrong = "sk-WRONG-k3y-9d8e";
    let out = bare_cmd()
        .env("MISTRAL_API_KEY", wrong)
        .args(["ls", "-vvv", "--base-url", &env.url()])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let (o, e) = texts(&out);
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
        .assert()
        .code(1)
        .get_output()
        .clone();
    let (o, e) = texts(&out);
    assert!(!e.contains(wrong) && !o.contains(wrong), "{e}");
}

#[test]
fn key_is_never_printed_even_with_vvv() {
    let env = Env::new();
    let f = env.upload("k.jsonl", &jsonl(2), &[]);
    let id = f["id"].as_str().unwrap().to_string();
    let p = s(&env.write("k2.jsonl", &jsonl(1)));
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
        let out = env.cmd().args(&args).arg("-vvv").output().unwrap();
        assert_no_key(&out);
    }
    // Verbose logging did log something (so the check above means something).
    let out = env.cmd().args(["ls", "-vvv"]).output().unwrap();
    assert!(!out.stderr.is_empty());
    // clap's usage errors do not echo it either.
    let out = env
        .cmd()
        .args(["ls", "--api-key", KEY, "--api-key", KEY])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_no_key(&out);
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
