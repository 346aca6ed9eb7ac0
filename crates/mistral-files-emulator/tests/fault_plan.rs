//! The faults of `Faults::inject_next` / `inject_at_rate`, seen on the wire: what is stored,
//! what is answered, when the connection is dropped.

use mistral_files_emulator::{Fault, RunningEmulator};
use mistral_files_test_support::emulator;
use mistral_files_test_support::http::*;
use reqwest::StatusCode;
use std::time::Duration;

async fn stored(emu: &RunningEmulator) -> i64 {
    get_json(emu, "/v1/files").await.1["total"]
        .as_i64()
        .unwrap()
}

fn upload_req(emu: &RunningEmulator) -> reqwest::RequestBuilder {
    post_files(emu).body(multipart_body(&[
        file_part("a.jsonl", b"{\"a\":1}\n"),
        Part::Text("purpose", "batch"),
    ]))
}

#[tokio::test]
async fn store_then_drop_stores_the_file_and_answers_nothing() {
    let emu = emulator().await;
    emu.faults().inject_next(1, Fault::StoreThenDrop);
    // a listing is not an upload: the queued fault waits
    assert_eq!(stored(&emu).await, 0);
    let err = upload_req(&emu).send().await.unwrap_err();
    assert!(!err.is_status(), "no status read: {err:?}");
    assert_eq!(stored(&emu).await, 1, "stored before the drop");
    assert_eq!(
        upload_req(&emu).send().await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn drop_before_handling_stores_nothing() {
    let emu = emulator().await;
    emu.faults().inject_next(1, Fault::DropBeforeHandling);
    assert!(upload_req(&emu).send().await.is_err());
    assert_eq!(stored(&emu).await, 0);
}

#[tokio::test]
async fn store_then_502_stores_and_answers_a_proxy_page() {
    let emu = emulator().await;
    emu.faults().inject_next(1, Fault::StoreThen502);
    let resp = upload_req(&emu).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(resp.headers()["content-type"], "text/html");
    assert_eq!(stored(&emu).await, 1);
}

#[tokio::test]
async fn a_delayed_answer_comes_after_the_store() {
    let emu = emulator().await;
    emu.faults()
        .inject_next(1, Fault::DelayAnswer(Duration::from_secs(30)));
    let err = upload_req(&emu)
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    // stored before the answer was held
    let mut n = 0;
    for _ in 0..100 {
        n = stored(&emu).await;
        if n == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(n, 1);
}

#[tokio::test]
async fn refusals_are_answers_with_retry_after() {
    let emu = emulator().await;
    for status in [429u16, 503] {
        emu.faults().inject_next(
            1,
            Fault::Refuse {
                status,
                retry_after: Duration::from_secs(2),
            },
        );
        let resp = upload_req(&emu).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), status);
        assert_eq!(resp.headers()["retry-after"], "2");
    }
    assert_eq!(stored(&emu).await, 0);
}

#[tokio::test]
async fn cut_download_closes_mid_body() {
    let emu = emulator().await;
    let data: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    let f = upload(&emu, "c.jsonl", &data, &[("purpose", "batch")]).await;
    let id = f["id"].as_str().unwrap();
    emu.faults()
        .inject_next(1, Fault::CutDownload { after: 1000 });
    let resp = send(get(&emu, &format!("/v1/files/{id}/content"))).await;
    let (got, errored) = read_all(resp).await;
    assert!(errored);
    assert_eq!(&got[..], &data[..1000]);
    assert_eq!(download(&emu, id).await, (StatusCode::OK, data));
}

#[tokio::test]
async fn random_faults_replay_with_their_seed() {
    let run = |seed| async move {
        let emu = emulator().await;
        emu.faults().inject_at_rate(
            0.5,
            seed,
            &[Fault::Refuse {
                status: 503,
                retry_after: Duration::from_secs(1),
            }],
        );
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(get_json(&emu, "/v1/files").await.0.as_u16());
        }
        statuses
    };
    let first = run(11).await;
    assert_eq!(first, run(11).await);
    assert!(first.contains(&503) && first.contains(&200));
}
