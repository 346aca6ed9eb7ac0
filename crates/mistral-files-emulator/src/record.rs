//! Recording of every request the emulator receives, for assertions in tests.
//!
//! A leaf, part of the public API: uses nothing of the crate (the middleware fills it).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// One request as the emulator received it.
///
/// The value of an `Authorization` (or `Proxy-Authorization`) header is never stored: it is
/// replaced by `"<redacted>"`, and [`RecordedRequest::has_auth`] tells whether it was present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `"POST"`.
    pub method: String,
    /// Request path exactly as received (still percent-encoded), e.g. `"/v1/files"`.
    pub path: String,
    /// Query pairs in order, percent-decoded; repeated keys stay repeated.
    pub query: Vec<(String, String)>,
    /// Headers in order, names lower-cased; credentials replaced by `"<redacted>"`.
    pub headers: Vec<(String, String)>,
    /// Whether an `Authorization` header was present (whatever its value).
    pub has_auth: bool,
    /// Parts of a `multipart/form-data` body, in order (empty for other requests).
    pub form: Vec<FormPart>,
}

/// One part of a recorded `multipart/form-data` body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormPart {
    /// The part's `name` from its `Content-Disposition`.
    pub name: String,
    /// The part's `filename`, when it has one (file parts).
    pub filename: Option<String>,
    /// The part's own `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// Number of body bytes of the part that the emulator read.
    pub size: u64,
    /// Lower-case hex SHA-256 of those bytes.
    pub sha256: String,
    /// The value of a non-file field (lossily decoded as UTF-8); `None` for file parts.
    pub text: Option<String>,
}

/// Thread-safe log of recorded requests, bounded to `limit` entries (oldest dropped first).
#[derive(Debug)]
pub(crate) struct Recorder {
    next: AtomicU64,
    limit: usize,
    // A ring: once full, every request drops the oldest in O(1) (a Vec would shift them all).
    entries: Mutex<VecDeque<(u64, RecordedRequest)>>,
}

impl Recorder {
    pub(crate) fn new(limit: usize) -> Self {
        Recorder {
            next: AtomicU64::new(0),
            limit: limit.max(1),
            entries: Mutex::new(VecDeque::new()),
        }
    }

    /// Appends a request and returns its sequence number (for adding form parts later).
    pub(crate) fn push(&self, req: RecordedRequest) -> u64 {
        let seq = self.next.fetch_add(1, Ordering::Relaxed);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.push_back((seq, req));
        while entries.len() > self.limit {
            entries.pop_front();
        }
        seq
    }

    /// Adds a form part to the request recorded under `seq` (ignored if it was dropped).
    pub(crate) fn add_form_part(&self, seq: u64, part: FormPart) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Ok(i) = entries.binary_search_by_key(&seq, |(s, _)| *s) {
            entries[i].1.form.push(part);
        }
    }

    pub(crate) fn snapshot(&self) -> Vec<RecordedRequest> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.iter().map(|(_, r)| r.clone()).collect()
    }

    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// Request extension telling handlers under which sequence number their request was recorded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RecordSlot(pub(crate) u64);
