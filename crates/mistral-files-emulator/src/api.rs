//! The HTTP surface: router, the front middleware (recording, latency, canned failures, auth),
//! and the JSON endpoints other than upload.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http_body_util::BodyExt;
use mistral_files_raw::open_enums::{FilePurpose, FileVisibility, SampleType, Source};
use mistral_files_raw::types::LocItem;
use uuid::Uuid;

use crate::clock::Clock;
use crate::download;
use crate::error::{json_response, ApiError};
use crate::error_body;
use crate::faults::{FailSpec, Faults};
use crate::record::{RecordSlot, RecordedRequest, Recorder};
use crate::signed;
use crate::store::{ListQuery, Store};
use crate::upload;
use crate::validation_error::{self, Violation};
use crate::wire;

/// The raw crate's open enums as the emulator validates them: a value is accepted when the
/// spec lists it (`KNOWN`, generated from the spec), so a value added upstream is accepted as
/// soon as the spec is regenerated, and the 422 message lists exactly those values.
pub(crate) trait SpecEnum: for<'a> From<&'a str> + std::fmt::Display {
    /// The wire values the spec lists, in its order.
    const KNOWN: &'static [&'static str];
}

macro_rules! spec_enums {
    ($($t:ty),*) => {$(
        impl SpecEnum for $t {
            const KNOWN: &'static [&'static str] = <$t>::KNOWN;
        }
    )*};
}
spec_enums!(FilePurpose, SampleType, Source, FileVisibility);

/// Most bytes read from a request body that is refused before its handler (auth, canned
/// failure, too large), so that the client can read the answer instead of a reset.
pub(crate) const DRAIN_CAP: usize = 8 * 1024 * 1024;

/// Shared server state.
#[derive(Debug)]
pub(crate) struct AppInner {
    pub(crate) store: Arc<Store>,
    pub(crate) faults: Arc<Faults>,
    pub(crate) recorder: Arc<Recorder>,
    pub(crate) clock: Clock,
    pub(crate) api_key: Option<String>,
    pub(crate) public_url: String,
    pub(crate) max_upload: u64,
    pub(crate) check_formats: bool,
    pub(crate) sync_writes: bool,
    /// The upload buffers, shared by all uploads (bounds their memory).
    pub(crate) upload_buffers: Arc<crate::buffer_pool::BufferPool>,
}

pub(crate) type AppState = Arc<AppInner>;

pub(crate) fn router(state: AppState) -> Router {
    let upload_limit = usize::try_from(state.max_upload.saturating_add(upload::FORM_OVERHEAD))
        .unwrap_or(usize::MAX);
    Router::new()
        .route(
            "/v1/files",
            get(list)
                .post(upload::upload)
                .layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/v1/files/{file_id}", get(retrieve).delete(delete))
        .route("/v1/files/{file_id}/content", get(download_content))
        .route("/v1/files/{file_id}/url", get(signed_url))
        .route("/signed/{token}", get(signed_download))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), front))
        .with_state(state)
}

async fn not_found() -> Response {
    json_response(StatusCode::NOT_FOUND, &error_body::detail("Not Found"))
}

async fn method_not_allowed() -> Response {
    json_response(
        StatusCode::METHOD_NOT_ALLOWED,
        &error_body::detail("Method Not Allowed"),
    )
}

/// Percent-decoded query pairs in order (`+` is a space, as in form encoding).
pub(crate) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(|q| {
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    })
    .unwrap_or_default()
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
/// connection reset: at most [`DRAIN_CAP`] bytes, for at most 2 s. Nothing is read when the
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
    let _ = tokio::time::timeout(Duration::from_secs(2), work).await;
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

/// Records the request, then applies latency, canned failures and auth (for `/v1/...`).
async fn front(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
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
            if !authorized(req.headers(), key) {
                drain(req).await;
                return ApiError::Unauthorized.into_response();
            }
        }
    }
    next.run(req).await
}

/// Parses a path `file_id` as pydantic would, answering FastAPI's 422 shape when it is not a UUID.
/// Nothing that is not a UUID ever reaches the store.
fn parse_file_id(raw: Result<Path<String>, PathRejection>) -> Result<Uuid, ApiError> {
    let loc = validation_error::loc(&["path", "file_id"]);
    let raw = match raw {
        Ok(Path(s)) => s,
        Err(_) => {
            return Err(ApiError::Validation(vec![validation_error::uuid_parsing(
                &loc,
                "",
                "invalid character in path segment",
            )]))
        }
    };
    Uuid::parse_str(&raw).map_err(|_| {
        ApiError::Validation(vec![validation_error::uuid_parsing(
            &loc,
            &raw,
            &uuid_error_text(&raw),
        )])
    })
}

/// The reason pydantic gives for a string that is not a UUID (it words the errors of the
/// `uuid` crate it is built on, in that crate's order: bad character, length, groups).
pub(crate) fn uuid_error_text(input: &str) -> String {
    let (s, offset) = if let Some(rest) = input.strip_prefix("urn:uuid:") {
        (rest, 9)
    } else if input.len() >= 2 && input.starts_with('{') && input.ends_with('}') {
        (&input[1..input.len() - 1], 1)
    } else {
        (input, 0)
    };
    let mut hyphens = 0;
    for (i, c) in s.char_indices() {
        if c == '-' {
            hyphens += 1;
        } else if !c.is_ascii_hexdigit() {
            return format!(
                "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `{c}` at {}",
                i + offset + 1
            );
        }
    }
    if hyphens == 0 {
        return format!(
            "invalid length: expected length 32 for simple format, found {}",
            s.len()
        );
    }
    let groups: Vec<&str> = s.split('-').collect();
    if groups.len() != 5 {
        return format!("invalid group count: expected 5, found {}", groups.len());
    }
    for (g, (part, expected)) in groups.iter().zip([8, 4, 4, 4, 12]).enumerate() {
        if part.len() != expected {
            return format!(
                "invalid group length in group {g}: expected {expected}, found {}",
                part.len()
            );
        }
    }
    "invalid format".to_string()
}

/// Parses pydantic's lax booleans.
fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "1" | "on" | "t" | "true" | "y" | "yes" => Some(true),
        "0" | "off" | "f" | "false" | "n" | "no" => Some(false),
        _ => None,
    }
}

fn parse_int(
    loc: &[LocItem],
    raw: &str,
    ge: i64,
    le: Option<i64>,
    errors: &mut Vec<Violation>,
) -> Option<i64> {
    match raw.trim().parse::<i64>() {
        Err(_) => {
            errors.push(validation_error::int_parsing(loc, raw));
            None
        }
        Ok(n) if n < ge => {
            errors.push(validation_error::greater_than_equal(loc, raw, ge));
            None
        }
        Ok(n) if le.is_some_and(|le| n > le) => {
            errors.push(validation_error::less_than_equal(loc, raw, le.unwrap_or(n)));
            None
        }
        Ok(n) => Some(n),
    }
}

/// Parses an enum field: `Some` value when the spec lists it, else `None` and the pydantic
/// `enum` error (listing the spec's values) pushed to `errors`.
pub(crate) fn check_enum<E: SpecEnum>(
    loc: &[LocItem],
    raw: &str,
    errors: &mut Vec<Violation>,
) -> Option<E> {
    if E::KNOWN.contains(&raw) {
        Some(E::from(raw))
    } else {
        errors.push(validation_error::enum_error(loc, raw, E::KNOWN));
        None
    }
}

async fn list(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let mut q = ListQuery {
        page: 0,
        page_size: 100,
        include_total: true,
        ..ListQuery::default()
    };
    let mut errors = Vec::new();
    let (mut i_sample, mut i_source) = (0usize, 0usize);
    for (key, value) in query_pairs(raw.as_deref()) {
        let loc1 = validation_error::loc(&["query", &key]);
        match key.as_str() {
            "page" => q.page = parse_int(&loc1, &value, 0, None, &mut errors).unwrap_or(0),
            "page_size" => {
                q.page_size = parse_int(&loc1, &value, 1, None, &mut errors).unwrap_or(100)
            }
            "include_total" => match parse_bool(&value) {
                Some(b) => q.include_total = b,
                None => errors.push(validation_error::bool_parsing(&loc1, &value)),
            },
            "purpose" => {
                q.purpose =
                    check_enum::<FilePurpose>(&loc1, &value, &mut errors).map(|p| p.to_string())
            }
            "search" => q.search = Some(value),
            "sample_type" => {
                let loc = validation_error::loc_at(&["query", &key], i_sample);
                i_sample += 1;
                if let Some(s) = check_enum::<SampleType>(&loc, &value, &mut errors) {
                    q.sample_types.push(s.to_string());
                }
            }
            "source" => {
                let loc = validation_error::loc_at(&["query", &key], i_source);
                i_source += 1;
                if let Some(s) = check_enum::<Source>(&loc, &value, &mut errors) {
                    q.sources.push(s.to_string());
                }
            }
            "mimetypes" => q.mimetypes.push(value),
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let now = app.clock.now();
    let store = app.store.clone();
    let (rows, total) = tokio::task::spawn_blocking(move || store.list(&q, now)).await??;
    Ok(json_response(
        StatusCode::OK,
        &wire::list_out(&rows, total)?,
    ))
}

async fn retrieve(
    State(app): State<AppState>,
    file_id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = parse_file_id(file_id)?;
    let (store, now) = (app.store.clone(), app.clock.now());
    let row = tokio::task::spawn_blocking(move || store.get(&id, now))
        .await??
        .ok_or(ApiError::NotFound("File not found"))?;
    Ok(json_response(StatusCode::OK, &wire::retrieve_out(&row)?))
}

async fn delete(
    State(app): State<AppState>,
    file_id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = parse_file_id(file_id)?;
    let (store, now) = (app.store.clone(), app.clock.now());
    let deleted = tokio::task::spawn_blocking(move || -> rusqlite::Result<bool> {
        if store.get(&id, now)?.is_none() {
            return Ok(false);
        }
        store.delete(&id)
    })
    .await??;
    if !deleted {
        return Err(ApiError::NotFound("File not found"));
    }
    Ok(json_response(StatusCode::OK, &wire::delete_out(id)?))
}

/// Looks a live file up and opens its content; `None` when there is no such file.
async fn open_content(
    app: &AppState,
    id: Uuid,
) -> Result<Option<(crate::store::FileRow, std::fs::File)>, ApiError> {
    let (store, now) = (app.store.clone(), app.clock.now());
    let found = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let Some(row) = store.get(&id, now)? else {
            return Ok(None);
        };
        match std::fs::File::open(store.content_path(&id)) {
            Ok(f) => Ok(Some((row, f))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    })
    .await??;
    Ok(found)
}

async fn download_content(
    State(app): State<AppState>,
    file_id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_file_id(file_id)?;
    let (row, file) = open_content(&app, id)
        .await?
        .ok_or(ApiError::NotFound("File not found"))?;
    download::respond(&row, file, &headers, app.faults.take_download_fault())
}

/// Longest signed-URL lifetime accepted, in hours (10 years).
const MAX_URL_EXPIRY_HOURS: i64 = 24 * 365 * 10;

async fn signed_url(
    State(app): State<AppState>,
    file_id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let id = parse_file_id(file_id);
    let mut errors = Vec::new();
    let mut hours = 24;
    for (key, value) in query_pairs(raw.as_deref()) {
        if key == "expiry" {
            let loc = validation_error::loc(&["query", "expiry"]);
            hours =
                parse_int(&loc, &value, 1, Some(MAX_URL_EXPIRY_HOURS), &mut errors).unwrap_or(24);
        }
    }
    let id = match id {
        Ok(id) => id,
        Err(ApiError::Validation(mut items)) => {
            items.extend(errors);
            return Err(ApiError::Validation(items));
        }
        Err(e) => return Err(e),
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let (store, now) = (app.store.clone(), app.clock.now());
    tokio::task::spawn_blocking(move || store.get(&id, now))
        .await??
        .ok_or(ApiError::NotFound("File not found"))?;
    let token = signed::sign(app.store.signing_key(), &id, now + hours * 3600);
    let url = format!("{}/signed/{token}", app.public_url);
    Ok(json_response(StatusCode::OK, &wire::signed_url_out(url)?))
}

/// An error as a blob store writes it (the signed URL stands for a third-party store).
fn blob_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    r
}

async fn signed_download(
    State(app): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let id = match signed::verify(app.store.signing_key(), &token, app.clock.now()) {
        Ok(id) => id,
        Err(signed::TokenError::Expired) => {
            return blob_error(
                StatusCode::FORBIDDEN,
                "AuthenticationFailed",
                "Signed expiry time has passed: the URL is no longer valid.",
            )
        }
        Err(signed::TokenError::Invalid) => {
            return blob_error(
                StatusCode::FORBIDDEN,
                "AuthenticationFailed",
                "Server failed to authenticate the request: the signature is not valid.",
            )
        }
    };
    match open_content(&app, id).await {
        Ok(Some((row, file))) => {
            match download::respond(&row, file, &headers, app.faults.take_download_fault()) {
                Ok(r) => r,
                Err(e) => e.into_response(),
            }
        }
        Ok(None) => blob_error(
            StatusCode::NOT_FOUND,
            "BlobNotFound",
            "The specified blob does not exist.",
        ),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::uuid_error_text;

    #[test]
    fn uuid_errors_are_worded_like_pydantic() {
        assert_eq!(
            uuid_error_text("abc"),
            "invalid length: expected length 32 for simple format, found 3"
        );
        assert_eq!(
            uuid_error_text("../.."),
            "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `.` at 1"
        );
        assert_eq!(
            uuid_error_text("1234-5678"),
            "invalid group count: expected 5, found 2"
        );
        assert_eq!(
            uuid_error_text("12345678-1234-1234-1234-1234567890a"),
            "invalid group length in group 4: expected 12, found 11"
        );
    }
}
