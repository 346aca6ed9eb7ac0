//! Bad input on the command line: each a clear message and the right exit code (2 usage, 1 API or
//! I/O), and no request sent when the input is refused locally. The key is never printed.

use mistral_files::{FilePurpose, FileVisibility, SampleType, Source};
use mistral_files_test_support::cli::{cli, path_arg, CliEnv, Run};
use mistral_files_test_support::{jsonl, mkfifo};
use predicates::prelude::*;

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_mistral-files");

/// The binary with no configuration.
fn bare_cmd() -> assert_cmd::Command {
    cli(BIN)
}

const GOOD_ID: &str = "3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e";

#[test]
fn bad_ids_are_usage_errors_and_send_nothing() {
    let env = CliEnv::new(BIN);
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
    let env = CliEnv::new(BIN);
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
        if mkfifo(&fifo) {
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
    let env = CliEnv::new(BIN);
    let p = path_arg(&env.write("ok.jsonl", &jsonl(1)));
    let q = path_arg(&env.write("ok2.jsonl", &jsonl(1)));
    let long_name = format!("{}.jsonl", "n".repeat(300));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["upload", &p, "--purpose", "video"], "--purpose"),
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
        (vec!["serve", "--rate-limit", "0"], "at least 1/s"),
        (vec!["serve", "--rate-limit", "10/m"], "--rate-limit"),
        (vec!["serve", "--rate-limit", "fast"], "N/s"),
        (vec!["ls", "--retries", "-3"], "--retries"),
    ];
    for (args, needle) in cases {
        let out = env.fails(2, &args);
        let e = &out.stderr;
        assert!(e.contains(needle), "{args:?}: {e}");
    }
    assert_eq!(env.api_requests(), 0);
}

/// An upload path the process cannot read (chmod 000): exit 1, an I/O error naming the path and
/// the OS reason, nothing sent. Root (as in CI here) can still read such a file: the test then
/// prints why it is skipped.
#[cfg(unix)]
#[test]
fn unreadable_upload_path_is_an_io_error_and_sends_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let env = CliEnv::new(BIN);
    let p = env.write("locked.jsonl", &jsonl(2));
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).expect("chmod 000");
    if std::fs::File::open(&p).is_ok() {
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod back");
        println!(
            "SKIPPED unreadable_upload_path_is_an_io_error_and_sends_nothing: a chmod-000 file is \
             still readable by this process (running as root or with CAP_DAC_OVERRIDE)"
        );
        return;
    }
    let out = env.cmd().arg("upload").arg(&p).fails_with(1);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod back");
    let (o, e) = (&out.stdout, &out.stderr);
    assert!(o.is_empty(), "{o}");
    assert!(e.contains("locked.jsonl"), "{e}");
    assert!(e.contains("I/O error"), "{e}");
    assert!(e.to_lowercase().contains("permission denied"), "{e}");
    assert_eq!(env.api_requests(), 0);
}

/// A path whose file name is not UTF-8 (Unix): the name cannot be sent as it is, and the CLI
/// never invents one (a lossy `�` name would not match the local file). It is refused before
/// anything is sent (exit 2) with a hint to pass `--name`; with `--name` the file uploads
/// (its content read through the non-UTF-8 path) under that name. Among several paths, the
/// others are still uploaded and the exit code is 1 (something was sent).
#[cfg(unix)]
#[test]
fn non_utf8_file_name_needs_name_and_is_never_guessed() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let env = CliEnv::new(BIN);
    let p = env
        .dir
        .path()
        .join(OsStr::from_bytes(b"bad-\xff\xfe-name.jsonl"));
    let content = jsonl(3);
    std::fs::write(&p, &content).expect("write non-UTF-8 name");

    // Alone, without --name: usage error, nothing sent.
    let out = env.cmd().arg("upload").arg(&p).fails_with(2);
    let (o, e) = (&out.stdout, &out.stderr);
    assert!(o.is_empty(), "{o}");
    assert!(e.contains("invalid file name"), "{e}");
    assert!(e.contains("not valid UTF-8"), "{e}");
    assert!(e.contains("pass --name NAME"), "{e}");
    assert_eq!(env.api_requests(), 0);

    // With --name: uploaded intact under that name.
    let out = env
        .cmd()
        .arg("upload")
        .arg(&p)
        .args(["--name", "renamed.jsonl", "--json"])
        .succeeds();
    let docs = out.json_array();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["filename"], "renamed.jsonl");
    assert_eq!(docs[0]["bytes"], content.len() as u64);
    let posts: Vec<_> = env
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/v1/files")
        .collect();
    assert_eq!(posts.len(), 1);
    let file_part = posts[0]
        .form
        .iter()
        .find(|f| f.name == "file")
        .expect("file part");
    assert_eq!(file_part.filename.as_deref(), Some("renamed.jsonl"));
    assert_eq!(file_part.size, content.len() as u64);

    // With another, good path: the good one is uploaded, the bad one reported, exit 1.
    env.emu.clear_requests();
    let good = env.write("good.jsonl", &jsonl(1));
    let out = env.cmd().arg("upload").arg(&p).arg(&good).fails_with(1);
    let (o, e) = (&out.stdout, &out.stderr);
    assert!(o.contains("good.jsonl"), "{o}");
    assert!(e.contains("not valid UTF-8"), "{e}");
    assert!(e.contains("--name"), "{e}");
    assert!(e.contains("1 of 2 uploads failed"), "{e}");
    assert_eq!(env.api_requests(), 1);
}

/// `--name` with quotes, CR/LF, `;`, `%22`, backticks and non-ASCII: the library accepts them
/// (it refuses only `/`, `\`, NUL, empty, `.`, `..` and over 255 bytes) and sends them with
/// `filename*`; they reach the emulator intact (recorded form part and returned file object).
/// Human output never prints the raw control characters.
#[test]
fn name_with_quotes_and_crlf_reaches_the_server_intact() {
    let env = CliEnv::new(BIN);
    let names = [
        "q\"uote\r\nline.jsonl",
        "a\"; filename=\"evil.jsonl",
        "semi;colon %22 `tick` é\u{1F600}.jsonl",
        "tab\there\r.jsonl",
    ];
    for name in names {
        env.emu.clear_requests();
        let f = env.upload("src.jsonl", &jsonl(2), &["--name", name]);
        assert_eq!(f["filename"], name, "returned name for {name:?}");
        let reqs = env.emu.requests();
        let post = reqs
            .iter()
            .find(|r| r.method == "POST" && r.path == "/v1/files")
            .expect("upload recorded");
        let parts: Vec<_> = post.form.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            parts.iter().filter(|n| **n == "file").count(),
            1,
            "{parts:?}"
        );
        let file_part = post.form.iter().find(|p| p.name == "file").unwrap();
        assert_eq!(file_part.filename.as_deref(), Some(name));
        assert_eq!(file_part.size, jsonl(2).len() as u64);

        // The stored name is the same when read back, and `get` prints it without raw CR/LF.
        let id = f["id"].as_str().unwrap();
        let out = env.ok(&["get", id, "--json"]);
        assert_eq!(out.json()["filename"], name);
        let out = env.ok(&["get", id]);
        let o = &out.stdout;
        let line = o
            .lines()
            .find(|l| l.starts_with("filename:"))
            .expect("filename line");
        assert!(!line.contains('\r') && !line.contains('\t'), "{line:?}");
        assert!(!o.contains('\r'), "{o:?}");
    }
}

/// `ls --search` with `&`, `=`, `%`, `#`, `+`, `?`, spaces and non-ASCII: one `search` value on
/// the wire, exactly as typed, no injected query keys; the emulator's filter finds the file.
#[test]
fn search_with_url_special_characters_is_one_value() {
    let env = CliEnv::new(BIN);
    let name = "a&b=c%20d#e f+g?h é€.jsonl";
    let f = env.upload("src.jsonl", &jsonl(1), &["--name", name]);
    env.upload("other.jsonl", &jsonl(1), &[]);
    let queries = [
        "&b=c%20d#e f+g?h é€",
        "&",
        "=",
        "%20",
        "#e",
        " f+g",
        "?h é",
        "€.jsonl",
    ];
    for q in queries {
        env.emu.clear_requests();
        let out = env.ok(&["ls", "--json", "--search", q]);
        let docs = out.json_array();
        assert_eq!(docs.len(), 1, "search {q:?}: {docs:?}");
        assert_eq!(docs[0]["id"], f["id"], "search {q:?}");
        let reqs = env.emu.requests();
        let list: Vec<_> = reqs
            .iter()
            .filter(|r| r.method == "GET" && r.path == "/v1/files")
            .collect();
        assert!(!list.is_empty());
        for r in list {
            let searches: Vec<_> = r.query.iter().filter(|(k, _)| k == "search").collect();
            assert_eq!(searches.len(), 1, "{:?}", r.query);
            assert_eq!(searches[0].1, q, "{:?}", r.query);
            for (k, _) in &r.query {
                assert!(
                    ["search", "page", "page_size", "include_total"].contains(&k.as_str()),
                    "unexpected query key {k:?} in {:?}",
                    r.query
                );
            }
        }
    }
}

/// `url --expiry` is 1 to 168 hours, the service's bounds (which the emulator and the library
/// share): 168 works; 169 and 0 are usage errors naming `--expiry`, and nothing is sent.
#[test]
fn url_expiry_is_1_to_168_hours_checked_before_sending() {
    let env = CliEnv::new(BIN);
    let f = env.upload("u.jsonl", &jsonl(1), &[]);
    let id = f["id"].as_str().unwrap().to_string();

    env.cmd()
        .args(["url", &id, "--expiry", "168"])
        .assert()
        .success()
        .stdout(predicate::str::contains("/signed/"));

    for bad in ["169", "0", "87600"] {
        env.emu.clear_requests();
        env.cmd()
            .args(["url", &id, "--expiry", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--expiry"))
            .stderr(predicate::str::contains("1..=168"));
        assert_eq!(env.api_requests(), 0, "--expiry {bad} sent a request");
    }
}

/// An enum option's values are the spec's (`KNOWN`): listed by `--help` and by the usage error
/// (exit 2, nothing sent) that a value outside them gets, with a suggestion for a near miss.
#[test]
fn enum_options_list_the_spec_values_and_refuse_others() {
    let env = CliEnv::new(BIN);
    let p = path_arg(&env.write("ok.jsonl", &jsonl(1)));
    let cases: [(&[&str], &str, &[&str]); 5] = [
        (&["upload", &p], "--purpose", FilePurpose::KNOWN),
        (&["upload", &p], "--visibility", FileVisibility::KNOWN),
        (&["ls"], "--purpose", FilePurpose::KNOWN),
        (&["ls"], "--sample-type", SampleType::KNOWN),
        (&["ls"], "--source", Source::KNOWN),
    ];
    for (cmd, opt, known) in cases {
        let listed = format!("[possible values: {}]", known.join(", "));
        let help = bare_cmd().args([cmd[0], "--help"]).succeeds();
        let o = &help.stdout;
        assert!(o.contains(&listed), "{cmd:?} --help: {listed} in {o}");
        for bad in ["not-a-value", ""] {
            let out = env.cmd().args(cmd).args([opt, bad]).fails_with(2);
            let e = &out.stderr;
            assert!(
                e.contains(opt) && e.contains(&listed),
                "{cmd:?} {opt} {bad:?}: {e}"
            );
        }
        // a near miss of a known value (its last character dropped) suggests that value
        let near = &known[0][..known[0].len() - 1];
        let out = env.cmd().args(cmd).args([opt, near]).fails_with(2);
        let e = &out.stderr;
        assert!(
            e.contains(&format!("'{}'", known[0])),
            "{cmd:?} {opt} {near}: {e}"
        );
    }
    // upload's default purpose is shown, and is the service's
    bare_cmd()
        .args(["upload", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "[default: {}]",
            FilePurpose::FineTune
        )));
    assert_eq!(env.api_requests(), 0);
}
