//! The details of the three [`Error`](crate::Error) variants that come from HTTP: an error
//! answer ([`ApiError`]), an undecodable success body ([`DecodeError`]) and a failed transfer
//! ([`TransportError`]).
//!
//! Each is a struct with private fields and accessors, so that the types of the crates below
//! (reqwest, serde_json) never appear in a public field: upgrading them is not a breaking change
//! of this crate. Their causes are reachable through `std::error::Error::source`, and their
//! `Display` says what happened without repeating the cause (print the chain for the detail).
//! They know messages and headers, never the client; `mod.rs` wraps them into [`Error`].

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;

use super::body::ApiErrorBody;
#[cfg(doc)]
use super::Error;

/// The API answered with a non-success HTTP status: the status, the parsed body, the request id
/// and the server's `Retry-After`. Reached through [`Error::Api`].
///
/// ```
/// # fn show(err: mistral_files::Error) {
/// if let mistral_files::Error::Api(api) = &err {
///     eprintln!("HTTP {}: {:?} (request id {:?})", api.status(), api.body(), api.request_id());
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ApiErrorBody,
    request_id: Option<String>,
    retry_after: Option<Duration>,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        body: ApiErrorBody,
        request_id: Option<String>,
        retry_after: Option<Duration>,
    ) -> Self {
        ApiError {
            status,
            body,
            request_id,
            retry_after,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The error body, parsed into whichever of the provider's shapes it has.
    pub fn body(&self) -> &ApiErrorBody {
        &self.body
    }

    /// The request id the server sent back (`x-request-id` or similar), if any; quote it to
    /// support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The server's `Retry-After`, if it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the API answered HTTP {}", self.status)?;
        let summary = self.body.summary();
        if !summary.is_empty() {
            write!(f, ": {summary}")?;
        }
        if let Some(hint) = status_hint(self.status) {
            write!(f, " ({hint})")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// What to do about an error status, for the message.
fn status_hint(status: StatusCode) -> Option<&'static str> {
    Some(match status.as_u16() {
        401 => {
            "check that MISTRAL_API_KEY (or the key given to the client) is a valid, active API key"
        }
        403 => "the API key is not allowed to do this; check the key's workspace and permissions",
        404 => "no such file: check the id (the file may have been deleted or have expired)",
        408 => "the server timed out waiting for the request; try again",
        413 => "the file is too large for the API",
        422 => "the server rejected a parameter or the file's format; see the details above",
        429 => "rate limited: wait and retry, or lower the request rate",
        500..=599 => "the service had a problem; retry later",
        _ => return None,
    })
}

/// A success response whose body could not be decoded. The raw body is kept; the JSON error is
/// the [`source`](std::error::Error::source). Reached through [`Error::Decode`].
///
/// ```
/// # fn show(err: mistral_files::Error) {
/// if let mistral_files::Error::Decode(bad) = &err {
///     eprintln!("{} answered {} bytes we could not read", bad.operation(), bad.raw_body().len());
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct DecodeError {
    operation: &'static str,
    status: StatusCode,
    raw: Bytes,
    source: serde_json::Error,
}

impl DecodeError {
    pub(crate) fn new(
        operation: &'static str,
        status: StatusCode,
        raw: Bytes,
        source: serde_json::Error,
    ) -> Self {
        DecodeError {
            operation,
            status,
            raw,
            source,
        }
    }

    /// Which operation's response it was (`list`, `upload`, …).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The HTTP status of the response (a success).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The raw body as received (possibly truncated to a few KiB).
    pub fn raw_body(&self) -> &Bytes {
        &self.raw
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode the server's response to {} (HTTP {}); the raw body is kept in this error",
            self.operation, self.status
        )
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The request could not be sent or the response could not be read: DNS, connection refused or
/// reset, TLS, timeouts. The HTTP client's error is the
/// [`source`](std::error::Error::source). Reached through [`Error::Transport`].
///
/// ```
/// # fn show(err: mistral_files::Error) {
/// if let mistral_files::Error::Transport(t) = &err {
///     if t.is_connect() {
///         eprintln!("is the server running?");
///     }
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct TransportError {
    source: reqwest::Error,
}

impl TransportError {
    pub(crate) fn new(source: reqwest::Error) -> Self {
        // Never keep a URL with a query string in messages (signed URLs carry a token there).
        TransportError {
            source: source.without_url(),
        }
    }

    /// No connection could be made (refused, DNS, TLS handshake).
    pub fn is_connect(&self) -> bool {
        self.source.is_connect()
    }

    /// A timeout of the HTTP client ran out (connect or idle read); the total timeout is
    /// [`Error::Timeout`].
    pub fn is_timeout(&self) -> bool {
        self.source.is_timeout()
    }

    /// The connection failed while a body was being sent or received.
    pub fn is_body(&self) -> bool {
        !self.is_connect() && is_body_failure(&self.source)
    }

    /// Whether sending again could succeed (connection, timeout, request or body failures).
    pub(crate) fn is_retryable(&self) -> bool {
        self.is_connect()
            || self.is_timeout()
            || self.source.is_request()
            || is_body_failure(&self.source)
    }

    /// The HTTP status, if the failure came with one.
    pub(crate) fn status(&self) -> Option<StatusCode> {
        self.source.status()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.source;
        f.write_str(if e.is_connect() {
            "could not connect to the API (check the base URL, your network and proxy settings)"
        } else if e.is_timeout() {
            "the request timed out (the server stopped sending data)"
        } else if e.is_body() || e.is_decode() {
            "the connection failed while transferring the body"
        } else {
            "the HTTP request failed"
        })
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
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
