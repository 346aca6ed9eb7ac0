//! The emulator's notion of "now", with an offset that tests can advance.
//!
//! A leaf: uses nothing of the crate.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Wall-clock time in UNIX seconds plus an adjustable offset (see
/// [`crate::RunningEmulator::advance_clock`]). Cheap to clone; clones share the offset.
#[derive(Clone, Debug, Default)]
pub(crate) struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    /// Current time in UNIX seconds, offset included.
    pub(crate) fn now(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        real.saturating_add(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Moves the clock forward by `by` (whole seconds).
    pub(crate) fn advance(&self, by: Duration) {
        let secs = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }
}
