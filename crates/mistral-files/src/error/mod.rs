//! The crate's error type, [`Error`]: what every public call returns when it fails.
//!
//! One enum for the whole crate, so that callers match on one type and use [`Error::status`],
//! [`Error::is_not_found`] or [`Error::is_retryable`] whatever the call. Its neighbours keep the
//! other concerns out of this file: `kinds` holds the details of the HTTP variants (behind
//! accessors, so no other crate's type is a public field), `body` parses the API's error bodies,
//! `headers` reads the response headers an error keeps (request id, `Retry-After`), and
//! `from_raw` turns the generated client's errors and failed HTTP responses into an [`Error`].
//! That last one is the only one that needs this file; this file needs `kinds` and `body`.
//! `display` writes the messages and the causes.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::StatusCode;

mod body;
mod display;
pub(crate) mod from_raw;
mod headers;
mod kinds;

pub use body::{ApiErrorBody, LineError, ValidationItem};
pub use kinds::{ApiError, DecodeError, TransportError};

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
/// Every message says what went wrong and, where there is something to do, what to do about it;
/// the cause, when there is one, is the [`source`](std::error::Error::source) and is not
/// repeated in the message (print the chain to see it). Use the predicates
/// ([`is_not_found`](Self::is_not_found), [`is_unauthorized`](Self::is_unauthorized),
/// [`is_rate_limited`](Self::is_rate_limited), [`is_retryable`](Self::is_retryable)) and
/// [`status`](Self::status) rather than matching on messages. No public field holds a type of
/// another crate: the HTTP details are behind accessors ([`ApiError`], [`DecodeError`],
/// [`TransportError`]).
///
/// ```
/// use mistral_files::{Error, FileId};
/// let err = "../etc/passwd".parse::<FileId>().unwrap_err();
/// assert!(matches!(err, Error::InvalidFileId { .. }));
/// assert_eq!(err.status(), None);
/// assert!(!err.is_retryable() && !err.is_not_found());
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with a non-success HTTP status: [`ApiError`] has the status, the parsed
    /// body, the request id and `Retry-After`.
    Api(Box<ApiError>),
    /// A success response whose body could not be decoded; [`DecodeError`] keeps the raw body.
    Decode(DecodeError),
    /// The request could not be sent or the response could not be read: DNS, connection refused or
    /// reset, TLS, timeouts.
    Transport(TransportError),
    /// The total timeout ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout)) ran out.
    Timeout {
        /// The timeout that ran out.
        after: Duration,
    },
    /// A local file could not be read or written.
    Io {
        /// The file the error is about.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A string is not a file id. No request was made.
    InvalidFileId {
        /// The rejected input (shortened if long).
        input: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The file to upload does not exist. No request was made.
    FileNotFound {
        /// The missing path.
        path: PathBuf,
    },
    /// The path to upload is not a regular file (a directory, a FIFO, a device). No request was made.
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// The file to upload is empty. No request was made.
    EmptyFile {
        /// The file name.
        name: String,
    },
    /// The file to upload is over the size limit. No request was made.
    FileTooLarge {
        /// The file name.
        name: String,
        /// Its size in bytes.
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// The file name to send is unusable. No request was made.
    InvalidFileName {
        /// The rejected name (shortened if long).
        name: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A file for the `fine-tune` purpose, or sent without a purpose (the service then checks it
    /// as fine-tuning data), must be a `.jsonl` file. No request was made.
    FineTuneRequiresJsonl {
        /// The file name.
        name: String,
    },
    /// The service accepts no file of this type for the purpose: the type it would record (by the
    /// name's extension, else the content type sent) is not one the purpose takes
    /// (`mistral_files_raw::rules::accepts`). The service's own refusal, a 422 `Invalid file
    /// format.`, known before sending. No request was made.
    UnsupportedFormat {
        /// The file name.
        name: String,
        /// The purpose it was sent for.
        purpose: crate::FilePurpose,
        /// The MIME type the service would record for it.
        mimetype: String,
        /// The types the purpose accepts, as the service lists them.
        supported: String,
    },
    /// JSONL validation (opt-in) found a bad line. No request was made.
    InvalidJsonl {
        /// The file name.
        name: String,
        /// The 1-based number of the first bad line.
        line: u64,
        /// What is wrong with it.
        message: String,
    },
    /// A parameter is out of range (expiry, page size, base URL, …). No request was made.
    InvalidInput {
        /// Which parameter.
        what: &'static str,
        /// What is wrong and what is accepted.
        reason: String,
    },
    /// No API key was given and `MISTRAL_API_KEY` is not set.
    MissingApiKey,
    /// A download ended with a different number of bytes than announced; nothing was written at the target.
    LengthMismatch {
        /// The announced length.
        expected: u64,
        /// The received length.
        actual: u64,
    },
    /// The blocking client could not start its runtime (feature `blocking`).
    Runtime {
        /// Why.
        source: std::io::Error,
    },
    /// Writing a download to the caller's writer failed (feature `blocking`, `copy_to`).
    Write {
        /// The writer's error.
        source: std::io::Error,
    },
    /// A download target already exists and overwriting was turned off.
    TargetExists {
        /// The target path.
        path: PathBuf,
    },
    /// An upload's answer was lost (the connection dropped, a timeout, a 5xx from a proxy) and
    /// the client could not tell whether the service stored the file: looking for it failed, or
    /// more than one stored file fits it (two identical uploads in flight at once). Nothing was
    /// sent again. See [`Client::upload_path`](crate::Client::upload_path) for the rule.
    UploadOutcomeUnknown {
        /// The uploaded file's name.
        name: String,
        /// The stored files that fit the upload (same name, size and purpose, created since it
        /// began); empty when looking for them failed.
        candidates: Vec<crate::FileId>,
        /// Why it could not be settled: the listing's error, or the lost answer's.
        source: Box<Error>,
    },
}

impl Error {
    /// The HTTP status of an API error (or of a transport failure that came with one).
    ///
    /// ```
    /// use mistral_files::StatusCode;
    /// let err: mistral_files::Error = "x".parse::<mistral_files::FileId>().unwrap_err();
    /// assert_eq!(err.status(), None::<StatusCode>);
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status()),
            Error::Transport(t) => t.status(),
            _ => None,
        }
    }

    /// Whether the API answered 404: no such file (wrong id, deleted, or expired).
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// match client.retrieve("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").await {
    ///     Ok(file) => println!("{}", file.filename),
    ///     Err(e) if e.is_not_found() => println!("no such file"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Whether the API answered 401: the API key is missing, wrong or revoked.
    ///
    /// ```
    /// let err: mistral_files::Error = "x".parse::<mistral_files::FileId>().unwrap_err();
    /// assert!(!err.is_unauthorized());
    /// ```
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(StatusCode::UNAUTHORIZED)
    }

    /// Whether the API answered 429: too many requests (see [`ApiError::retry_after`]).
    ///
    /// ```
    /// let err: mistral_files::Error = "x".parse::<mistral_files::FileId>().unwrap_err();
    /// assert!(!err.is_rate_limited());
    /// ```
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
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
            Error::Api(api) => retryable_status(api.status()),
            Error::Timeout { .. } => true,
            Error::Transport(t) => t.is_retryable(),
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
            Error::Api(api) => Some(api.body()),
            _ => None,
        }
    }

    /// Whether this failure of an upload leaves its outcome unknown: the body may have been
    /// stored before the answer was lost (a dropped connection or a cut answer, a timeout, a
    /// 5xx other than 503, or a success answer that could not be decoded). Not a refused
    /// connection, nor a 503, 408 or 429: those come before the service stores anything.
    pub(crate) fn leaves_upload_unsettled(&self) -> bool {
        match self {
            Error::Api(api) => {
                let s = api.status();
                s.is_server_error() && s != StatusCode::SERVICE_UNAVAILABLE
            }
            Error::Transport(t) => !t.is_connect(),
            Error::Timeout { .. } | Error::Decode(_) => true,
            _ => false,
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
            Error::Api(api) => api.retry_after(),
            _ => None,
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(source: reqwest::Error) -> Self {
        Error::Transport(TransportError::new(source))
    }
}

pub(crate) fn retryable_status(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    fn api(status: StatusCode, body: ApiErrorBody, request_id: Option<&str>) -> Error {
        Error::Api(Box::new(ApiError::new(
            status,
            body,
            request_id.map(str::to_string),
            None,
        )))
    }

    #[test]
    fn messages_have_hints() {
        let e = api(
            StatusCode::UNAUTHORIZED,
            ApiErrorBody::parse(br#"{"detail":"Unauthorized"}"#),
            Some("abc"),
        );
        let s = e.to_string();
        assert!(s.contains("401"), "{s}");
        assert!(s.contains("MISTRAL_API_KEY"), "{s}");
        assert!(s.contains("abc"), "{s}");
        assert!(!e.is_retryable());
        assert!(e.is_unauthorized() && !e.is_not_found() && !e.is_rate_limited());
        let e = api(
            StatusCode::SERVICE_UNAVAILABLE,
            ApiErrorBody::Text("<html>down</html>".into()),
            None,
        );
        assert!(e.is_retryable());
        assert_eq!(e.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    }

    #[test]
    fn predicates_follow_the_status() {
        let e = api(StatusCode::NOT_FOUND, ApiErrorBody::Empty, None);
        assert!(e.is_not_found() && !e.is_retryable());
        let e = api(StatusCode::TOO_MANY_REQUESTS, ApiErrorBody::Empty, None);
        assert!(e.is_rate_limited() && e.is_retryable());
    }

    #[test]
    fn display_does_not_repeat_the_source() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied here");
        let e = Error::io("/tmp/x", io);
        assert_eq!(e.to_string(), "I/O error on /tmp/x");
        assert_eq!(e.source().unwrap().to_string(), "denied here");
        let json = serde_json::from_slice::<u8>(b"nope").unwrap_err();
        let e = Error::Decode(DecodeError::new(
            "list",
            StatusCode::OK,
            bytes::Bytes::from_static(b"nope"),
            json,
        ));
        assert!(!e.to_string().contains("expected"), "{e}");
        assert!(e.source().unwrap().to_string().contains("expected"));
    }
}
