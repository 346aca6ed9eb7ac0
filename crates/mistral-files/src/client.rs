//! The [`Client`]: what a built client holds, and [`ClientBuilder::build`], which fills it in.
//!
//! `build` is here rather than in `config.rs`, next to the `Inner` it fills in: `config.rs`
//! holds settings and never names the client, so the dependency runs one way, from this file
//! to `config.rs`. How requests are sent with what the client holds is `exec.rs`.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::concurrency::Gate;
use crate::config::{normalize_base_url, ClientBuilder, DEFAULT_BASE_URL};
use crate::error::{Error, Result};
use crate::key::ApiKey;
use crate::retry::RetryPolicy;

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
    /// The concurrency gate every attempt of this clone passes through: set on the clone an
    /// operation of many requests makes for itself (`with_gate`), never on the caller's client.
    pub(crate) gate: Option<Arc<Gate>>,
}

/// What every clone of a [`Client`] shares.
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    /// The only copy of the key the client keeps: each request derives its `Authorization`
    /// header from it (see `key.rs`).
    pub(crate) key: ApiKey,
    /// Set on every request, also when the caller brought its own HTTP client.
    pub(crate) user_agent: HeaderValue,
    pub(crate) retry: RetryPolicy,
    /// The total timeout of each attempt (`exec.rs` applies it).
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_upload_bytes: u64,
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
    /// let client = mistral_files::Client::builder().api_key("k").base_url("http://127.0.0.1:1").build()?;
    /// assert_eq!(client.base_url(), "http://127.0.0.1:1");
    /// # Ok::<(), mistral_files::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The base URL in use, without a trailing slash.
    ///
    /// ```
    /// let c = mistral_files::Client::builder().api_key("k").base_url("https://x.example/p/").build()?;
    /// assert_eq!(c.base_url(), "https://x.example/p");
    /// # Ok::<(), mistral_files::Error>(())
    /// ```
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// A clone of this client whose every attempt passes through `gate`.
    pub(crate) fn with_gate(&self, gate: Arc<Gate>) -> Client {
        Client {
            inner: Arc::clone(&self.inner),
            gate: Some(gate),
        }
    }
}

impl ClientBuilder {
    /// Build the client. Fails without an API key ([`Error::MissingApiKey`]), or with a base URL
    /// that is not an `http(s)://` URL ([`Error::InvalidInput`]).
    ///
    /// ```
    /// let err = mistral_files::Client::builder().api_key("k").base_url("api.mistral.ai").build().unwrap_err();
    /// assert!(err.to_string().contains("base URL"));
    /// ```
    pub fn build(self) -> Result<crate::Client, Error> {
        let key = self.api_key.ok_or(Error::MissingApiKey)?;
        // Checked now so that a bad key fails here, not at the first request; the header itself
        // is made again for each request and not kept.
        key.header_value()?;
        let base_url = normalize_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let user_agent = user_agent_header(self.user_agent)?;
        let http = match self.http_client {
            Some(c) => c,
            None => default_http_client(&user_agent, self.connect_timeout, self.read_timeout)?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                key,
                user_agent,
                retry: self.retry,
                timeout: self.timeout,
                max_upload_bytes: self.max_upload_bytes,
            }),
            gate: None,
        })
    }
}

/// The `User-Agent` header: the one given, or `mistral-files-rust/<version>`.
fn user_agent_header(given: Option<String>) -> Result<HeaderValue> {
    let ua = given.unwrap_or_else(|| format!("mistral-files-rust/{}", env!("CARGO_PKG_VERSION")));
    HeaderValue::from_str(&ua).map_err(|_| {
        Error::invalid(
            "user agent",
            "it contains characters not allowed in a header",
        )
    })
}

/// The HTTP client used when the caller brings none, with the builder's timeouts.
///
/// With the `rustls-ring` feature alone, ring becomes the process's default rustls provider
/// unless one is installed already (reqwest takes the default provider; without one it would
/// panic, as no provider is compiled in).
fn default_http_client(
    user_agent: &HeaderValue,
    connect_timeout: Duration,
    read_timeout: Option<Duration>,
) -> Result<reqwest::Client> {
    install_tls_provider();
    let mut cb = reqwest::Client::builder()
        .user_agent(user_agent.clone())
        .connect_timeout(connect_timeout)
        .tcp_nodelay(true)
        .pool_idle_timeout(Duration::from_secs(60));
    if let Some(rt) = read_timeout {
        cb = cb.read_timeout(rt);
    }
    cb.build().map_err(Error::from)
}

/// Makes sure a rustls crypto provider is installed for the process, so that a
/// [`reqwest::Client`](crate::reqwest::Client) can be built: with the `rustls-ring` feature (the
/// default), installs ring as the process's default provider unless one is installed already;
/// with `rustls-aws-lc`, reqwest has its own and this does nothing. Ring's provider has no
/// post-quantum key exchange (rustls 0.23.48 deprecates it for that); choose `rustls-aws-lc`
/// for it.
///
/// [`ClientBuilder::build`](crate::ClientBuilder::build) calls it for you. Call it yourself
/// before building your own client for [`ClientBuilder::http_client`](crate::ClientBuilder::http_client)
/// (without a provider, reqwest panics when the client is built).
///
/// ```
/// mistral_files::install_tls_provider();
/// let http = mistral_files::reqwest::Client::builder().build()?;
/// let client = mistral_files::Client::builder().api_key("k").http_client(http).build()?;
/// println!("{client:?}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn install_tls_provider() {
    #[cfg(all(feature = "rustls-ring", not(feature = "rustls-aws-lc")))]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another thread installing one is fine: a provider is installed.
        // rustls 0.23.48 deprecates ring's provider ("no support for post-quantum algorithms")
        // without a replacement for ring: the choice is the feature's (ring builds without a C
        // toolchain); `rustls-aws-lc` is the one with post-quantum key exchange. Allowed here so
        // that a dependent on the newest rustls builds without a warning.
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        let _ = provider.install_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_key() {
        let c = Client::builder().api_key("sk-TOPSECRET").build().unwrap();
        let s = format!("{c:?}");
        assert!(!s.contains("TOPSECRET"), "{s}");
    }
}
