//! The servers `cargo xtask bench` measures clients against, each in its own process so that its
//! peak RSS is its own. Prints its base URL on the first line of stdout, then serves until its
//! stdin closes (or it is killed).
//!
//! - `bench-server bare [--files N]`: a sink/source with no storage, so that a client's raw speed shows:
//!   `POST /v1/files` discards the body and answers a file object; `GET /v1/files/{id}` answers
//!   metadata and `GET /v1/files/{id}/content` streams zero bytes with `Content-Length`, the
//!   size being encoded in the id (see `mistral_files_bench::bare_id`); `GET /v1/files` lists
//!   N synthetic files (default 10,000), paged like the service.
//! - `bench-server emulator --data-dir DIR [--fsync] [--latency-ms MS] [--rate-limit N]`: the
//!   `mistral-files-emulator` (format checks on; fsync of uploads off unless `--fsync`, so that
//!   the disk's flush speed is not what is measured; `--latency-ms` is its injected latency
//!   before every response, to measure clients as if the service were a network away;
//!   `--rate-limit` its limit of requests per second per key). When stdin closes it prints its
//!   counts as one JSON line, `{"requests":N,"rate_limited":N}` (its API requests, and those
//!   its rate limit refused), and exits.

use std::io::Read;

use axum::body::Body;
use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use http_body_util::BodyExt;
use mistral_files_bench::{bare_id, bare_size, file_object, flag, BENCH_KEY};

const CHUNK: usize = 256 * 1024;
static ZEROS: [u8; CHUNK] = [0; CHUNK];

fn authorized(h: &HeaderMap) -> bool {
    h.get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.strip_prefix("Bearer ") == Some(BENCH_KEY))
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"detail":"Unauthorized"}"#,
    )
        .into_response()
}

fn json(v: serde_json::Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_vec(&v).expect("json"),
    )
        .into_response()
}

async fn sink(headers: HeaderMap, body: Body) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let mut body = body;
    let mut n: u64 = 0;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(f) => {
                if let Some(d) = f.data_ref() {
                    n += d.len() as u64;
                }
            }
            Err(_) => return StatusCode::BAD_REQUEST.into_response(),
        }
    }
    json(file_object(&bare_id(n), n, "upload.jsonl"))
}

async fn meta(headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    match bare_size(&id) {
        Some(n) => {
            let mut v = file_object(&id, n, "download.jsonl");
            v["deleted"] = serde_json::Value::Bool(false);
            json(v)
        }
        None => (StatusCode::NOT_FOUND, r#"{"detail":"File not found"}"#).into_response(),
    }
}

async fn source(headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let Some(size) = bare_size(&id) else {
        return (StatusCode::NOT_FOUND, r#"{"detail":"File not found"}"#).into_response();
    };
    let chunks = size.div_ceil(CHUNK as u64);
    let stream = futures_util::stream::iter((0..chunks).map(move |i| {
        let n = (size - i * CHUNK as u64).min(CHUNK as u64) as usize;
        Ok::<_, std::convert::Infallible>(Bytes::from_static(&ZEROS[..n]))
    }));
    let mut resp = Body::from_stream(stream).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    resp
}

/// Number of synthetic files the bare server lists (`--files N`, default 10,000).
static LIST_FILES: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

/// `GET /v1/files?page=P&page_size=S`: a page of synthetic file objects, serialized straight
/// to bytes, so that a listing client's own per-request cost shows.
async fn synthetic_list(
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let (mut page, mut size, mut with_total) = (0u64, 100u64, true);
    for pair in query.as_deref().unwrap_or("").split('&') {
        match pair.split_once('=') {
            Some(("page", v)) => page = v.parse().unwrap_or(0),
            Some(("page_size", v)) => size = v.parse().unwrap_or(100).max(1),
            Some(("include_total", v)) => with_total = v != "false",
            _ => {}
        }
    }
    let total = *LIST_FILES.get().unwrap_or(&10_000);
    let start = page.saturating_mul(size).min(total);
    let end = start.saturating_add(size).min(total);
    let mut out = String::with_capacity(((end - start) as usize + 1) * 360);
    out.push_str(r#"{"object":"list","data":["#);
    for i in start..end {
        if i > start {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"id":"{}","object":"file","bytes":{},"created_at":1700000000,"filename":"file-{i:05}.jsonl","purpose":"fine-tune","sample_type":"instruct","source":"upload","num_lines":1,"mimetype":"application/jsonl","signature":"0123456789abcdef0123456789abcdef","expires_at":null,"visibility":"workspace"}}"#,
            bare_id(i),
            10 + i % 7,
        ));
    }
    out.push_str("],\"total\":");
    if with_total {
        out.push_str(&total.to_string());
    } else {
        out.push_str("null");
    }
    out.push('}');
    ([(header::CONTENT_TYPE, "application/json")], out).into_response()
}

/// Resolves when stdin reaches end of file (the orchestrator closed it).
async fn stdin_closed() {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let mut sink = [0u8; 64];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        let _ = tx.send(());
    });
    let _ = rx.await;
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bind = flag(&args, "--bind").unwrap_or("127.0.0.1:0").to_string();
    match args.first().map(String::as_str) {
        Some("bare") => {
            if let Some(n) = flag(&args, "--files") {
                let _ = LIST_FILES.set(n.parse()?);
            }
            let app = Router::new()
                .route("/v1/files", post(sink).get(synthetic_list))
                .route("/v1/files/{id}", get(meta))
                .route("/v1/files/{id}/content", get(source))
                .layer(axum::extract::DefaultBodyLimit::disable());
            let listener = tokio::net::TcpListener::bind(&bind).await?;
            println!("http://{}", listener.local_addr()?);
            axum::serve(listener, app)
                .with_graceful_shutdown(stdin_closed())
                .await?;
        }
        Some("emulator") => {
            let dir = flag(&args, "--data-dir").ok_or("--data-dir DIR is required")?;
            let mut builder = mistral_files_emulator::Emulator::builder();
            if let Some(n) = flag(&args, "--rate-limit") {
                builder = builder.rate_limit(n.parse()?);
            }
            let emu = builder
                .api_key(BENCH_KEY)
                .bind(bind.parse()?)
                .data_dir(dir)
                .sync_writes(args.iter().any(|a| a == "--fsync"))
                .record_limit(64)
                .faults(mistral_files_emulator::FaultConfig {
                    latency: flag(&args, "--latency-ms")
                        .map(str::parse::<u64>)
                        .transpose()?
                        .map(std::time::Duration::from_millis),
                    ..Default::default()
                })
                .start()
                .await?;
            println!("{}", emu.url());
            stdin_closed().await;
            let stats = emu.stats();
            emu.shutdown().await;
            println!(
                "{}",
                serde_json::json!({"requests": stats.api_requests, "rate_limited": stats.rate_limited})
            );
        }
        _ => {
            eprintln!("usage: bench-server bare [--files N] [--bind ADDR] | emulator --data-dir DIR [--fsync] [--latency-ms MS] [--rate-limit N] [--bind ADDR]");
            std::process::exit(2);
        }
    }
    Ok(())
}
