//! The hand-written side of the generated client: its inner context and request hooks.

use crate::generated::Client;
use progenitor_client::{ClientHooks, Error, OperationInfo};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::StatusCode;
use std::cell::RefCell;
use std::fmt;

/// What every request of a [`Client`] needs besides the `reqwest::Client`: the API key.
///
/// The key is stored as a sensitive header value (never shown by `Debug`, never indexed by
/// HTTP/2's header compression) and copied, still sensitive, into each request. Neither copy is
/// zeroed when freed: `http::HeaderValue` cannot be.
#[derive(Clone, Default)]
pub struct ClientContext {
    authorization: Option<HeaderValue>,
}

impl fmt::Debug for ClientContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientContext")
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "<redacted>"),
            )
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
    pub fn with_api_key(key: &str) -> Result<Self, InvalidApiKey> {
        let mut value =
            HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| InvalidApiKey)?;
        value.set_sensitive(true);
        Ok(Self {
            authorization: Some(value),
        })
    }

    /// A context that sends `value` as the `Authorization` header of every request, marked
    /// sensitive (`HeaderValue::set_sensitive`) whether or not it already was: built by the
    /// caller, so that no unzeroed copy of the key is made here.
    pub fn with_authorization(mut value: HeaderValue) -> Self {
        value.set_sensitive(true);
        Self {
            authorization: Some(value),
        }
    }

    /// A context that sends no credentials (for servers without auth).
    pub fn anonymous() -> Self {
        Self::default()
    }
}

/// Status, headers and (for errors) the raw body of the last response a call received.
///
/// progenitor's `Error::InvalidResponsePayload` keeps the body but not the status, so an
/// HTML 502 page from a proxy would be indistinguishable from a bad 200; and its
/// `Error::ErrorResponse` keeps the decoded [`ErrorBody`](crate::types::ErrorBody) but not
/// the bytes, so fields the schema does not name would be lost. [`observe`] recovers both.
#[derive(Debug, Clone)]
pub struct ResponseMeta {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The whole body of a non-success response, exactly as received; `None` for successes
    /// (their bodies are streamed or decoded by the generated code, never copied).
    pub error_body: Option<bytes::Bytes>,
}

tokio::task_local! {
    static LAST_RESPONSE: RefCell<Option<ResponseMeta>>;
}

/// Runs `call` (one generated operation) and returns its output together with the
/// status and headers of the response it received, if any.
///
/// ```no_run
/// # async fn run(client: mistral_files_raw::Client) {
/// let (result, meta) = mistral_files_raw::observe(client.list_files().send()).await;
/// if let (Err(_), Some(meta)) = (&result, &meta) {
///     eprintln!("failed with HTTP {}", meta.status);
/// }
/// # }
/// ```
pub async fn observe<F: std::future::Future>(call: F) -> (F::Output, Option<ResponseMeta>) {
    LAST_RESPONSE
        .scope(RefCell::new(None), async move {
            let output = call.await;
            let meta = LAST_RESPONSE.with(|cell| cell.borrow_mut().take());
            (output, meta)
        })
        .await
}

/// Records the response of the current call; outside [`observe`] there is nowhere to
/// record, which is fine.
fn record(meta: ResponseMeta) {
    let _ = LAST_RESPONSE.try_with(|cell| *cell.borrow_mut() = Some(meta));
}

impl ClientHooks<ClientContext> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        if let Some(auth) = &self.inner.authorization {
            request.headers_mut().insert(AUTHORIZATION, auth.clone());
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client.execute(request).await?;
        let status = response.status();
        let headers = response.headers().clone();
        if status.is_success() {
            record(ResponseMeta {
                status,
                headers,
                error_body: None,
            });
            return Ok(response);
        }
        // Error bodies are small and the generated code reads them whole anyway: keep a copy
        // of the exact bytes, then hand the generated code an identical response.
        let version = response.version();
        let body = response.bytes().await?;
        record(ResponseMeta {
            status,
            headers: headers.clone(),
            error_body: Some(body.clone()),
        });
        let mut rebuilt = http::Response::new(body);
        *rebuilt.status_mut() = status;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = headers;
        Ok(reqwest::Response::from(rebuilt))
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
