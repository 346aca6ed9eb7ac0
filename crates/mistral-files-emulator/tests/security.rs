//! Security cases beyond `api.rs` (which proves: traversal in ids ->
//! `bad_ids_get_422_uuid_parsing_and_never_touch_the_filesystem`, names stored verbatim ->
//! `names_are_stored_verbatim_and_never_used_as_paths`, upload size with Content-Length ->
//! `size_limit_is_enforced_with_413_and_leaves_nothing`): a chunked upload with no Content-Length
//! is bounded too, oversized request heads are refused without harming the server, and signed-URL
//! tokens cannot reach files of the data directory. Listed in docs/RELIABILITY.md.

use mistral_files_test_support::http::*;
use mistral_files_test_support::{emulator, emulator_with, KEY};
use reqwest::StatusCode;

#[tokio::test]
async fn chunked_upload_without_length_over_the_limit_is_refused_and_leaves_nothing() {
    let emu = emulator_with(|b| b.max_upload_bytes(1000)).await;
    let data = vec![b'a'; 200_000];
    let body = multipart_body(&[
        file_part("big.jsonl", &data),
        Part::Text("purpose", "batch"),
    ]);
    // streamed in small chunks: no Content-Length, Transfer-Encoding: chunked
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        body.chunks(4096).map(|c| Ok(c.to_vec())).collect();
    let resp = post_files(&emu)
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await;
    match resp {
        Ok(r) => assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE),
        // refusing by closing the connection mid-body is acceptable too
        Err(e) => assert!(e.is_request() || e.is_body(), "{e:?}"),
    }
    let (s, list) = get_json(&emu, "/v1/files").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["total"], 0);
    assert!(entries(&emu.data_dir().join("content")).is_empty());
    assert!(eventually(|| entries(&emu.data_dir().join("tmp")).is_empty()).await);
}

#[tokio::test]
async fn oversized_request_heads_are_refused_and_the_server_lives_on() {
    let emu = emulator().await;
    let long_query = "x".repeat(1024 * 1024);
    let resp = raw_get(&emu, &format!("/v1/files?search={long_query}"), true).await;
    assert!(
        resp.is_empty() || resp.starts_with("HTTP/1.1 4"),
        "{}",
        &resp[..resp.len().min(200)]
    );
    let huge_header = format!(
        "GET /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "y".repeat(1024 * 1024)
    );
    let resp = raw_http(&emu, huge_header.as_bytes()).await;
    assert!(
        resp.is_empty() || resp.starts_with("HTTP/1.1 4"),
        "{}",
        &resp[..resp.len().min(200)]
    );
    let (s, _) = get_json(&emu, "/v1/files").await;
    assert_eq!(s, StatusCode::OK, "the server still answers");
}

#[tokio::test]
async fn signed_url_tokens_cannot_reach_store_files() {
    let emu = emulator().await;
    for path in [
        "/signed/../files.sqlite3",
        "/signed/..%2Ffiles.sqlite3",
        "/signed/%2e%2e%2ffiles.sqlite3",
        "/signed/..%2F..%2F..%2Fetc%2Fpasswd",
        "/signed/files.sqlite3",
        "/signed/",
        "/signed/00000000-0000-0000-0000-000000000000.99999999999.00",
    ] {
        let resp = raw_get(&emu, path, false).await;
        assert!(
            resp.starts_with("HTTP/1.1 403") || resp.starts_with("HTTP/1.1 404"),
            "{path}: {}",
            &resp[..resp.len().min(300)]
        );
        assert!(
            !resp.contains("SQLite format"),
            "{path} served the database"
        );
        assert!(!resp.contains("root:"), "{path} served a system file");
    }
}
