//! The emulator's life: one per data directory, and graceful shutdowns that finish what they can
//! within the grace period and leave nothing half-written.

use std::time::Duration;

use mistral_files_emulator::EmulatorError;
use mistral_files_test_support::http::*;
use mistral_files_test_support::{emulator_builder, emulator_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn a_second_emulator_on_the_same_data_dir_fails_naming_the_first_pid() {
    let dir = tempfile::tempdir().unwrap();
    let first = emulator_with(|b| b.data_dir(dir.path())).await;
    let err = emulator_builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap_err();
    match &err {
        EmulatorError::DataDirInUse { pid, .. } => assert_eq!(*pid, Some(std::process::id())),
        other => panic!("{other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("pid {}", std::process::id())),
        "{msg}"
    );
    assert!(msg.contains("in use by another emulator"), "{msg}");
    // the first one is untouched and still serving
    let (s, _) = get_json(&first, "/v1/files").await;
    assert_eq!(s, reqwest::StatusCode::OK);
    first.shutdown().await;
    // released: it opens again
    let again = emulator_with(|b| b.data_dir(dir.path())).await;
    again.shutdown().await;
}

/// Starts an upload of `total` declared bytes on a raw connection and sends `sent` of them; the
/// stream, to go on with.
async fn start_upload(
    emu: &mistral_files_emulator::RunningEmulator,
    total_file: usize,
    sent: usize,
) -> (tokio::net::TcpStream, Vec<u8>) {
    let data = vec![b'x'; total_file];
    let body = multipart_body(&[
        Part::Text("purpose", "batch"),
        file_part("slow.jsonl", &data),
    ]);
    let mut s = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    s.write_all(&upload_head(body.len())).await.unwrap();
    s.write_all(&body[..sent]).await.unwrap();
    (s, body[sent..].to_vec())
}

#[tokio::test]
async fn shutdown_lets_uploads_in_flight_finish_within_the_grace_period() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_path_buf();
    let emu = emulator_with(|b| b.data_dir(&dir)).await;
    let tmp = emu.data_dir().join("tmp");
    let (mut s, rest) = start_upload(&emu, 1024 * 1024, 300_000).await;
    assert!(
        eventually(|| !entries(&tmp).is_empty()).await,
        "the upload is under way"
    );
    let stopping = tokio::spawn(emu.shutdown_within(Duration::from_secs(30)));
    // the rest arrives after the shutdown began: the upload completes and is answered
    s.write_all(&rest).await.unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    stopping.await.unwrap();
    assert!(entries(&tmp).is_empty());
    // restarted: the file is there, whole
    let emu = emulator_with(|b| b.data_dir(&dir)).await;
    let (_, list) = get_json(&emu, "/v1/files").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["data"][0]["bytes"], 1024 * 1024);
}

#[tokio::test]
async fn past_the_grace_period_an_unfinished_upload_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let emu = emulator_with(|b| b.data_dir(dir.path())).await;
    let done = upload(&emu, "done.jsonl", b"{\"a\":1}\n", &[]).await;
    let tmp = emu.data_dir().join("tmp");
    let (s, _rest) = start_upload(&emu, 8 * 1024 * 1024, 1024 * 1024).await;
    assert!(
        eventually(|| !entries(&tmp).is_empty()).await,
        "the upload is under way"
    );
    // the client stalls; the grace period runs out
    emu.shutdown_within(Duration::from_millis(300)).await;
    assert!(entries(&tmp).is_empty(), "no temp file left");
    drop(s);
    let emu = emulator_with(|b| b.data_dir(dir.path())).await;
    let (_, list) = get_json(&emu, "/v1/files").await;
    assert_eq!(list["total"], 1, "no row for the unfinished upload: {list}");
    assert_eq!(list["data"][0]["id"], done["id"]);
    assert_eq!(entries(&emu.data_dir().join("content")).len(), 1);
}
