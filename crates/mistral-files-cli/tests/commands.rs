//! End-to-end: every command of the built `mistral-files` binary against an emulator started in
//! the test process, in human and `--json` modes.

use mistral_files::{FilePurpose, FileVisibility, SampleType, Source};
use mistral_files_test_support::cli::{CliEnv, Run};
use mistral_files_test_support::{jsonl, wire_literals};
use predicates::prelude::*;

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_mistral-files");

#[test]
fn upload_human_and_json() {
    let env = CliEnv::new(BIN);
    let body = jsonl(3);
    let p = env.write("train.jsonl", &body);
    env.cmd()
        .arg("upload")
        .arg(&p)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("✓ "))
        .stdout(predicate::str::contains("train.jsonl → "))
        .stdout(predicate::str::contains("3 lines"));

    let f = env.upload("train2.jsonl", &body, &[]);
    assert_eq!(f["object"], "file");
    assert_eq!(f["filename"], "train2.jsonl");
    assert_eq!(f["bytes"], body.len() as u64);
    assert_eq!(f["num_lines"], 3);
    assert_eq!(f["purpose"], "fine-tune");
    assert_eq!(f["sample_type"], "instruct");
    assert_eq!(f["source"], "upload");
    assert_eq!(f["mimetype"], "application/jsonl");
    assert!(f["id"].as_str().unwrap().len() == 36);
}

#[test]
fn upload_with_options_and_many_files_in_parallel() {
    let env = CliEnv::new(BIN);
    let f = env.upload(
        "batch.jsonl",
        &jsonl(2),
        &[
            "--purpose",
            "batch",
            "--name",
            "renamed \"v2\".jsonl",
            "--expiry",
            "48",
            "--visibility",
            "user",
            "--validate",
        ],
    );
    assert_eq!(f["filename"], "renamed \"v2\".jsonl");
    assert_eq!(f["purpose"], "batch");
    assert_eq!(f["sample_type"], "batch_request");
    assert_eq!(f["visibility"], "user");
    assert_eq!(
        f["expires_at"].as_i64().unwrap() - f["created_at"].as_i64().unwrap(),
        48 * 3600
    );

    let paths: Vec<_> = (0..5)
        .map(|i| env.write(&format!("f{i}.jsonl"), &jsonl(i + 1)))
        .collect();
    let out = env
        .cmd()
        .arg("upload")
        .args(&paths)
        .args(["--parallel", "3", "--json"])
        .succeeds();
    let docs = out.json_array();
    assert_eq!(docs.len(), 5);
    for (i, d) in docs.iter().enumerate() {
        // Results come in the order of the arguments.
        assert_eq!(d["filename"], format!("f{i}.jsonl"));
        assert_eq!(d["num_lines"], i as u64 + 1);
    }
}

#[test]
fn upload_partial_failure_reports_each_and_exits_1() {
    let env = CliEnv::new(BIN);
    let good = env.write("good.jsonl", &jsonl(1));
    let missing = env.path("missing.jsonl");
    let out = env
        .cmd()
        .arg("upload")
        .arg(&good)
        .arg(&missing)
        .fails_with(1);
    let (o, e) = (&out.stdout, &out.stderr);
    assert!(o.contains("good.jsonl"), "{o}");
    assert!(e.contains("missing.jsonl"), "{e}");
    assert!(e.contains("1 of 2 uploads failed"), "{e}");
}

#[test]
fn upload_validate_rejects_bad_jsonl_without_sending() {
    let env = CliEnv::new(BIN);
    let p = env.write("bad.jsonl", b"{\"ok\":1}\nnot json\n");
    env.cmd()
        .arg("upload")
        .arg(&p)
        .arg("--validate")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 2"));
    assert_eq!(env.api_requests(), 0);
}

#[test]
fn ls_table_json_filters_and_limit() {
    let env = CliEnv::new(BIN);
    env.cmd()
        .arg("ls")
        .assert()
        .success()
        .stdout(predicate::str::contains("No files."));
    let a = env.upload("alpha.jsonl", &jsonl(1), &[]);
    let b = env.upload("beta.jsonl", &jsonl(2), &["--purpose", "batch"]);
    for i in 0..3 {
        env.upload(&format!("gamma{i}.jsonl"), &jsonl(1), &[]);
    }

    // Human: a table with headers and every file.
    let out = env.cmd().arg("ls").succeeds();
    let o = &out.stdout;
    for h in ["ID", "NAME", "SIZE", "PURPOSE", "CREATED"] {
        assert!(o.contains(h), "{o}");
    }
    assert!(o.contains(a["id"].as_str().unwrap()), "{o}");
    assert!(o.contains("beta.jsonl"), "{o}");
    assert!(o.contains("UTC"), "{o}");
    assert_eq!(o.lines().count(), 1 + 5, "{o}");

    // JSON: one array of every file, all pages.
    let out = env.ok(&["ls", "--json", "--page-size", "2"]);
    let docs = out.json_array();
    assert_eq!(docs.len(), 5);
    assert!(docs.iter().all(|d| d["object"] == "file"));

    // --limit stops early (and asks for no more than needed).
    env.emu.clear_requests();
    let out = env.ok(&["ls", "--json", "--limit", "3", "--page-size", "2"]);
    assert_eq!(out.json_array().len(), 3);
    assert_eq!(env.api_requests(), 2);

    // Filters.
    let one = |args: &[&str]| -> Vec<serde_json::Value> {
        let out = env.cmd().arg("ls").args(args).arg("--json").succeeds();
        out.json_array()
    };
    let by_purpose = one(&["--purpose", "batch"]);
    assert_eq!(by_purpose.len(), 1);
    assert_eq!(by_purpose[0]["id"], b["id"]);
    assert_eq!(one(&["--search", "gamma"]).len(), 3);
    assert_eq!(one(&["--sample-type", "batch_request"]).len(), 1);
    assert_eq!(
        one(&[
            "--sample-type",
            "batch_request",
            "--sample-type",
            "instruct"
        ])
        .len(),
        5
    );
    assert_eq!(one(&["--source", "upload"]).len(), 5);
    assert_eq!(one(&["--source", "mistral"]).len(), 0);
    assert_eq!(one(&["--mimetype", "application/jsonl"]).len(), 5);
    assert_eq!(one(&["--mimetype", "application/pdf"]).len(), 0);
    let q = env
        .emu
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.path == "/v1/files")
        .unwrap();
    assert!(q
        .query
        .contains(&("mimetypes".to_string(), "application/pdf".to_string())));
}

#[test]
fn get_human_and_json() {
    let env = CliEnv::new(BIN);
    let f = env.upload("one.jsonl", &jsonl(4), &["--expiry", "2"]);
    let id = f["id"].as_str().unwrap();
    env.cmd()
        .args(["get", id])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("id:          {id}")))
        .stdout(predicate::str::contains("filename:    one.jsonl"))
        .stdout(predicate::str::contains("num_lines:   4"))
        .stdout(predicate::str::contains("expires:"));
    let doc = env.ok(&["get", id, "--json"]).json();
    assert_eq!(doc["id"], id);
    assert_eq!(doc["filename"], "one.jsonl");
    assert_eq!(doc["deleted"], false);
    assert_eq!(doc["bytes"], f["bytes"]);
}

#[test]
fn rm_human_and_json_then_404_with_hint() {
    let env = CliEnv::new(BIN);
    let a = env.upload("a.jsonl", &jsonl(1), &[]);
    let b = env.upload("b.jsonl", &jsonl(1), &[]);
    let c = env.upload("c.jsonl", &jsonl(1), &[]);
    let (a, b, c) = (
        a["id"].as_str().unwrap().to_string(),
        b["id"].as_str().unwrap().to_string(),
        c["id"].as_str().unwrap().to_string(),
    );
    env.cmd()
        .args(["rm", &a, &b])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("✓ deleted {a}")))
        .stdout(predicate::str::contains(format!("✓ deleted {b}")));
    let out = env.ok(&["rm", &c, "--json"]);
    let docs = out.json_array();
    assert_eq!(docs[0]["id"], c.as_str());
    assert_eq!(docs[0]["deleted"], true);

    env.cmd()
        .args(["get", &a])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("404"))
        .stderr(predicate::str::contains("File not found"))
        .stderr(predicate::str::contains("mistral-files ls"));
    // Deleting again: a failure per id, every id tried.
    env.cmd()
        .args(["rm", &a, &b])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("2 of 2 deletions failed"));
}

#[test]
fn url_human_and_json_fetched_without_key() {
    let env = CliEnv::new(BIN);
    let body = jsonl(5);
    let f = env.upload("u.jsonl", &body, &[]);
    let id = f["id"].as_str().unwrap();
    let out = env.ok(&["url", id]);
    let url = out.stdout.trim().to_string();
    assert!(url.starts_with(&env.url()), "{url}");
    let doc = env.ok(&["url", id, "--expiry", "2", "--json"]).json();
    assert_eq!(doc["id"], id);
    assert_eq!(doc["expiry_hours"], 2);
    let url2 = doc["url"].as_str().unwrap().to_string();
    // Fetched by a plain client, no Authorization (reqwest needs a rustls provider installed:
    // without this, whether another test of this process installed one decides).
    mistral_files::install_tls_provider();
    for u in [url, url2] {
        let got = env.block_on(async {
            // A plain client of the test's own (the library's TLS provider installed, as a
            // user of `ClientBuilder::http_client` does), sending no Authorization.
            let r = mistral_files_test_support::http::http_client()
                .get(&u)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.bytes().await.unwrap()
        });
        assert_eq!(&got[..], &body[..]);
    }
}

#[test]
fn download_default_name_no_overwrite_force_stdout_and_json() {
    let env = CliEnv::new(BIN);
    let body = jsonl(7);
    let f = env.upload("data.jsonl", &body, &[]);
    let id = f["id"].as_str().unwrap();
    std::fs::remove_file(env.path("data.jsonl")).unwrap();

    // Default: the file's own name in the current directory.
    env.cmd()
        .args(["download", id])
        .assert()
        .success()
        .stdout(predicate::str::contains("✓ downloaded"))
        .stdout(predicate::str::contains("data.jsonl"));
    assert_eq!(std::fs::read(env.path("data.jsonl")).unwrap(), body);

    // Never overwrites silently.
    std::fs::write(env.path("data.jsonl"), b"mine").unwrap();
    env.cmd()
        .args(["download", id])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already exists"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read(env.path("data.jsonl")).unwrap(), b"mine");
    env.cmd()
        .args(["download", id, "--force"])
        .assert()
        .success();
    assert_eq!(std::fs::read(env.path("data.jsonl")).unwrap(), body);

    // -o PATH, JSON.
    let out = env.ok(&["download", id, "-o", "copy.jsonl", "--json"]);
    let docs = out.json_array();
    assert_eq!(docs[0]["id"], id);
    assert_eq!(docs[0]["bytes"], body.len() as u64);
    assert_eq!(docs[0]["path"], "copy.jsonl");
    assert_eq!(std::fs::read(env.path("copy.jsonl")).unwrap(), body);

    // -o DIR: the file's name inside it.
    std::fs::create_dir(env.path("sub")).unwrap();
    env.cmd()
        .args(["download", id, "-o", "sub"])
        .assert()
        .success();
    assert_eq!(std::fs::read(env.path("sub/data.jsonl")).unwrap(), body);

    // -o -: the raw bytes on stdout, nothing else.
    let out = env.ok(&["download", id, "-o", "-"]);
    assert_eq!(out.stdout_bytes(), body);
    // No temporary files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn download_sanitizes_the_server_name() {
    let env = CliEnv::new(BIN);
    let body = jsonl(1);
    let f = env.upload("x.jsonl", &body, &["--name", "..evil\r\nname.jsonl"]);
    let id = f["id"].as_str().unwrap();
    env.cmd().args(["download", id]).assert().success();
    assert_eq!(std::fs::read(env.path("evil__name.jsonl")).unwrap(), body);
}

#[test]
fn download_missing_file_is_404_and_writes_nothing() {
    let env = CliEnv::new(BIN);
    env.cmd()
        .args([
            "download",
            "3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e",
            "-o",
            "out.bin",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("404"))
        .stderr(predicate::str::contains("mistral-files ls"));
    assert_eq!(std::fs::read_dir(env.dir.path()).unwrap().count(), 0);
}

#[test]
fn server_errors_show_the_message_and_exit_1() {
    let env = CliEnv::new(BIN);
    env.emu.faults().fail_next(1, 429, None);
    env.cmd()
        .args(["ls", "--retries", "0"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("429"))
        .stderr(predicate::str::contains("hint"));
    env.emu.faults().fail_next_with_body(
        1,
        502,
        "text/html",
        "<html><body>Bad gateway</body></html>",
    );
    env.cmd()
        .args(["ls", "--retries", "0"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("502"))
        .stderr(predicate::str::contains("Bad gateway"));
    // Retried by default: one 503 then success.
    env.emu.faults().fail_next(1, 503, None);
    env.cmd().arg("ls").assert().success();
}

// ---- The spec's enum values: the options accept what the raw crate lists (`KNOWN`).

/// A file name and content the emulator accepts for `purpose` (its format rules).
fn sample_for(purpose: &str) -> (&'static str, Vec<u8>) {
    match FilePurpose::from(purpose) {
        FilePurpose::FineTune | FilePurpose::Batch => ("data.jsonl", jsonl(2)),
        FilePurpose::Ocr => ("scan.pdf", b"%PDF-1.4\n".to_vec()),
        FilePurpose::Audio => ("talk.mp3", b"ID3\x04\x00".to_vec()),
        // a purpose without a format rule of its own (e.g. one the spec adds) takes any file
        _ => ("data.bin", vec![0, 1]),
    }
}

#[test]
fn every_spec_purpose_is_accepted_by_upload_and_ls() {
    let env = CliEnv::new(BIN);
    for (i, &purpose) in FilePurpose::KNOWN.iter().enumerate() {
        let (name, data) = sample_for(purpose);
        let f = env.upload(&format!("{i}-{name}"), &data, &["--purpose", purpose]);
        assert_eq!(f["purpose"], purpose, "{f}");
        let out = env.ok(&["ls", "--json", "--purpose", purpose]);
        let docs = out.json_array();
        assert_eq!(docs.len(), 1, "{purpose}: {docs:?}");
        assert_eq!(docs[0]["id"], f["id"]);
    }
}

#[test]
fn every_spec_sample_type_source_and_visibility_is_accepted() {
    let env = CliEnv::new(BIN);
    env.upload("a.jsonl", &jsonl(1), &[]);
    for (opt, key, values) in [
        ("--sample-type", "sample_type", SampleType::KNOWN),
        ("--source", "source", Source::KNOWN),
    ] {
        for &value in values {
            env.cmd()
                .args(["ls", "--json", opt, value])
                .assert()
                .success();
        }
        // every value at once: sent in order, and the uploaded file has one of them
        env.emu.clear_requests();
        let mut args = vec!["ls", "--json"];
        for &value in values {
            args.extend([opt, value]);
        }
        let out = env.cmd().args(&args).succeeds();
        assert_eq!(out.json_array().len(), 1, "{args:?}");
        let list = env
            .emu
            .requests()
            .into_iter()
            .find(|r| r.path == "/v1/files")
            .unwrap();
        let sent: Vec<&str> = list
            .query
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(sent, values, "{:?}", list.query);
    }
    for &visibility in FileVisibility::KNOWN {
        let f = env.upload("v.jsonl", &jsonl(1), &["--visibility", visibility]);
        assert_eq!(f["visibility"], visibility, "{f}");
    }
}

#[test]
fn the_literal_guard_finds_values_in_code_attributes_and_macros() {
    wire_literals::self_check();
}

/// Fails when the CLI's non-test code holds a string literal equal to a wire value of the spec's
/// enums: such values must come from the enums (see the test-support crate's `wire_literals`).
#[test]
fn no_hand_kept_enum_values_in_src() {
    wire_literals::assert_no_hand_kept_enum_values(
        env!("CARGO_MANIFEST_DIR"),
        &[wire_literals::Allowed {
            file: "src/demo.rs",
            value: "upload",
            reason: "the name of the demo's upload step (printed, and the `step` key of its \
                     --json output), not a `Source` value",
        }],
    );
}
