//! The state shared by the front middleware and every handler: the store, the fault and request
//! logs, the counters and the rate limit, the clock, the settings the builder fixed, and the
//! upload buffers.
//!
//! Holds the leaves it is made of (`store`, `faults`, `record`, `stats`, `rate_limit`, `clock`,
//! `buffer_pool`, `exposure`'s `Key`) and uses nothing that handles requests, so that every
//! handler can use it.

use std::sync::Arc;

use crate::buffer_pool::BufferPool;
use crate::clock::Clock;
use crate::exposure::Key;
use crate::faults::Faults;
use crate::rate_limit::RateLimiter;
use crate::record::Recorder;
use crate::stats::Counters;
use crate::store::Store;

/// Shared server state.
#[derive(Debug)]
pub(crate) struct AppInner {
    pub(crate) store: Arc<Store>,
    pub(crate) faults: Arc<Faults>,
    pub(crate) recorder: Arc<Recorder>,
    /// What was received and refused, for `RunningEmulator::stats`.
    pub(crate) counters: Arc<Counters>,
    /// The per-key request rate limit, if one was set.
    pub(crate) rate_limit: Option<RateLimiter>,
    pub(crate) clock: Clock,
    /// The key clients must send (`None`: no auth); `<redacted>` in `Debug`.
    pub(crate) api_key: Option<Key>,
    pub(crate) public_url: String,
    pub(crate) max_upload: u64,
    pub(crate) check_formats: bool,
    pub(crate) sync_writes: bool,
    /// The upload buffers, shared by all uploads (bounds their memory).
    pub(crate) upload_buffers: Arc<BufferPool>,
    /// Turns `true` when a shutdown's grace period is over: requests still running end.
    pub(crate) ending: tokio::sync::watch::Receiver<bool>,
}

impl AppInner {
    /// Completes once the shutdown's grace period is over (never, while serving normally).
    pub(crate) async fn grace_over(&self) {
        let mut rx = self.ending.clone();
        // an error means the emulator is gone: end as well
        let _ = rx.wait_for(|ending| *ending).await;
    }
}

pub(crate) type AppState = Arc<AppInner>;
