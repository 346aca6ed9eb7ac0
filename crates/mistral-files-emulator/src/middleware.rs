//! What happens to every request before its handler: it is recorded and counted, delayed by the
//! injected latency, and (for `/v1/...`) failed by a queued canned failure, refused without a
//! valid key, or refused over the rate limit (429 with `Retry-After`).
//! Also the body drain that lets a client read an early refusal instead of a connection reset,
//! which the upload handler needs too.
//!
//! Then the fault of `fault_plan` drawn for the request, if any: a refusal, a dropped
//! connection, or something done to the handler's answer.
//!
//! Depends on `state`, `error`/`error_body` (the refusals), `record`, `faults`, `fault_plan`,
//! `rate_limit` (and `stats` through the state) and `validation` (for the query as recorded);
//! no handler.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use crate::error::{json_response, ApiError};
use crate::error_body;
use crate::fault_plan::{Fault, Target};
use crate::faults::FailSpec;
use crate::rate_limit::BucketId;
use crate::record::{RecordSlot, RecordedRequest};
use crate::state::AppState;
use crate::validation::query_pairs;

/// Most bytes read from a request body that is refused before its handler (auth, canned
/// failure, too large), so that the client can read the answer instead of a reset.
pub(crate) const DRAIN_CAP: usize = 8 * 1024 * 1024;
/// Longest time spent reading the body of a refused request.
pub(crate) const DRAIN_TIME: Duration = Duration::from_secs(5);

/// Records and counts the request, then applies latency, canned failures, auth and the rate
/// limit (for `/v1/...`), then the request's injected fault, if one is drawn.
pub(crate) async fn front(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let seq = app.recorder.push(record(&req));
    req.extensions_mut().insert(RecordSlot(seq));
    let path = req.uri().path();
    let is_api = path == "/v1" || path.starts_with("/v1/");
    app.counters.received(is_api);
    let latency = app.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
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
        if let Some(retry_after) = over_rate_limit(&app, req.headers()) {
            drain(req).await;
            return refusal(429, retry_after);
        }
    }
    match app
        .faults
        .draw(Target::of(req.method().as_str(), req.uri().path()))
    {
        None => next.run(req).await,
        Some(fault) => with_fault(&app, fault, req, next).await,
    }
}

/// Handles `req` under `fault`: refused or dropped before its handler, or its answer dropped,
/// replaced or held after it (only a successful upload's: a refused one is answered as usual).
async fn with_fault(app: &AppState, fault: Fault, req: Request, next: Next) -> Response {
    tracing::info!(?fault, path = req.uri().path(), "fault: injected");
    match fault {
        Fault::DropBeforeHandling => dropped(),
        Fault::Refuse {
            status,
            retry_after,
        } => {
            drain(req).await;
            refusal(status, retry_after)
        }
        Fault::CutDownload { after } => {
            app.faults.cut_download_after(after);
            next.run(req).await
        }
        Fault::DelayAnswer(delay) => {
            let answer = next.run(req).await;
            tokio::time::sleep(delay).await;
            answer
        }
        Fault::StoreThenDrop | Fault::StoreThen502 => {
            let answer = next.run(req).await;
            if !answer.status().is_success() {
                answer
            } else if fault == Fault::StoreThenDrop {
                dropped()
            } else {
                failure_response(&FailSpec {
                    count: 1,
                    status: 502,
                    retry_after: None,
                    body: Some((
                        "text/html".to_string(),
                        "<html><body><h1>502 Bad Gateway</h1></body></html>".to_string(),
                    )),
                })
            }
        }
    }
}

/// An answer whose body fails before its first byte: the HTTP layer closes the connection
/// without writing anything (it drops what it queued when a body fails), so the client reads
/// no status at all.
fn dropped() -> Response {
    let failed = futures_util::stream::once(async {
        Err::<bytes::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "fault injection: connection dropped",
        ))
    });
    Response::new(axum::body::Body::from_stream(failed))
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

/// The token of an `Authorization: Bearer <token>` header, if there is one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

fn authorized(headers: &HeaderMap, key: &str) -> bool {
    bearer(headers).is_some_and(|token| constant_time_eq(token.as_bytes(), key.as_bytes()))
}

/// With a rate limit set, takes a token from the bucket of the request's key (the shared one
/// without auth); `Some(retry_after)` when there was none.
fn over_rate_limit(app: &AppState, headers: &HeaderMap) -> Option<Duration> {
    let limiter = app.rate_limit.as_ref()?;
    let bucket = match (&app.api_key, bearer(headers)) {
        (Some(_), Some(token)) => BucketId::of_key(token),
        _ => BucketId::shared(),
    };
    let retry_after = limiter.check(bucket).err()?;
    app.counters.rate_limited();
    tracing::debug!(?retry_after, "rate limit: refused");
    Some(retry_after)
}

/// A refusal as the service answers it (429 over the rate limit, or an injected one): its JSON
/// error body and `Retry-After` in whole seconds.
fn refusal(status: u16, retry_after: Duration) -> Response {
    failure_response(&FailSpec {
        count: 1,
        status,
        retry_after: Some(retry_after),
        body: None,
    })
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
