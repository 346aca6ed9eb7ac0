//! The emulator's API through plain `reqwest` (no `mistral-files` in between), hand-built multipart
//! bodies, and raw TCP requests for what a client library would normalise.

use std::path::Path;
use std::time::Duration;

use mistral_files_emulator::RunningEmulator;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::KEY;

/// The boundary of the bodies [`multipart_body`] builds.
pub const BOUNDARY: &str = "emulator-test-boundary-7MA4YWxkTrZu0gW";

/// A `reqwest` client that ignores any proxy settings of the environment (with the library's TLS
/// provider installed, as a user of `ClientBuilder::http_client` does).
pub fn http_client() -> reqwest::Client {
    mistral_files::install_tls_provider();
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client builds")
}

/// A `GET` of `emu`'s `path_and_query`, with [`KEY`] as bearer token, not yet sent (add headers,
/// then [`send`]).
pub fn get(emu: &RunningEmulator, path_and_query: &str) -> reqwest::RequestBuilder {
    http_client()
        .get(format!("{}{path_and_query}", emu.url()))
        .bearer_auth(KEY)
}

/// Sends a request, panicking on a transport error.
pub async fn send(req: reqwest::RequestBuilder) -> reqwest::Response {
    req.send().await.expect("request sent")
}

/// Sends a request; returns the status and the body as JSON (a JSON string holding the text when
/// it is not JSON).
pub async fn send_json(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let resp = send(req).await;
    let status = resp.status();
    let text = resp.text().await.expect("body read");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// [`get`] then [`send_json`].
pub async fn get_json(emu: &RunningEmulator, path_and_query: &str) -> (StatusCode, Value) {
    send_json(get(emu, path_and_query)).await
}

/// `GET /v1/files{query}`, required to succeed: the listed file names in order, and the
/// `total` field as answered.
pub async fn listed_names(emu: &RunningEmulator, query: &str) -> (Vec<String>, Value) {
    let (s, b) = get_json(emu, &format!("/v1/files{query}")).await;
    assert_eq!(s, StatusCode::OK, "{query}: {b}");
    let names = b["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["filename"].as_str().unwrap().to_string())
        .collect();
    (names, b["total"].clone())
}

/// One part of a hand-built multipart body.
#[derive(Debug, Clone)]
pub enum Part<'a> {
    /// A text field: name, value.
    Text(&'a str, &'a str),
    /// A file field: name, the raw `Content-Disposition` parameters after `name="..."` (e.g.
    /// `filename="a.jsonl"`), data. Sent as `application/octet-stream`.
    File(&'a str, String, &'a [u8]),
}

/// The `file` part of an upload named `filename`.
pub fn file_part<'a>(filename: &str, data: &'a [u8]) -> Part<'a> {
    Part::File("file", format!("filename=\"{filename}\""), data)
}

/// A `multipart/form-data` body of `parts`, delimited by [`BOUNDARY`].
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

/// A `POST /v1/files` with [`KEY`] and the multipart content type of [`BOUNDARY`], body not yet
/// set.
pub fn post_files(emu: &RunningEmulator) -> reqwest::RequestBuilder {
    http_client()
        .post(format!("{}/v1/files", emu.url()))
        .bearer_auth(KEY)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
}

/// Posts `parts` as an upload; returns the status and the JSON body.
pub async fn post_form(emu: &RunningEmulator, parts: &[Part<'_>]) -> (StatusCode, Value) {
    send_json(post_files(emu).body(multipart_body(parts))).await
}

/// Uploads `data` as `filename` with extra text fields; panics unless 200; returns the file
/// object.
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

/// Downloads file `id`'s content; returns the status and the bytes.
pub async fn download(emu: &RunningEmulator, id: &str) -> (StatusCode, Vec<u8>) {
    let resp = send(get(emu, &format!("/v1/files/{id}/content"))).await;
    (
        resp.status(),
        resp.bytes().await.expect("body read").to_vec(),
    )
}

/// Reads a response body chunk by chunk; returns the bytes received and whether it ended in an
/// error (rather than a clean end).
pub async fn read_all(mut resp: reqwest::Response) -> (Vec<u8>, bool) {
    let mut got = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => got.extend_from_slice(&c),
            Ok(None) => return (got, false),
            Err(_) => return (got, true),
        }
    }
}

/// Sends raw bytes on a fresh loopback connection to `emu` and returns everything read until the
/// server closes it (at most 10 s).
pub async fn raw_http(emu: &RunningEmulator, request: &[u8]) -> String {
    let mut s = tokio::net::TcpStream::connect(emu.addr())
        .await
        .expect("connect");
    s.write_all(request).await.expect("write");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// A client that keeps sending: on a fresh connection to `addr`, writes `head` then `body` in
/// 64 KiB pieces, every piece whatever the server answers meanwhile (as Node's `fetch` and most
/// clients do), and only then reads the answer until the server closes the connection. Returns
/// whether every byte could be written, and what was read (at most 10 s for each side).
pub async fn keep_sending(addr: std::net::SocketAddr, head: &[u8], body: &[u8]) -> (bool, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let write = async {
        s.write_all(head).await?;
        for piece in body.chunks(64 * 1024) {
            s.write_all(piece).await?;
        }
        s.flush().await
    };
    let written = matches!(
        tokio::time::timeout(Duration::from_secs(10), write).await,
        Ok(Ok(()))
    );
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await;
    (written, String::from_utf8_lossy(&out).into_owned())
}

/// The head of a `POST /v1/files` with [`KEY`], the multipart type of [`BOUNDARY`], a body of
/// `len` bytes, and `Connection: close`.
pub fn upload_head(len: usize) -> Vec<u8> {
    format!(
        "POST /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    )
    .into_bytes()
}

/// [`raw_http`] with `GET path` exactly as given (no normalisation of `..` or `%2e`), with or
/// without [`KEY`].
pub async fn raw_get(emu: &RunningEmulator, path: &str, with_key: bool) -> String {
    let auth = if with_key {
        format!("Authorization: Bearer {KEY}\r\n")
    } else {
        String::new()
    };
    let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n");
    raw_http(emu, req.as_bytes()).await
}

/// Names of the entries of a directory, sorted (none for a missing directory).
pub fn entries(dir: &Path) -> Vec<String> {
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

/// Polls `cond` every 20 ms for up to 10 s (a bound, not a speed assertion); whether it held.
pub async fn eventually(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..500 {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    cond()
}
