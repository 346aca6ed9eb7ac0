//! What the emulator counted while serving: requests received, and those the rate limit refused.
//! Plain atomics, bumped by the front middleware; [`Stats`] is a snapshot of them.
//!
//! A leaf, part of the public API: uses nothing of the crate.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counts of what a running emulator received, from its start (see
/// [`RunningEmulator::stats`](crate::RunningEmulator::stats)). A snapshot: each field was read
/// on its own, so one taken while requests arrive may be a request apart between fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Every request received, signed-URL downloads and unknown paths included.
    pub requests: u64,
    /// The `/v1/...` requests among them, whatever their answer (a 401, a canned failure, a 429
    /// of the rate limit included).
    pub api_requests: u64,
    /// The `/v1/...` requests answered 429 by the rate limit
    /// ([`EmulatorBuilder::rate_limit`](crate::EmulatorBuilder::rate_limit)); canned and
    /// injected 429s are not counted here.
    pub rate_limited: u64,
}

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    requests: AtomicU64,
    api_requests: AtomicU64,
    rate_limited: AtomicU64,
}

impl Counters {
    /// One more request; `api` when its path is under `/v1`.
    pub(crate) fn received(&self, api: bool) {
        // Relaxed: each counter is independent, nothing is ordered by them.
        self.requests.fetch_add(1, Ordering::Relaxed);
        if api {
            self.api_requests.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// One more request refused by the rate limit.
    pub(crate) fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    /// The counts now.
    pub(crate) fn snapshot(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            api_requests: self.api_requests.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
        }
    }
}
