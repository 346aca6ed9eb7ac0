//! The per-key rate limit (`EmulatorBuilder::rate_limit`): the burst passes, the rest is
//! answered 429 with the service's body and `Retry-After`, nothing refused is handled, the
//! bucket refills, a 401 takes no token, signed URLs are not limited, and `stats()` counts it
//! all. No assertion on speed: the timings only decide how many requests pass, and each test
//! allows for a slow machine.

use std::time::Duration;

use mistral_files_emulator::{Emulator, RunningEmulator};
use mistral_files_test_support::emulator_with;
use mistral_files_test_support::http::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The body of every refusal of the rate limit.
fn rate_limited_body() -> Value {
    json!({
        "object": "error",
        "message": "Requests rate limit exceeded",
        "type": "rate_limited",
        "param": null,
        "code": "1300",
    })
}

/// Checks that `resp` is the rate limit's 429; its `Retry-After`, in seconds.
async fn assert_rate_limited(resp: reqwest::Response) -> u64 {
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let retry_after: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in whole seconds");
    assert!(retry_after >= 1, "Retry-After {retry_after}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body, rate_limited_body());
    retry_after
}

/// Sends `GET /v1/files` until one is refused by the rate limit (the bucket is then empty);
/// the `Retry-After` of that refusal.
async fn empty_the_bucket(emu: &RunningEmulator) -> u64 {
    for _ in 0..50 {
        let resp = send(get(emu, "/v1/files")).await;
        if resp.status() == StatusCode::TOO_MANY_REQUESTS {
            return assert_rate_limited(resp).await;
        }
        assert_eq!(resp.status(), StatusCode::OK);
    }
    panic!("50 requests in a row passed a limit of a few per second");
}

#[tokio::test]
async fn a_burst_over_the_limit_passes_the_burst_and_gets_429s_with_retry_after() {
    // 20/s: a burst of 2, then a token every 50 ms
    let emu = emulator_with(|b| b.rate_limit(20)).await;
    // clients made first, so that the requests leave together
    let requests: Vec<_> = (0..10).map(|_| get(&emu, "/v1/files")).collect();
    let answers = futures_util::future::join_all(requests.into_iter().map(send)).await;
    let mut passed = 0;
    let mut refused = 0;
    for resp in answers {
        if resp.status() == StatusCode::OK {
            passed += 1;
        } else {
            assert_rate_limited(resp).await;
            refused += 1;
        }
    }
    // the burst always passes; all ten would only if they were spread over 400 ms
    assert!(passed >= 2, "passed {passed}");
    assert!(refused >= 1, "refused {refused}");
    let stats = emu.stats();
    assert_eq!(stats.api_requests, 10);
    assert_eq!(stats.requests, 10);
    assert_eq!(stats.rate_limited, refused);
}

#[tokio::test]
async fn after_the_wait_it_says_requests_pass_again() {
    let emu = emulator_with(|b| b.rate_limit(1)).await;
    let retry_after = empty_the_bucket(&emu).await;
    assert_eq!(retry_after, 1, "at 1/s a token is back within a second");
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    assert_eq!(get_json(&emu, "/v1/files").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_refused_upload_is_answered_and_stores_nothing() {
    let emu = emulator_with(|b| b.rate_limit(1)).await;
    empty_the_bucket(&emu).await;
    let data = vec![b'{'; 2 * 1024 * 1024];
    let resp = send(post_files(&emu).body(multipart_body(&[file_part("x.jsonl", &data)]))).await;
    let retry_after = assert_rate_limited(resp).await;
    // nothing stored: no row, no content, no temp file
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let (status, list) = get_json(&emu, "/v1/files").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["data"], json!([]));
    for dir in ["content", "tmp"] {
        let left = std::fs::read_dir(emu.data_dir().join(dir))
            .map(|d| d.count())
            .unwrap_or(0);
        assert_eq!(left, 0, "{dir}/");
    }
}

#[tokio::test]
async fn a_401_takes_no_token_and_is_counted_as_received_only() {
    // a burst of 1: any token taken by the 401s would refuse the request with the key
    let emu = emulator_with(|b| b.rate_limit(1)).await;
    for _ in 0..5 {
        let resp = send(
            http_client()
                .get(format!("{}/v1/files", emu.url()))
                .bearer_auth("not-the-key"),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(get_json(&emu, "/v1/files").await.0, StatusCode::OK);
    let stats = emu.stats();
    assert_eq!((stats.api_requests, stats.rate_limited), (6, 0));
}

#[tokio::test]
async fn without_auth_all_requests_share_one_bucket() {
    let emu = Emulator::builder()
        .no_auth()
        .rate_limit(1)
        .start()
        .await
        .unwrap();
    let with_bearer = |token: &str| {
        http_client()
            .get(format!("{}/v1/files", emu.url()))
            .bearer_auth(token)
    };
    assert_eq!(send(with_bearer("a")).await.status(), StatusCode::OK);
    // another bearer value (or none) draws from the same, now empty, bucket
    assert_rate_limited(send(with_bearer("b")).await).await;
    let none = http_client().get(format!("{}/v1/files", emu.url()));
    assert_rate_limited(send(none).await).await;
    assert_eq!(emu.stats().rate_limited, 2);
}

#[tokio::test]
async fn signed_url_downloads_are_not_limited() {
    let emu = emulator_with(|b| b.rate_limit(1)).await;
    let file = upload(&emu, "a.jsonl", b"{}\n", &[]).await;
    let id = file["id"].as_str().unwrap();
    // the upload took the one token: wait for the next to ask for the URL
    let url = loop {
        let (status, body) = get_json(&emu, &format!("/v1/files/{id}/url?expiry=1")).await;
        if status == StatusCode::OK {
            break body["url"].as_str().unwrap().to_string();
        }
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let refused_before = emu.stats().rate_limited;
    for _ in 0..5 {
        let resp = send(http_client().get(&url)).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.bytes().await.unwrap().as_ref(), b"{}\n");
    }
    let stats = emu.stats();
    assert_eq!(stats.rate_limited, refused_before);
    assert_eq!(stats.requests - stats.api_requests, 5, "{stats:?}");
}

#[tokio::test]
async fn without_a_limit_nothing_is_refused_and_requests_are_still_counted() {
    let emu = emulator_with(|b| b.rate_limit(0)).await;
    let requests: Vec<_> = (0..20).map(|_| get(&emu, "/v1/files")).collect();
    for resp in futures_util::future::join_all(requests.into_iter().map(send)).await {
        assert_eq!(resp.status(), StatusCode::OK);
    }
    let _ = send(http_client().get(format!("{}/elsewhere", emu.url()))).await;
    let stats = emu.stats();
    assert_eq!(
        (stats.requests, stats.api_requests, stats.rate_limited),
        (21, 20, 0)
    );
}
