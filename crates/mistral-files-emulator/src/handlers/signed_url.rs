//! `GET /v1/files/{id}/url` hands out a signed URL; `GET /signed/{token}` serves it, without
//! auth, answering as the blob store it stands for would (XML errors, 403 / 404).
//!
//! Depends on `content` (the lookup), `signed` (the tokens), `state`, `download`, `validation` /
//! `validation_error`, `wire` and `error`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::download;
use crate::error::{json_response, ApiError};
use crate::handlers::content::open_content;
use crate::signed;
use crate::state::AppState;
use crate::validation::{file_id_from_path, parse_bounded_int, query_pairs};
use crate::validation_error;
use crate::wire;

/// Signed-URL lifetimes accepted, in hours: 1 to 168 (one week), the bounds the spec declares
/// (shared with the client through the raw crate).
const MIN_URL_EXPIRY_HOURS: i64 = mistral_files_raw::SIGNED_URL_MIN_EXPIRY_HOURS as i64;
const MAX_URL_EXPIRY_HOURS: i64 = mistral_files_raw::SIGNED_URL_MAX_EXPIRY_HOURS as i64;

pub(crate) async fn signed_url(
    State(app): State<AppState>,
    file_id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let id = file_id_from_path(file_id);
    let mut errors = Vec::new();
    let mut hours = 24;
    for (key, value) in query_pairs(raw.as_deref()) {
        if key == "expiry" {
            let loc = validation_error::loc(&["query", "expiry"]);
            hours = parse_bounded_int(
                &loc,
                &value,
                MIN_URL_EXPIRY_HOURS,
                Some(MAX_URL_EXPIRY_HOURS),
                &mut errors,
            )
            .unwrap_or(24);
        }
    }
    // FastAPI reports the path's error and the query's together, the path's first.
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

pub(crate) async fn signed_download(
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
