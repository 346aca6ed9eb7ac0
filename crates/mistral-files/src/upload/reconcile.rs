//! Settling an upload whose answer was lost: before sending the body again, or before
//! reporting the upload as failed, look for the file the service may have stored.
//!
//! **The rule.** An attempt that fails with an unknown outcome
//! ([`Error::leaves_upload_unsettled`]: a dropped connection, a timeout, a 5xx other than 503, a
//! success answer that could not be decoded) leaves a mark with the time its send began. The
//! next attempt, or the upload's end when no attempt is left, first lists the files whose name
//! contains the uploaded name (`search`) with the upload's purpose (the service records
//! `fine-tune` when none is sent), and keeps those whose name is exactly the
//! uploaded one, whose size is the uploaded size (a file listed without a size is not ruled
//! out) and which were created at or after the send began, less [`CLOCK_SLACK`]:
//! - none: nothing was stored; the body is sent again (if it can be re-opened: a path or bytes;
//!   a reader is never resent, the upload then fails with the lost answer's error);
//! - one: it is the upload's file, returned as its result (logged at debug level);
//! - more than one: undecidable (two identical uploads in flight at once, from this client or
//!   another); nothing is sent again and the upload fails with
//!   [`Error::UploadOutcomeUnknown`] listing them, for the caller to decide.
//!
//! The `signature` field is not used: the service documents it as a string or null with no
//! stated meaning (the emulator's SHA-256 prefix is its own choice).
//!
//! **The window** assumes that the service's clock is at most [`CLOCK_SLACK`] behind the
//! client's, and that a request whose connection dropped has been handled by the time the
//! listing runs (it runs after the retry's backoff). An identical upload (same name, size and
//! purpose) made on purpose within the slack before this one can be taken for it, and one
//! in flight at the same time is the undecidable case above; a caller who needs two identical
//! files at once should give them distinct names.
//!
//! Used by `request` only; uses the client's listing.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::types::{FileObject, FilePurpose};

/// How far the service's clock may lag behind the client's for a stored file to be found.
pub(super) const CLOCK_SLACK: Duration = Duration::from_secs(30);

/// The file an upload would have stored.
pub(super) struct Wanted {
    /// The name it was sent under.
    pub(super) name: String,
    /// Its size.
    pub(super) size: u64,
    /// Its purpose as the service records it.
    pub(super) purpose: FilePurpose,
}

/// When the send of the last attempt whose outcome is still unknown began, in UNIX seconds.
#[derive(Default)]
pub(super) struct Ledger {
    unsettled: Mutex<Option<i64>>,
}

impl Ledger {
    /// An attempt starts sending: its outcome is unknown until it says otherwise.
    pub(super) fn sending(&self) {
        *self.lock() = Some(now_unix());
    }

    /// The last attempt's outcome is known (stored and answered, or refused), or looking for
    /// its file found nothing.
    pub(super) fn settled(&self) {
        *self.lock() = None;
    }

    /// When the send whose outcome is unknown began, if there is one.
    pub(super) fn unsettled_since(&self) -> Option<i64> {
        *self.lock()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<i64>> {
        self.unsettled.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Settles the unknown outcome in `ledger`, if any: `Some(file)` when the upload was stored,
/// `None` when nothing was (the ledger is then cleared). Errors: the listing's (the ledger
/// keeps its mark), or [`Error::UploadOutcomeUnknown`] when several files fit.
pub(super) async fn settle(
    client: &Client,
    wanted: &Wanted,
    ledger: &Ledger,
) -> Result<Option<FileObject>> {
    let Some(since) = ledger.unsettled_since() else {
        return Ok(None);
    };
    let from = since.saturating_sub(CLOCK_SLACK.as_secs() as i64);
    let mut found = fitting(client, wanted, from).await?;
    match found.len() {
        0 => {
            tracing::debug!(name = %wanted.name, "upload outcome settled: not stored");
            ledger.settled();
            Ok(None)
        }
        1 => {
            let file = found.remove(0);
            tracing::debug!(
                id = %file.id,
                name = %wanted.name,
                "upload outcome settled: stored before its answer was lost; returning that file"
            );
            ledger.settled();
            Ok(Some(file))
        }
        _ => Err(Error::UploadOutcomeUnknown {
            name: wanted.name.clone(),
            candidates: found.into_iter().map(|f| f.id).collect(),
            source: Box::new(Error::invalid(
                "upload outcome",
                "several stored files fit the upload",
            )),
        }),
    }
}

/// The stored files that fit `wanted`, created at or after `from` (UNIX seconds).
async fn fitting(client: &Client, wanted: &Wanted, from: i64) -> Result<Vec<FileObject>> {
    let listing = client
        .list()
        .search(wanted.name.clone())
        .purpose(wanted.purpose.clone())
        .page_size(100)
        .into_stream();
    let mut listing = std::pin::pin!(listing);
    let mut out = Vec::new();
    while let Some(file) = listing.next().await {
        let file = file?;
        // no order is assumed: the service's listing order is not documented
        if file.created_at < from {
            continue;
        }
        let size_fits = file.bytes.is_none_or(|b| b == wanted.size);
        if file.filename == wanted.name && size_fits {
            out.push(file);
        }
    }
    Ok(out)
}
