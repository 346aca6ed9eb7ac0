//! Auth and uploads, driven with reqwest (and raw TCP where a client would normalise the
//! request) against an emulator on 127.0.0.1:0: every field filled in, the defaults, FastAPI's
//! validation errors, the format checks and the size limit.

use mistral_files_emulator::{Emulator, RunningEmulator};
use mistral_files_test_support::http::*;
use mistral_files_test_support::{emulator, emulator_with, sha256_hex, KEY};
use reqwest::StatusCode;
use serde_json::{json, Value};

const JSONL: &[u8] =
    b"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n{\"a\":1}\n{\"b\":2}";

#[tokio::test]
async fn auth_is_required_on_every_api_route_and_the_key_is_never_recorded() {
    let emu = emulator().await;
    let c = http_client();
    for (method, path) in [
        ("GET", "/v1/files".to_string()),
        ("POST", "/v1/files".to_string()),
        ("GET", format!("/v1/files/{}", uuid::Uuid::new_v4())),
        ("DELETE", format!("/v1/files/{}", uuid::Uuid::new_v4())),
        ("GET", format!("/v1/files/{}/content", uuid::Uuid::new_v4())),
        ("GET", format!("/v1/files/{}/url", uuid::Uuid::new_v4())),
        ("GET", "/v1/nothing-here".to_string()),
    ] {
        let url = format!("{}{path}", emu.url());
        let m: reqwest::Method = method.parse().unwrap();
        let (s, b) = send_json(c.request(m.clone(), &url)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(b, json!({"detail": "Unauthorized"}));
        let (s, b) = send_json(c.request(m.clone(), &url).bearer_auth("wrong-key")).await;
        assert_eq!(
            (s, b),
            (StatusCode::UNAUTHORIZED, json!({"detail": "Unauthorized"}))
        );
        let (s, _) = send_json(
            c.request(m, &url)
                // the right key, base64-encoded, under the wrong scheme
                .header("authorization", "Basic c2stdGVzdC1TM0NSM1QtN2MxZjBl"),
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, b) = get_json(&emu, "/v1/files").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // scheme is case-insensitive
    let (s, _) = send_json(
        c.get(format!("{}/v1/files", emu.url()))
            .header("authorization", format!("bearer {KEY}")),
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    let reqs = emu.requests();
    assert!(reqs.iter().any(|r| r.has_auth));
    assert!(reqs.iter().any(|r| !r.has_auth));
    for r in &reqs {
        for (name, value) in &r.headers {
            assert!(
                !value.contains(KEY) && !value.contains("wrong-key"),
                "{name}: {value}"
            );
            if name == "authorization" {
                assert_eq!(value, "<redacted>");
            }
        }
    }
}

#[tokio::test]
async fn no_auth_mode_accepts_requests_without_a_key() {
    let emu = Emulator::builder().no_auth().start().await.unwrap();
    let (s, _) = send_json(http_client().get(format!("{}/v1/files", emu.url()))).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn upload_fills_in_every_field_and_is_recorded() {
    let emu = emulator().await;
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let f = upload(
        &emu,
        "train.jsonl",
        JSONL,
        &[
            ("purpose", "fine-tune"),
            ("expiry", "2"),
            ("visibility", "user"),
        ],
    )
    .await;
    assert!(uuid::Uuid::parse_str(f["id"].as_str().unwrap()).is_ok());
    assert_eq!(f["object"], "file");
    assert_eq!(f["bytes"], JSONL.len());
    assert_eq!(f["filename"], "train.jsonl");
    assert_eq!(f["purpose"], "fine-tune");
    assert_eq!(f["sample_type"], "instruct");
    assert_eq!(f["source"], "upload");
    assert_eq!(f["num_lines"], 3);
    assert_eq!(f["mimetype"], "application/jsonl");
    assert_eq!(f["visibility"], "user");
    assert_eq!(f["signature"], sha256_hex(JSONL)[..32]);
    let created = f["created_at"].as_i64().unwrap();
    assert!(created >= before && created <= before + 60);
    assert_eq!(f["expires_at"].as_i64().unwrap(), created + 2 * 3600);
    // the body decodes as the raw crate's type
    let typed: mistral_files_raw::types::UploadedFile = serde_json::from_value(f.clone()).unwrap();
    assert_eq!(typed.bytes, Some(JSONL.len() as i64));

    let reqs = emu.requests();
    let up = reqs.iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(up.path, "/v1/files");
    let names: Vec<&str> = up.form.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["file", "purpose", "expiry", "visibility"]);
    let file = &up.form[0];
    assert_eq!(file.filename.as_deref(), Some("train.jsonl"));
    assert_eq!(
        file.content_type.as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(file.size, JSONL.len() as u64);
    assert_eq!(file.sha256, sha256_hex(JSONL));
    assert_eq!(file.text, None);
    assert_eq!(up.form[1].text.as_deref(), Some("fine-tune"));
    assert_eq!(up.form[2].text.as_deref(), Some("2"));
    assert_eq!(up.form[2].sha256, sha256_hex(b"2"));
}

#[tokio::test]
async fn upload_defaults_and_sample_type_per_purpose() {
    let emu = emulator().await;
    let f = upload(&emu, "a.jsonl", b"{}\n{}\n", &[]).await;
    assert_eq!(f["purpose"], "fine-tune");
    assert_eq!(f["sample_type"], "instruct");
    assert_eq!(f["visibility"], "workspace");
    assert_eq!(f["expires_at"], Value::Null);
    assert_eq!(f["num_lines"], 2);
    let f = upload(&emu, "b.jsonl", b"{}", &[("purpose", "batch")]).await;
    assert_eq!(f["sample_type"], "batch_request");
    assert_eq!(f["num_lines"], 1);
    let f = upload(&emu, "scan.pdf", b"%PDF-1.4", &[("purpose", "ocr")]).await;
    assert_eq!(f["sample_type"], "pretrain");
    assert_eq!(f["mimetype"], "application/pdf");
    assert_eq!(f["num_lines"], Value::Null, "num_lines only for JSONL");
    let f = upload(&emu, "empty.jsonl", b"", &[]).await;
    assert_eq!(
        (f["bytes"].as_i64(), f["num_lines"].as_i64()),
        (Some(0), Some(0))
    );
    let f = upload(&emu, "talk.mp3", b"ID3", &[("purpose", "audio")]).await;
    assert_eq!(f["purpose"], "audio");
    // empty optional fields count as absent, as FastAPI reads forms
    let f = upload(
        &emu,
        "c.jsonl",
        b"{}",
        &[("expiry", ""), ("visibility", ""), ("purpose", "")],
    )
    .await;
    assert_eq!(
        (f["expires_at"].clone(), f["visibility"].clone()),
        (Value::Null, json!("workspace"))
    );
}

#[tokio::test]
async fn upload_validation_errors_have_fastapis_shape() {
    let emu = emulator().await;
    a_missing_file_part_is_reported(&emu).await;
    every_bad_field_is_reported_in_order(&emu).await;
    out_of_range_expiry_and_bad_names_are_reported(&emu).await;
    a_wrong_format_for_the_purpose_is_reported(&emu).await;
    // nothing was stored by any of these
    let (_, list) = get_json(&emu, "/v1/files").await;
    assert_eq!(list["total"], 0);
    assert!(entries(&emu.data_dir().join("content")).is_empty());
    assert!(entries(&emu.data_dir().join("tmp")).is_empty());
}

/// No file part, a body that is not multipart, a `file` field that is text.
async fn a_missing_file_part_is_reported(emu: &RunningEmulator) {
    // no file part
    let (s, b) = post_form(emu, &[Part::Text("purpose", "fine-tune")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        b,
        json!({"detail": [{"type": "missing", "loc": ["body", "file"], "msg": "Field required", "input": null}]})
    );
    // not multipart at all
    let (s, b) = send_json(
        http_client()
            .post(format!("{}/v1/files", emu.url()))
            .bearer_auth(KEY)
            .body("x"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["detail"][0]["type"], "missing");
    // a `file` field that is text, not a file
    let (s, b) = post_form(emu, &[Part::Text("file", "just text")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["detail"][0]["type"], "value_error");
}

async fn every_bad_field_is_reported_in_order(emu: &RunningEmulator) {
    let (s, b) = post_form(
        emu,
        &[
            file_part("a.jsonl", b"{}"),
            Part::Text("purpose", "nope"),
            Part::Text("expiry", "soon"),
            Part::Text("visibility", "public"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let d = b["detail"].as_array().unwrap();
    assert_eq!(d.len(), 3, "{b}");
    assert_eq!(d[0]["type"], "enum");
    assert_eq!(d[0]["loc"], json!(["body", "purpose"]));
    assert_eq!(d[0]["input"], "nope");
    assert_eq!(
        d[0]["msg"],
        "Input should be 'fine-tune', 'batch', 'ocr' or 'audio'"
    );
    assert_eq!(d[1]["type"], "int_parsing");
    assert_eq!(d[1]["loc"], json!(["body", "expiry"]));
    assert_eq!(
        d[1]["msg"],
        "Input should be a valid integer, unable to parse string as an integer"
    );
    assert_eq!(d[2]["type"], "enum");
    assert_eq!(d[2]["loc"], json!(["body", "visibility"]));
}

async fn out_of_range_expiry_and_bad_names_are_reported(emu: &RunningEmulator) {
    let (s, b) = post_form(
        emu,
        &[file_part("a.jsonl", b"{}"), Part::Text("expiry", "0")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["detail"][0]["type"], "greater_than_equal");
    // empty and very long names
    let (s, b) = post_form(emu, &[file_part("", b"{}")]).await;
    assert_eq!(
        (s, b["detail"][0]["loc"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!(["body", "file"]))
    );
    let long = format!("{}.jsonl", "n".repeat(2000));
    let (s, b) = post_form(emu, &[file_part(&long, b"{}")]).await;
    assert_eq!(
        (s, b["detail"][0]["type"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("string_too_long"))
    );
}

async fn a_wrong_format_for_the_purpose_is_reported(emu: &RunningEmulator) {
    let (s, b) = post_form(
        emu,
        &[
            file_part("data.zip", b"PK"),
            Part::Text("purpose", "fine-tune"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["detail"], "Invalid file format.");
    assert!(b["message"]
        .as_str()
        .unwrap()
        .starts_with("Received file with mimetype application/zip, only application/jsonl"));
    let (s, b) = post_form(
        emu,
        &[file_part("data.jsonl", b"{}"), Part::Text("purpose", "ocr")],
    )
    .await;
    assert_eq!(
        (s, b["detail"].clone()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("Invalid file format.")
        )
    );
}

#[tokio::test]
async fn format_checks_can_be_turned_off() {
    let emu = emulator_with(|b| b.check_file_formats(false)).await;
    let f = upload(&emu, "big.bin", b"\x00\x01", &[]).await;
    assert_eq!(f["mimetype"], "application/octet-stream");
    assert_eq!(f["num_lines"], Value::Null);
}

#[tokio::test]
async fn size_limit_is_enforced_with_413_and_leaves_nothing() {
    let emu = emulator_with(|b| b.max_upload_bytes(1000)).await;
    let exact = vec![b'a'; 1000];
    let f = upload(&emu, "limit.jsonl", &exact, &[("purpose", "batch")]).await;
    assert_eq!(f["bytes"], 1000);
    let over = vec![b'a'; 1001];
    let (s, b) = post_form(&emu, &[file_part("over.jsonl", &over)]).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        b["detail"].as_str().unwrap().starts_with("File too large"),
        "{b}"
    );
    // a declared Content-Length over the limit is refused before reading
    let big = vec![b'a'; 6 * 1024 * 1024];
    let (s, b) = post_form(&emu, &[file_part("huge.jsonl", &big)]).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
    // a huge text field is refused too
    let long_text = "x".repeat(100 * 1024);
    let (s, _) = post_form(
        &emu,
        &[
            file_part("a.jsonl", b"{}"),
            Part::Text("purpose", &long_text),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let (_, list) = get_json(&emu, "/v1/files").await;
    assert_eq!(list["total"], 1);
    assert_eq!(entries(&emu.data_dir().join("content")).len(), 1);
    assert!(eventually(|| entries(&emu.data_dir().join("tmp")).is_empty()).await);
}

#[tokio::test]
async fn the_default_limit_is_512_mib() {
    assert_eq!(mistral_files_emulator::MAX_UPLOAD_BYTES, 536_870_912);
    let emu = emulator().await;
    // declared over the limit: refused without reading the body
    let req = format!(
        "POST /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        600u64 * 1024 * 1024
    );
    let resp = raw_http(&emu, req.as_bytes()).await;
    assert!(resp.starts_with("HTTP/1.1 413"), "{resp}");
    assert!(resp.contains("File too large"));
}
