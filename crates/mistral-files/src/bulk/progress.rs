//! The progress of a bulk download as one figure: the bytes of every file present so far
//! (written, resumed from a partial copy, or found complete and skipped) out of the selection's
//! total, so that a caller can draw one bar for thousands of files.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::progress::{Progress, ProgressFn};

/// The callback given to `on_progress`, if any (a named type, so that the selections it sits in
/// keep their `Debug` and `Clone`).
#[derive(Clone, Default)]
pub(super) struct OnProgress(pub(super) Option<ProgressFn>);

impl OnProgress {
    pub(super) fn new(f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        OnProgress(Some(Arc::new(f)))
    }
}

impl fmt::Debug for OnProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() { "Some(..)" } else { "None" })
    }
}

/// The running sum of one bulk download, shared by its files.
#[derive(Clone)]
pub(super) struct Sum {
    cb: Option<ProgressFn>,
    done: Arc<AtomicU64>,
    total: u64,
}

impl Sum {
    /// A sum towards `total` bytes, reported to `on` (nothing is counted without a callback).
    pub(super) fn new(on: &OnProgress, total: u64) -> Self {
        Sum {
            cb: on.0.clone(),
            done: Arc::new(AtomicU64::new(0)),
            total,
        }
    }

    /// Adds `bytes` (a file found complete, or what a file's transfer newly reached).
    pub(super) fn add(&self, bytes: u64) {
        let Some(cb) = &self.cb else { return };
        if bytes == 0 {
            return;
        }
        let done = self.done.fetch_add(bytes, Ordering::Relaxed) + bytes;
        cb(Progress {
            bytes_done: done,
            total: Some(self.total),
        });
    }

    /// A callback for one file's transfer. A retried transfer starts again from 0 (or from its
    /// partial copy): only a position beyond the furthest one reached counts, so that no byte
    /// is counted twice.
    pub(super) fn per_file(&self) -> Option<impl Fn(Progress) + Send + Sync + 'static> {
        self.cb.as_ref()?;
        let furthest = AtomicU64::new(0);
        let sum = self.clone();
        Some(move |p: Progress| {
            let before = furthest.fetch_max(p.bytes_done, Ordering::Relaxed);
            sum.add(p.bytes_done.saturating_sub(before));
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn recording() -> (OnProgress, Arc<Mutex<Vec<u64>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let reports = Arc::clone(&seen);
        let cb: ProgressFn =
            Arc::new(move |p: Progress| reports.lock().unwrap().push(p.bytes_done));
        (OnProgress(Some(cb)), seen)
    }

    fn at(bytes_done: u64) -> Progress {
        Progress {
            bytes_done,
            total: Some(300),
        }
    }

    #[test]
    fn a_transfer_that_starts_again_counts_no_byte_twice() {
        let (on, seen) = recording();
        let sum = Sum::new(&on, 300);
        let first = sum.per_file().unwrap();
        let second = sum.per_file().unwrap();
        first(at(50));
        first(at(0)); // retried from the start
        first(at(40));
        second(at(100)); // resumed from a partial copy of 100 bytes
        first(at(200));
        second(at(100));
        sum.add(0);
        assert_eq!(*seen.lock().unwrap(), [50, 150, 300]);
    }

    #[test]
    fn without_a_callback_nothing_is_counted() {
        let sum = Sum::new(&OnProgress::default(), 300);
        assert!(sum.per_file().is_none());
        sum.add(300);
        assert_eq!(sum.done.load(Ordering::Relaxed), 0);
    }
}
