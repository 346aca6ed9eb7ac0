//! Turning failed responses into an [`Error`]: the generated client's errors, and the HTTP
//! responses of the calls this crate sends itself (uploads, downloads).
//!
//! Both kinds of call must fail the same way (the same [`Error::Api`] with the parsed body,
//! request id and `Retry-After`, the same [`Error::Decode`] keeping the raw body), so the
//! mapping lives in one place, next to the error type, and the client only calls it.

use bytes::Bytes;
use futures_util::StreamExt;
use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;

use super::body::ApiErrorBody;
use super::headers::{request_id, retry_after};
use super::kinds::{ApiError, DecodeError};
use super::{Error, Result};

/// What a generated (progenitor) call fails with.
pub(crate) type RawError = mistral_files_raw::Error<mistral_files_raw::types::ErrorBody>;

/// The most of an error body kept: enough for any real error message, bounded against a proxy
/// that streams a huge page.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Decode a JSON success body, keeping the raw bytes in the error if it does not decode.
pub(crate) fn decode_json<T: DeserializeOwned>(
    operation: &'static str,
    status: StatusCode,
    raw: Bytes,
) -> Result<T> {
    serde_json::from_slice(&raw)
        .map_err(|source| Error::Decode(DecodeError::new(operation, status, raw, source)))
}

/// Map a generated call's error; `meta` is what [`mistral_files_raw::observe`] saw of the
/// response, which the generated error alone does not keep.
pub(crate) async fn map_raw_error(
    operation: &'static str,
    e: RawError,
    meta: Option<mistral_files_raw::ResponseMeta>,
) -> Error {
    use mistral_files_raw::Error as E;
    match e {
        E::ErrorResponse(rv) => {
            let status = rv.status();
            let headers = rv.headers().clone();
            // Parse the bytes as received (the decoded ErrorBody drops fields it does not
            // name); re-encoding is only a fallback outside `observe`.
            let raw = match meta.and_then(|m| m.error_body) {
                Some(raw) => raw.to_vec(),
                None => serde_json::to_vec(&rv.into_inner()).unwrap_or_default(),
            };
            let raw = &raw[..raw.len().min(MAX_ERROR_BODY)];
            api(status, ApiErrorBody::parse(raw), &headers)
        }
        E::UnexpectedResponse(resp) => api_error(resp).await,
        E::InvalidResponsePayload(raw, source) => match meta {
            Some(m) if !m.status.is_success() => {
                api(m.status, ApiErrorBody::parse(&raw), &m.headers)
            }
            m => Error::Decode(DecodeError::new(
                operation,
                m.map(|m| m.status).unwrap_or(StatusCode::OK),
                raw,
                source,
            )),
        },
        E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => Error::from(e),
        E::InvalidRequest(reason) => Error::InvalidInput {
            what: "request",
            reason,
        },
        E::Custom(reason) => Error::InvalidInput {
            what: "request",
            reason,
        },
    }
}

/// Build an [`Error::Api`] from a non-success response, reading at most 64 KiB of its body.
pub(crate) async fn api_error(resp: Response) -> Error {
    let status = resp.status();
    let headers = resp.headers().clone();
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => {
                let room = MAX_ERROR_BODY - body.len();
                body.extend_from_slice(&c[..c.len().min(room)]);
                if body.len() >= MAX_ERROR_BODY {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    api(status, ApiErrorBody::parse(&body), &headers)
}

/// An [`Error::Api`] with the request id and `Retry-After` of `headers`.
fn api(status: StatusCode, body: ApiErrorBody, headers: &reqwest::header::HeaderMap) -> Error {
    Error::Api(Box::new(ApiError::new(
        status,
        body,
        request_id(headers),
        retry_after(headers),
    )))
}
