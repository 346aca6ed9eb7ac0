//! Every operation is sent by the one executor: the same setting gives the same error on each,
//! generated operation (list, retrieve, delete, signed URL) or hand-built request (upload,
//! download) alike.

use std::time::Duration;

use mistral_files::{Client, Error, RetryPolicy};
use mistral_files_test_support::*;

const FILE_ID: &str = "3b1f0c55-8d0e-4c7a-9a43-2f6c1d7e9b10";

/// Each operation once, each giving its error (or `None` if it succeeded).
async fn each_operation(client: &Client) -> Vec<(&'static str, Option<Error>)> {
    vec![
        (
            "upload",
            client.upload_bytes("a.jsonl", b"{}\n".to_vec()).await.err(),
        ),
        ("download", client.download(FILE_ID).await.err()),
        ("list", client.list().send().await.err()),
        ("retrieve", client.retrieve(FILE_ID).await.err()),
        ("delete", client.delete(FILE_ID).await.err()),
        ("signed_url", client.signed_url(FILE_ID).await.err()),
    ]
}

#[tokio::test]
async fn one_total_timeout_gives_the_same_error_on_every_operation() {
    let emu = emulator().await;
    let after = Duration::from_millis(200);
    let client = Client::builder()
        .api_key(KEY)
        .base_url(emu.url())
        .timeout(after)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    emu.faults().set_latency(Duration::from_secs(2));
    for (operation, error) in each_operation(&client).await {
        let e = error.unwrap_or_else(|| panic!("{operation} succeeded"));
        assert!(
            matches!(e, Error::Timeout { after: a } if a == after),
            "{operation}: {e:?}"
        );
        assert!(e.is_retryable(), "{operation}");
    }
}

#[tokio::test]
async fn an_oversized_error_body_is_read_only_in_part_on_every_operation() {
    // The server announces a 256 MiB error body, sends 1 MiB of it and then nothing for a
    // minute: a client that read the whole body would wait until its idle timeout (10 s here)
    // and fail with a transport error; one that reads a bounded part answers with the status.
    let server = ScriptedServer::start(|_, _| {
        let mut reply = b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html\r\ncontent-length: 268435456\r\n\r\n".to_vec();
        reply.extend(std::iter::repeat_n(b'x', 1024 * 1024));
        Reply::Stall(reply, Duration::from_secs(60), Vec::new())
    })
    .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .read_timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    for (operation, error) in each_operation(&client).await {
        let e = error.unwrap_or_else(|| panic!("{operation} succeeded"));
        match &e {
            Error::Api(api) => {
                assert_eq!(api.status().as_u16(), 500, "{operation}");
                let shown = api.body().summary();
                assert!(shown.starts_with("xxx") && shown.len() < 300, "{operation}");
            }
            other => panic!("{operation}: {other:?}"),
        }
    }
}
