//! What happens to every request before its handler: it is recorded, delayed by the injected
//! latency, and (for `/v1/...`) failed by a queued canned failure or refused without a valid key.
//! Also the body drain that lets a client read an early refusal instead of a connection reset,
//! which the upload handler needs too.
//!
//! Depends on `state`, `error`/`error_body` (the refusals), `record`, `faults` and `validation`
//! (for the query as recorded); no handler.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use crate::error::{json_response, ApiError};
use crate::error_body;
use crate::faults::FailSpec;
use crate::record::{RecordSlot, RecordedRequest};
use crate::state::AppState;
use crate::validation::query_pairs;

/// Most bytes read from a request body that is refused before its handler (auth, canned
/// failure, too large), so that the client can read the answer instead of a reset.
pub(crate) const DRAIN_CAP: usize = 8 * 1024 * 1024;
/// Longest time spent reading the body of a refused request.
pub(crate) const DRAIN_TIME: Duration = Duration::from_secs(5);

/// Records the request, then applies latency, canned failures and auth (for `/v1/...`).
pub(crate) async fn front(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let seq = app.recorder.push(record(&req));
    req.extensions_mut().insert(RecordSlot(seq));
    let latency = app.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let path = req.uri().path();
    let is_api = path == "/v1" || path.starts_with("/v1/");
    if is_api {
        if let Some(spec) = app.faults.take_failure() {
            tracing::info!(status = spec.status, "fault: canned failure");
            drain(req).await;
            return failure_response(&spec);
        }
        if let Some(key) = &app.api_key {
            if !authorized(req.headers(), key.expose()) {
                drain(req).await;
                return ApiError::Unauthorized.into_response();
            }
        }
    }
    next.run(req).await
}

fn record(req: &Request) -> RecordedRequest {
    let mut has_auth = false;
    let headers = req
        .headers()
        .iter()
        .map(|(name, value)| {
            let name = name.as_str().to_string();
            let value = if name == "authorization" || name == "proxy-authorization" {
                has_auth |= name == "authorization";
                "<redacted>".to_string()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name, value)
        })
        .collect();
    RecordedRequest {
        method: req.method().as_str().to_string(),
        path: req.uri().path().to_string(),
        query: query_pairs(req.uri().query()),
        headers,
        has_auth,
        form: Vec::new(),
    }
}

/// Before answering a request refused early (auth, canned failure, too large), reads and
/// discards its body when that is cheap, so that the client reads the answer instead of a
/// connection reset: at most [`DRAIN_CAP`] bytes, for at most [`DRAIN_TIME`]. Nothing is read when the
/// client waits for `100 Continue` (it will not send the body) or declares a body larger
/// than the cap (it could not be drained anyway).
pub(crate) async fn drain(req: Request) {
    let headers = req.headers();
    let expects_continue = headers
        .get(header::EXPECT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if expects_continue || declared.is_some_and(|n| n > DRAIN_CAP as u64) {
        return;
    }
    let mut body = req.into_body();
    let work = async {
        let mut seen = 0usize;
        while let Some(Ok(frame)) = body.frame().await {
            if let Some(data) = frame.data_ref() {
                seen += data.len();
                if seen > DRAIN_CAP {
                    break;
                }
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, work).await;
}

fn authorized(headers: &HeaderMap, key: &str) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, token)) = value.split_once(' ') else {
        return false;
    };
    scheme.eq_ignore_ascii_case("bearer")
        && constant_time_eq(token.trim().as_bytes(), key.as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn failure_response(spec: &FailSpec) -> Response {
    let status = StatusCode::from_u16(spec.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = match &spec.body {
        Some((content_type, body)) => {
            let mut r = (status, body.clone()).into_response();
            if let Ok(v) = HeaderValue::from_str(content_type) {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            r
        }
        None => json_response(status, &error_body::provider(spec.status)),
    };
    if let Some(after) = spec.retry_after {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(after.as_secs()));
    }
    resp
}
