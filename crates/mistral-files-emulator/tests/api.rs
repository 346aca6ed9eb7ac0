//! Every endpoint of the emulator, driven with reqwest (and raw TCP where a client would
//! normalise the request) against an emulator on 127.0.0.1:0.

use mistral_files_emulator::Emulator;
use mistral_files_raw::open_enums::{FilePurpose, FileVisibility, SampleType, Source};
use mistral_files_test_support::http::*;
use mistral_files_test_support::{emulator, emulator_with, sha256_hex, wire_literals, KEY};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

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
    // no file part
    let (s, b) = post_form(&emu, &[Part::Text("purpose", "fine-tune")]).await;
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
    let (s, b) = post_form(&emu, &[Part::Text("file", "just text")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["detail"][0]["type"], "value_error");
    // every bad field is reported, in order
    let (s, b) = post_form(
        &emu,
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
    // out-of-range expiry
    let (s, b) = post_form(
        &emu,
        &[file_part("a.jsonl", b"{}"), Part::Text("expiry", "0")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["detail"][0]["type"], "greater_than_equal");
    // empty and very long names
    let (s, b) = post_form(&emu, &[file_part("", b"{}")]).await;
    assert_eq!(
        (s, b["detail"][0]["loc"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!(["body", "file"]))
    );
    let long = format!("{}.jsonl", "n".repeat(2000));
    let (s, b) = post_form(&emu, &[file_part(&long, b"{}")]).await;
    assert_eq!(
        (s, b["detail"][0]["type"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("string_too_long"))
    );
    // wrong format for the purpose
    let (s, b) = post_form(
        &emu,
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
        &emu,
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
    // nothing was stored by any of these
    let (_, list) = get_json(&emu, "/v1/files").await;
    assert_eq!(list["total"], 0);
    assert!(entries(&emu.data_dir().join("content")).is_empty());
    assert!(entries(&emu.data_dir().join("tmp")).is_empty());
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

async fn ids_of(
    emu: &mistral_files_emulator::RunningEmulator,
    query: &str,
) -> (Vec<String>, Value) {
    let (s, b) = get_json(emu, &format!("/v1/files{query}")).await;
    assert_eq!(s, StatusCode::OK, "{query}: {b}");
    let names = b["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["filename"].as_str().unwrap().to_string())
        .collect();
    (names, b["total"].clone())
}

#[tokio::test]
async fn list_filters_paging_and_total() {
    let emu = emulator().await;
    upload(
        &emu,
        "alpha-train.jsonl",
        b"{}",
        &[("purpose", "fine-tune")],
    )
    .await;
    upload(&emu, "beta-batch.jsonl", b"{}", &[("purpose", "batch")]).await;
    upload(&emu, "Gamma-Scan.pdf", b"%PDF", &[("purpose", "ocr")]).await;
    upload(
        &emu,
        "delta-train.jsonl",
        b"{}\n{}",
        &[("purpose", "fine-tune")],
    )
    .await;

    let (all, total) = ids_of(&emu, "").await;
    assert_eq!(total, 4);
    assert_eq!(
        all,
        [
            "delta-train.jsonl",
            "Gamma-Scan.pdf",
            "beta-batch.jsonl",
            "alpha-train.jsonl"
        ],
        "newest first"
    );
    let (_, b) = get_json(&emu, "/v1/files").await;
    assert_eq!(b["object"], "list");
    let typed: mistral_files_raw::types::FilePage = serde_json::from_value(b).unwrap();
    assert_eq!(typed.data.len(), 4);

    assert_eq!(
        ids_of(&emu, "?purpose=fine-tune").await,
        (
            vec!["delta-train.jsonl".into(), "alpha-train.jsonl".into()],
            json!(2)
        )
    );
    assert_eq!(ids_of(&emu, "?purpose=ocr").await.0, ["Gamma-Scan.pdf"]);
    assert_eq!(
        ids_of(&emu, "?sample_type=batch_request").await.0,
        ["beta-batch.jsonl"]
    );
    assert_eq!(
        ids_of(&emu, "?sample_type=batch_request&sample_type=pretrain")
            .await
            .0,
        ["Gamma-Scan.pdf", "beta-batch.jsonl"]
    );
    assert_eq!(ids_of(&emu, "?source=upload").await.1, 4);
    assert_eq!(ids_of(&emu, "?source=repository&source=mistral").await.1, 0);
    assert_eq!(ids_of(&emu, "?source=repository&source=upload").await.1, 4);
    assert_eq!(ids_of(&emu, "?search=train").await.1, 2);
    assert_eq!(
        ids_of(&emu, "?search=gamma-scan").await.0,
        ["Gamma-Scan.pdf"],
        "case-insensitive"
    );
    assert_eq!(ids_of(&emu, "?search=%25").await.1, 0, "no LIKE wildcards");
    assert_eq!(
        ids_of(&emu, "?mimetypes=application/pdf").await.0,
        ["Gamma-Scan.pdf"]
    );
    assert_eq!(
        ids_of(
            &emu,
            "?mimetypes=application/pdf&mimetypes=application%2Fjsonl"
        )
        .await
        .1,
        4
    );
    assert_eq!(
        ids_of(&emu, "?purpose=fine-tune&search=alpha").await.0,
        ["alpha-train.jsonl"]
    );

    // paging
    assert_eq!(
        ids_of(&emu, "?page_size=3").await,
        (
            vec![
                "delta-train.jsonl".into(),
                "Gamma-Scan.pdf".into(),
                "beta-batch.jsonl".into()
            ],
            json!(4)
        )
    );
    assert_eq!(
        ids_of(&emu, "?page_size=3&page=1").await,
        (vec!["alpha-train.jsonl".into()], json!(4))
    );
    assert_eq!(
        ids_of(&emu, "?page_size=3&page=2").await.0,
        Vec::<String>::new()
    );
    assert_eq!(
        ids_of(&emu, "?page=9223372036854775807&page_size=100")
            .await
            .0,
        Vec::<String>::new()
    );
    // include_total=false -> total is present and null
    let (s, b) = get_json(&emu, "/v1/files?include_total=false").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b.get("total"), Some(&Value::Null));
    assert_eq!(b["data"].as_array().unwrap().len(), 4);
    assert_eq!(ids_of(&emu, "?include_total=true").await.1, 4);
    // optional fields are present (null) on listed files
    let (_, b) = get_json(&emu, "/v1/files?purpose=ocr").await;
    assert_eq!(b["data"][0].get("num_lines"), Some(&Value::Null));
    assert_eq!(b["data"][0].get("expires_at"), Some(&Value::Null));

    // recorded query keeps order and repeated keys
    emu.clear_requests();
    get_json(
        &emu,
        "/v1/files?sample_type=instruct&page=0&sample_type=pretrain&search=a+b%2Fc",
    )
    .await;
    let r = &emu.requests()[0];
    assert_eq!(
        r.query,
        vec![
            ("sample_type".to_string(), "instruct".to_string()),
            ("page".to_string(), "0".to_string()),
            ("sample_type".to_string(), "pretrain".to_string()),
            ("search".to_string(), "a b/c".to_string()),
        ]
    );
}

#[tokio::test]
async fn list_validation_errors() {
    let emu = emulator().await;
    let (s, b) = get_json(&emu, "/v1/files?sample_type=instruct&sample_type=bogus&purpose=x&page=-1&page_size=abc&include_total=maybe&source=web").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let d = b["detail"].as_array().unwrap();
    let by_loc = |loc: Value| {
        d.iter()
            .find(|i| i["loc"] == loc)
            .unwrap_or_else(|| panic!("{loc} in {b}"))
            .clone()
    };
    let i = by_loc(json!(["query", "sample_type", 1]));
    assert_eq!(i["type"], "enum");
    assert_eq!(i["input"], "bogus");
    assert_eq!(
        i["msg"],
        "Input should be 'pretrain', 'instruct', 'batch_request', 'batch_result' or 'batch_error'"
    );
    assert_eq!(by_loc(json!(["query", "purpose"]))["type"], "enum");
    assert_eq!(
        by_loc(json!(["query", "page"]))["type"],
        "greater_than_equal"
    );
    assert_eq!(by_loc(json!(["query", "page_size"]))["type"], "int_parsing");
    assert_eq!(
        by_loc(json!(["query", "include_total"]))["type"],
        "bool_parsing"
    );
    assert_eq!(by_loc(json!(["query", "source", 0]))["type"], "enum");
    assert_eq!(d.len(), 6);
    let (s, b) = get_json(&emu, "/v1/files?page_size=0").await;
    assert_eq!(
        (s, b["detail"][0]["type"].clone()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("greater_than_equal")
        )
    );
    let (s, b) = get_json(&emu, "/v1/files?page=99999999999999999999999").await;
    assert_eq!(
        (s, b["detail"][0]["type"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("int_parsing"))
    );
    // the error bodies decode as the raw crate's ErrorBody
    let typed: mistral_files_raw::types::ErrorBody = serde_json::from_value(b).unwrap();
    assert!(typed.detail.is_some());
}

#[tokio::test]
async fn retrieve_then_delete_then_404_everywhere() {
    let emu = emulator().await;
    let f = upload(&emu, "r.jsonl", JSONL, &[]).await;
    let id = f["id"].as_str().unwrap().to_string();
    let (s, r) = get_json(&emu, &format!("/v1/files/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["deleted"], false);
    let mut expected = f.clone();
    expected["deleted"] = json!(false);
    assert_eq!(r, expected);
    let typed: mistral_files_raw::types::RetrievedFile = serde_json::from_value(r).unwrap();
    assert_eq!(typed.id.to_string(), id);
    // upper-case ids name the same file
    let (s, _) = get_json(&emu, &format!("/v1/files/{}", id.to_uppercase())).await;
    assert_eq!(s, StatusCode::OK);

    let (s, d) = send_json(
        http_client()
            .delete(format!("{}/v1/files/{id}", emu.url()))
            .bearer_auth(KEY),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(d, json!({"id": id, "object": "file", "deleted": true}));
    let _: mistral_files_raw::types::DeletedFile = serde_json::from_value(d).unwrap();

    let nf = json!({"detail": "File not found"});
    assert_eq!(
        get_json(&emu, &format!("/v1/files/{id}")).await,
        (StatusCode::NOT_FOUND, nf.clone())
    );
    assert_eq!(
        get_json(&emu, &format!("/v1/files/{id}/content")).await,
        (StatusCode::NOT_FOUND, nf.clone())
    );
    assert_eq!(
        get_json(&emu, &format!("/v1/files/{id}/url")).await,
        (StatusCode::NOT_FOUND, nf.clone())
    );
    let (s, b) = send_json(
        http_client()
            .delete(format!("{}/v1/files/{id}", emu.url()))
            .bearer_auth(KEY),
    )
    .await;
    assert_eq!((s, b), (StatusCode::NOT_FOUND, nf));
    assert_eq!(ids_of(&emu, "").await.1, 0);
    assert!(entries(&emu.data_dir().join("content")).is_empty());
}

#[tokio::test]
async fn bad_ids_get_422_uuid_parsing_and_never_touch_the_filesystem() {
    let emu = emulator().await;
    let c = http_client();
    for (raw, decoded) in [
        ("not-a-uuid", "not-a-uuid"),
        ("..%2F..%2Fetc%2Fpasswd", "../../etc/passwd"),
        ("..%2F..", "../.."),
        ("%2E%2E%2F", "../"),
        ("files.sqlite3", "files.sqlite3"),
        (
            "12345678-1234-1234-1234-1234567890ab%00",
            "12345678-1234-1234-1234-1234567890ab\u{0}",
        ),
    ] {
        for suffix in ["", "/content", "/url"] {
            let (s, b) = get_json(&emu, &format!("/v1/files/{raw}{suffix}")).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{raw}{suffix}: {b}");
            let item = &b["detail"][0];
            assert_eq!(item["type"], "uuid_parsing");
            assert_eq!(item["loc"], json!(["path", "file_id"]));
            assert_eq!(item["input"], decoded);
            assert!(
                item["msg"]
                    .as_str()
                    .unwrap()
                    .starts_with("Input should be a valid UUID, "),
                "{item}"
            );
        }
        let (s, _) = send_json(
            c.delete(format!("{}/v1/files/{raw}", emu.url()))
                .bearer_auth(KEY),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (_, b) = get_json(&emu, "/v1/files/abc").await;
    assert_eq!(
        b["detail"][0]["msg"],
        "Input should be a valid UUID, invalid length: expected length 32 for simple format, found 3"
    );
    // literal dot segments that a client library would normalise away
    for path in [
        "/v1/files/../../etc/passwd",
        "/v1/files/../files.sqlite3/content",
        "/v1/files/%2e%2e/%2e%2e/content",
    ] {
        let resp = raw_get(&emu, path, true).await;
        assert!(
            resp.starts_with("HTTP/1.1 404") || resp.starts_with("HTTP/1.1 422"),
            "{path}: {resp}"
        );
        assert!(!resp.contains("SQLite"), "{path} served a store file");
    }
    // a bad id with a bad expiry reports both
    let (s, b) = get_json(&emu, "/v1/files/zzz/url?expiry=x").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["detail"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn names_are_stored_verbatim_and_never_used_as_paths() {
    let outer = tempfile::tempdir().unwrap();
    let emu = emulator_with(|b| b.data_dir(outer.path().join("data"))).await;
    let cases: Vec<(String, String)> = vec![
        // (Content-Disposition parameters, expected stored name)
        (
            "filename=\"../../../evil.jsonl\"".into(),
            "../../../evil.jsonl".into(),
        ),
        (
            "filename=\"/etc/passwd.jsonl\"".into(),
            "/etc/passwd.jsonl".into(),
        ),
        (
            "filename=\"say \\\"hi\\\".jsonl\"".into(),
            "say \"hi\".jsonl".into(),
        ),
        (
            "filename=\"données-日本.jsonl\"".into(),
            "données-日本.jsonl".into(),
        ),
        (
            "filename=\"fallback.jsonl\"; filename*=UTF-8''line%0D%0Abreak%22%2F..%2Fx.jsonl"
                .into(),
            "line\r\nbreak\"/../x.jsonl".into(),
        ),
    ];
    for (params, expected) in &cases {
        let (s, f) = post_form(&emu, &[Part::File("file", params.clone(), b"{}\n")]).await;
        assert_eq!(s, StatusCode::OK, "{params}: {f}");
        assert_eq!(f["filename"], expected.as_str());
        let id = f["id"].as_str().unwrap();
        let (_, r) = get_json(&emu, &format!("/v1/files/{id}")).await;
        assert_eq!(r["filename"], expected.as_str());
        // the download's Content-Disposition never breaks the header
        let resp = send(get(&emu, &format!("/v1/files/{id}/content"))).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let cd = resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(!cd.contains('\r') && !cd.contains('\n'));
        assert!(resp.headers().get("set-cookie").is_none());
    }
    // only id-named content files exist; nothing escaped the data directory
    let content = entries(&emu.data_dir().join("content"));
    assert_eq!(content.len(), cases.len());
    assert!(content.iter().all(|n| uuid::Uuid::parse_str(n).is_ok()));
    let mut top = entries(emu.data_dir());
    top.retain(|n| !n.starts_with("files.sqlite3"));
    assert_eq!(top, ["content", "lock", "tmp"]);
    assert_eq!(entries(outer.path()), ["data"]);
    let (_, l) = get_json(&emu, "/v1/files?search=%0D%0A").await;
    assert_eq!(l["total"], 1, "search matches CR/LF names");
}

#[tokio::test]
async fn download_full_range_and_416() {
    let emu = emulator().await;
    let data: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
    let f = upload(&emu, "blob.jsonl", &data, &[("purpose", "batch")]).await;
    let id = f["id"].as_str().unwrap();
    let path = format!("/v1/files/{id}/content");
    let ranged = |range: &str| send(get(&emu, &path).header("range", range));

    let resp = send(get(&emu, &path)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers().clone();
    assert_eq!(h["content-length"], data.len().to_string().as_str());
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(h["content-type"], "application/octet-stream");
    assert_eq!(
        h["etag"].to_str().unwrap(),
        format!("\"{}\"", &sha256_hex(&data)[..32])
    );
    assert_eq!(resp.bytes().await.unwrap().as_ref(), &data[..]);

    for (range, start, end) in [
        ("bytes=0-99", 0usize, 99usize),
        ("bytes=300000-", 300_000, data.len() - 1),
        ("bytes=-1000", data.len() - 1000, data.len() - 1),
        ("bytes=699999-800000", 699_999, 699_999),
        ("bytes=262143-262145", 262_143, 262_145),
    ] {
        let resp = ranged(range).await;
        assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(
            resp.headers()["content-range"].to_str().unwrap(),
            format!("bytes {start}-{end}/{}", data.len())
        );
        assert_eq!(
            resp.headers()["content-length"],
            (end - start + 1).to_string().as_str()
        );
        assert_eq!(
            resp.bytes().await.unwrap().as_ref(),
            &data[start..=end],
            "{range}"
        );
    }
    for range in ["bytes=700000-", "bytes=800000-900000", "bytes=-0"] {
        let resp = ranged(range).await;
        assert_eq!(resp.status(), StatusCode::RANGE_NOT_SATISFIABLE, "{range}");
        assert_eq!(
            resp.headers()["content-range"],
            format!("bytes */{}", data.len()).as_str()
        );
    }
    // malformed or multiple ranges are ignored: the full content
    for range in ["bytes=5-2", "bytes=0-1,5-6", "lines=1-2", "bytes=x-"] {
        let resp = ranged(range).await;
        assert_eq!(resp.status(), StatusCode::OK, "{range}");
        assert_eq!(resp.bytes().await.unwrap().len(), data.len());
    }
    // HEAD: headers only
    let resp = send(
        http_client()
            .head(format!("{}{path}", emu.url()))
            .bearer_auth(KEY),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["content-length"],
        data.len().to_string().as_str()
    );
    // empty file: 200 with nothing, any range unsatisfiable
    let e = upload(&emu, "empty.jsonl", b"", &[]).await;
    let (s, body) = download(&emu, e["id"].as_str().unwrap()).await;
    assert_eq!((s, body.len()), (StatusCode::OK, 0));
}

#[tokio::test]
async fn signed_urls_work_without_auth_expire_and_refuse_tampering() {
    let emu = emulator().await;
    let data = b"{\"signed\":true}\n".repeat(1000);
    let f = upload(&emu, "s.jsonl", &data, &[]).await;
    let id = f["id"].as_str().unwrap();
    let (s, b) = get_json(&emu, &format!("/v1/files/{id}/url?expiry=1")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let _: mistral_files_raw::types::SignedUrl = serde_json::from_value(b.clone()).unwrap();
    let url = b["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("{}/signed/", emu.url())), "{url}");
    assert_eq!(b.as_object().unwrap().len(), 1);

    emu.clear_requests();
    let c = http_client();
    let resp = c.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["accept-ranges"], "bytes");
    assert_eq!(resp.bytes().await.unwrap().as_ref(), &data[..]);
    assert!(!emu.requests()[0].has_auth);
    let resp = c
        .get(&url)
        .header("range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(resp.bytes().await.unwrap().as_ref(), &data[10..20]);

    // tampered tokens
    let token = url.rsplit('/').next().unwrap().to_string();
    let mut flipped = token.clone().into_bytes();
    let last = flipped.len() - 1;
    flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
    let flipped = String::from_utf8(flipped).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let longer = format!(
        "{}.{}.{}",
        parts[0],
        parts[1].parse::<i64>().unwrap() + 999_999,
        parts[2]
    );
    let other_id = format!(
        "{}.{}.{}",
        uuid::Uuid::new_v4().simple(),
        parts[1],
        parts[2]
    );
    for bad in [
        flipped.as_str(),
        longer.as_str(),
        other_id.as_str(),
        "nonsense",
        "a.b.c",
    ] {
        let resp = c
            .get(format!("{}/signed/{bad}", emu.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{bad}");
        assert!(resp.text().await.unwrap().contains("AuthenticationFailed"));
    }
    // default expiry is 24 h; bad expiry values are 422
    let (_, b24) = get_json(&emu, &format!("/v1/files/{id}/url")).await;
    let url24 = b24["url"].as_str().unwrap().to_string();
    for bad in ["0", "-3", "soon"] {
        let (s, b) = get_json(&emu, &format!("/v1/files/{id}/url?expiry={bad}")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(b["detail"][0]["loc"], json!(["query", "expiry"]));
    }

    // expiry: after 1 h the first URL is refused, the 24 h one still works
    emu.advance_clock(Duration::from_secs(3601));
    let resp = c.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(resp.headers()["content-type"], "application/xml");
    assert_eq!(c.get(&url24).send().await.unwrap().status(), StatusCode::OK);
    emu.advance_clock(Duration::from_secs(24 * 3600));
    assert_eq!(
        c.get(&url24).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    // a valid URL for a deleted file: 404
    let (_, fresh) = get_json(&emu, &format!("/v1/files/{id}/url")).await;
    let fresh = fresh["url"].as_str().unwrap().to_string();
    c.delete(format!("{}/v1/files/{id}", emu.url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    let resp = c.get(&fresh).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(resp.text().await.unwrap().contains("BlobNotFound"));
}

#[tokio::test]
async fn files_expire_from_their_expiry_hours() {
    let emu = emulator().await;
    let f = upload(&emu, "short.jsonl", b"{}", &[("expiry", "1")]).await;
    upload(&emu, "forever.jsonl", b"{}", &[]).await;
    let id = f["id"].as_str().unwrap();
    assert_eq!(ids_of(&emu, "").await.1, 2);
    emu.advance_clock(Duration::from_secs(3600));
    assert_eq!(ids_of(&emu, "").await.0, ["forever.jsonl"]);
    assert_eq!(
        get_json(&emu, &format!("/v1/files/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(download(&emu, id).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn restart_on_the_same_data_dir_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let emu = emulator_with(|b| b.data_dir(dir.path())).await;
    let data = b"{\"keep\":1}\n{\"keep\":2}\n".to_vec();
    let f = upload(&emu, "keep.jsonl", &data, &[("expiry", "48")]).await;
    let id = f["id"].as_str().unwrap().to_string();
    let (_, signed) = get_json(&emu, &format!("/v1/files/{id}/url")).await;
    let first_url = emu.url().to_string();
    emu.shutdown().await;
    assert!(
        http_client()
            .get(format!("{first_url}/v1/files"))
            .send()
            .await
            .is_err(),
        "stopped"
    );

    let emu = emulator_with(|b| b.data_dir(dir.path())).await;
    let (s, r) = get_json(&emu, &format!("/v1/files/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    for k in [
        "id",
        "bytes",
        "created_at",
        "filename",
        "num_lines",
        "signature",
        "expires_at",
        "mimetype",
    ] {
        assert_eq!(r[k], f[k], "{k}");
    }
    assert_eq!(ids_of(&emu, "").await.1, 1);
    assert_eq!(download(&emu, &id).await, (StatusCode::OK, data.clone()));
    // signed URLs survive a restart (same key), rebased on the new port
    let token = signed["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let resp = http_client()
        .get(format!("{}/signed/{token}", emu.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.bytes().await.unwrap().as_ref(), &data[..]);
    drop(emu);
    assert!(
        dir.path().join("content").join(&id).exists(),
        "a given data dir is kept"
    );
}

#[tokio::test]
async fn a_crash_leftover_is_cleaned_at_start() {
    let dir = tempfile::tempdir().unwrap();
    {
        let emu = emulator_with(|b| b.data_dir(dir.path())).await;
        upload(&emu, "kept.jsonl", b"{}", &[]).await;
        emu.shutdown().await;
    }
    // what a crash could leave: a temp file, and content renamed in place but never inserted
    std::fs::write(dir.path().join("tmp").join("upload-deadbeef.part"), b"half").unwrap();
    let orphan = uuid::Uuid::new_v4().hyphenated().to_string();
    std::fs::write(dir.path().join("content").join(&orphan), b"orphan").unwrap();
    let emu = emulator_with(|b| b.data_dir(dir.path())).await;
    assert!(entries(&dir.path().join("tmp")).is_empty());
    let content = entries(&dir.path().join("content"));
    assert_eq!(content.len(), 1);
    assert!(!content.contains(&orphan));
    assert_eq!(ids_of(&emu, "").await.1, 1);
}

#[tokio::test]
async fn an_upload_cut_off_mid_body_leaves_no_file_no_row_no_temp() {
    use tokio::io::AsyncWriteExt;
    let emu = emulator().await;
    let tmp = emu.data_dir().join("tmp");
    let mut s = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    let head = format!(
        "POST /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.jsonl\"\r\n\r\n",
        4 * 1024 * 1024
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..10 {
        s.write_all(&chunk).await.unwrap();
    }
    s.flush().await.unwrap();
    // the content is being streamed to a temp file on disk, not held in memory
    assert!(
        eventually(|| std::fs::read_dir(&tmp)
            .map(|d| d
                .flatten()
                .any(|e| e.metadata().map(|m| m.len() > 0).unwrap_or(false)))
            .unwrap_or(false))
        .await,
        "a temp file with data appears while the body is still arriving"
    );
    drop(s); // the client goes away mid-body
    assert!(
        eventually(|| entries(&tmp).is_empty()).await,
        "temp file removed"
    );
    assert!(entries(&emu.data_dir().join("content")).is_empty());
    assert_eq!(ids_of(&emu, "").await.1, 0);
    // the same happens on a clean shutdown of the connection with a truncated body
    let mut s = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&chunk).await.unwrap();
    s.shutdown().await.unwrap();
    assert!(eventually(|| entries(&tmp).is_empty()).await);
    assert_eq!(ids_of(&emu, "").await.1, 0);
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let emu = emulator().await;
    assert_eq!(
        get_json(&emu, "/v1/elsewhere").await,
        (StatusCode::NOT_FOUND, json!({"detail": "Not Found"}))
    );
    let (s, b) = send_json(
        http_client()
            .put(format!("{}/v1/files", emu.url()))
            .bearer_auth(KEY),
    )
    .await;
    assert_eq!(
        (s, b),
        (
            StatusCode::METHOD_NOT_ALLOWED,
            json!({"detail": "Method Not Allowed"})
        )
    );
}

#[tokio::test]
async fn many_concurrent_uploads_and_downloads() {
    let emu = std::sync::Arc::new(emulator().await);
    let mut tasks = Vec::new();
    for i in 0..16u32 {
        let emu = emu.clone();
        tasks.push(tokio::spawn(async move {
            let data: Vec<u8> = (0..(300_000 + i * 1000))
                .map(|j| ((j * 7 + i) % 256) as u8)
                .collect();
            let f = upload(&emu, &format!("c{i}.jsonl"), &data, &[("purpose", "batch")]).await;
            let id = f["id"].as_str().unwrap().to_string();
            let (s, got) = download(&emu, &id).await;
            assert_eq!(s, StatusCode::OK);
            assert_eq!(got, data);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(ids_of(&emu, "").await.1, 16);
}

#[tokio::test]
async fn refused_requests_waiting_for_100_continue_are_answered_without_the_body() {
    let emu = emulator().await;
    let req = format!(
        "POST /v1/files HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: 100000\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
    );
    let resp = raw_http(&emu, req.as_bytes()).await;
    assert!(resp.starts_with("HTTP/1.1 401"), "{resp}");
    assert!(resp.contains("{\"detail\":\"Unauthorized\"}"));
    assert!(!resp.contains("100 Continue"));
}

#[tokio::test]
async fn json_keys_follow_the_documented_order() {
    let emu = emulator().await;
    let resp = post_files(&emu)
        .body(multipart_body(&[file_part("o.jsonl", b"{}")]))
        .send()
        .await
        .unwrap();
    let text = resp.text().await.unwrap();
    let keys = [
        "\"id\"",
        "\"object\"",
        "\"bytes\"",
        "\"created_at\"",
        "\"filename\"",
        "\"purpose\"",
        "\"sample_type\"",
        "\"source\"",
        "\"num_lines\"",
        "\"mimetype\"",
        "\"signature\"",
        "\"expires_at\"",
        "\"visibility\"",
    ];
    let positions: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
}

// ---- The spec's enum values: accepted as the raw crate lists them (`KNOWN`), never hand-kept.

/// `key=value`, percent-encoded.
fn query_pair(key: &str, value: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair(key, value)
        .finish()
}

/// A file name and content the emulator accepts for `purpose` (its format rules).
fn sample_for(purpose: &str) -> (&'static str, &'static [u8]) {
    match FilePurpose::from(purpose) {
        FilePurpose::FineTune | FilePurpose::Batch => ("data.jsonl", JSONL),
        FilePurpose::Ocr => ("scan.pdf", b"%PDF-1.4\n"),
        FilePurpose::Audio => ("talk.mp3", b"ID3\x04\x00"),
        // a purpose without a format rule of its own (e.g. one the spec adds) takes any file
        _ => ("data.bin", b"\x00\x01"),
    }
}

/// pydantic's `'a', 'b' or 'c'`.
fn pydantic_expected(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[tokio::test]
async fn every_spec_purpose_uploads_retrieves_and_filters() {
    let emu = emulator().await;
    for &purpose in FilePurpose::KNOWN {
        let (name, data) = sample_for(purpose);
        let f = upload(&emu, name, data, &[("purpose", purpose)]).await;
        assert_eq!(f["purpose"], purpose, "{f}");
        let sample_type = f["sample_type"].as_str().unwrap();
        assert!(SampleType::KNOWN.contains(&sample_type), "{f}");
        let id = f["id"].as_str().unwrap();
        let (s, got) = get_json(&emu, &format!("/v1/files/{id}")).await;
        assert_eq!(
            (s, got["purpose"].clone()),
            (StatusCode::OK, json!(purpose)),
            "{got}"
        );
        let path = format!("/v1/files?{}", query_pair("purpose", purpose));
        let (s, list) = get_json(&emu, &path).await;
        assert_eq!(s, StatusCode::OK, "{purpose}: {list}");
        let ids: Vec<&str> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [id], "{purpose}: one file of each purpose: {list}");
        assert_eq!(list["data"][0]["purpose"], purpose);
        assert_eq!(list["total"], 1);
    }
    let (_, all) = get_json(&emu, "/v1/files").await;
    assert_eq!(all["total"], FilePurpose::KNOWN.len());
}

#[tokio::test]
async fn every_spec_sample_type_and_source_is_a_valid_list_filter() {
    let emu = emulator().await;
    upload(&emu, "a.jsonl", JSONL, &[]).await;
    for (key, values) in [
        ("sample_type", SampleType::KNOWN),
        ("source", Source::KNOWN),
    ] {
        for &value in values {
            let path = format!("/v1/files?{}", query_pair(key, value));
            let (s, b) = get_json(&emu, &path).await;
            assert_eq!(s, StatusCode::OK, "{key}={value}: {b}");
            for f in b["data"].as_array().unwrap() {
                assert_eq!(f[key], value, "{key}={value}: {b}");
            }
        }
        // every value at once (the key repeated): the uploaded file has one of them
        let all: Vec<String> = values.iter().map(|v| query_pair(key, v)).collect();
        let (s, b) = get_json(&emu, &format!("/v1/files?{}", all.join("&"))).await;
        assert_eq!((s, b["total"].clone()), (StatusCode::OK, json!(1)), "{b}");
    }
}

#[tokio::test]
async fn every_spec_visibility_is_accepted_on_upload() {
    let emu = emulator().await;
    for &visibility in FileVisibility::KNOWN {
        let f = upload(&emu, "v.jsonl", JSONL, &[("visibility", visibility)]).await;
        assert_eq!(f["visibility"], visibility, "{f}");
        let id = f["id"].as_str().unwrap();
        let (s, got) = get_json(&emu, &format!("/v1/files/{id}")).await;
        assert_eq!(
            (s, got["visibility"].clone()),
            (StatusCode::OK, json!(visibility)),
            "{got}"
        );
    }
}

#[tokio::test]
async fn enum_errors_list_exactly_the_spec_values() {
    let emu = emulator().await;
    let check = |item: &Value, known: &[&str]| {
        let expected = pydantic_expected(known);
        assert_eq!(item["type"], "enum", "{item}");
        assert_eq!(item["msg"], format!("Input should be {expected}"), "{item}");
        assert_eq!(item["ctx"]["expected"], expected, "{item}");
    };
    let (s, b) = get_json(&emu, "/v1/files?purpose=x&sample_type=x&source=x").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let d = b["detail"].as_array().unwrap();
    assert_eq!(d.len(), 3, "{b}");
    check(&d[0], FilePurpose::KNOWN);
    check(&d[1], SampleType::KNOWN);
    check(&d[2], Source::KNOWN);
    let (s, b) = post_form(
        &emu,
        &[
            file_part("a.jsonl", b"{}"),
            Part::Text("purpose", "x"),
            Part::Text("visibility", "x"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let d = b["detail"].as_array().unwrap();
    assert_eq!(d.len(), 2, "{b}");
    check(&d[0], FilePurpose::KNOWN);
    check(&d[1], FileVisibility::KNOWN);
}

#[test]
fn the_literal_guard_finds_values_in_code_attributes_and_macros() {
    wire_literals::self_check();
}

/// Fails when the emulator's non-test code holds a string literal equal to a wire value of the
/// spec's enums: such values must come from the enums (see the test-support crate's
/// `wire_literals`).
#[test]
fn no_hand_kept_enum_values_in_src() {
    wire_literals::assert_no_hand_kept_enum_values(env!("CARGO_MANIFEST_DIR"), &[]);
}
