//! Retries: the public [`RetryPolicy`] (how often and how long to wait) and the loop that
//! applies it to one request.
//!
//! Which failures may be retried depends on what the request does to the server, not on the
//! policy, so that is the request's [`RetryClass`]. Neither needs a [`Client`](crate::Client):
//! the client hands its policy a closure that makes one attempt, which keeps this file free of
//! HTTP and of the client's imports.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tracing::Instrument;

use crate::concurrency::{signal_of, Gate};
use crate::error::{Error, Result};

/// When and how often to retry. On by default: up to 4 attempts, exponential backoff from 500 ms to
/// 30 s with jitter, `Retry-After` honoured up to 60 s.
///
/// What is retried depends on the call: GET and DELETE on connection errors, timeouts, 408, 429 and
/// 5xx; uploads only when the body can be rebuilt (a path or bytes), and either the server cannot
/// have stored the file (a refused connection, 408, 429, 503) or the outcome is unknown (a dropped
/// connection, a timeout, another 5xx) and looking for the file first found nothing (see
/// [`Client::upload_path`](crate::Client::upload_path)); an upload from a one-shot `AsyncRead` is
/// never resent.
///
/// ```
/// use std::time::Duration;
/// use mistral_files::RetryPolicy;
/// let p = RetryPolicy::default()
///     .with_max_attempts(6)
///     .with_initial_backoff(Duration::from_millis(200))
///     .with_max_backoff(Duration::from_secs(10))
///     .with_max_retry_after(Duration::from_secs(120));
/// assert_eq!(p.max_attempts(), 6);
/// assert_eq!(RetryPolicy::disabled().max_attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// No retries: every call makes exactly one attempt (download resumption is off too).
    ///
    /// ```
    /// assert_eq!(mistral_files::RetryPolicy::disabled().max_attempts(), 1);
    /// ```
    pub fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Default::default()
        }
    }

    /// Total attempts including the first (at least 1).
    ///
    /// ```
    /// assert_eq!(mistral_files::RetryPolicy::default().with_max_attempts(0).max_attempts(), 1);
    /// ```
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// The delay before the first retry; doubled for each further one.
    ///
    /// ```
    /// let p = mistral_files::RetryPolicy::default().with_initial_backoff(std::time::Duration::from_millis(10));
    /// assert_ne!(p, mistral_files::RetryPolicy::default());
    /// ```
    pub fn with_initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// The longest backoff delay.
    ///
    /// ```
    /// let p = mistral_files::RetryPolicy::default().with_max_backoff(std::time::Duration::from_secs(5));
    /// assert_ne!(p, mistral_files::RetryPolicy::default());
    /// ```
    pub fn with_max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// The longest `Retry-After` obeyed; a longer one (say, a day) is cut to this.
    ///
    /// ```
    /// let p = mistral_files::RetryPolicy::default().with_max_retry_after(std::time::Duration::from_secs(5));
    /// assert_ne!(p, mistral_files::RetryPolicy::default());
    /// ```
    pub fn with_max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = d;
        self
    }

    /// Randomise each backoff delay between half and all of its value (on by default), so that many
    /// clients do not retry in lockstep.
    ///
    /// ```
    /// let p = mistral_files::RetryPolicy::default().with_jitter(false);
    /// assert_ne!(p, mistral_files::RetryPolicy::default());
    /// ```
    pub fn with_jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// The configured number of attempts.
    ///
    /// ```
    /// assert_eq!(mistral_files::RetryPolicy::default().max_attempts(), 4);
    /// ```
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The delay before attempt `attempt + 1`, given the server's `Retry-After`, if any.
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exp = attempt.saturating_sub(1).min(20);
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        let backoff = if self.jitter && !base.is_zero() {
            let half = base / 2;
            half + half.mul_f64(fastrand::f64())
        } else {
            base
        };
        match retry_after {
            Some(ra) => backoff.max(ra.min(self.max_retry_after)),
            None => backoff,
        }
    }

    /// Run `f` (one attempt, given its 1-based number) until it succeeds, the error is not
    /// retryable for `class`, or the attempts run out; each attempt in its own tracing span.
    ///
    /// With a `gate`, every attempt (each retry too) waits for a permit first and reports its
    /// outcome to it; the backoff between attempts holds no permit.
    pub(crate) async fn run<T, F, Fut>(
        &self,
        method: &'static str,
        path: &str,
        class: RetryClass,
        gate: Option<&Arc<Gate>>,
        mut f: F,
    ) -> Result<T>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut attempt = 1u32;
        loop {
            let span = tracing::debug_span!(
                "mistral_files.request",
                method,
                path,
                attempt,
                status = tracing::field::Empty
            );
            let permit = match gate {
                Some(g) => Some(g.acquire().await),
                None => None,
            };
            let res = f(attempt).instrument(span.clone()).await;
            if let Some(p) = permit {
                p.finish(signal_of(&res));
            }
            match res {
                Ok(v) => return Ok(v),
                Err(e) => {
                    if let Some(s) = e.status() {
                        span.record("status", s.as_u16());
                    }
                    if attempt >= self.max_attempts() || !class.allows(&e) {
                        span.in_scope(|| tracing::debug!(error = %e, "request failed"));
                        return Err(e);
                    }
                    let delay = self.delay(attempt, e.retry_after());
                    span.in_scope(|| {
                        tracing::warn!(error = %e, delay_ms = delay.as_millis() as u64, "retrying")
                    });
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }
}

/// How a request may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryClass {
    /// GET, DELETE: connection errors, timeouts, 408, 429, 5xx.
    Idempotent,
    /// Upload with a rebuildable body: only when the server cannot have stored the file.
    Upload,
    /// Never retried.
    Never,
}

impl RetryClass {
    /// Whether a request of this class that failed with `err` may be sent again.
    pub(crate) fn allows(self, err: &Error) -> bool {
        match self {
            RetryClass::Never => false,
            RetryClass::Idempotent => err.is_retryable(),
            // A resent upload stores a second file if the first one got through, so either the
            // failure means nothing was stored (no connection, or a status that refuses the
            // request), or its outcome is unknown and the next attempt looks for the file
            // before sending anything (`upload::reconcile`).
            RetryClass::Upload => match err {
                Error::Api(api) if matches!(api.status().as_u16(), 408 | 429 | 503) => true,
                Error::Transport(t) if t.is_connect() => true,
                _ => err.leaves_upload_unsettled(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        let p = RetryPolicy::default().with_jitter(false);
        assert_eq!(p.delay(1, None), Duration::from_millis(500));
        assert_eq!(p.delay(2, None), Duration::from_millis(1000));
        assert_eq!(p.delay(30, None), Duration::from_secs(30));
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(86_400))),
            Duration::from_secs(60)
        );
        let j = RetryPolicy::default();
        for _ in 0..100 {
            let d = j.delay(2, None);
            assert!(d >= Duration::from_millis(500) && d <= Duration::from_millis(1000));
        }
    }
}
