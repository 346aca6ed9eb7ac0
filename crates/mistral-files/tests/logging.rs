//! Neither the API key nor a signed URL's token reaches the logs, at any level. Alone in its
//! binary: it installs a global subscriber at TRACE.

use std::sync::{Arc, Mutex};

use mistral_files::{Client, FilePurpose};
use mistral_files_test_support::{downloaded, fast_retries};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_appear_in_logs() {
    let secret = "sk-LOGGED-SECRET-42";
    let emu = mistral_files_emulator::Emulator::builder()
        .api_key(secret)
        .start()
        .await
        .unwrap();
    let cap = Capture::default();
    let c2 = cap.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || c2.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let client = Client::builder()
        .api_key(secret)
        .base_url(emu.url())
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    emu.faults().fail_next(1, 503, None);
    let f = client
        .upload_bytes("l.jsonl", b"{}\n".to_vec())
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
    emu.faults().fail_next(1, 429, None);
    client.list().send().await.unwrap();
    client.retrieve(f.id).await.unwrap();
    downloaded(client.download(f.id)).await;
    let bad = Client::builder()
        .api_key("sk-OTHER-SECRET")
        .base_url(emu.url())
        .build()
        .unwrap();
    let _ = bad.list().send().await;
    // a signed URL (the emulator's token is in its path), fetched with a cut and a resume
    let url = client.signed_url(f.id).await.unwrap();
    let token = url.as_str().rsplit('/').next().unwrap().to_string();
    assert!(token.len() > 20, "{url:?}");
    emu.faults().cut_download_after(1);
    let big = client
        .upload_bytes("big.jsonl", vec![b'x'; 300_000])
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
    let big_url = client.signed_url(big.id).await.unwrap();
    let big_token = big_url.as_str().rsplit('/').next().unwrap().to_string();
    downloaded(client.fetch_signed_url(&big_url)).await;
    downloaded(client.fetch_signed_url(&url)).await;
    tracing::info!(?url, big_url = %big_url.redacted(), "signed URLs as logged");
    let logs = String::from_utf8(cap.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("resuming"),
        "the cut download resumed: {logs}"
    );
    assert!(
        !logs.contains(&token) && !logs.contains(&big_token),
        "a signed URL's token is in the logs: {logs}"
    );
    let ours: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("mistral_files"))
        .collect();
    assert!(logs.contains("attempt"), "spans are logged: {ours:#?}");
    assert!(logs.contains("retrying"), "{logs}");
    assert!(
        !logs.contains(secret) && !logs.contains("sk-OTHER-SECRET"),
        "{logs}"
    );
}
