//! The [`Client`] and the machinery every call shares: auth, retries, error mapping, tracing.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderValue, AUTHORIZATION, USER_AGENT};
use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;

use crate::config::{normalize_base_url, ApiKey, ClientBuilder, DEFAULT_BASE_URL};
use crate::error::from_raw::{api_error, decode_json, map_raw_error, RawError};
use crate::error::{Error, Result};
use crate::retry::{RetryClass, RetryPolicy};

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

    /// Run `f` with retries per the client's policy; each attempt in its own tracing span.
    pub(crate) async fn with_retry<T, F, Fut>(
        &self,
        method: &'static str,
        path: &str,
        class: RetryClass,
        f: F,
    ) -> Result<T>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.inner.retry.run(method, path, class, f).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
