//! Fault injection: canned failures, latency, cut / stalled / throttled downloads.

use mistral_files_emulator::{FailSpec, FaultConfig};
use mistral_files_test_support::http::*;
use mistral_files_test_support::{emulator, emulator_with, KEY};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 253) as u8).collect()
}

#[tokio::test]
async fn fail_next_answers_429_with_retry_after_then_recovers() {
    let emu = emulator().await;
    emu.faults().fail_next(2, 429, Some(Duration::from_secs(3)));
    for _ in 0..2 {
        let resp = send(get(&emu, "/v1/files")).await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(resp.headers()["retry-after"], "3");
        assert_eq!(resp.headers()["content-type"], "application/json");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["object"], "error");
        assert_eq!(body["type"], "rate_limited");
        assert_eq!(body["param"], serde_json::Value::Null);
        assert!(body["message"].is_string() && body["code"].is_string());
        let _: mistral_files_raw::types::ErrorBody = serde_json::from_value(body).unwrap();
    }
    assert_eq!(get_json(&emu, "/v1/files").await.0, StatusCode::OK);
    // faulted requests are recorded too
    assert_eq!(emu.requests().len(), 3);
}

#[tokio::test]
async fn failures_queue_in_order_and_come_before_auth() {
    let emu = emulator().await;
    emu.faults().fail_next(1, 503, None);
    emu.faults().fail_next_with_body(
        1,
        502,
        "text/html",
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
    );
    emu.faults().fail_next(1, 500, None);
    let resp = http_client()
        .get(format!("{}/v1/files", emu.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "before auth, like a proxy"
    );
    assert!(resp.headers().get("retry-after").is_none());
    let resp = send(get(&emu, "/v1/files")).await;
    assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(resp.headers()["content-type"], "text/html");
    assert_eq!(
        resp.text().await.unwrap(),
        "<html><body><h1>502 Bad Gateway</h1></body></html>"
    );
    let (s, b) = get_json(&emu, "/v1/files").await;
    assert_eq!(
        (s, b["type"].clone()),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!("internal_server_error")
        )
    );
    assert_eq!(get_json(&emu, "/v1/files").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_failed_upload_is_answered_not_reset_and_stores_nothing() {
    let emu = emulator().await;
    emu.faults().fail_next(1, 503, Some(Duration::from_secs(1)));
    let data = pattern(2 * 1024 * 1024);
    let (s, b) = post_form(&emu, &[file_part("x.jsonl", &data)]).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{b}");
    assert_eq!(ids_of_total(&emu).await, 0);
    // then the retry goes through
    let f = upload(&emu, "x.jsonl", &data, &[("purpose", "batch")]).await;
    assert_eq!(f["bytes"], data.len());
}

async fn ids_of_total(emu: &mistral_files_emulator::RunningEmulator) -> i64 {
    get_json(emu, "/v1/files").await.1["total"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn signed_url_fetches_are_not_failed_by_fail_next() {
    let emu = emulator().await;
    let f = upload(&emu, "s.jsonl", b"{}", &[]).await;
    let (_, u) = get_json(
        &emu,
        &format!("/v1/files/{}/url", f["id"].as_str().unwrap()),
    )
    .await;
    emu.faults().fail_next(1, 500, None);
    let resp = http_client()
        .get(u["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        get_json(&emu, "/v1/files").await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

#[tokio::test]
async fn cut_download_sends_k_bytes_under_a_full_content_length_then_drops() {
    let emu = emulator().await;
    let data = pattern(700_000);
    let f = upload(&emu, "cut.jsonl", &data, &[("purpose", "batch")]).await;
    let id = f["id"].as_str().unwrap().to_string();
    for k in [1000u64, 300_000, 0] {
        emu.faults().cut_download_after(k);
        let resp = send(get(&emu, &format!("/v1/files/{id}/content"))).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(
            resp.headers()["content-length"],
            data.len().to_string().as_str()
        );
        let (got, errored) = read_all(resp).await;
        assert!(errored, "the body ends in an error, not a clean end");
        assert_eq!(got.len() as u64, k);
        assert_eq!(&got[..], &data[..k as usize]);
    }
    // one-shot: the next download is whole
    assert_eq!(download(&emu, &id).await, (StatusCode::OK, data.clone()));
    // a cut also applies to signed URLs and to ranges
    let (_, u) = get_json(&emu, &format!("/v1/files/{id}/url")).await;
    emu.faults().cut_download_after(10);
    let resp = http_client()
        .get(u["url"].as_str().unwrap())
        .header("range", "bytes=100-")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    let (got, errored) = read_all(resp).await;
    assert!(errored);
    assert_eq!(&got[..], &data[100..110]);
    // a cut beyond the end changes nothing
    emu.faults().cut_download_after(10_000_000);
    assert_eq!(download(&emu, &id).await, (StatusCode::OK, data));
}

#[tokio::test]
async fn stalled_and_throttled_downloads_still_deliver_everything() {
    let emu = emulator().await;
    let data = pattern(300_000);
    let f = upload(&emu, "slow.jsonl", &data, &[("purpose", "batch")]).await;
    let id = f["id"].as_str().unwrap().to_string();
    emu.faults()
        .stall_download_after(4096, Duration::from_millis(300));
    let resp = send(get(&emu, &format!("/v1/files/{id}/content"))).await;
    let (got, errored) = read_all(resp).await;
    assert!(!errored);
    assert_eq!(got, data);
    // a client with a short read timeout sees the stall as a timeout after the first bytes
    emu.faults()
        .stall_download_after(4096, Duration::from_secs(5));
    let impatient = reqwest::Client::builder()
        .no_proxy()
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let resp = impatient
        .get(format!("{}/v1/files/{id}/content", emu.url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    let (got, errored) = read_all(resp).await;
    assert!(errored);
    assert_eq!(got.len(), 4096);

    emu.faults().throttle_download(4 * 1024 * 1024);
    assert_eq!(download(&emu, &id).await, (StatusCode::OK, data.clone()));
    emu.faults().reset();
    assert_eq!(download(&emu, &id).await, (StatusCode::OK, data));
}

#[tokio::test]
async fn latency_is_added_and_reset_removes_every_fault() {
    let emu = emulator().await;
    emu.faults().set_latency(Duration::from_millis(20));
    emu.faults().fail_next(5, 503, None);
    emu.faults().cut_download_after(1);
    emu.faults().throttle_download(1);
    emu.faults().reset();
    let f = upload(&emu, "r.jsonl", b"{}\n", &[]).await;
    assert_eq!(
        download(&emu, f["id"].as_str().unwrap()).await,
        (StatusCode::OK, b"{}\n".to_vec())
    );
    // latency alone still answers correctly
    emu.faults().set_latency(Duration::from_millis(20));
    assert_eq!(get_json(&emu, "/v1/files").await.0, StatusCode::OK);
}

#[tokio::test]
async fn fault_config_from_cli_style_flags_applies_at_start() {
    let config = FaultConfig {
        latency: Some(Duration::from_millis(1)),
        fail_next: vec![
            "1:503:7".parse::<FailSpec>().unwrap(),
            "1:429".parse().unwrap(),
        ],
        cut_download_after: Some(2),
        stall_download_after: None,
        throttle_download: None,
    };
    let emu = emulator_with(|b| b.faults(config)).await;
    let resp = send(get(&emu, "/v1/files")).await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(resp.headers()["retry-after"], "7");
    assert_eq!(
        get_json(&emu, "/v1/files").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    let f = upload(&emu, "c.jsonl", b"0123456789", &[("purpose", "batch")]).await;
    let resp = http_client()
        .get(format!(
            "{}/v1/files/{}/content",
            emu.url(),
            f["id"].as_str().unwrap()
        ))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    let (got, errored) = read_all(resp).await;
    assert_eq!((got, errored), (b"01".to_vec(), true));
    assert!("nonsense".parse::<FailSpec>().is_err());
}
