//! Error responses in the provider's shapes ([`ApiError`]), and the library's own error type.
//!
//! Depends only on `error_body` (each answer's body) and `validation_error`: the store and every
//! handler use this module, so it uses none of them.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::error_body;
use crate::validation_error::Violation;

/// Errors starting or running the emulator (not HTTP errors: those are responses).
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// A filesystem or socket error, with what was being done.
    #[error("{context}: {source}")]
    Io {
        /// What the emulator was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The metadata database could not be opened or used.
    #[error("metadata database: {0}")]
    Database(#[from] rusqlite::Error),
    /// The server task ended abnormally.
    #[error("server task failed: {0}")]
    Server(String),
    /// Another emulator (another process, or another emulator of this one) holds the data
    /// directory.
    #[error("the data directory {} is in use by another emulator ({}); stop it, or use another data directory", dir.display(), match pid { Some(p) => format!("pid {p}"), None => "pid unknown".to_string() })]
    DataDirInUse {
        /// The data directory.
        dir: std::path::PathBuf,
        /// The process holding it, as it recorded itself.
        pid: Option<u32>,
    },
    /// Refused before anything was created or bound: the address is reachable from the network
    /// and the key is the well-known default ([`DEFAULT_API_KEY`](crate::DEFAULT_API_KEY)) or
    /// empty, so anyone who can reach it could use the files. Set a key of your own
    /// ([`EmulatorBuilder::api_key`](crate::EmulatorBuilder::api_key)), listen on loopback, or
    /// allow it knowingly
    /// ([`EmulatorBuilder::insecure_default_key`](crate::EmulatorBuilder::insecure_default_key)).
    #[error("refusing to listen on {addr} ({exposure}) with the well-known default API key: anyone who can reach it could list, read, upload and delete files; set a key of your own (api_key), listen on loopback, or allow it knowingly (insecure_default_key)")]
    WellKnownKeyOnNetwork {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// Who can reach it.
        exposure: crate::Exposure,
    },
}

impl EmulatorError {
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        EmulatorError::Io {
            context: context.into(),
            source,
        }
    }
}

/// An error answered to an HTTP client.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// 401 `{"detail":"Unauthorized"}`.
    Unauthorized,
    /// 404 `{"detail": msg}`.
    NotFound(&'static str),
    /// 422 `{"detail":[...]}` in FastAPI's validation shape.
    Validation(Vec<Violation>),
    /// 422 `{"detail":"Invalid file format.","message":...}`.
    InvalidFormat { mimetype: String, allowed: String },
    /// 422 `{"detail":"Invalid file format.","description":...,"errors":[...]}`: a JSONL file's
    /// bad lines (how many, and the first ones).
    InvalidJsonl {
        count: u64,
        listed: Vec<(u64, String)>,
    },
    /// 422 `{"detail":"Failed to decode data, please encode your file using UTF-8."}`.
    NotUtf8,
    /// 413 `{"detail": msg}`.
    TooLarge(String),
    /// 400 `{"detail": msg}`.
    BadRequest(String),
    /// 503 in the provider's error shape, `Connection: close`: the emulator is shutting down.
    ShuttingDown,
    /// 500 in the provider's error shape; the message is logged, not sent.
    Internal(String),
}

pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = (status, bytes).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Unauthorized => json_response(
                StatusCode::UNAUTHORIZED,
                &error_body::detail("Unauthorized"),
            ),
            ApiError::NotFound(msg) => {
                json_response(StatusCode::NOT_FOUND, &error_body::detail(msg))
            }
            ApiError::Validation(violations) => json_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                &error_body::validation(&violations),
            ),
            ApiError::InvalidFormat { mimetype, allowed } => json_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                &error_body::invalid_format(&mimetype, &allowed),
            ),
            ApiError::InvalidJsonl { count, listed } => json_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                &error_body::jsonl_errors(count, &listed),
            ),
            ApiError::NotUtf8 => json_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                &error_body::detail("Failed to decode data, please encode your file using UTF-8."),
            ),
            ApiError::TooLarge(msg) => {
                let mut r = json_response(StatusCode::PAYLOAD_TOO_LARGE, &error_body::detail(msg));
                r.headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
                r
            }
            ApiError::BadRequest(msg) => {
                json_response(StatusCode::BAD_REQUEST, &error_body::detail(msg))
            }
            ApiError::ShuttingDown => {
                let mut r =
                    json_response(StatusCode::SERVICE_UNAVAILABLE, &error_body::provider(503));
                r.headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
                r
            }
            ApiError::Internal(msg) => {
                tracing::error!(error = %msg, "internal error");
                json_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &error_body::provider(500),
                )
            }
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::Internal(format!("database: {e}"))
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::Internal(format!("io: {e}"))
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        ApiError::Internal(format!("task: {e}"))
    }
}

#[cfg(test)]
mod tests {
    //! The exact bytes of every error body the emulator answers: clients and recorded fixtures
    //! compare them byte for byte (key order included), so a refactoring must not change them.

    use axum::http::StatusCode;
    use axum::response::IntoResponse;

    use super::*;
    use crate::validation_error;

    async fn answer(e: ApiError) -> (StatusCode, String, Option<String>, String) {
        let resp = e.into_response();
        let status = resp.status();
        let header = |name| {
            resp.headers()
                .get(name)
                .map(|v: &HeaderValue| v.to_str().unwrap().to_string())
        };
        let content_type = header(header::CONTENT_TYPE).unwrap();
        let connection = header(header::CONNECTION);
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        (
            status,
            content_type,
            connection,
            String::from_utf8(body.to_vec()).unwrap(),
        )
    }

    async fn body_of(e: ApiError) -> String {
        answer(e).await.3
    }

    #[tokio::test]
    async fn detail_bodies() {
        assert_eq!(
            answer(ApiError::Unauthorized).await,
            (
                StatusCode::UNAUTHORIZED,
                "application/json".to_string(),
                None,
                r#"{"detail":"Unauthorized"}"#.to_string()
            )
        );
        assert_eq!(
            answer(ApiError::NotFound("File not found")).await,
            (
                StatusCode::NOT_FOUND,
                "application/json".to_string(),
                None,
                r#"{"detail":"File not found"}"#.to_string()
            )
        );
        assert_eq!(
            answer(ApiError::TooLarge("File too large: x".to_string())).await,
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                "application/json".to_string(),
                Some("close".to_string()),
                r#"{"detail":"File too large: x"}"#.to_string()
            )
        );
        assert_eq!(
            answer(ApiError::BadRequest(
                "There was an error parsing the body".to_string()
            ))
            .await,
            (
                StatusCode::BAD_REQUEST,
                "application/json".to_string(),
                None,
                r#"{"detail":"There was an error parsing the body"}"#.to_string()
            )
        );
        let (status, _, _, body) = answer(ApiError::InvalidFormat {
            mimetype: "application/zip".to_string(),
            allowed: "application/jsonl".to_string(),
        })
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            body,
            r#"{"detail":"Invalid file format.","message":"Received file with mimetype application/zip, only application/jsonl are currently supported"}"#
        );
    }

    #[tokio::test]
    async fn jsonl_bodies() {
        let (status, _, _, body) = answer(ApiError::InvalidJsonl {
            count: 2,
            listed: vec![
                (1, "line contains invalid json: x".to_string()),
                (3, "line is empty".to_string()),
            ],
        })
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            body,
            r#"{"detail":"Invalid file format.","description":"Found 2 errors in this file. Every line must be a JSON object.","errors":[{"message":"line contains invalid json: x","line_number":1},{"message":"line is empty","line_number":3}]}"#
        );
        let (status, _, _, body) = answer(ApiError::InvalidJsonl {
            count: 7,
            listed: vec![(2, "m".to_string())],
        })
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("Found 7 errors in this file. Every line must be a JSON object. The first 1 are listed."), "{body}");
        assert_eq!(
            answer(ApiError::NotUtf8).await.3,
            r#"{"detail":"Failed to decode data, please encode your file using UTF-8."}"#
        );
    }

    #[tokio::test]
    async fn provider_bodies() {
        let (status, content_type, _, body) =
            answer(ApiError::Internal("disk on fire".to_string())).await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::INTERNAL_SERVER_ERROR, "application/json")
        );
        assert_eq!(
            body,
            r#"{"object":"error","message":"Internal server error","type":"internal_server_error","param":null,"code":"1500"}"#
        );
        let expected = [
            (
                429,
                r#"{"object":"error","message":"Requests rate limit exceeded","type":"rate_limited","param":null,"code":"1300"}"#,
            ),
            (
                400,
                r#"{"object":"error","message":"Bad request","type":"invalid_request_error","param":null,"code":"1000"}"#,
            ),
            (
                500,
                r#"{"object":"error","message":"Internal server error","type":"internal_server_error","param":null,"code":"1500"}"#,
            ),
            (
                502,
                r#"{"object":"error","message":"Bad gateway","type":"service_unavailable","param":null,"code":"1502"}"#,
            ),
            (
                503,
                r#"{"object":"error","message":"Service unavailable","type":"service_unavailable","param":null,"code":"1503"}"#,
            ),
            (
                504,
                r#"{"object":"error","message":"Gateway timeout","type":"service_unavailable","param":null,"code":"1504"}"#,
            ),
            (
                418,
                r#"{"object":"error","message":"Error","type":"api_error","param":null,"code":"1999"}"#,
            ),
        ];
        for (status, body) in expected {
            assert_eq!(
                serde_json::to_string(&error_body::provider(status)).unwrap(),
                body,
                "{status}"
            );
        }
    }

    #[tokio::test]
    async fn validation_bodies() {
        let body = validation_error::loc(&["body", "file"]);
        let query = validation_error::loc_at(&["query", "sample_type"], 1);
        let path = validation_error::loc(&["path", "file_id"]);
        let cases = [
            (
                validation_error::missing(&body),
                r#"{"type":"missing","loc":["body","file"],"msg":"Field required","input":null}"#,
            ),
            (
                validation_error::uuid_parsing(&path, "abc", "invalid length"),
                r#"{"type":"uuid_parsing","loc":["path","file_id"],"msg":"Input should be a valid UUID, invalid length","input":"abc","ctx":{"error":"invalid length"}}"#,
            ),
            (
                validation_error::int_parsing(&body, "soon"),
                r#"{"type":"int_parsing","loc":["body","file"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"soon"}"#,
            ),
            (
                validation_error::bool_parsing(&body, "maybe"),
                r#"{"type":"bool_parsing","loc":["body","file"],"msg":"Input should be a valid boolean, unable to interpret input","input":"maybe"}"#,
            ),
            (
                validation_error::greater_than_equal(&body, "0", 1),
                r#"{"type":"greater_than_equal","loc":["body","file"],"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}}"#,
            ),
            (
                validation_error::less_than_equal(&body, "99", 10),
                r#"{"type":"less_than_equal","loc":["body","file"],"msg":"Input should be less than or equal to 10","input":"99","ctx":{"le":10}}"#,
            ),
            (
                validation_error::string_too_long(&body, &"n".repeat(70), 5),
                r#"{"type":"string_too_long","loc":["body","file"],"msg":"String should have at most 5 characters","input":"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn","ctx":{"max_length":5}}"#,
            ),
            (
                validation_error::value_error(&body, "", "bad"),
                r#"{"type":"value_error","loc":["body","file"],"msg":"Value error, bad","input":"","ctx":{"error":{}}}"#,
            ),
            (
                validation_error::enum_error(&query, "bogus", &["a", "b", "c"]),
                r#"{"type":"enum","loc":["query","sample_type",1],"msg":"Input should be 'a', 'b' or 'c'","input":"bogus","ctx":{"expected":"'a', 'b' or 'c'"}}"#,
            ),
        ];
        for (item, expected) in cases {
            let (status, content_type, _, got) = answer(ApiError::Validation(vec![item])).await;
            assert_eq!(
                (status, content_type.as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, "application/json")
            );
            assert_eq!(got, format!(r#"{{"detail":[{expected}]}}"#));
        }
        let two = body_of(ApiError::Validation(vec![
            validation_error::missing(&body),
            validation_error::int_parsing(&body, "x"),
        ]))
        .await;
        assert_eq!(
            two,
            r#"{"detail":[{"type":"missing","loc":["body","file"],"msg":"Field required","input":null},{"type":"int_parsing","loc":["body","file"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"x"}]}"#
        );
        assert_eq!(validation_error::expected_list(&[]), "");
        assert_eq!(validation_error::expected_list(&["a"]), "'a'");
        assert_eq!(validation_error::expected_list(&["a", "b"]), "'a' or 'b'");
    }
}
