//! The messages a user sees when something goes wrong, each with its exit code: one message and
//! at most one hint, naming what the user can act on (the address that refused, the directory that
//! is missing, the field the server refused), and retries as one plain line each.

use mistral_files_test_support::cli::{cli, CliEnv, Outcome, Run};
use mistral_files_test_support::{http_response, jsonl, refused_url, ScriptedServer, FILE_ID, KEY};

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_mistral-files");

/// The `hint:` lines of stderr.
fn hints(out: &Outcome) -> Vec<&str> {
    out.stderr
        .lines()
        .filter(|l| l.trim_start().starts_with("hint:"))
        .collect()
}

/// A line is a retry line: `retrying in 1.2 s (n/of): reason`.
fn is_retry_line(line: &str, n: u32, of: u32, reason: &str) -> bool {
    let Some(rest) = line.strip_prefix("retrying in ") else {
        return false;
    };
    let Some((secs, tail)) = rest.split_once(" s ") else {
        return false;
    };
    secs.parse::<f64>().is_ok() && tail == format!("({n}/{of}): {reason}")
}

#[test]
fn refused_connection_names_the_address_and_serve() {
    let url = refused_url();
    let out = cli(BIN)
        .env("MISTRAL_API_KEY", KEY)
        .args(["ls", "--retries", "2", "--base-url", &url])
        .fails_with(1);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.stderr);
    let reason = format!("could not connect to {url}");
    assert!(is_retry_line(lines[0], 1, 2, &reason), "{}", lines[0]);
    assert!(is_retry_line(lines[1], 2, 2, &reason), "{}", lines[1]);
    assert_eq!(
        lines[2],
        format!("error: list files: could not connect to {url}: connection refused")
    );
    assert_eq!(
        lines[3],
        "  hint: is the server running? `mistral-files serve` starts a local one; or check --base-url / MISTRAL_BASE_URL"
    );
    assert!(!out.stderr.contains("WARN"), "log records: {}", out.stderr);
    assert!(out.stdout.is_empty());
    out.assert_no_key();
}

#[test]
fn base_url_ending_in_v1_is_refused_before_any_request() {
    let env = CliEnv::new(BIN);
    let with_v1 = format!("{}/v1", env.url());
    let by_option = env.fails(2, &["ls", "--base-url", &with_v1]);
    let by_env = env
        .cmd()
        .env("MISTRAL_BASE_URL", format!("{with_v1}/"))
        .arg("ls")
        .fails_with(2);
    for out in [by_option, by_env] {
        let e = &out.stderr;
        assert!(
            e.contains(&format!("the base URL {with_v1} ends in /v1")),
            "{e}"
        );
        assert_eq!(
            hints(&out),
            [format!(
                "  hint: use --base-url {} (or set MISTRAL_BASE_URL to it)",
                env.url()
            )]
        );
    }
    assert_eq!(env.api_requests(), 0);
}

#[test]
fn not_found_is_explained_once_for_an_id_and_for_a_base_url() {
    let env = CliEnv::new(BIN);
    let out = env.fails(1, &["get", FILE_ID]);
    let e = &out.stderr;
    assert!(
        e.starts_with(&format!(
            "error: get {FILE_ID}: no such file (HTTP 404 Not Found: File not found)\n"
        )),
        "{e}"
    );
    assert_eq!(e.matches("mistral-files ls").count(), 1, "{e}");
    assert_eq!(e.matches("deleted").count(), 1, "the advice twice: {e}");
    assert_eq!(hints(&out).len(), 1);

    // `ls` has no id: a 404 there means the base URL is wrong.
    let prefixed = format!("{}/prefix", env.url());
    let out = env.fails(1, &["ls", "--base-url", &prefixed]);
    let e = &out.stderr;
    assert!(
        e.contains(&format!("nothing answers at {prefixed}/v1/files")),
        "{e}"
    );
    assert!(!e.contains("check the id"), "{e}");
    assert_eq!(hints(&out).len(), 1);
    assert!(hints(&out)[0].contains("--base-url"), "{e}");
}

#[test]
fn a_422_prints_what_the_server_refused() {
    let env = CliEnv::new(BIN);
    // a JSONL file the service refuses: its description and one line per bad line
    let bad = env.write("bad.jsonl", b"{\"ok\": 1}\nnot json\n");
    let out = env
        .cmd()
        .arg("upload")
        .arg(&bad)
        .args(["--purpose", "fine-tune"])
        .fails_with(1);
    let e = &out.stderr;
    assert!(
        e.contains("the server refused the request (HTTP 422 Unprocessable Entity)"),
        "{e}"
    );
    assert!(e.contains("\n  - line 2: "), "{e}");
    // a format the purpose does not take: the service's words, before sending (exit 2)
    let sent = env.api_requests();
    let p = env.write("notes.txt", b"hello\n");
    let out = env
        .cmd()
        .arg("upload")
        .arg(&p)
        .args(["--purpose", "ocr"])
        .fails_with(2);
    let e = &out.stderr;
    assert!(e.contains("invalid file format for --purpose ocr: \"notes.txt\" is text/plain, only application/pdf"), "{e}");
    assert_eq!(env.api_requests(), sent);
}

#[test]
fn a_signed_urls_403_says_it_expired_or_is_invalid() {
    let env = CliEnv::new(BIN);
    let body = jsonl(3);
    let f = env.upload("s.jsonl", &body, &[]);
    let id = f["id"].as_str().unwrap();
    let url = env
        .ok(&["url", id, "--expiry", "1"])
        .stdout
        .trim()
        .to_string();

    // The URL works without any key (none set at all).
    let ok = env.path("ok.jsonl");
    env.bare_cmd()
        .current_dir(env.dir.path())
        .args(["download", &url, "-o", "ok.jsonl"])
        .succeeds();
    assert_eq!(std::fs::read(&ok).unwrap(), body);

    let tampered = format!("{}0", url.trim_end_matches(|c: char| c.is_ascii_hexdigit()));
    env.emu
        .advance_clock(std::time::Duration::from_secs(2 * 3600));
    for bad in [tampered.as_str(), url.as_str()] {
        let out = env.fails(1, &["download", bad, "-o", "bad.jsonl"]);
        assert_eq!(
            out.stderr.trim_end(),
            "error: download signed URL: the signed URL expired or is invalid (HTTP 403 Forbidden)\n  \
             hint: get a new one with `mistral-files url ID`"
        );
        assert!(!env.path("bad.jsonl").exists());
    }
    // A signed URL needs a target path: it carries no name.
    let out = env.fails(2, &["download", &url]);
    assert!(
        out.stderr.contains("does not carry the file's name"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_missing_directory_is_named_before_any_request() {
    let env = CliEnv::new(BIN);
    let out = env.fails(1, &["download", FILE_ID, "-o", "nodir/x.jsonl"]);
    assert_eq!(
        out.stderr.trim_end(),
        "error: cannot write nodir/x.jsonl: the directory nodir does not exist\n  \
         hint: create it first (mkdir -p nodir), or choose another -o"
    );
    assert!(!out.stderr.contains(".part"));
    assert_eq!(env.api_requests(), 0);
}

#[test]
fn retries_are_one_plain_line_each_and_none_in_json() {
    let env = CliEnv::new(BIN);
    env.emu.faults().fail_next(2, 503, None);
    let out = env.ok(&["ls"]);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stderr);
    assert!(
        is_retry_line(lines[0], 1, 3, "HTTP 503 Service Unavailable"),
        "{}",
        lines[0]
    );
    assert!(
        is_retry_line(lines[1], 2, 3, "HTTP 503 Service Unavailable"),
        "{}",
        lines[1]
    );

    env.emu.faults().fail_next(1, 503, None);
    let out = env.ok(&["ls", "--json"]);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    assert_eq!(out.json_array().len(), 0);
}

#[test]
fn an_error_quotes_the_request_id_once() {
    let env = CliEnv::new(BIN);
    let body = r#"{"object":"error","message":"boom","type":"internal","param":null,"code":"500"}"#;
    let srv = env.block_on(ScriptedServer::start(move |_, _| {
        http_response(
            "500 Internal Server Error",
            &[
                ("content-type", "application/json".into()),
                ("content-length", body.len().to_string()),
                ("x-request-id", "req-7f3a".into()),
            ],
            body.as_bytes(),
        )
    }));
    let args = ["get", FILE_ID, "--retries", "0", "--base-url", &srv.url];
    let out = env.fails(1, &args);
    let e = &out.stderr;
    assert!(e.contains("the server failed (HTTP 500 Internal Server Error: boom (code 500)) [request id req-7f3a]"), "{e}");
    assert_eq!(e.matches("req-7f3a").count(), 1, "{e}");
    let out = env.cmd().args(args).arg("--json").fails_with(1);
    let err = &out.stderr_json()["error"];
    assert_eq!(err["request_id"], "req-7f3a");
    assert_eq!(err["status"], 500);
    assert_eq!(err["exit_code"], 1);
}

#[test]
fn verbosity_adds_requests_then_library_then_http_stack() {
    let env = CliEnv::new(BIN);
    let quiet = env.ok(&["ls"]);
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);

    let v = env.ok(&["ls", "-v"]);
    let lines: Vec<&str> = v.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", v.stderr);
    let (head, ms) = lines[0]
        .split_once(" → 200 in ")
        .unwrap_or_else(|| panic!("a request line: {:?}", lines[0]));
    assert_eq!(head, "GET /v1/files");
    assert!(
        ms.ends_with(" ms") && ms.trim_end_matches(" ms").parse::<u64>().is_ok(),
        "{ms}"
    );

    let missing = env.fails(1, &["get", FILE_ID, "-v"]);
    assert!(
        missing
            .stderr
            .contains(&format!("GET /v1/files/{FILE_ID} → 404 in ")),
        "{}",
        missing.stderr
    );
    assert!(!missing.stderr.contains("DEBUG"), "{}", missing.stderr);

    let vv = env.fails(1, &["get", FILE_ID, "-vv"]);
    assert!(
        vv.stderr.contains("DEBUG") && vv.stderr.contains("mistral_files::retry"),
        "{}",
        vv.stderr
    );
    assert!(!vv.stderr.contains("hyper_util"), "{}", vv.stderr);

    let vvv = env.ok(&["ls", "-vvv"]);
    assert!(
        vvv.stderr.contains("hyper_util") || vvv.stderr.contains("reqwest::connect"),
        "{}",
        vvv.stderr
    );
    for out in [v, missing, vv, vvv] {
        out.assert_no_key();
    }
}
