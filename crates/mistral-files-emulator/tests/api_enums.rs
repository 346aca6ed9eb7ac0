//! The spec's enum values, against an emulator on 127.0.0.1:0: accepted as the raw crate lists
//! them (`KNOWN`), never hand-kept.

use mistral_files_raw::open_enums::{FilePurpose, FileVisibility, SampleType, Source};
use mistral_files_test_support::http::*;
use mistral_files_test_support::{emulator, wire_literals};
use reqwest::StatusCode;
use serde_json::{json, Value};

const JSONL: &[u8] =
    b"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n{\"a\":1}\n{\"b\":2}";

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
