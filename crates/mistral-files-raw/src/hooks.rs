//! The hand-written side of the generated client: its inner context, the hooks progenitor runs
//! around every generated request, and [`Client::execute`], which runs the same hooks around a
//! request built by hand (the multipart upload, ranged downloads, signed URLs).
//!
//! What the hooks do, for every request either way:
//! - `pre`: add the context's `Authorization` (if any) and `User-Agent` (if any);
//! - `exec`: send it with the client's `reqwest::Client`;
//! - `post`: a response with a non-success status comes back as
//!   [`Error::UnexpectedResponse`], whole and unread (status, headers, body as received).
//!
//! The last point replaces progenitor's default for error statuses, which reads the whole body
//! and decodes it as [`ErrorBody`](crate::types::ErrorBody): that keeps no status when the body
//! is not JSON (a proxy's HTML page), drops the fields the schema does not name, and reads a
//! body of any size. A caller of the raw client reads a failed response as it sees fit (the
//! `mistral-files` crate reads at most 64 KiB of it).

use std::fmt;
use std::sync::{Arc, Mutex};

use crate::generated::Client;
use crate::types::ErrorBody;
use progenitor_client::{ClientHooks, Error, OperationInfo};
use reqwest::header::{HeaderValue, AUTHORIZATION, USER_AGENT};

/// What every request of a [`Client`] needs besides the `reqwest::Client`: the API key, and the
/// `User-Agent` when the `reqwest::Client` sets none of its own.
///
/// The key is stored as a sensitive header value (never shown by `Debug`, never indexed by
/// HTTP/2's header compression) and copied, still sensitive, into each request. Neither copy is
/// zeroed when freed: `http::HeaderValue` cannot be.
#[derive(Clone, Default)]
pub struct ClientContext {
    authorization: Option<HeaderValue>,
    user_agent: Option<HeaderValue>,
}

impl fmt::Debug for ClientContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientContext")
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "<redacted>"),
            )
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// The API key cannot be sent in an HTTP header (it holds control characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidApiKey;

impl fmt::Display for InvalidApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the API key contains characters that cannot be sent in an HTTP header")
    }
}

impl std::error::Error for InvalidApiKey {}

impl ClientContext {
    /// A context that sends `Authorization: Bearer <key>` on every request.
    ///
    /// ```
    /// let ctx = mistral_files_raw::ClientContext::with_api_key("my-key")?;
    /// assert!(!format!("{ctx:?}").contains("my-key"));
    /// assert!(mistral_files_raw::ClientContext::with_api_key("bad\nkey").is_err());
    /// # Ok::<(), mistral_files_raw::InvalidApiKey>(())
    /// ```
    pub fn with_api_key(key: &str) -> Result<Self, InvalidApiKey> {
        let value = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| InvalidApiKey)?;
        Ok(Self::with_authorization(value))
    }

    /// A context that sends `value` as the `Authorization` header of every request, marked
    /// sensitive (`HeaderValue::set_sensitive`) whether or not it already was: built by the
    /// caller, so that no unzeroed copy of the key is made here.
    pub fn with_authorization(mut value: HeaderValue) -> Self {
        value.set_sensitive(true);
        Self {
            authorization: Some(value),
            user_agent: None,
        }
    }

    /// A context that sends no credentials (for servers without auth, and for URLs that carry
    /// their own, such as signed URLs).
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// The same context, also setting `User-Agent` on every request (replacing the
    /// `reqwest::Client`'s own, if it has one).
    ///
    /// ```
    /// use mistral_files_raw::ClientContext;
    /// let ctx = ClientContext::anonymous().user_agent("my-tool/1.0".parse()?);
    /// assert!(format!("{ctx:?}").contains("my-tool/1.0"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn user_agent(mut self, value: HeaderValue) -> Self {
        self.user_agent = Some(value);
        self
    }
}

/// A failed response on its way from `exec` to `post`: progenitor hands `post` only a reference
/// to the response `exec` returned, so `exec` returns a stand-in (same status and headers, no
/// body) carrying the real response, and `post` takes it out and returns it as the error.
#[derive(Clone)]
struct Unread(Arc<Mutex<Option<reqwest::Response>>>);

/// The stand-in `exec` returns for a failed `response`.
fn stand_in(response: reqwest::Response) -> reqwest::Response {
    let mut stand_in = http::Response::new(bytes::Bytes::new());
    *stand_in.status_mut() = response.status();
    *stand_in.version_mut() = response.version();
    *stand_in.headers_mut() = response.headers().clone();
    stand_in
        .extensions_mut()
        .insert(Unread(Arc::new(Mutex::new(Some(response)))));
    reqwest::Response::from(stand_in)
}

impl ClientHooks<ClientContext> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let headers = request.headers_mut();
        if let Some(auth) = &self.inner.authorization {
            headers.insert(AUTHORIZATION, auth.clone());
        }
        if let Some(ua) = &self.inner.user_agent {
            headers.insert(USER_AGENT, ua.clone());
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client.execute(request).await?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Ok(stand_in(response))
        }
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let parked = result
            .as_ref()
            .ok()
            .and_then(|r| r.extensions().get::<Unread>())
            .and_then(|u| u.0.lock().ok()?.take());
        match parked {
            Some(failed) => Err(Error::UnexpectedResponse(failed)),
            None => Ok(()),
        }
    }
}

impl Client {
    /// Send a request built by hand through the same hooks as the generated operations: the
    /// context's `Authorization` and `User-Agent` are added, and a non-success status comes back
    /// as [`Error::UnexpectedResponse`] with the body unread. `operation_id` names the request
    /// for the hooks, as the generated operations' ids do.
    ///
    /// Build the request with [`Client::request`] (a path on the base URL) or with
    /// [`reqwest_client`](Self::reqwest_client) (any URL).
    ///
    /// ```no_run
    /// # async fn run(client: mistral_files_raw::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let request = client.request(reqwest::Method::GET, "/v1/files").build()?;
    /// match client.execute(request, "list_files").await {
    ///     Ok(response) => println!("{}", response.text().await?),
    ///     Err(mistral_files_raw::Error::UnexpectedResponse(failed)) => {
    ///         eprintln!("HTTP {}", failed.status())
    ///     }
    ///     Err(other) => return Err(other.into()),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn execute(
        &self,
        mut request: reqwest::Request,
        operation_id: &'static str,
    ) -> Result<reqwest::Response, Error<ErrorBody>> {
        let info = OperationInfo { operation_id };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        Ok(result?)
    }

    /// A request to `path` under the base URL, for [`execute`](Self::execute).
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.baseurl, path))
    }

    /// The `reqwest::Client` requests are sent with.
    pub fn reqwest_client(&self) -> &reqwest::Client {
        &self.client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorization_is_always_sensitive() {
        let a = ClientContext::with_api_key("k").unwrap();
        assert!(a.authorization.as_ref().unwrap().is_sensitive());
        let b = ClientContext::with_authorization(HeaderValue::from_static("Bearer k"));
        assert!(b.authorization.as_ref().unwrap().is_sensitive());
        assert!(
            b.authorization.clone().unwrap().is_sensitive(),
            "clones stay sensitive"
        );
        assert!(!format!("{b:?}").contains("Bearer"));
    }
}
