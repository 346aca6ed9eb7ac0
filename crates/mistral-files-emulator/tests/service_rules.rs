//! The service's own parsing rules (`api-facts`: "what the service really does that the spec
//! does not say"), sent as raw HTTP so that no client library normalises anything: refusals are
//! answers (never resets), control characters in part headers are kept, integers are read
//! laxly, signed URLs live 1 to 168 hours, OCR takes the service's list of types, and a file
//! sent without a purpose is checked as fine-tuning JSONL, its errors in the service's shape.

use mistral_files_test_support::http::*;
use mistral_files_test_support::{emulator, emulator_with, KEY};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The status code and JSON body of a raw HTTP answer.
fn answer(raw: &str) -> (u16, Value) {
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {raw:?}"));
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (
        status,
        serde_json::from_str(body.trim()).unwrap_or(Value::String(body.to_string())),
    )
}

/// A form whose refusal comes early, followed by 4 MiB more that a client keeps sending.
fn with_a_large_tail(mut early: Vec<u8>) -> Vec<u8> {
    early.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"tail.jsonl\"\r\n\r\n"
        )
        .as_bytes(),
    );
    early.extend(std::iter::repeat_n(b'x', 4 * 1024 * 1024));
    early.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    early
}

#[tokio::test]
async fn mid_body_refusals_are_answered_to_a_client_that_keeps_sending() {
    let emu = emulator_with(|b| b.max_upload_bytes(1024 * 1024)).await;
    let big_field = multipart_body(&[Part::Text("purpose", &"x".repeat(70 * 1024))]);
    let many_parts = multipart_body(
        &(0..65)
            .map(|_| Part::Text("note", "v"))
            .collect::<Vec<_>>(),
    );
    let bad_header = format!("--{BOUNDARY}\r\nthis line has no colon\r\n\r\nvalue\r\n").into_bytes();
    let file_over_limit = multipart_body(&[file_part("big.jsonl", &vec![b'{'; 3 * 1024 * 1024])]);
    // the closing delimiter of each early form is dropped so the tail continues the form
    let strip_close = |mut b: Vec<u8>| {
        let close = format!("--{BOUNDARY}--\r\n");
        b.truncate(b.len() - close.len());
        b
    };
    for (what, body, status, detail) in [
        (
            "a field over 64 KiB",
            with_a_large_tail(strip_close(big_field)),
            413,
            "Form field too large",
        ),
        (
            "more than 64 parts",
            with_a_large_tail(strip_close(many_parts)),
            413,
            "Too many form parts",
        ),
        (
            "a part header that cannot be parsed",
            with_a_large_tail(bad_header),
            400,
            "There was an error parsing the body",
        ),
        (
            "a file over the limit",
            file_over_limit,
            413,
            "File too large",
        ),
    ] {
        let (written, raw) = keep_sending(emu.addr(), &upload_head(body.len()), &body).await;
        assert!(written, "{what}: the client could not send its whole body");
        let (got, b) = answer(&raw);
        assert_eq!(got, status, "{what}: {raw}");
        assert!(
            b["detail"].as_str().unwrap_or_default().starts_with(detail),
            "{what}: {b}"
        );
    }
    let (_, list) = get_json(&emu, "/v1/files").await;
    assert_eq!(list["total"], 0);
    assert!(eventually(|| entries(&emu.data_dir().join("tmp")).is_empty()).await);
    // the server is still answering
    let (s, _) = get_json(&emu, "/v1/files").await;
    assert_eq!(s, StatusCode::OK);
}
