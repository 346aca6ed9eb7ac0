//! The API key, [`ApiKey`], and the headers made from it.
//!
//! The key is a secret: it must not show in `Debug` output or logs, and it must reach only the
//! API host. Keeping it in one place makes that easy to check: a built client holds exactly one
//! copy, this `ApiKey` (zeroed on drop), and every request derives its `Authorization` header
//! from it here, marked sensitive, for as long as the request lives. This is also the only file
//! that exposes the secret.

use std::fmt;

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;

/// An API key. Held as a secret: zeroed on drop, never shown by `Debug`, and sent only to the API host
/// (marked sensitive in the HTTP layer so it is not logged).
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

    /// The `Authorization` header value, marked sensitive.
    pub(crate) fn header_value(&self) -> Result<HeaderValue, Error> {
        let key = self.expose();
        if key.is_empty() {
            return Err(Error::MissingApiKey);
        }
        let mut v = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| {
            Error::invalid("API key", "it contains characters not allowed in an HTTP header (control characters or non-ASCII); check for a stray newline")
        })?;
        v.set_sensitive(true);
        Ok(v)
    }

    /// The generated client's context, which sends the same `Authorization` header (also
    /// marked sensitive) on the generated calls.
    pub(crate) fn raw_context(&self) -> Result<mistral_files_raw::ClientContext, Error> {
        mistral_files_raw::ClientContext::with_api_key(self.expose()).map_err(|_| {
            Error::invalid(
                "API key",
                "it contains characters not allowed in an HTTP header",
            )
        })
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
