//! Helpers shared by the emulator's integration tests (loopback only).
#![allow(dead_code)]

pub mod wire_literals;

use mistral_files_emulator::{Emulator, RunningEmulator};
use reqwest::StatusCode;
use serde_json::Value;

pub const KEY: &str = "test-key";
pub const BOUNDARY: &str = "emulator-test-boundary-7MA4YWxkTrZu0gW";

pub async fn start() -> RunningEmulator {
    Emulator::builder()
        .api_key(KEY)
        .start()
        .await
        .expect("emulator starts")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// One part of a hand-built multipart body.
pub enum Part<'a> {
    Text(&'a str, &'a str),
    /// name, raw Content-Disposition parameters after `name="..."` (e.g. `filename="a.jsonl"`), data
    File(&'a str, String, &'a [u8]),
}

pub fn file_part<'a>(filename: &str, data: &'a [u8]) -> Part<'a> {
    Part::File("file", format!("filename=\"{filename}\""), data)
}

pub fn multipart_body(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File(name, params, data) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; {params}\r\nContent-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(data);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub async fn post_form(emu: &RunningEmulator, parts: &[Part<'_>]) -> (StatusCode, Value) {
    let resp = client()
        .post(format!("{}/v1/files", emu.url()))
        .bearer_auth(KEY)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart_body(parts))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Uploads `data` as `filename` with extra text fields; panics unless 200; returns the file object.
pub async fn upload(
    emu: &RunningEmulator,
    filename: &str,
    data: &[u8],
    fields: &[(&str, &str)],
) -> Value {
    let mut parts = vec![file_part(filename, data)];
    parts.extend(fields.iter().map(|(k, v)| Part::Text(k, v)));
    let (status, body) = post_form(emu, &parts).await;
    assert_eq!(status, StatusCode::OK, "upload failed: {body}");
    body
}

pub async fn get_json(emu: &RunningEmulator, path_and_query: &str) -> (StatusCode, Value) {
    send_json(
        client()
            .get(format!("{}{path_and_query}", emu.url()))
            .bearer_auth(KEY),
    )
    .await
}

pub async fn send_json(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub async fn download(emu: &RunningEmulator, id: &str) -> (StatusCode, Vec<u8>) {
    let resp = client()
        .get(format!("{}/v1/files/{id}/content", emu.url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.bytes().await.unwrap().to_vec())
}

pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Names of the entries of a directory, sorted.
pub fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Polls `cond` every 20 ms for up to 10 s (a bound, not a speed assertion).
pub async fn eventually(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..500 {
        if cond() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    cond()
}

/// Sends raw bytes on a fresh loopback connection and returns everything read until close.
pub async fn raw_http(emu: &RunningEmulator, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}
