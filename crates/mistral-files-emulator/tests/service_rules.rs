//! The service's own parsing rules (`api-facts`: "what the service really does that the spec
//! does not say"), sent as raw HTTP so that no client library normalises anything: refusals are
//! answers (never resets), control characters in part headers are kept, integers are read
//! laxly, signed URLs live 1 to 168 hours, OCR takes the service's list of types, and a file
//! sent without a purpose is checked as fine-tuning JSONL, its errors in the service's shape.

use mistral_files_emulator::RunningEmulator;
use mistral_files_test_support::http::*;
use mistral_files_test_support::{emulator, emulator_with};
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
    let many_parts = multipart_body(&(0..65).map(|_| Part::Text("note", "v")).collect::<Vec<_>>());
    let bad_header =
        format!("--{BOUNDARY}\r\nthis line has no colon\r\n\r\nvalue\r\n").into_bytes();
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

/// Sends an upload of `body` (a whole multipart body of [`BOUNDARY`]) as raw HTTP; its status
/// and JSON body.
async fn raw_upload(emu: &mistral_files_emulator::RunningEmulator, body: &[u8]) -> (u16, Value) {
    answer(&raw_http(emu, &[upload_head(body.len()), body.to_vec()].concat()).await)
}

/// A raw `GET` with the key; its status and JSON body.
async fn raw_get_json(emu: &mistral_files_emulator::RunningEmulator, path: &str) -> (u16, Value) {
    answer(&raw_get(emu, path, true).await)
}

#[tokio::test]
async fn control_characters_in_part_names_and_file_names_are_stored_as_sent() {
    let emu = emulator().await;
    // raw bytes in the part header: SOH, ESC, tab, DEL, a C1 control in UTF-8, no RFC 5987
    let name = "ctl\u{1}\u{1b}[31m\tx\u{7f}\u{85}.jsonl";
    let body = [
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/jsonl\r\n\r\n{{}}\n\r\n"
        )
        .into_bytes(),
        // a text part whose name holds a control character is read (and ignored) too
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\u{2}\"\r\n\r\nv\r\n--{BOUNDARY}--\r\n")
            .into_bytes(),
    ]
    .concat();
    let (status, f) = raw_upload(&emu, &body).await;
    assert_eq!(status, 200, "{f}");
    assert_eq!(f["filename"], name);
    let (_, again) = raw_get_json(&emu, &format!("/v1/files/{}", f["id"].as_str().unwrap())).await;
    assert_eq!(again["filename"], name);
    let up = emu
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    let names: Vec<&str> = up.form.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["file", "note\u{2}"]);
    // CR cannot be inside a header line (python-multipart refuses a bare one): an answer, 400
    let body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\rb.jsonl\"\r\n\r\n{{}}\r\n--{BOUNDARY}--\r\n"
    );
    let (status, b) = raw_upload(&emu, body.as_bytes()).await;
    assert_eq!(
        (status, b),
        (
            400,
            json!({"detail": "There was an error parsing the body"})
        )
    );
}

#[tokio::test]
async fn integers_written_10_0_or_1_0_are_accepted_as_pydantic_reads_them() {
    let emu = emulator().await;
    for i in 0..3 {
        upload(&emu, &format!("f{i}.jsonl"), b"{}\n", &[]).await;
    }
    for (query, page_size) in [
        ("page_size=2.0", 2),
        ("page_size=1_0", 3),
        ("page_size=%202%20", 2),
        ("page_size=2.000&page=0.0", 2),
    ] {
        let (status, b) = raw_get_json(&emu, &format!("/v1/files?{query}")).await;
        assert_eq!(status, 200, "{query}: {b}");
        assert_eq!(b["data"].as_array().unwrap().len(), page_size, "{query}");
    }
    for bad in ["2.5", "1__0", "_1", "1e1", "0x2"] {
        let (status, b) = raw_get_json(&emu, &format!("/v1/files?page_size={bad}")).await;
        assert_eq!(status, 422, "{bad}: {b}");
        assert_eq!(b["detail"][0]["type"], "int_parsing", "{bad}");
    }
    // the upload's expiry (a form field) and the signed URL's (a query value) too
    let f = upload(&emu, "e.jsonl", b"{}\n", &[("expiry", "2.0")]).await;
    assert_eq!(
        f["expires_at"].as_i64().unwrap() - f["created_at"].as_i64().unwrap(),
        2 * 3600
    );
    let f = upload(&emu, "e.jsonl", b"{}\n", &[("expiry", "1_2")]).await;
    assert_eq!(
        f["expires_at"].as_i64().unwrap() - f["created_at"].as_i64().unwrap(),
        12 * 3600
    );
    let id = f["id"].as_str().unwrap();
    for q in ["expiry=24.0", "expiry=1_68"] {
        let (status, b) = raw_get_json(&emu, &format!("/v1/files/{id}/url?{q}")).await;
        assert_eq!(status, 200, "{q}: {b}");
    }
}

#[tokio::test]
async fn signed_url_expiry_is_1_to_168_hours() {
    let emu = emulator().await;
    let f = upload(&emu, "u.jsonl", b"{}\n", &[]).await;
    let id = f["id"].as_str().unwrap();
    for ok in ["1", "168", "24"] {
        let (status, b) = raw_get_json(&emu, &format!("/v1/files/{id}/url?expiry={ok}")).await;
        assert_eq!(status, 200, "{ok}: {b}");
    }
    for (bad, kind) in [
        ("169", "less_than_equal"),
        ("87600", "less_than_equal"),
        ("0", "greater_than_equal"),
    ] {
        let (status, b) = raw_get_json(&emu, &format!("/v1/files/{id}/url?expiry={bad}")).await;
        assert_eq!(status, 422, "{bad}: {b}");
        assert_eq!(b["detail"][0]["type"], kind, "{bad}");
        assert_eq!(b["detail"][0]["loc"], json!(["query", "expiry"]));
    }
    let (_, b) = raw_get_json(&emu, &format!("/v1/files/{id}/url?expiry=169")).await;
    assert_eq!(
        b["detail"][0]["msg"],
        "Input should be less than or equal to 168"
    );
}

#[tokio::test]
async fn ocr_takes_the_services_documents_and_any_image() {
    let emu = emulator().await;
    let ocr = |filename: &str, part_type: &str| {
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nocr\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {part_type}\r\n\r\ndata\r\n--{BOUNDARY}--\r\n"
        )
    };
    for (filename, part_type, mimetype) in [
        (
            "book.epub",
            "application/octet-stream",
            "application/epub+zip",
        ),
        ("letter.rtf", "application/octet-stream", "application/rtf"),
        (
            "notes.odt",
            "application/octet-stream",
            "application/vnd.oasis.opendocument.text",
        ),
        (
            "paper.tex",
            "application/octet-stream",
            "application/x-latex",
        ),
        (
            "nb.ipynb",
            "application/octet-stream",
            "application/x-ipynb+json",
        ),
        (
            "refs.bib",
            "application/octet-stream",
            "application/x-bibtex",
        ),
        ("refs", "application/x-biblatex", "application/x-biblatex"),
        (
            "article",
            "application/x-jats+xml",
            "application/x-jats+xml",
        ),
        ("page", "text/x-dokuwiki", "text/x-dokuwiki"),
        ("man.1.roff", "application/octet-stream", "text/troff"),
        ("logo.svg", "application/octet-stream", "image/svg+xml"),
        ("photo.heic", "application/octet-stream", "image/heic"),
        (
            "raw-scan",
            "image/x-portable-anymap",
            "image/x-portable-anymap",
        ),
        ("scan.pdf", "application/octet-stream", "application/pdf"),
    ] {
        let (status, b) = raw_upload(&emu, ocr(filename, part_type).as_bytes()).await;
        assert_eq!(status, 200, "{filename}: {b}");
        assert_eq!(b["mimetype"], mimetype, "{filename}");
        assert_eq!(b["purpose"], "ocr");
    }
    let (status, b) = raw_upload(&emu, ocr("a.zip", "application/zip").as_bytes()).await;
    assert_eq!(status, 422, "{b}");
    let message = b["message"].as_str().unwrap();
    assert!(
        message.contains("application/pdf, image/.*, application/vnd.openxmlformats"),
        "{message}"
    );
    assert!(message.contains("application/epub+zip"), "{message}");
}

#[tokio::test]
async fn without_a_purpose_the_file_is_checked_as_fine_tuning_jsonl() {
    let emu = emulator().await;
    bad_lines_are_listed_in_the_services_shape(&emu).await;
    a_file_that_is_not_utf8_is_refused(&emu).await;
    only_fine_tune_is_checked_line_by_line(&emu).await;
    an_explicit_fine_tune_purpose_checks_the_format_first(&emu).await;
    let (_, list) = get_json(&emu, "/v1/files").await;
    assert_eq!(list["total"], 2, "only the two good uploads are stored");
}

/// A PDF and a file with a line that is not an object, both sent without a purpose.
async fn bad_lines_are_listed_in_the_services_shape(emu: &RunningEmulator) {
    let (status, b) = raw_upload(
        emu,
        &multipart_body(&[file_part("scan.pdf", b"%PDF-1.4\n%fake\n")]),
    )
    .await;
    assert_eq!(status, 422, "{b}");
    assert_eq!(b["detail"], "Invalid file format.");
    assert!(
        b["description"]
            .as_str()
            .unwrap()
            .starts_with("Found 2 errors in this file."),
        "{b}"
    );
    let errors = b["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["line_number"], 1);
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("line contains invalid json: "));
    assert_eq!(errors[1]["line_number"], 2);
    // the keys in the service's order
    let raw = raw_http(
        emu,
        &[
            upload_head(multipart_body(&[file_part("b.jsonl", b"{}\n[1]\n")]).len()),
            multipart_body(&[file_part("b.jsonl", b"{}\n[1]\n")]),
        ]
        .concat(),
    )
    .await;
    assert!(
        raw.contains(r#"{"detail":"Invalid file format.","description":"Found 1 error in this file. Every line must be a JSON object.","errors":[{"message":"line is not a JSON object","line_number":2}]}"#),
        "{raw}"
    );
}

async fn a_file_that_is_not_utf8_is_refused(emu: &RunningEmulator) {
    let (status, b) = raw_upload(
        emu,
        &multipart_body(&[file_part("x.jsonl", b"{\"a\":\"\xff\"}\n")]),
    )
    .await;
    assert_eq!(
        (status, b),
        (
            422,
            json!({"detail": "Failed to decode data, please encode your file using UTF-8."})
        )
    );
}

async fn only_fine_tune_is_checked_line_by_line(emu: &RunningEmulator) {
    // good JSONL without a purpose is stored as fine-tune; the same file as `batch` is not
    // checked line by line; `fine-tune` given after the file is checked all the same
    let (status, f) = raw_upload(
        emu,
        &multipart_body(&[file_part("ok.jsonl", b"{\"a\":1}\n")]),
    )
    .await;
    assert_eq!(
        (status, f["purpose"].clone()),
        (200, json!("fine-tune")),
        "{f}"
    );
    let bad = b"not json\n";
    let (status, _) = raw_upload(
        emu,
        &multipart_body(&[file_part("b.jsonl", bad), Part::Text("purpose", "batch")]),
    )
    .await;
    assert_eq!(status, 200);
    let (status, b) = raw_upload(
        emu,
        &multipart_body(&[
            Part::Text("purpose", "batch"),
            file_part("b.jsonl", bad),
            Part::Text("purpose", "fine-tune"),
        ]),
    )
    .await;
    assert_eq!(
        (status, b["errors"][0]["line_number"].clone()),
        (422, json!(1)),
        "{b}"
    );
}

/// With an explicit fine-tune purpose, the format rule speaks first.
async fn an_explicit_fine_tune_purpose_checks_the_format_first(emu: &RunningEmulator) {
    let (status, b) = raw_upload(
        emu,
        &multipart_body(&[
            file_part("a.zip", b"PK"),
            Part::Text("purpose", "fine-tune"),
        ]),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        b["message"].as_str().unwrap().contains("application/zip"),
        "{b}"
    );
}

#[tokio::test]
async fn if_range_gives_the_range_only_while_the_etag_matches() {
    let emu = emulator().await;
    let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let f = upload(&emu, "r.jsonl", &data, &[("purpose", "batch")]).await;
    let id = f["id"].as_str().unwrap();
    let path = format!("/v1/files/{id}/content");
    let resp = send(get(&emu, &path)).await;
    let etag = resp.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "{etag}");
    let resp = send(
        get(&emu, &path)
            .header("range", "bytes=4000-")
            .header("if-range", &etag),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(resp.bytes().await.unwrap(), data[4000..]);
    for stale in ["\"not-the-etag\"", "Wed, 21 Oct 2015 07:28:00 GMT"] {
        let resp = send(
            get(&emu, &path)
                .header("range", "bytes=4000-")
                .header("if-range", stale),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::OK, "{stale}");
        assert_eq!(resp.bytes().await.unwrap(), data, "{stale}: the whole file");
    }
}
