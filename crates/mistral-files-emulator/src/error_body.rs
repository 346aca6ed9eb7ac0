//! The bodies of the emulator's error answers, built as `mistral-files-raw`'s `ErrorBody` (through
//! its builder, like `wire` builds the success bodies), so that the emulator cannot answer an
//! error the client does not decode. The service writes five shapes, all of them `ErrorBody`:
//! `{"detail": msg}`, `{"detail": msg, "message": ..}`, `{"detail": [items]}`, a JSONL file's
//! `{"detail": msg, "description": .., "errors": [{"message", "line_number"}]}` and the
//! provider's `{"object": "error", ...}`.
//!
//! Depends on `validation_error` and `key_order` (both leaves); `error` turns these bodies into
//! responses.

use mistral_files_raw::types::{self, ErrorBodyCode, ErrorBodyDetail};
use serde_json::Value;

use crate::key_order::in_key_order;
use crate::validation_error::Violation;

/// The order the provider writes its `{"object": "error", ...}` keys in.
const PROVIDER_KEY_ORDER: [&str; 5] = ["object", "message", "type", "param", "code"];

fn build(builder: types::builder::ErrorBody) -> Value {
    let body: types::ErrorBody = builder.try_into().unwrap_or_else(|e| {
        // Every field is optional and set from a value of its own type: cannot happen.
        tracing::error!(error = %e, "error body does not fit ErrorBody");
        types::ErrorBody::default()
    });
    serde_json::to_value(&body).unwrap_or(Value::Null)
}

/// `{"detail": msg}`.
pub(crate) fn detail(msg: impl Into<String>) -> Value {
    build(types::ErrorBody::builder().detail(ErrorBodyDetail::String(msg.into())))
}

/// `{"detail": "Invalid file format.", "message": ...}`: a file refused for its purpose.
pub(crate) fn invalid_format(mimetype: &str, allowed: &str) -> Value {
    // `detail` then `message` is also the generated struct's order: nothing to reorder.
    build(
        types::ErrorBody::builder()
            .detail(ErrorBodyDetail::String("Invalid file format.".to_string()))
            .message(format!(
                "Received file with mimetype {mimetype}, only {allowed} are currently supported"
            )),
    )
}

/// The order the service writes a JSONL error body's keys in.
const JSONL_KEY_ORDER: [&str; 3] = ["detail", "description", "errors"];
/// ... and each of its `errors`.
const LINE_ERROR_KEY_ORDER: [&str; 2] = ["message", "line_number"];

/// `{"detail": "Invalid file format.", "description": "Found N errors in this file. ...",
/// "errors": [{"message": ..., "line_number": N}, ...]}`: the bad lines of a JSONL file (`count`
/// of them, `listed` the first ones as line number and message).
pub(crate) fn jsonl_errors(count: u64, listed: &[(u64, String)]) -> Value {
    let errors = listed
        .iter()
        .filter_map(|(line, message)| {
            types::FileLineError::builder()
                .line_number(Some(i64::try_from(*line).unwrap_or(i64::MAX)))
                .message(Some(message.clone()))
                .try_into()
                .ok()
        })
        .collect::<Vec<types::FileLineError>>();
    let noun = if count == 1 { "error" } else { "errors" };
    let shown = if count > listed.len() as u64 {
        format!(" The first {} are listed.", listed.len())
    } else {
        String::new()
    };
    let mut body = build(
        types::ErrorBody::builder()
            .detail(ErrorBodyDetail::String("Invalid file format.".to_string()))
            .description(format!(
                "Found {count} {noun} in this file. Every line must be a JSON object.{shown}"
            ))
            .errors(errors),
    );
    if let Some(Value::Array(items)) = body.get_mut("errors") {
        for item in items.iter_mut() {
            *item = in_key_order(item.take(), &LINE_ERROR_KEY_ORDER);
        }
    }
    in_key_order(body, &JSONL_KEY_ORDER)
}

/// `{"detail": [items]}`, FastAPI's 422, items in FastAPI's key order and with their `ctx`.
pub(crate) fn validation(violations: &[Violation]) -> Value {
    let items = violations.iter().map(|v| v.item().clone()).collect();
    let mut body = build(types::ErrorBody::builder().detail(ErrorBodyDetail::Array(items)));
    if let Some(Value::Array(items)) = body.get_mut("detail") {
        for (item, violation) in items.iter_mut().zip(violations) {
            *item = violation.in_fastapi_form(item.take());
        }
    }
    body
}

/// The provider's `{"object":"error",...}` body for a status.
pub(crate) fn provider(status: u16) -> Value {
    let (message, kind, code) = match status {
        429 => ("Requests rate limit exceeded", "rate_limited", "1300"),
        400 => ("Bad request", "invalid_request_error", "1000"),
        500 => ("Internal server error", "internal_server_error", "1500"),
        502 => ("Bad gateway", "service_unavailable", "1502"),
        503 => ("Service unavailable", "service_unavailable", "1503"),
        504 => ("Gateway timeout", "service_unavailable", "1504"),
        _ => ("Error", "api_error", "1999"),
    };
    let body = build(
        types::ErrorBody::builder()
            .object("error".to_string())
            .message(message.to_string())
            .type_(kind.to_string())
            .param(Value::Null)
            .code(ErrorBodyCode::String(code.to_string())),
    );
    in_key_order(body, &PROVIDER_KEY_ORDER)
}
