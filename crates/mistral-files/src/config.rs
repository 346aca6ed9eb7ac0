//! Client settings: [`ClientBuilder`], its defaults and the checks on them.
//!
//! Settings only: the builder collects them and `normalize_base_url` checks the one that needs
//! parsing, but turning them into a client (`ClientBuilder::build`) is done in `client.rs`, next
//! to the client's insides. So this file never names the client, and `client.rs` depends on
//! this file, not the other way round.

use std::time::Duration;

use crate::error::Error;
use crate::key::ApiKey;
use crate::retry::RetryPolicy;

/// The default base URL, `https://api.mistral.ai`.
///
/// ```
/// assert_eq!(mistral_files::DEFAULT_BASE_URL, "https://api.mistral.ai");
/// ```
pub const DEFAULT_BASE_URL: &str = "https://api.mistral.ai";

/// The service's documented size limit for one file: 512 MiB. Uploads over the limit in force are
/// refused before any request; raise it with [`ClientBuilder::max_upload_bytes`] if your account
/// allows larger files.
///
/// ```
/// assert_eq!(mistral_files::MAX_UPLOAD_BYTES, 512 * 1024 * 1024);
/// ```
pub const MAX_UPLOAD_BYTES: u64 = mistral_files_raw::rules::MAX_FILE_BYTES;

/// Builds a [`Client`](crate::Client).
///
/// # Setter names
///
/// One rule for every builder of this crate (`ClientBuilder`, the request builders such as
/// [`UploadRequest`](crate::UploadRequest) and [`ListRequest`](crate::ListRequest)) and of
/// `mistral-files-emulator`'s `EmulatorBuilder`: a setter is named after the setting it sets,
/// with no `with_` or `set_` prefix (`api_key`, `base_url`, `purpose`, `page_size`, `bind`),
/// takes the value and returns the builder; turning a default off is `no_<setting>()`
/// ([`no_read_timeout`](Self::no_read_timeout), the emulator's `no_auth`); a setting that
/// may be given several times adds one value (`sample_type`) and its plural adds many
/// (`sample_types`). [`RetryPolicy`] is a value you also read back (`max_attempts()` is its
/// getter), so its setters are `with_<setting>`, leaving the plain name to the getter.
///
/// ```no_run
/// use std::time::Duration;
/// let client = mistral_files::Client::builder()
///     .api_key("sk-…")
///     .base_url("https://api.mistral.ai")
///     .connect_timeout(Duration::from_secs(5))
///     .read_timeout(Duration::from_secs(30))
///     .retry_policy(mistral_files::RetryPolicy::default().with_max_attempts(3))
///     .build()?;
/// # Ok::<(), mistral_files::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    pub(crate) api_key: Option<ApiKey>,
    pub(crate) base_url: Option<String>,
    pub(crate) user_agent: Option<String>,
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) http_client: Option<reqwest::Client>,
    pub(crate) max_upload_bytes: u64,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            base_url: None,
            user_agent: None,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Some(Duration::from_secs(60)),
            timeout: None,
            retry: RetryPolicy::default(),
            http_client: None,
            max_upload_bytes: MAX_UPLOAD_BYTES,
        }
    }
}

impl ClientBuilder {
    /// A builder with the defaults: no key, `https://api.mistral.ai`, 10 s connect timeout, 60 s idle
    /// read timeout, no total timeout, [`RetryPolicy::default`].
    ///
    /// ```
    /// let b = mistral_files::ClientBuilder::new();
    /// # let _ = b;
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder seeded from the environment: `MISTRAL_API_KEY` and, if set, `MISTRAL_BASE_URL`.
    ///
    /// ```no_run
    /// let client = mistral_files::ClientBuilder::from_env().build()?;
    /// # Ok::<(), mistral_files::Error>(())
    /// ```
    pub fn from_env() -> Self {
        let mut b = Self::default();
        if let Ok(k) = std::env::var("MISTRAL_API_KEY") {
            if !k.trim().is_empty() {
                b.api_key = Some(ApiKey::new(k));
            }
        }
        if let Ok(u) = std::env::var("MISTRAL_BASE_URL") {
            if !u.trim().is_empty() {
                b.base_url = Some(u);
            }
        }
        b
    }

    /// The API key (required).
    ///
    /// ```
    /// let b = mistral_files::Client::builder().api_key("sk-…");
    /// # let _ = b;
    /// ```
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The base URL: scheme and host, optionally a port and a path prefix (`https://proxy.example/mistral`);
    /// a trailing slash is ignored. Default [`DEFAULT_BASE_URL`].
    ///
    /// ```
    /// let b = mistral_files::Client::builder().base_url("http://127.0.0.1:8080/");
    /// # let _ = b;
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The `User-Agent` header (default `mistral-files-rust/<version>`).
    ///
    /// ```
    /// let b = mistral_files::Client::builder().user_agent("my-app/1.0");
    /// # let _ = b;
    /// ```
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// How long to wait for a connection (default 10 s).
    ///
    /// ```
    /// let b = mistral_files::Client::builder().connect_timeout(std::time::Duration::from_secs(3));
    /// # let _ = b;
    /// ```
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// The idle timeout: how long a read may wait for the next bytes (default 60 s). It is reset by
    /// every read, so a long transfer that keeps moving is never cut off; a stalled one is.
    ///
    /// ```
    /// let b = mistral_files::Client::builder().read_timeout(std::time::Duration::from_secs(30));
    /// # let _ = b;
    /// ```
    pub fn read_timeout(mut self, d: Duration) -> Self {
        self.read_timeout = Some(d);
        self
    }

    /// Turn the idle timeout off.
    ///
    /// ```
    /// let b = mistral_files::Client::builder().no_read_timeout();
    /// # let _ = b;
    /// ```
    pub fn no_read_timeout(mut self) -> Self {
        self.read_timeout = None;
        self
    }

    /// A total time limit for each attempt of each request, body included (default none). Beware:
    /// this cuts off large transfers; prefer the idle [`read_timeout`](Self::read_timeout).
    ///
    /// ```
    /// let b = mistral_files::Client::builder().timeout(std::time::Duration::from_secs(600));
    /// # let _ = b;
    /// ```
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]; [`RetryPolicy::disabled`] turns retries off).
    ///
    /// ```
    /// let b = mistral_files::Client::builder().retry_policy(mistral_files::RetryPolicy::disabled());
    /// # let _ = b;
    /// ```
    pub fn retry_policy(mut self, p: RetryPolicy) -> Self {
        self.retry = p;
        self
    }

    /// Use your own `reqwest::Client` (proxies, custom TLS roots, …). The connect and read timeouts
    /// of this builder do not apply to it then: configure them on your client. The API key is still
    /// added per request, so the client must not add its own `Authorization`.
    ///
    /// Build it with [`mistral_files::reqwest`](crate::reqwest), the re-export of the very
    /// reqwest this crate uses: no `reqwest` line of your own to keep in step, after
    /// [`install_tls_provider`](crate::install_tls_provider) (with the default `rustls-ring`
    /// feature, reqwest has no TLS provider of its own and panics without one).
    ///
    /// ```
    /// use std::time::Duration;
    /// mistral_files::install_tls_provider();
    /// let http = mistral_files::reqwest::Client::builder()
    ///     .connect_timeout(Duration::from_secs(5))
    ///     .build()?;
    /// let b = mistral_files::Client::builder().http_client(http);
    /// # let _ = b;
    /// # Ok::<(), mistral_files::reqwest::Error>(())
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The upload size limit (default [`MAX_UPLOAD_BYTES`]).
    ///
    /// ```
    /// let b = mistral_files::Client::builder().max_upload_bytes(1 << 30);
    /// # let _ = b;
    /// ```
    pub fn max_upload_bytes(mut self, limit: u64) -> Self {
        self.max_upload_bytes = limit;
        self
    }
}

/// Validate a base URL and return it without a trailing slash.
pub(crate) fn normalize_base_url(input: &str) -> Result<String, Error> {
    let trimmed = input.trim();
    let bad = |reason: &str| {
        Error::invalid(
            "base URL",
            format!("{input:?}: {reason}; expected something like https://api.mistral.ai (or http://127.0.0.1:8080 for a local server)"),
        )
    };
    if !(trimmed.starts_with("http://") || trimmed.starts_with("https://")) {
        return Err(bad("it must start with http:// or https://"));
    }
    let url = reqwest::Url::parse(trimmed).map_err(|e| bad(&e.to_string()))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("it must not have a query string or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("it must not carry credentials"));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            normalize_base_url("https://api.mistral.ai").unwrap(),
            "https://api.mistral.ai"
        );
        assert_eq!(
            normalize_base_url("https://api.mistral.ai/").unwrap(),
            "https://api.mistral.ai"
        );
        assert_eq!(
            normalize_base_url("http://127.0.0.1:9/prefix/").unwrap(),
            "http://127.0.0.1:9/prefix"
        );
        assert_eq!(
            normalize_base_url("http://h/a/b//").unwrap(),
            "http://h/a/b"
        );
        for bad in [
            "api.mistral.ai",
            "localhost:8080",
            "ftp://x",
            "",
            "https://",
            "http://h/?q=1",
            "http://u:p@h",
        ] {
            assert!(
                matches!(normalize_base_url(bad), Err(Error::InvalidInput { .. })),
                "{bad}"
            );
        }
    }
}
