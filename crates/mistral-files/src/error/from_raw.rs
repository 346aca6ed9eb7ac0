//! Turning failed responses into an [`Error`]: every request's failure, generated operation or
//! hand-built request alike, comes here through the executor (`exec.rs`).
//!
//! Every call fails the same way (the same [`Error::Api`] with the parsed body, request id and
//! `Retry-After`, the same [`Error::Decode`] keeping the raw body), so the mapping lives in one
//! place, next to the error type.

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

/// Map an error of the generated client, whether from a generated operation or from a request
/// sent with `mistral_files_raw::Client::execute`: the hooks of the raw crate return every
/// failed status as `UnexpectedResponse`, body unread, so both kinds of request fail through
/// [`api_error`] alike.
pub(crate) async fn map(operation: &'static str, e: RawError) -> Error {
    use mistral_files_raw::Error as E;
    match e {
        E::UnexpectedResponse(resp) => api_error(resp).await,
        // The generated operations decode only success bodies (error statuses never reach
        // them, see above), so a payload they cannot decode is a 200's.
        E::InvalidResponsePayload(raw, source) => {
            Error::Decode(DecodeError::new(operation, StatusCode::OK, raw, source))
        }
        E::ErrorResponse(rv) => {
            // Not produced by the raw crate's hooks; mapped for completeness, from the
            // decoded body.
            let status = rv.status();
            let headers = rv.headers().clone();
            let raw = serde_json::to_vec(&rv.into_inner()).unwrap_or_default();
            api(status, ApiErrorBody::parse(&raw), &headers)
        }
        E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => Error::from(e),
        E::InvalidRequest(reason) | E::Custom(reason) => Error::InvalidInput {
            what: "request",
            reason,
        },
    }
}

/// Build an [`Error::Api`] from a non-success response, reading at most 64 KiB of its body.
async fn api_error(resp: Response) -> Error {
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
