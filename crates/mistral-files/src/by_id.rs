//! Retrieve, delete and signed URLs: the calls addressed to one file by its id, each one JSON
//! request made through the generated client with retries.
//!
//! They need nothing but the client's shared machinery, so they sit together here; the calls
//! that move file content or page through results (upload, download, list) have rooms of their
//! own. `whole_hours` is here because the signed URL's expiry is where the API first asks for
//! hours; uploads use it too.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::exec::Call;
use crate::id::IntoFileId;
use crate::retry::RetryClass;
use crate::types::{DeletedFile, FileObject, SignedUrl};
use mistral_files_raw::rules::{SIGNED_URL_MAX_EXPIRY_HOURS, SIGNED_URL_MIN_EXPIRY_HOURS};

/// Convert a `Duration` to whole hours, refusing zero, sub-hour and fractional values.
pub(crate) fn whole_hours(what: &'static str, d: Duration) -> Result<u64> {
    if d.is_zero() {
        return Err(Error::invalid(what, "it must be at least one hour, got 0"));
    }
    if !d.as_secs().is_multiple_of(3600) || d.subsec_nanos() != 0 {
        return Err(Error::invalid(
            what,
            format!(
                "it is sent in whole hours, got {d:?}; use a multiple of Duration::from_secs(3600)"
            ),
        ));
    }
    Ok(d.as_secs() / 3600)
}

/// A signed URL's lifetime in hours: whole hours within the service's bounds.
fn signed_url_hours(d: Duration) -> Result<std::num::NonZeroU64> {
    const WHAT: &str = "signed URL expiry";
    let hours = whole_hours(WHAT, d)?;
    let range = SIGNED_URL_MIN_EXPIRY_HOURS..=SIGNED_URL_MAX_EXPIRY_HOURS;
    if !range.contains(&hours) {
        return Err(Error::invalid(
            WHAT,
            format!(
                "it must be {SIGNED_URL_MIN_EXPIRY_HOURS} to {SIGNED_URL_MAX_EXPIRY_HOURS} hours (one week), got {hours} hours"
            ),
        ));
    }
    std::num::NonZeroU64::new(hours).ok_or_else(|| Error::invalid(WHAT, "it must not be zero"))
}

impl Client {
    /// Fetch a file's metadata.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let file = client.retrieve("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").await?;
    /// println!("{} is {:?} bytes", file.filename, file.bytes);
    /// # Ok(()) }
    /// ```
    pub async fn retrieve(&self, id: impl IntoFileId) -> Result<FileObject> {
        let id = id.into_file_id()?;
        let path = format!("/v1/files/{id}");
        let call = Call::api("retrieve", "GET", &path, RetryClass::Idempotent);
        let out = self
            .call(call, |attempt| async move {
                let sent = attempt.raw().retrieve_file().file_id(*id.as_uuid()).send();
                let response = sent.await?;
                crate::exec::record_status(response.status());
                Ok(response.into_inner())
            })
            .await?;
        Ok(out.into())
    }

    /// Delete a file.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let gone = client.delete("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").await?;
    /// assert!(gone.deleted);
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, id: impl IntoFileId) -> Result<DeletedFile> {
        let id = id.into_file_id()?;
        let path = format!("/v1/files/{id}");
        let call = Call::api("delete", "DELETE", &path, RetryClass::Idempotent);
        let out = self
            .call(call, |attempt| async move {
                let sent = attempt.raw().delete_file().file_id(*id.as_uuid()).send();
                let response = sent.await?;
                crate::exec::record_status(response.status());
                Ok(response.into_inner())
            })
            .await?;
        Ok(out.into())
    }

    /// Ask for a signed URL to the file's content (default expiry 24 hours). Await the returned
    /// request, or set [`expiry`](SignedUrlRequest::expiry) first.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// use std::time::Duration;
    /// let url = client.signed_url("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").expiry(Duration::from_secs(2 * 3600)).await?;
    /// let download = client.fetch_signed_url(&url).await?;
    /// println!("{download:?}");
    /// # Ok(()) }
    /// ```
    pub fn signed_url(&self, id: impl IntoFileId) -> SignedUrlRequest {
        SignedUrlRequest {
            client: self.clone(),
            id: id.into_file_id(),
            expiry: None,
        }
    }
}

/// A pending signed-URL request; `.await` it (or call [`send`](Self::send)).
///
/// ```no_run
/// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
/// let url = client.signed_url("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").send().await?;
/// println!("{url:?}");
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
pub struct SignedUrlRequest {
    client: Client,
    id: Result<crate::FileId>,
    expiry: Option<Duration>,
}

impl SignedUrlRequest {
    /// How long the URL stays valid, in whole hours from 1 to 168 (one week, the service's
    /// limit, [`SIGNED_URL_MAX_EXPIRY_HOURS`](crate::SIGNED_URL_MAX_EXPIRY_HOURS)); anything
    /// else is [`Error::InvalidInput`] when the request is sent, and no request is made.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let url = client.signed_url("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").expiry(std::time::Duration::from_secs(3600)).await?;
    /// println!("{url:?}");
    /// # Ok(()) }
    /// ```
    pub fn expiry(mut self, d: Duration) -> Self {
        self.expiry = Some(d);
        self
    }

    /// Send the request.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let url = client.signed_url("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").send().await?;
    /// println!("{}", url.as_str());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<SignedUrl> {
        let id = self.id?;
        let hours = signed_url_hours(self.expiry.unwrap_or(Duration::from_secs(24 * 3600)))?;
        let path = format!("/v1/files/{id}/url");
        let call = Call::api("signed_url", "GET", &path, RetryClass::Idempotent);
        let out = self
            .client
            .call(call, |attempt| async move {
                let raw = attempt.raw();
                let sent = raw
                    .get_signed_url()
                    .file_id(*id.as_uuid())
                    .expiry(hours)
                    .send();
                let response = sent.await?;
                crate::exec::record_status(response.status());
                Ok(response.into_inner())
            })
            .await?;
        Ok(SignedUrl::new(out.url))
    }
}

impl IntoFuture for SignedUrlRequest {
    type Output = Result<SignedUrl>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<SignedUrl>> + Send>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours() {
        assert_eq!(whole_hours("x", Duration::from_secs(7200)).unwrap(), 2);
        assert!(whole_hours("x", Duration::ZERO).is_err());
        assert!(whole_hours("x", Duration::from_secs(1800)).is_err());
        assert!(whole_hours("x", Duration::from_secs(5400)).is_err());
        assert!(whole_hours("x", Duration::from_millis(3_600_001)).is_err());
        assert_eq!(
            signed_url_hours(Duration::from_secs(3600)).unwrap().get(),
            1
        );
        assert_eq!(
            signed_url_hours(Duration::from_secs(168 * 3600))
                .unwrap()
                .get(),
            168
        );
        assert!(signed_url_hours(Duration::from_secs(169 * 3600)).is_err());
        assert!(signed_url_hours(Duration::from_secs(u64::MAX / 3600 * 3600)).is_err());
    }
}
