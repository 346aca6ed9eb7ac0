//! `--json`: every command writes exactly one JSON document on stdout (an object, or an array for
//! a list, `[]` when empty), parsed here whole as `json.load` would; an error is one
//! `{"error": {...}}` document on stderr, with the exit code unchanged. `--jsonl` streams one
//! object per line.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use mistral_files_test_support::cli::{cli, CliEnv, Outcome, Run};
use mistral_files_test_support::{jsonl, FILE_ID, KEY};
use serde_json::Value;

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_mistral-files");

/// The `error` object of a failed `--json` run: nothing on stdout, one document on stderr.
#[track_caller]
fn error_of(out: &Outcome, code: i32) -> Value {
    assert_eq!(out.code(), Some(code), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "stdout: {}", out.stdout);
    let doc = out.stderr_json();
    let err = doc["error"].clone();
    assert_eq!(err["exit_code"], code, "{doc}");
    assert!(err["message"].is_string(), "{doc}");
    err
}

#[test]
fn list_commands_write_one_array_even_when_empty() {
    let env = CliEnv::new(BIN);
    assert_eq!(env.ok(&["ls", "--json"]).json(), Value::Array(vec![]));
    assert!(env.ok(&["ls", "--jsonl"]).stdout.is_empty());

    let paths: Vec<String> = (0..3)
        .map(|i| {
            env.write(&format!("f{i}.jsonl"), &jsonl(1))
                .display()
                .to_string()
        })
        .collect();
    let mut args = vec!["upload"];
    args.extend(paths.iter().map(String::as_str));
    args.push("--json");
    let uploaded = env.ok(&args).json_array();
    assert_eq!(uploaded.len(), 3);
    let ids: Vec<&str> = uploaded.iter().map(|f| f["id"].as_str().unwrap()).collect();

    let listed = env.ok(&["ls", "--json", "--page-size", "2"]).json_array();
    assert_eq!(listed.len(), 3);
    let lines = env.ok(&["ls", "--jsonl", "--page-size", "2"]).json_lines();
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l["object"] == "file"));

    std::fs::create_dir(env.path("out")).unwrap();
    let mut dl = vec!["download"];
    dl.extend(&ids);
    dl.extend(["-o", "out", "--json"]);
    let downloaded = env.ok(&dl).json_array();
    assert_eq!(downloaded.len(), 3);
    assert!(downloaded.iter().all(|d| d["bytes"].as_u64().is_some()));

    let mut rm = vec!["rm"];
    rm.extend(&ids);
    rm.push("--json");
    let deleted = env.ok(&rm).json_array();
    assert!(deleted.iter().all(|d| d["deleted"] == true));
    assert_eq!(env.ok(&["ls", "--json"]).json(), Value::Array(vec![]));
}

#[test]
fn single_result_commands_write_one_object() {
    let env = CliEnv::new(BIN);
    let f = env.upload("one.jsonl", &jsonl(2), &[]);
    let id = f["id"].as_str().unwrap();
    let got = env.ok(&["get", id, "--json"]).json();
    assert_eq!(got["id"], id);
    let url = env.ok(&["url", id, "--json"]).json();
    assert!(url["url"].as_str().unwrap().starts_with("http"));
    let one = env
        .ok(&["download", id, "-o", "one-copy.jsonl", "--json"])
        .json_array();
    assert_eq!(one[0]["path"], "one-copy.jsonl");
}

#[test]
fn partial_failures_write_the_successes_and_one_error() {
    let env = CliEnv::new(BIN);
    let good = env.write("good.jsonl", &jsonl(1));
    let missing = env.path("missing.jsonl");
    let out = env
        .cmd()
        .arg("upload")
        .arg(&good)
        .arg(&missing)
        .arg("--json")
        .fails_with(1);
    let ok = out.json_array();
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0]["filename"], "good.jsonl");
    let err = &out.stderr_json()["error"];
    assert_eq!(err["message"], "1 of 2 uploads failed");
    assert_eq!(err["failures"].as_array().unwrap().len(), 1);
    assert!(err["failures"][0]["message"]
        .as_str()
        .unwrap()
        .contains("missing.jsonl"));

    let out = env
        .cmd()
        .args(["rm", FILE_ID, FILE_ID, "--json"])
        .fails_with(1);
    assert_eq!(out.json_array().len(), 0);
    let err = &out.stderr_json()["error"];
    assert_eq!(err["failures"][0]["status"], 404);
}

#[test]
fn errors_are_one_json_document_on_stderr_with_the_exit_code() {
    let env = CliEnv::new(BIN);
    // API error
    let err = error_of(&env.cmd().args(["get", FILE_ID, "--json"]).run(), 1);
    assert_eq!(err["status"], 404);
    assert!(err["hint"].as_str().unwrap().contains("mistral-files ls"));
    // 422 with its details: a JSONL file the service refuses, one detail per bad line
    let bad = env.write("bad.jsonl", b"{\"ok\": 1}\nnot json\n");
    let err = error_of(
        &env.cmd()
            .args([
                "upload",
                &bad.to_string_lossy(),
                "--purpose",
                "fine-tune",
                "--json",
            ])
            .run(),
        1,
    );
    let details: Vec<&str> = err["details"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d.as_str())
        .collect();
    assert!(details.iter().any(|d| d.starts_with("line 2:")), "{err}");
    // a signed URL's expiry out of the service's 1-168 h is refused before sending
    let f = env.upload("u.jsonl", &jsonl(1), &[]);
    let id = f["id"].as_str().unwrap();
    let err = error_of(
        &env.cmd()
            .args(["url", id, "--expiry", "169", "--json"])
            .run(),
        2,
    );
    assert!(
        err["message"].as_str().unwrap().contains("--expiry"),
        "{err}"
    );
    // usage errors: ours, and clap's (with its suggestion as the hint)
    let err = error_of(
        &env.cmd().args(["download", id, "-o", "-", "--json"]).run(),
        2,
    );
    assert!(err["message"].as_str().unwrap().contains("-o -"), "{err}");
    let err = error_of(&env.cmd().args(["ls", "--jsn", "--json"]).run(), 2);
    assert!(err["hint"].as_str().unwrap().contains("--json"), "{err}");
    let err = error_of(&env.cmd().args(["get", "not-an-id", "--json"]).run(), 2);
    assert!(
        err["message"].as_str().unwrap().contains("invalid file id"),
        "{err}"
    );
    let err = error_of(&env.cmd().args(["completions", "bash", "--json"]).run(), 2);
    assert!(err["message"].as_str().unwrap().contains("--json"), "{err}");
    // no key
    let out = cli(BIN)
        .args(["ls", "--jsonl", "--base-url", &env.url()])
        .run();
    let err = error_of(&out, 2);
    assert!(err["hint"].as_str().unwrap().contains("MISTRAL_API_KEY"));
    // the key never appears in the JSON either
    let out = cli(BIN)
        .env("MISTRAL_API_KEY", KEY)
        .args([
            "ls",
            "--json",
            "--base-url",
            &format!("{}/prefix", env.url()),
        ])
        .run();
    error_of(&out, 1);
    out.assert_no_key();
    assert_eq!(
        env.api_requests(),
        3,
        "the get, the upload and the url: usage errors send nothing"
    );
}

#[test]
fn demo_writes_one_array_of_steps() {
    let out = cli(BIN).args(["demo", "--json"]).succeeds();
    let steps = out.json_array();
    assert_eq!(steps.len(), 9);
    assert_eq!(steps[8]["step"], "summary");
    let lines = cli(BIN).args(["demo", "--jsonl"]).succeeds().json_lines();
    assert_eq!(lines.len(), 9);
}

/// `serve --json` writes its one document at start; stdout, read whole after the server is
/// stopped, is that document alone.
#[test]
fn serve_writes_one_document() {
    let mut child = std::process::Command::new(BIN)
        .env_remove("MISTRAL_API_KEY")
        .args(["serve", "--addr", "127.0.0.1:0", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    mistral_files_test_support::cli::stop(&mut child);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
    let doc: Value = serde_json::from_str(&format!("{first}{rest}")).expect("one document");
    assert!(
        doc["url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:"),
        "{doc}"
    );
    assert_eq!(doc["auth"], "default-key");
}
