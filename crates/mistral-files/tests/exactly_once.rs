//! The client against each fault of the emulator's `Fault`: no duplicate when the file was
//! stored before the answer was lost, a retry when it was not, refusals waited out, cut
//! downloads resumed.

use std::time::Duration;

use futures_util::TryStreamExt;
use mistral_files::{Client, Error, FileObject, RetryPolicy};
use mistral_files_emulator::{Fault, RunningEmulator};
use mistral_files_test_support::*;

const DATA: &[u8] = b"{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}\n";

/// Every stored file, through the client.
async fn stored(client: &Client) -> Vec<FileObject> {
    client.list().stream().try_collect().await.unwrap()
}

fn posts(emu: &RunningEmulator) -> usize {
    requests_to(emu, "POST", "/v1/files").len()
}

fn lookups(emu: &RunningEmulator) -> usize {
    requests_to(emu, "GET", "/v1/files")
        .iter()
        .filter(|r| r.path == "/v1/files")
        .count()
}

/// The upload's result is the one stored file, with the uploaded bytes.
async fn assert_stored_once(client: &Client, got: &FileObject) {
    let files = stored(client).await;
    assert_eq!(files.len(), 1, "{files:#?}");
    assert_eq!(files[0].id, got.id);
    assert_eq!(downloaded(client.download(got.id)).await, DATA);
}

#[tokio::test]
async fn stored_then_dropped_is_found_and_not_sent_again() {
    let (emu, client) = setup().await;
    emu.faults().inject_next(1, Fault::StoreThenDrop);
    let f = client.upload_bytes("a.jsonl", DATA).await.unwrap();
    assert_eq!((posts(&emu), lookups(&emu)), (1, 1));
    assert_stored_once(&client, &f).await;
}

#[tokio::test]
async fn dropped_before_stored_is_sent_again() {
    let (emu, client) = setup().await;
    emu.faults().inject_next(1, Fault::DropBeforeHandling);
    let f = client.upload_bytes("a.jsonl", DATA).await.unwrap();
    assert_eq!((posts(&emu), lookups(&emu)), (2, 1));
    assert_stored_once(&client, &f).await;
}

#[tokio::test]
async fn stored_then_502_is_found_and_not_sent_again() {
    let (emu, client) = setup().await;
    emu.faults().inject_next(1, Fault::StoreThen502);
    let f = client.upload_bytes("a.jsonl", DATA).await.unwrap();
    assert_eq!((posts(&emu), lookups(&emu)), (1, 1));
    assert_stored_once(&client, &f).await;
}

#[tokio::test]
async fn an_answer_held_past_the_timeout_is_found_and_not_sent_again() {
    let emu = emulator().await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(emu.url())
        .timeout(Duration::from_millis(500))
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    emu.faults()
        .inject_next(1, Fault::DelayAnswer(Duration::from_secs(30)));
    let f = client.upload_bytes("a.jsonl", DATA).await.unwrap();
    assert_eq!(posts(&emu), 1);
    assert_stored_once(&client, &f).await;
}

#[tokio::test]
async fn a_download_closed_mid_body_is_resumed() {
    let (emu, client) = setup().await;
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let f = client
        .upload_bytes("big.jsonl", data.clone())
        .purpose(mistral_files::FilePurpose::Batch)
        .await
        .unwrap();
    emu.faults()
        .inject_next(1, Fault::CutDownload { after: 10_000 });
    assert_eq!(downloaded(client.download(f.id)).await, data);
    let ranges: Vec<_> = requests_to(&emu, "GET", &format!("/v1/files/{}/content", f.id))
        .iter()
        .filter_map(|r| header(r, "range").map(str::to_string))
        .collect();
    assert_eq!(ranges, ["bytes=10000-"]);
}

#[tokio::test]
async fn refusals_with_retry_after_are_waited_out_and_sent_again() {
    let (emu, client) = setup().await;
    for status in [429, 503] {
        emu.faults().inject_next(
            1,
            Fault::Refuse {
                status,
                retry_after: Duration::from_secs(1),
            },
        );
    }
    let f = client.upload_bytes("a.jsonl", DATA).await.unwrap();
    // refused before the store: sent again without a lookup
    assert_eq!((posts(&emu), lookups(&emu)), (3, 0));
    assert_stored_once(&client, &f).await;
}

#[tokio::test]
async fn a_reader_is_looked_for_but_never_sent_again() {
    let (emu, client) = setup().await;
    emu.faults().inject_next(1, Fault::StoreThenDrop);
    let f = client
        .upload_reader("a.jsonl", DATA, DATA.len() as u64)
        .await
        .unwrap();
    assert_eq!(posts(&emu), 1);
    assert_stored_once(&client, &f).await;
    // dropped before the store: not found, and a reader cannot be sent again
    let (emu, client) = setup().await;
    emu.faults().inject_next(1, Fault::DropBeforeHandling);
    let e = client
        .upload_reader("a.jsonl", DATA, DATA.len() as u64)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    assert_eq!((posts(&emu), lookups(&emu)), (1, 1));
    assert!(
        stored(&client).await.is_empty(),
        "reported failed: nothing stored"
    );
}

#[tokio::test]
async fn two_identical_uploads_are_undecidable_and_nothing_is_sent_again() {
    let (emu, client) = setup().await;
    let first = client.upload_bytes("a.jsonl", DATA).await.unwrap();
    emu.faults().inject_next(1, Fault::StoreThenDrop);
    let e = client.upload_bytes("a.jsonl", DATA).await.unwrap_err();
    let Error::UploadOutcomeUnknown { candidates, .. } = &e else {
        panic!("{e:?}");
    };
    assert_eq!(candidates.len(), 2);
    assert!(candidates.contains(&first.id));
    assert_eq!(posts(&emu), 2);
    assert_eq!(stored(&client).await.len(), 2);
    assert!(e.to_string().contains("2 stored files fit it"), "{e}");
}

#[tokio::test]
async fn with_retries_off_a_lost_answer_is_the_error_and_nothing_is_looked_for() {
    let emu = emulator().await;
    let client = client_at(emu.url(), RetryPolicy::disabled());
    emu.faults().inject_next(1, Fault::StoreThenDrop);
    let e = client.upload_bytes("a.jsonl", DATA).await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    assert_eq!((posts(&emu), lookups(&emu)), (1, 0));
}
