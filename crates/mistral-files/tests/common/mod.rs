#![allow(dead_code)]

use std::time::Duration;

use mistral_files::{Client, RetryPolicy};
use mistral_files_emulator::{Emulator, RecordedRequest, RunningEmulator};
use sha2::{Digest, Sha256};

pub const KEY: &str = "test-key";

/// Retries on, but fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(10))
        .with_max_backoff(Duration::from_millis(50))
        .with_max_retry_after(Duration::from_secs(2))
}

pub async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .api_key(KEY)
        .start()
        .await
        .expect("emulator starts")
}

pub fn client_for(emu: &RunningEmulator) -> Client {
    Client::builder()
        .with_api_key(KEY)
        .with_base_url(emu.url())
        .with_retry_policy(fast_retries())
        .build()
        .unwrap()
}

pub async fn setup() -> (RunningEmulator, Client) {
    let emu = emulator().await;
    let c = client_for(&emu);
    (emu, c)
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Deterministic pseudo-random content.
pub fn content(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut v = Vec::with_capacity(len);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}

pub fn requests_to(emu: &RunningEmulator, method: &str, path_prefix: &str) -> Vec<RecordedRequest> {
    emu.requests()
        .into_iter()
        .filter(|r| r.method == method && r.path.starts_with(path_prefix))
        .collect()
}

pub fn header<'a>(r: &'a RecordedRequest, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub fn query_values<'a>(r: &'a RecordedRequest, key: &str) -> Vec<&'a str> {
    r.query
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// A tiny scripted HTTP/1.1 server on loopback, for faults the emulator does not model. Each
/// connection serves one request: `handler(index, request_head)` returns the raw bytes to write,
/// after which the connection is closed.
pub struct RawServer {
    pub url: String,
    pub requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn raw_server<F>(handler: F) -> RawServer
where
    F: Fn(usize, &str) -> Vec<u8> + Send + Sync + 'static,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let reqs = requests.clone();
    let handler = std::sync::Arc::new(handler);
    let task = tokio::spawn(async move {
        let mut n = 0usize;
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let i = n;
            n += 1;
            let reqs = reqs.clone();
            let handler = handler.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut tmp = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut tmp).await {
                        Ok(0) | Err(_) => return,
                        Ok(k) => buf.extend_from_slice(&tmp[..k]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).to_string();
                reqs.lock().unwrap().push(head.clone());
                let out = handler(i, &head);
                let _ = sock.write_all(&out).await;
                let _ = sock.flush().await;
                let _ = sock.shutdown().await;
            });
        }
    });
    RawServer {
        url,
        requests,
        task,
    }
}

pub fn http_response(status: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nconnection: close\r\n").into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

pub const FILE_JSON: &str = r#"{"id":"3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e","object":"file","bytes":null,"created_at":1700000000,"filename":"a.jsonl","purpose":"brand-new-purpose","sample_type":"something_new","source":"upload","deleted":false}"#;
pub const FILE_ID: &str = "3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e";
