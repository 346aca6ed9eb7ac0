//! `mistral-files serve` (a child process) follows the service's own parsing rules, checked with
//! raw HTTP requests, byte for byte as written: control characters in part headers, lax
//! integers, signed URLs of 1 to 168 hours, the OCR types, a file without a purpose checked as
//! fine-tuning JSONL (errors with line numbers), and a refusal in the middle of a body answered
//! to a client that keeps sending. (Each rule in detail: the emulator's `service_rules.rs`.)

use std::io::{Read, Write};
use std::net::TcpStream;

use mistral_files_test_support::cli::{raw_http, Serve};
use mistral_files_test_support::KEY;
use serde_json::Value;

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_mistral-files");
const B: &str = "raw-rules-boundary";

/// Status and JSON body of a raw answer.
fn answer(raw: &str) -> (u16, Value) {
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {raw:?}"));
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (
        status,
        serde_json::from_str(body.trim()).unwrap_or(Value::String(body.to_string())),
    )
}

fn get(srv: &Serve, path: &str) -> (u16, Value) {
    answer(&raw_http(
        &srv.addr(),
        format!("GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    ))
}

fn head(len: usize) -> Vec<u8> {
    format!("POST /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nContent-Type: multipart/form-data; boundary={B}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n").into_bytes()
}

/// A form: `(name, filename, content)` parts, the header bytes exactly as given.
fn form(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, filename, content) in parts {
        body.extend_from_slice(
            format!("--{B}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
        );
        if let Some(f) = filename {
            body.extend_from_slice(format!("; filename=\"{f}\"").as_bytes());
        }
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{B}--\r\n").as_bytes());
    body
}

fn post(srv: &Serve, body: &[u8]) -> (u16, Value) {
    answer(&raw_http(
        &srv.addr(),
        &[head(body.len()), body.to_vec()].concat(),
    ))
}

#[test]
fn serve_follows_the_services_parsing_rules_over_raw_http() {
    let work = tempfile::tempdir().unwrap();
    let srv = Serve::start(BIN, &[], work.path().join("serve.log"));

    // control characters in a part's file name are stored as sent
    let name = "a\u{1}b\u{1b}c\u{7f}.jsonl";
    let (s, f) = post(&srv, &form(&[("file", Some(name), b"{}\n")]));
    assert_eq!(s, 200, "{f}");
    assert_eq!(f["filename"], name);
    let id = f["id"].as_str().unwrap().to_string();

    integers_are_read_laxly(&srv);
    signed_url_expiry_is_1_to_168_hours(&srv, &id);
    ocr_takes_the_services_documents_and_any_image(&srv);
    no_purpose_is_checked_as_fine_tuning_jsonl(&srv);
    a_refusal_mid_body_is_answered_after_the_whole_body(&srv);
}

/// Integers written 10.0 or 1_0 are read as pydantic's lax mode reads them.
fn integers_are_read_laxly(srv: &Serve) {
    for q in ["page_size=1.0", "page_size=1_0", "page=0.0&page_size=2"] {
        let (s, b) = get(srv, &format!("/v1/files?{q}"));
        assert_eq!(s, 200, "{q}: {b}");
    }
    let (s, b) = get(srv, "/v1/files?page_size=1.5");
    assert_eq!(
        (s, b["detail"][0]["type"].clone()),
        (422, "int_parsing".into())
    );
}

fn signed_url_expiry_is_1_to_168_hours(srv: &Serve, id: &str) {
    assert_eq!(get(srv, &format!("/v1/files/{id}/url?expiry=168")).0, 200);
    assert_eq!(
        get(srv, &format!("/v1/files/{id}/url?expiry=1_68.0")).0,
        200
    );
    let (s, b) = get(srv, &format!("/v1/files/{id}/url?expiry=169"));
    assert_eq!(
        (s, b["detail"][0]["type"].clone()),
        (422, "less_than_equal".into()),
        "{b}"
    );
}

fn ocr_takes_the_services_documents_and_any_image(srv: &Serve) {
    for (filename, _) in [("book.epub", ()), ("paper.tex", ()), ("photo.heic", ())] {
        let (s, b) = post(
            srv,
            &form(&[("purpose", None, b"ocr"), ("file", Some(filename), b"x")]),
        );
        assert_eq!(s, 200, "{filename}: {b}");
    }
}

/// Without a purpose a file is checked as fine-tuning JSONL, its errors with line numbers.
fn no_purpose_is_checked_as_fine_tuning_jsonl(srv: &Serve) {
    let (s, b) = post(
        srv,
        &form(&[("file", Some("scan.pdf"), b"%PDF-1.4\n{}\n%%EOF\n")]),
    );
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["detail"], "Invalid file format.");
    assert!(
        b["description"]
            .as_str()
            .unwrap()
            .starts_with("Found 2 errors"),
        "{b}"
    );
    let lines: Vec<i64> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line_number"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, [1, 3]);
}

/// A refusal mid-body (a field over 64 KiB), then 4 MiB more: the client that keeps sending
/// writes everything and reads the 413.
fn a_refusal_mid_body_is_answered_after_the_whole_body(srv: &Serve) {
    let mut body =
        format!("--{B}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n").into_bytes();
    body.extend(std::iter::repeat_n(b'p', 70 * 1024));
    body.extend_from_slice(format!("\r\n--{B}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.jsonl\"\r\n\r\n").as_bytes());
    body.extend(std::iter::repeat_n(b'x', 4 * 1024 * 1024));
    body.extend_from_slice(format!("\r\n--{B}--\r\n").as_bytes());
    let mut s = TcpStream::connect(srv.addr()).unwrap();
    let mut written = s.write_all(&head(body.len())).is_ok();
    for piece in body.chunks(64 * 1024) {
        written &= s.write_all(piece).is_ok();
    }
    assert!(written, "the whole body could be sent");
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (status, b) = answer(&out);
    assert_eq!(status, 413, "{out}");
    assert!(
        b["detail"]
            .as_str()
            .unwrap()
            .starts_with("Form field too large"),
        "{b}"
    );
}

#[test]
fn serve_rate_limit_answers_429_with_retry_after_and_the_services_body() {
    let work = tempfile::tempdir().unwrap();
    let srv = Serve::start(BIN, &["--rate-limit", "1/s"], work.path().join("serve.log"));
    let request = format!(
        "GET /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nConnection: close\r\n\r\n"
    );
    // a burst of 1: the first passes; one of the next few (at once, well within a second) not
    let raw = (0..50)
        .map(|_| raw_http(&srv.addr(), request.as_bytes()))
        .find(|raw| answer(raw).0 != 200)
        .expect("a request refused by a limit of 1/s");
    let (status, body) = answer(&raw);
    assert_eq!(status, 429, "{raw}");
    assert_eq!(
        body,
        serde_json::json!({"object":"error","message":"Requests rate limit exceeded","type":"rate_limited","param":null,"code":"1300"})
    );
    let retry_after = raw
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("retry-after")
                .then(|| value.trim().parse::<u64>().ok())?
        })
        .unwrap_or_else(|| panic!("no Retry-After in {raw}"));
    assert!(retry_after >= 1, "{raw}");
}
