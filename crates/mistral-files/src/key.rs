//! The API key, [`ApiKey`], and the headers made from it.
//!
//! The key is a secret: it must not show in `Debug` output or logs, and it must reach only the
//! API host. Keeping it in one place makes that easy to check: a built client holds exactly one
//! long-lived copy, this `ApiKey`, and every request derives its `Authorization` header from it
//! here, for as long as the request lives. This is also the only file that exposes the secret.
//!
//! What is zeroed and what is not, exactly:
//! - zeroed on drop: the `ApiKey` (a `secrecy::SecretString`; each clone of it too), and the
//!   temporary `Bearer …` string each header is built from;
//! - not zeroed: the `Authorization` header values (`http::HeaderValue`, which offers no way to
//!   zero its bytes): for each attempt of a request to the API host, one in the generated
//!   client's context the executor makes for it (`exec.rs`) plus the copy put in the request;
//!   each lives as long as its attempt and is freed, not wiped. Every one is
//!   marked sensitive (`HeaderValue::set_sensitive`): never shown by `Debug` in `http`,
//!   `reqwest` or `hyper`, and sent as never-indexed over HTTP/2. Nor are the bytes `hyper` and
//!   `rustls` copy into their buffers to send a request, the environment variable
//!   `MISTRAL_API_KEY` itself, or a `&str` the caller passed in (the caller's copy).

use std::fmt;

use reqwest::header::HeaderValue;
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;

/// An API key. Held as a secret (a `secrecy::SecretString`, zeroed on drop), never shown by
/// `Debug`, and sent only to the API host. The `Authorization` headers made from it for each
/// request are marked sensitive (not logged, never indexed by HTTP/2) but are **not** zeroed when
/// freed: the module documentation lists exactly what is and is not.
///
/// ```
/// let key = mistral_files::ApiKey::new("sk-very-secret");
/// assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
/// ```
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    /// Wrap a key.
    ///
    /// ```
    /// let key = mistral_files::ApiKey::new(String::from("k"));
    /// # let _ = key;
    /// ```
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(SecretString::from(key.into()))
    }

    /// The key itself, trimmed: a stray newline from a file or a shell is not part of the key.
    fn expose(&self) -> &str {
        self.0.expose_secret().trim()
    }

    /// The `Authorization` header value, marked sensitive (built from a string that is zeroed).
    pub(crate) fn header_value(&self) -> Result<HeaderValue, Error> {
        let key = self.expose();
        if key.is_empty() {
            return Err(Error::MissingApiKey);
        }
        let text = Zeroizing::new(format!("Bearer {key}"));
        let mut v = HeaderValue::from_str(&text).map_err(|_| {
            Error::invalid("API key", "it contains characters not allowed in an HTTP header (control characters or non-ASCII); check for a stray newline")
        })?;
        v.set_sensitive(true);
        Ok(v)
    }

    /// The generated client's context, which sends the same `Authorization` header (also
    /// marked sensitive) on the generated calls.
    pub(crate) fn raw_context(&self) -> Result<mistral_files_raw::ClientContext, Error> {
        Ok(mistral_files_raw::ClientContext::with_authorization(
            self.header_value()?,
        ))
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl From<String> for ApiKey {
    fn from(s: String) -> Self {
        ApiKey::new(s)
    }
}

impl From<&str> for ApiKey {
    fn from(s: &str) -> Self {
        ApiKey::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_redacted_and_sensitive() {
        let k = ApiKey::new("sk-SECRET");
        assert!(!format!("{k:?}").contains("SECRET"));
        let hv = k.header_value().unwrap();
        assert!(hv.is_sensitive());
        assert!(!format!("{hv:?}").contains("SECRET"));
        let err = ApiKey::new("sk-SECRET\n").header_value();
        assert!(err.is_ok()); // trimmed
        let err = ApiKey::new("sk-SE\nCRET").header_value().unwrap_err();
        assert!(!err.to_string().contains("SE"), "{err}");
    }
}
