//! Listing against an emulator on 127.0.0.1:0: filters, paging, the total, and the validation
//! errors of the query.

use mistral_files_emulator::RunningEmulator;
use mistral_files_test_support::emulator;
use mistral_files_test_support::http::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// An emulator holding four files of three purposes, uploaded alpha, beta, Gamma, delta (so
/// newest first is delta, Gamma, beta, alpha).
async fn four_files() -> RunningEmulator {
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
    emu
}

#[tokio::test]
async fn list_is_newest_first_with_the_total() {
    let emu = four_files().await;
    let (all, total) = listed_names(&emu, "").await;
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
}

#[tokio::test]
async fn list_filters_by_purpose_sample_type_and_source() {
    let emu = four_files().await;
    assert_eq!(
        listed_names(&emu, "?purpose=fine-tune").await,
        (
            vec!["delta-train.jsonl".into(), "alpha-train.jsonl".into()],
            json!(2)
        )
    );
    assert_eq!(
        listed_names(&emu, "?purpose=ocr").await.0,
        ["Gamma-Scan.pdf"]
    );
    assert_eq!(
        listed_names(&emu, "?sample_type=batch_request").await.0,
        ["beta-batch.jsonl"]
    );
    assert_eq!(
        listed_names(&emu, "?sample_type=batch_request&sample_type=pretrain")
            .await
            .0,
        ["Gamma-Scan.pdf", "beta-batch.jsonl"]
    );
    assert_eq!(listed_names(&emu, "?source=upload").await.1, 4);
    assert_eq!(
        listed_names(&emu, "?source=repository&source=mistral")
            .await
            .1,
        0
    );
    assert_eq!(
        listed_names(&emu, "?source=repository&source=upload")
            .await
            .1,
        4
    );
}

#[tokio::test]
async fn list_filters_by_search_and_mimetype() {
    let emu = four_files().await;
    assert_eq!(listed_names(&emu, "?search=train").await.1, 2);
    assert_eq!(
        listed_names(&emu, "?search=gamma-scan").await.0,
        ["Gamma-Scan.pdf"],
        "case-insensitive"
    );
    assert_eq!(
        listed_names(&emu, "?search=%25").await.1,
        0,
        "no LIKE wildcards"
    );
    assert_eq!(
        listed_names(&emu, "?mimetypes=application/pdf").await.0,
        ["Gamma-Scan.pdf"]
    );
    assert_eq!(
        listed_names(
            &emu,
            "?mimetypes=application/pdf&mimetypes=application%2Fjsonl"
        )
        .await
        .1,
        4
    );
    assert_eq!(
        listed_names(&emu, "?purpose=fine-tune&search=alpha")
            .await
            .0,
        ["alpha-train.jsonl"]
    );
}

#[tokio::test]
async fn list_pages_by_page_size_and_past_the_end_is_empty() {
    let emu = four_files().await;
    assert_eq!(
        listed_names(&emu, "?page_size=3").await,
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
        listed_names(&emu, "?page_size=3&page=1").await,
        (vec!["alpha-train.jsonl".into()], json!(4))
    );
    assert_eq!(
        listed_names(&emu, "?page_size=3&page=2").await.0,
        Vec::<String>::new()
    );
    assert_eq!(
        listed_names(&emu, "?page=9223372036854775807&page_size=100")
            .await
            .0,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn list_total_and_optional_fields_are_present_even_when_null() {
    let emu = four_files().await;
    // include_total=false -> total is present and null
    let (s, b) = get_json(&emu, "/v1/files?include_total=false").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b.get("total"), Some(&Value::Null));
    assert_eq!(b["data"].as_array().unwrap().len(), 4);
    assert_eq!(listed_names(&emu, "?include_total=true").await.1, 4);
    // optional fields are present (null) on listed files
    let (_, b) = get_json(&emu, "/v1/files?purpose=ocr").await;
    assert_eq!(b["data"][0].get("num_lines"), Some(&Value::Null));
    assert_eq!(b["data"][0].get("expires_at"), Some(&Value::Null));
}

#[tokio::test]
async fn the_recorded_query_keeps_order_and_repeated_keys() {
    let emu = four_files().await;
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
