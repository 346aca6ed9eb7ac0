//! The crate's error type, [`Error`]: what every public call returns when it fails.
//!
//! One enum for the whole crate, so that callers match on one type and use [`Error::status`]
//! and [`Error::is_retryable`] whatever the call. Its neighbours keep the other concerns out of
//! this file: `body` parses the API's error bodies, `headers` reads the response headers an
//! error keeps (request id, `Retry-After`), and `from_raw` turns the generated client's errors
//! and failed HTTP responses into an [`Error`]. That last one is the only one that needs this
//! file; this file needs only `body`.

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;

mod body;
pub(crate) mod from_raw;
mod headers;

pub use body::{ApiErrorBody, LineError, ValidationItem};

/// A `Result` whose error is [`Error`].
///
/// ```
/// fn parse(s: &str) -> mistral_files::Result<mistral_files::FileId> {
///     s.parse()
/// }
/// assert!(parse("not-an-id").is_err());
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to the Files API.
///
/// The variants keep their sources (`std::error::Error::source`), and every message says what went
/// wrong and, where there is something to do, what to do about it. Use [`Error::status`] and
/// [`Error::is_retryable`] rather than matching on messages.
///
/// ```
/// use mistral_files::{Error, FileId};
/// let err = "../etc/passwd".parse::<FileId>().unwrap_err();
/// assert!(matches!(err, Error::InvalidFileId { .. }));
/// assert_eq!(err.status(), None);
/// assert!(!err.is_retryable());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with a non-success HTTP status.
    #[error("{}", api_message(*status, body, request_id.as_deref()))]
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The error body, parsed into whichever of the provider's shapes it has.
        body: Box<ApiErrorBody>,
        /// The request id the server sent back (`x-request-id` or similar), if any; quote it to support.
        request_id: Option<String>,
        /// The server's `Retry-After`, if it sent one.
        retry_after: Option<Duration>,
    },
    /// A success response whose body could not be decoded. The raw body is kept.
    #[error("could not decode the server's response to {operation} (HTTP {status}): {source}; the raw body is kept in this error")]
    Decode {
        /// Which operation's response it was.
        operation: &'static str,
        /// The HTTP status of the response.
        status: StatusCode,
        /// The raw body as received (possibly truncated to a few KiB).
        raw: Bytes,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The request could not be sent or the response could not be read: DNS, connection refused or
    /// reset, TLS, timeouts.
    #[error("{}", transport_message(source))]
    Transport {
        /// The underlying HTTP client error.
        #[source]
        source: reqwest::Error,
    },
    /// The total timeout ([`ClientBuilder::with_timeout`](crate::ClientBuilder::with_timeout)) ran out.
    #[error("the request did not complete within the total timeout of {after:?}")]
    Timeout {
        /// The timeout that ran out.
        after: Duration,
    },
    /// A local file could not be read or written.
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        /// The file the error is about.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A string is not a file id. No request was made.
    #[error("invalid file id {input:?}: {reason}; a file id is a UUID such as 3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e")]
    InvalidFileId {
        /// The rejected input (shortened if long).
        input: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The file to upload does not exist. No request was made.
    #[error("file to upload not found: {}", path.display())]
    FileNotFound {
        /// The missing path.
        path: PathBuf,
    },
    /// The path to upload is not a regular file (a directory, a FIFO, a device). No request was made.
    #[error("not a regular file: {}; only regular files can be uploaded", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// The file to upload is empty. No request was made.
    #[error("refusing to upload an empty file ({name}); the API rejects empty files")]
    EmptyFile {
        /// The file name.
        name: String,
    },
    /// The file to upload is over the size limit. No request was made.
    #[error("{name} is {size} bytes, over the upload limit of {limit} bytes (see MAX_UPLOAD_BYTES; raise it with ClientBuilder::with_max_upload_bytes if your account allows larger files)")]
    FileTooLarge {
        /// The file name.
        name: String,
        /// Its size in bytes.
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// The file name to send is unusable. No request was made.
    #[error("invalid file name {name:?}: {reason}")]
    InvalidFileName {
        /// The rejected name (shortened if long).
        name: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A file for the `fine-tune` purpose, or sent without a purpose (the service then checks it
    /// as fine-tuning data), must be a `.jsonl` file. No request was made.
    #[error("fine-tuning accepts only .jsonl files (a file sent without a purpose is checked as fine-tuning data), got {name:?}; rename the file, set file_name(\"….jsonl\"), or give the purpose it is for")]
    FineTuneRequiresJsonl {
        /// The file name.
        name: String,
    },
    /// JSONL validation (opt-in) found a bad line. No request was made.
    #[error("{name}: line {line} is not a JSON object: {message}")]
    InvalidJsonl {
        /// The file name.
        name: String,
        /// The 1-based number of the first bad line.
        line: u64,
        /// What is wrong with it.
        message: String,
    },
    /// A parameter is out of range (expiry, page size, base URL, …). No request was made.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which parameter.
        what: &'static str,
        /// What is wrong and what is accepted.
        reason: String,
    },
    /// No API key was given and `MISTRAL_API_KEY` is not set.
    #[error(
        "no API key: set the MISTRAL_API_KEY environment variable or call ClientBuilder::with_api_key"
    )]
    MissingApiKey,
    /// A download ended with a different number of bytes than announced; nothing was written at the target.
    #[error("download length mismatch: expected {expected} bytes, got {actual}")]
    LengthMismatch {
        /// The announced length.
        expected: u64,
        /// The received length.
        actual: u64,
    },
    /// A download target already exists and overwriting was turned off.
    #[error("{} already exists (overwrite is off)", path.display())]
    TargetExists {
        /// The target path.
        path: PathBuf,
    },
}

impl Error {
    /// The HTTP status of an API error, if this is one.
    ///
    /// ```
    /// let err: mistral_files::Error = "x".parse::<mistral_files::FileId>().unwrap_err();
    /// assert!(err.status().is_none());
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::Transport { source } => source.status(),
            _ => None,
        }
    }

    /// Whether trying the same request again later could succeed: connection failures, timeouts,
    /// 408, 429 and 5xx. Input errors and other 4xx are not.
    ///
    /// ```
    /// let err: mistral_files::Error = "x".parse::<mistral_files::FileId>().unwrap_err();
    /// assert!(!err.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api { status, .. } => retryable_status(*status),
            Error::Timeout { .. } => true,
            Error::Transport { source } => {
                source.is_connect()
                    || source.is_timeout()
                    || source.is_request()
                    || is_body_failure(source)
            }
            _ => false,
        }
    }

    /// The parsed error body, for API errors.
    ///
    /// ```
    /// let err: mistral_files::Error = "x".parse::<mistral_files::FileId>().unwrap_err();
    /// assert!(err.api_body().is_none());
    /// ```
    pub fn api_body(&self) -> Option<&ApiErrorBody> {
        match self {
            Error::Api { body, .. } => Some(body),
            _ => None,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            what,
            reason: reason.into(),
        }
    }

    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(source: reqwest::Error) -> Self {
        // Never keep a URL with a query string in messages (signed URLs carry a token there).
        Error::Transport {
            source: source.without_url(),
        }
    }
}

/// A failure while receiving a body (also when reported as a decode error wrapping a body error).
fn is_body_failure(e: &reqwest::Error) -> bool {
    if e.is_body() {
        return true;
    }
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        if let Some(inner) = s.downcast_ref::<reqwest::Error>() {
            if inner.is_body() {
                return true;
            }
        }
        if s.is::<std::io::Error>() {
            return true;
        }
        src = s.source();
    }
    false
}

pub(crate) fn retryable_status(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
}

fn transport_message(e: &reqwest::Error) -> String {
    let what = if e.is_connect() {
        "could not connect to the API (check the base URL, your network and proxy settings)"
    } else if e.is_timeout() {
        "the request timed out (the server stopped sending data or the total timeout was reached)"
    } else if e.is_body() || e.is_decode() {
        "the connection failed while transferring the body"
    } else {
        "the HTTP request failed"
    };
    let mut msg = what.to_string();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    if let Some(s) = src.take() {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
    }
    msg
}

fn api_message(status: StatusCode, body: &ApiErrorBody, request_id: Option<&str>) -> String {
    let mut m = format!("the API answered HTTP {status}");
    let summary = body.summary();
    if !summary.is_empty() {
        m.push_str(": ");
        m.push_str(&summary);
    }
    let hint = match status.as_u16() {
        401 => Some("check that MISTRAL_API_KEY (or the key given to the client) is a valid, active API key"),
        403 => Some("the API key is not allowed to do this; check the key's workspace and permissions"),
        404 => Some("no such file: check the id (the file may have been deleted or have expired)"),
        408 => Some("the server timed out waiting for the request; try again"),
        413 => Some("the file is too large for the API"),
        422 => Some("the server rejected a parameter or the file's format; see the details above"),
        429 => Some("rate limited: wait and retry, or lower the request rate"),
        500..=599 => Some("the service had a problem; retry later"),
        _ => None,
    };
    if let Some(h) = hint {
        m.push_str(" (");
        m.push_str(h);
        m.push(')');
    }
    if let Some(id) = request_id {
        m.push_str(" [request id ");
        m.push_str(id);
        m.push(']');
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_hints() {
        let e = Error::Api {
            status: StatusCode::UNAUTHORIZED,
            body: Box::new(ApiErrorBody::parse(br#"{"detail":"Unauthorized"}"#)),
            request_id: Some("abc".into()),
            retry_after: None,
        };
        let s = e.to_string();
        assert!(s.contains("401"), "{s}");
        assert!(s.contains("MISTRAL_API_KEY"), "{s}");
        assert!(s.contains("abc"), "{s}");
        assert!(!e.is_retryable());
        let e = Error::Api {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: Box::new(ApiErrorBody::Text("<html>down</html>".into())),
            request_id: None,
            retry_after: None,
        };
        assert!(e.is_retryable());
        assert_eq!(e.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    }
}
