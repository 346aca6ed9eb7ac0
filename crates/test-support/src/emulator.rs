//! An emulator expecting [`KEY`], a `mistral-files` client for it, and look-ups in
//! what the emulator recorded.

use std::future::IntoFuture;
use std::time::Duration;

use futures_util::TryStreamExt;
use mistral_files::{Client, Download, RetryPolicy};
use mistral_files_emulator::{Emulator, EmulatorBuilder, RecordedRequest, RunningEmulator};

use crate::KEY;

/// Retries on, but fast: backoff 10 ms to 50 ms, a server's `Retry-After` honoured up to 2 s.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(10))
        .with_max_backoff(Duration::from_millis(50))
        .with_max_retry_after(Duration::from_secs(2))
}

/// An emulator builder expecting [`KEY`], otherwise the emulator's defaults.
pub fn emulator_builder() -> EmulatorBuilder {
    Emulator::builder().api_key(KEY)
}

/// Starts an emulator on a free loopback port, expecting [`KEY`], with a fresh data directory.
pub async fn emulator() -> RunningEmulator {
    emulator_with(|b| b).await
}

/// Starts an emulator from [`emulator_builder`] changed by `configure` (e.g.
/// `|b| b.max_upload_bytes(1000)`).
pub async fn emulator_with(
    configure: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder,
) -> RunningEmulator {
    configure(emulator_builder())
        .start()
        .await
        .expect("emulator starts")
}

/// A client of `url` sending [`KEY`], with the given retry policy.
pub fn client_at(url: &str, retry: RetryPolicy) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(url)
        .retry_policy(retry)
        .build()
        .expect("client builds")
}

/// A client of `emu` sending [`KEY`], with [`fast_retries`].
pub fn client_for(emu: &RunningEmulator) -> Client {
    client_at(emu.url(), fast_retries())
}

/// [`emulator`] and [`client_for`] it.
pub async fn setup() -> (RunningEmulator, Client) {
    let emu = emulator().await;
    let client = client_for(&emu);
    (emu, client)
}

/// Awaits a download (`client.download(id)`, `client.fetch_signed_url(url)`), panicking on any
/// error, and returns the whole content.
pub async fn downloaded<R>(request: R) -> Vec<u8>
where
    R: IntoFuture<Output = mistral_files::Result<Download>>,
{
    let chunks: Vec<_> = request
        .await
        .expect("download starts")
        .try_collect()
        .await
        .expect("download completes");
    chunks.concat()
}

/// `d.jsonl`, `len` bytes of content seeded with `seed` ([`crate::content`]), uploaded as a
/// batch file: its object and its bytes.
pub async fn uploaded_batch(
    client: &Client,
    len: usize,
    seed: u64,
) -> (mistral_files::FileObject, Vec<u8>) {
    let data = crate::content(len, seed);
    let f = client
        .upload_bytes("d.jsonl", data.clone())
        .purpose(mistral_files::FilePurpose::Batch)
        .await
        .unwrap();
    (f, data)
}

/// The requests `emu` recorded with this method whose path starts with `path_prefix`, in order.
pub fn requests_to(emu: &RunningEmulator, method: &str, path_prefix: &str) -> Vec<RecordedRequest> {
    emu.requests()
        .into_iter()
        .filter(|r| r.method == method && r.path.starts_with(path_prefix))
        .collect()
}

/// The `page` of each listing request (`GET /v1/files`) `emu` recorded, in arrival order.
pub fn listed_pages(emu: &RunningEmulator) -> Vec<u32> {
    requests_to(emu, "GET", "/v1/files")
        .iter()
        .filter(|r| r.path == "/v1/files")
        .map(|r| query_values(r, "page")[0].parse().unwrap())
        .collect()
}

/// The value of a recorded request's header `name` (lower-case), if it was sent.
pub fn header<'a>(r: &'a RecordedRequest, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Every value of a recorded request's query key `key`, in order.
pub fn query_values<'a>(r: &'a RecordedRequest, key: &str) -> Vec<&'a str> {
    r.query
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}
