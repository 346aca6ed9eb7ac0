//! The [`Client`] and the machinery every call shares: auth, retries, error mapping, tracing.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::StreamExt;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::config::{normalize_base_url, ApiKey, ClientBuilder, RetryPolicy, DEFAULT_BASE_URL};
use crate::error::{ApiErrorBody, Error, Result};

/// The Files API client. Cheap to clone (an `Arc` inside); share one per process.
///
/// ```no_run
/// # async fn f() -> mistral_files::Result<()> {
/// let client = mistral_files::Client::from_env()?;
/// let file = client.upload_path("batch.jsonl").purpose(mistral_files::FilePurpose::Batch).send().await?;
/// println!("uploaded {}", file.id);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) auth: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_upload_bytes: u64,
    pub(crate) raw: mistral_files_raw::Client,
    _key: ApiKey,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("api_key", &"<redacted>")
            .field("retry", &self.inner.retry)
            .field("timeout", &self.inner.timeout)
            .field("max_upload_bytes", &self.inner.max_upload_bytes)
            .finish()
    }
}

/// How a request may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryClass {
    /// GET, DELETE: connection errors, timeouts, 408, 429, 5xx.
    Idempotent,
    /// Upload with a rebuildable body: only when the server cannot have stored the file.
    Upload,
    /// Never retried.
    Never,
}

impl Client {
    /// A client configured from the environment: `MISTRAL_API_KEY` (required) and `MISTRAL_BASE_URL`
    /// (optional), with default timeouts and retries.
    ///
    /// ```no_run
    /// let client = mistral_files::Client::from_env()?;
    /// # Ok::<(), mistral_files::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        ClientBuilder::from_env().build()
    }

    /// A builder for full control.
    ///
    /// ```
    /// let client = mistral_files::Client::builder().with_api_key("k").with_base_url("http://127.0.0.1:1").build()?;
    /// assert_eq!(client.base_url(), "http://127.0.0.1:1");
    /// # Ok::<(), mistral_files::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The base URL in use, without a trailing slash.
    ///
    /// ```
    /// let c = mistral_files::Client::builder().with_api_key("k").with_base_url("https://x.example/p/").build()?;
    /// assert_eq!(c.base_url(), "https://x.example/p");
    /// # Ok::<(), mistral_files::Error>(())
    /// ```
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    pub(crate) fn from_builder(b: ClientBuilder) -> Result<Self> {
        let key = b.api_key.ok_or(Error::MissingApiKey)?;
        let auth = key.header_value()?;
        let base_url = normalize_base_url(b.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let ua = b
            .user_agent
            .unwrap_or_else(|| format!("mistral-files-rust/{}", env!("CARGO_PKG_VERSION")));
        let user_agent = HeaderValue::from_str(&ua).map_err(|_| {
            Error::invalid(
                "user agent",
                "it contains characters not allowed in a header",
            )
        })?;
        let http = match b.http_client {
            Some(c) => c,
            None => {
                let mut cb = reqwest::Client::builder()
                    .user_agent(user_agent.clone())
                    .connect_timeout(b.connect_timeout)
                    .tcp_nodelay(true)
                    .pool_idle_timeout(Duration::from_secs(60));
                if let Some(rt) = b.read_timeout {
                    cb = cb.read_timeout(rt);
                }
                cb.build().map_err(Error::from)?
            }
        };
        let ctx = mistral_files_raw::ClientContext::with_api_key(key.expose()).map_err(|_| {
            Error::invalid(
                "API key",
                "it contains characters not allowed in an HTTP header",
            )
        })?;
        let raw = mistral_files_raw::Client::new_with_client(&base_url, http.clone(), ctx);
        Ok(Client {
            inner: Arc::new(Inner {
                raw,
                http,
                base_url,
                auth,
                user_agent,
                retry: b.retry,
                timeout: b.timeout,
                max_upload_bytes: b.max_upload_bytes,
                _key: key,
            }),
        })
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.inner.base_url, path)
    }

    /// A request to the API host, with auth, user agent and the total timeout.
    pub(crate) fn api_request(&self, method: Method, path: &str) -> RequestBuilder {
        let rb = self
            .inner
            .http
            .request(method, self.url(path))
            .header(AUTHORIZATION, self.inner.auth.clone());
        self.decorate(rb)
    }

    /// A request to another host (signed URLs): never carries the API key.
    pub(crate) fn foreign_request(&self, url: &str) -> RequestBuilder {
        self.decorate(self.inner.http.get(url))
    }

    fn decorate(&self, mut rb: RequestBuilder) -> RequestBuilder {
        rb = rb.header(USER_AGENT, self.inner.user_agent.clone());
        if let Some(t) = self.inner.timeout {
            rb = rb.timeout(t);
        }
        rb
    }

    /// Send, and turn a non-success status into [`Error::Api`].
    pub(crate) async fn send_checked(rb: RequestBuilder) -> Result<Response> {
        let resp = rb.send().await.map_err(Error::from)?;
        let status = resp.status();
        tracing::Span::current().record("status", status.as_u16());
        if status.is_success() {
            Ok(resp)
        } else {
            Err(api_error(resp).await)
        }
    }

    /// Send and decode a JSON success body.
    pub(crate) async fn send_json<T: DeserializeOwned>(
        operation: &'static str,
        rb: RequestBuilder,
    ) -> Result<T> {
        let resp = Self::send_checked(rb).await?;
        let status = resp.status();
        let raw = resp.bytes().await.map_err(Error::from)?;
        decode_json(operation, status, raw)
    }

    /// Run one generated (progenitor) call, mapping its result and errors to this crate's.
    pub(crate) async fn raw_call<T, Fut>(&self, operation: &'static str, call: Fut) -> Result<T>
    where
        Fut: Future<Output = std::result::Result<mistral_files_raw::ResponseValue<T>, RawError>>,
    {
        let observed = mistral_files_raw::observe(call);
        let (res, meta) = match self.inner.timeout {
            Some(t) => tokio::time::timeout(t, observed)
                .await
                .map_err(|_| Error::Timeout { after: t })?,
            None => observed.await,
        };
        if let Some(m) = &meta {
            tracing::Span::current().record("status", m.status.as_u16());
        }
        match res {
            Ok(v) => Ok(v.into_inner()),
            Err(e) => Err(map_raw_error(operation, e, meta).await),
        }
    }

    pub(crate) fn should_retry(&self, err: &Error, class: RetryClass) -> bool {
        match class {
            RetryClass::Never => false,
            RetryClass::Idempotent => err.is_retryable(),
            RetryClass::Upload => match err {
                Error::Api { status, .. } => matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504),
                Error::Transport { source } => source.is_connect(),
                _ => false,
            },
        }
    }

    /// Run `f` with retries per the policy; each attempt in its own tracing span.
    pub(crate) async fn with_retry<T, F, Fut>(
        &self,
        method: &'static str,
        path: &str,
        class: RetryClass,
        mut f: F,
    ) -> Result<T>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let policy = &self.inner.retry;
        let mut attempt = 1u32;
        loop {
            let span = tracing::debug_span!(
                "mistral_files.request",
                method,
                path,
                attempt,
                status = tracing::field::Empty
            );
            let res = f(attempt).instrument(span.clone()).await;
            match res {
                Ok(v) => return Ok(v),
                Err(e) => {
                    if let Some(s) = e.status() {
                        span.record("status", s.as_u16());
                    }
                    if attempt >= policy.max_attempts() || !self.should_retry(&e, class) {
                        span.in_scope(|| tracing::debug!(error = %e, "request failed"));
                        return Err(e);
                    }
                    let delay = policy.delay(attempt, e.retry_after());
                    span.in_scope(|| {
                        tracing::warn!(error = %e, delay_ms = delay.as_millis() as u64, "retrying")
                    });
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }
}

pub(crate) fn decode_json<T: DeserializeOwned>(
    operation: &'static str,
    status: StatusCode,
    raw: Bytes,
) -> Result<T> {
    serde_json::from_slice(&raw).map_err(|source| Error::Decode {
        operation,
        status,
        raw,
        source,
    })
}

pub(crate) type RawError = mistral_files_raw::Error<mistral_files_raw::types::ErrorBody>;

async fn map_raw_error(
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
            Error::Api {
                status,
                body: Box::new(ApiErrorBody::parse(raw)),
                request_id: request_id(&headers),
                retry_after: retry_after(&headers),
            }
        }
        E::UnexpectedResponse(resp) => api_error(resp).await,
        E::InvalidResponsePayload(raw, source) => match meta {
            Some(m) if !m.status.is_success() => Error::Api {
                status: m.status,
                body: Box::new(ApiErrorBody::parse(&raw)),
                request_id: request_id(&m.headers),
                retry_after: retry_after(&m.headers),
            },
            m => Error::Decode {
                operation,
                status: m.map(|m| m.status).unwrap_or(StatusCode::OK),
                raw,
                source,
            },
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

const MAX_ERROR_BODY: usize = 64 * 1024;

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
    Error::Api {
        status,
        body: Box::new(ApiErrorBody::parse(&body)),
        request_id: request_id(&headers),
        retry_after: retry_after(&headers),
    }
}

pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    [
        "x-request-id",
        "mistral-correlation-id",
        "x-kong-request-id",
        "request-id",
    ]
    .iter()
    .find_map(|h| {
        headers
            .get(*h)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    })
}

/// Parse `Retry-After`: delta seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Some(Duration::from_secs_f64(secs.min(1e9)));
        }
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_retry_after() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let future = SystemTime::now() + Duration::from_secs(100);
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(future)).unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(90) && d <= Duration::from_secs(100),
            "{d:?}"
        );
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn debug_hides_key() {
        let c = Client::builder()
            .with_api_key("sk-TOPSECRET")
            .build()
            .unwrap();
        let s = format!("{c:?}");
        assert!(!s.contains("TOPSECRET"), "{s}");
    }
}
