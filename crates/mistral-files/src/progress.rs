//! Transfer progress reporting, shared by uploads and downloads so that both report through the
//! same type and the same callback shape.

use std::sync::Arc;

/// How far a transfer is: bytes done so far and the total, when known.
///
/// On a retried or resumed transfer `bytes_done` can go back (a restarted upload starts again at 0).
///
/// ```
/// let p = mistral_files::Progress { bytes_done: 50, total: Some(200) };
/// assert_eq!(p.fraction(), Some(0.25));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Bytes transferred so far (file content only, not the form's framing).
    pub bytes_done: u64,
    /// Total bytes, when known.
    pub total: Option<u64>,
}

impl Progress {
    /// `bytes_done / total`, when the total is known and not zero.
    ///
    /// ```
    /// assert_eq!(mistral_files::Progress { bytes_done: 1, total: None }.fraction(), None);
    /// ```
    pub fn fraction(&self) -> Option<f64> {
        match self.total {
            Some(t) if t > 0 => Some(self.bytes_done as f64 / t as f64),
            _ => None,
        }
    }
}

/// A progress callback: called from the task doing the transfer, so keep it cheap.
pub(crate) type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Make a callback from a `tokio::sync::watch` sender, for [`on_progress`](crate::UploadRequest::on_progress)
/// style options: the receiver always sees the latest value.
///
/// ```
/// let (tx, rx) = tokio::sync::watch::channel(mistral_files::Progress::default());
/// let cb = mistral_files::progress_to_watch(tx);
/// cb(mistral_files::Progress { bytes_done: 3, total: Some(3) });
/// assert_eq!(rx.borrow().bytes_done, 3);
/// ```
pub fn progress_to_watch(
    tx: tokio::sync::watch::Sender<Progress>,
) -> impl Fn(Progress) + Send + Sync + 'static {
    move |p| {
        let _ = tx.send(p);
    }
}
