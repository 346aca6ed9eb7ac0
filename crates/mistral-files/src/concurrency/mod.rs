//! How many requests a many-request operation keeps in flight: the public [`Concurrency`]
//! setting, and the [`Gate`] every attempt of such an operation passes through.
//!
//! One controller serves the listing stream's page window and the bulk operations, so that both
//! back off the same way when the service slows down or refuses. The gate sees every attempt,
//! the retry layer's included: the executor (`exec.rs`) acquires a permit before each attempt
//! and reports its outcome after it, when the client it runs on carries a gate
//! (`Client::with_gate`). Nothing is hidden in task-locals: a gated operation is one made
//! through a client value that holds the gate.
//!
//!   mod.rs         Concurrency, Gate and its permits (the waiting, the clock)
//!   controller.rs  the arithmetic of the limit and the rate cap, clock passed in

mod controller;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::Notify;

use controller::Controller;
pub(crate) use controller::Signal;

/// How many requests an operation of many requests keeps in flight: the page window of a
/// listing stream ([`ListRequest::prefetch`](crate::ListRequest::prefetch) sets its ceiling),
/// and the bulk operations of a [`Selection`](crate::Selection).
///
/// **Adaptive** (the default): the limit starts at 4 (or the ceiling, if lower), grows while
/// answers come back fast (doubling per round trip until the first sign of congestion, then by
/// about one per round trip), shrinks by a tenth when latency rises above twice the lowest seen
/// recently, and halves on a `429` or `503`. A refusal also sets a rate cap (90 % of the
/// successes of the last second, at least one per second) to which the starts of requests are
/// paced; the cap rises by 5 % per second without refusals. Every attempt counts, retries
/// included; the retry policy still waits out a `Retry-After` before resending a refused
/// request. The limit stays between 1 and the ceiling.
///
/// **Fixed**: exactly `n` requests in flight, whatever the service answers.
///
/// ```
/// use mistral_files::Concurrency;
/// let c = Concurrency::adaptive(8);
/// assert_eq!(c.ceiling(), 8);
/// assert!(c.is_adaptive());
/// assert!(!Concurrency::fixed(2).is_adaptive());
/// assert_eq!(Concurrency::default(), Concurrency::adaptive(32));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Concurrency {
    ceiling: usize,
    adaptive: bool,
}

/// The ceiling of the bulk operations' adaptive concurrency, 32.
pub(crate) const DEFAULT_BULK_CEILING: usize = 32;

impl Default for Concurrency {
    /// Adaptive, up to 32 requests in flight.
    fn default() -> Self {
        Concurrency::adaptive(DEFAULT_BULK_CEILING)
    }
}

impl Concurrency {
    /// A limit that adapts to the service, never above `ceiling` (0 counts as 1).
    ///
    /// ```
    /// assert_eq!(mistral_files::Concurrency::adaptive(0).ceiling(), 1);
    /// ```
    pub fn adaptive(ceiling: usize) -> Self {
        Concurrency {
            ceiling: ceiling.max(1),
            adaptive: true,
        }
    }

    /// Exactly `n` requests in flight (0 counts as 1), without adapting.
    ///
    /// ```
    /// assert_eq!(mistral_files::Concurrency::fixed(4).ceiling(), 4);
    /// ```
    pub fn fixed(n: usize) -> Self {
        Concurrency {
            ceiling: n.max(1),
            adaptive: false,
        }
    }

    /// The most requests in flight: the ceiling of an adaptive limit, or the fixed one.
    ///
    /// ```
    /// assert_eq!(mistral_files::Concurrency::default().ceiling(), 32);
    /// ```
    pub fn ceiling(&self) -> usize {
        self.ceiling
    }

    /// Whether the limit adapts to the service.
    ///
    /// ```
    /// assert!(mistral_files::Concurrency::default().is_adaptive());
    /// ```
    pub fn is_adaptive(&self) -> bool {
        self.adaptive
    }

    /// A gate of this setting, for one operation.
    pub(crate) fn gate(self) -> Arc<Gate> {
        let controller = if self.adaptive {
            Controller::adaptive(self.ceiling)
        } else {
            Controller::fixed(self.ceiling)
        };
        Arc::new(Gate {
            state: Mutex::new(controller),
            freed: Notify::new(),
        })
    }
}

/// What every attempt of one operation passes through: waits for a free slot under the current
/// limit and for its paced start, and reports its outcome.
#[derive(Debug)]
pub(crate) struct Gate {
    state: Mutex<Controller>,
    /// Woken when a slot frees up (or the limit may have grown).
    freed: Notify,
}

impl Gate {
    fn with<R>(&self, f: impl FnOnce(&mut Controller) -> R) -> R {
        // The controller holds plain numbers: a panic in another thread cannot leave it in a
        // state worse than any other, so a poisoned lock is used as is.
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// How many attempts may be in flight now.
    pub(crate) fn limit(&self) -> usize {
        self.with(|c| c.limit())
    }

    /// How many operations may be under way now (see `Controller::operations`).
    pub(crate) fn operations(&self) -> usize {
        self.with(|c| c.operations())
    }

    /// Waits for a slot and for the paced start; the permit frees the slot when finished or
    /// dropped.
    pub(crate) async fn acquire(self: &Arc<Self>) -> Permit {
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            // registered before looking, so a slot freed in between is not missed
            freed.as_mut().enable();
            if let Some(at) = self.with(|c| c.try_start(Instant::now())) {
                let permit = Permit {
                    gate: Arc::clone(self),
                    started: at,
                    done: false,
                };
                // the slot is held while waiting for the paced start: dropping the permit (a
                // cancelled call) frees it
                tokio::time::sleep_until(at.into()).await;
                return permit;
            }
            freed.await;
        }
    }
}

/// One attempt's slot; report the outcome with [`finish`](Self::finish). Dropped unfinished
/// (the attempt was cancelled), it frees the slot and counts as neutral.
#[derive(Debug)]
pub(crate) struct Permit {
    gate: Arc<Gate>,
    started: Instant,
    done: bool,
}

impl Permit {
    /// The attempt ended with `signal`: its latency is measured from its start to now.
    pub(crate) fn finish(mut self, signal: Signal) {
        self.release(signal);
    }

    fn release(&mut self, signal: Signal) {
        if std::mem::replace(&mut self.done, true) {
            return;
        }
        let started = self.started;
        self.gate
            .with(|c| c.finish(started, Instant::now(), signal));
        self.gate.freed.notify_waiters();
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.release(Signal::Neutral);
    }
}

/// How the outcome of an attempt reads to the controller: 429 and 503 are the service saying
/// it is overloaded; other failures say nothing about load.
pub(crate) fn signal_of<T>(result: &crate::Result<T>) -> Signal {
    match result {
        Ok(_) => Signal::Success,
        Err(e) => match e.status().map(|s| s.as_u16()) {
            Some(429 | 503) => Signal::Overloaded,
            _ => Signal::Neutral,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_dropped_permit_frees_its_slot_for_a_waiter() {
        let gate = Concurrency::fixed(1).gate();
        let first = gate.acquire().await;
        let waiting = tokio::spawn({
            let gate = Arc::clone(&gate);
            async move { gate.acquire().await.finish(Signal::Success) }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        drop(first);
        waiting.await.unwrap();
        assert_eq!(gate.limit(), 1);
    }

    #[tokio::test]
    async fn the_gate_grows_on_success_and_halves_on_overload() {
        let gate = Concurrency::adaptive(32).gate();
        assert_eq!(gate.limit(), 4);
        gate.acquire().await.finish(signal_of::<()>(&Ok(())));
        assert_eq!(gate.limit(), 5);
        let refused = crate::Error::invalid("x", "y");
        // a neutral failure (not a 429 or 503) changes nothing
        gate.acquire().await.finish(signal_of::<()>(&Err(refused)));
        assert_eq!(gate.limit(), 5);
        gate.acquire().await.finish(Signal::Overloaded);
        assert_eq!(gate.limit(), 2);
    }
}
