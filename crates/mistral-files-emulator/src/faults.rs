//! Fault injection: latency, canned failures, and misbehaving downloads.
//!
//! Two ways in:
//! - at run time through [`Faults`] (`emu.faults()`), shared with the running server;
//! - at start through [`FaultConfig`], a plain struct a command line can fill from flags
//!   (see [`FaultConfig`] for the suggested flag syntax; [`FailSpec`] parses `N:STATUS[:SECS]`).
//!
//! The faults of `fault_plan` (dropped connections, answers lost after the store, refusals,
//! at a seeded rate) are kept here too, so that [`Faults::reset`] removes them with the rest.
//!
//! A leaf, part of the public API: uses nothing of the crate but `fault_plan`'s queue.

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use crate::fault_plan::{Fault, Plan, Target};

/// Runtime fault injection, shared between the test (or CLI) and the server.
///
/// Every method takes `&self` and is thread-safe; settings apply to requests that arrive after
/// the call. `fail_next*` calls queue up in call order (e.g. two 429s, then one 503).
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<FaultState>,
}

#[derive(Debug, Default, Clone)]
struct FaultState {
    latency: Duration,
    failures: VecDeque<FailSpec>,
    cut_after: Option<u64>,
    stall: Option<(u64, Duration)>,
    throttle: Option<u64>,
    plan: Plan,
}

/// What a download must suffer, taken once per download by the server.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct DownloadFault {
    pub(crate) cut_after: Option<u64>,
    pub(crate) stall: Option<(u64, Duration)>,
    pub(crate) throttle: Option<u64>,
}

impl Faults {
    fn with<R>(&self, f: impl FnOnce(&mut FaultState) -> R) -> R {
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// Adds `latency` before every response (API and signed-URL requests alike).
    pub fn set_latency(&self, latency: Duration) {
        self.with(|s| s.latency = latency);
    }

    /// The next `n` API requests (`/v1/...`, before authentication) are answered with `status` and
    /// a provider-shaped JSON error body (`{"object":"error","message":..,"type":..,"param":null,"code":..}`);
    /// when `retry_after` is given, a `Retry-After` header carries it in whole seconds.
    pub fn fail_next(&self, n: usize, status: u16, retry_after: Option<Duration>) {
        self.push(FailSpec {
            count: n,
            status,
            retry_after,
            body: None,
        });
    }

    /// The next `n` API requests are answered with `status`, the given `Content-Type` and body
    /// verbatim (e.g. an HTML 502 page from a proxy).
    pub fn fail_next_with_body(&self, n: usize, status: u16, content_type: &str, body: &str) {
        self.push(FailSpec {
            count: n,
            status,
            retry_after: None,
            body: Some((content_type.to_string(), body.to_string())),
        });
    }

    /// Queues an arbitrary [`FailSpec`].
    pub fn push(&self, spec: FailSpec) {
        if spec.count > 0 {
            self.with(|s| s.failures.push_back(spec));
        }
    }

    /// The next download (`/v1/files/{id}/content` or a signed URL) sends `bytes` bytes of its
    /// body, then drops the connection; the headers announce the full `Content-Length`.
    pub fn cut_download_after(&self, bytes: u64) {
        self.with(|s| s.cut_after = Some(bytes));
    }

    /// The next download sends `bytes` bytes, then sleeps `stall` before sending the rest.
    pub fn stall_download_after(&self, bytes: u64, stall: Duration) {
        self.with(|s| s.stall = Some((bytes, stall)));
    }

    /// Every download from now on is paced to about `bytes_per_sec` (0 removes the throttle).
    pub fn throttle_download(&self, bytes_per_sec: u64) {
        self.with(|s| s.throttle = (bytes_per_sec > 0).then_some(bytes_per_sec));
    }

    /// Removes every fault: no latency, no queued failures, normal downloads.
    pub fn reset(&self) {
        self.with(|s| *s = FaultState::default());
    }

    /// Applies a [`FaultConfig`] on top of the current settings.
    pub fn apply(&self, config: &FaultConfig) {
        if let Some(latency) = config.latency {
            self.set_latency(latency);
        }
        for spec in &config.fail_next {
            self.push(spec.clone());
        }
        if let Some(bytes) = config.cut_download_after {
            self.cut_download_after(bytes);
        }
        if let Some((bytes, stall)) = config.stall_download_after {
            self.stall_download_after(bytes, stall);
        }
        if let Some(bps) = config.throttle_download {
            self.throttle_download(bps);
        }
    }

    pub(crate) fn latency(&self) -> Duration {
        self.with(|s| s.latency)
    }

    /// Takes one failure from the queue, if any.
    pub(crate) fn take_failure(&self) -> Option<FailSpec> {
        self.with(|s| {
            let front = s.failures.front_mut()?;
            front.count -= 1;
            let spec = front.clone();
            if front.count == 0 {
                s.failures.pop_front();
            }
            Some(spec)
        })
    }

    /// The next `n` requests that `fault` applies to suffer it (queued behind earlier
    /// `inject_next` calls; a request takes the first queued fault that applies to it).
    pub fn inject_next(&self, n: usize, fault: Fault) {
        self.with_plan(|p| p.push(n, fault));
    }

    /// From now on, each request that one of `faults` applies to suffers one of them with
    /// probability `rate` (0.0 to 1.0), chosen by a generator seeded with `seed`: the same
    /// requests in the same order get the same faults. Replaces an earlier random plan; queued
    /// faults come first. A `rate` of 0 (or no faults) turns random faults off.
    pub fn inject_at_rate(&self, rate: f64, seed: u64, faults: &[Fault]) {
        self.with_plan(|p| p.set_random(rate, seed, faults));
    }

    /// Runs `f` on the queued and random faults of `fault_plan`.
    pub(crate) fn with_plan<R>(&self, f: impl FnOnce(&mut Plan) -> R) -> R {
        self.with(|s| f(&mut s.plan))
    }

    /// The `fault_plan` fault for one request of kind `target`, if any.
    pub(crate) fn draw(&self, target: Target) -> Option<Fault> {
        self.with_plan(|p| p.draw(target))
    }

    /// Takes the download faults for one download (one-shot cut and stall are consumed).
    pub(crate) fn take_download_fault(&self) -> DownloadFault {
        self.with(|s| DownloadFault {
            cut_after: s.cut_after.take(),
            stall: s.stall.take(),
            throttle: s.throttle,
        })
    }
}

/// One queued canned failure: `count` requests answered with `status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailSpec {
    /// How many requests to fail.
    pub count: usize,
    /// The HTTP status to answer.
    pub status: u16,
    /// A `Retry-After` header, in whole seconds, if any.
    pub retry_after: Option<Duration>,
    /// `(content_type, body)` to send verbatim; `None` for the provider's JSON error shape.
    pub body: Option<(String, String)>,
}

/// Error parsing a [`FailSpec`] from text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailSpecParseError(String);

impl fmt::Display for FailSpecParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid failure spec {:?}: expected N:STATUS or N:STATUS:RETRY_AFTER_SECS (e.g. 2:429:1)",
            self.0
        )
    }
}

impl std::error::Error for FailSpecParseError {}

impl FromStr for FailSpec {
    type Err = FailSpecParseError;

    /// Parses `N:STATUS` or `N:STATUS:RETRY_AFTER_SECS`, e.g. `3:503` or `2:429:1`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || FailSpecParseError(s.to_string());
        let mut it = s.split(':');
        let count = it
            .next()
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(err)?;
        let status: u16 = it
            .next()
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(err)?;
        if !(100..=599).contains(&status) {
            return Err(err());
        }
        let retry_after = match it.next() {
            None => None,
            Some(v) => Some(Duration::from_secs(v.trim().parse().map_err(|_| err())?)),
        };
        if it.next().is_some() {
            return Err(err());
        }
        Ok(FailSpec {
            count,
            status,
            retry_after,
            body: None,
        })
    }
}

/// Faults to install when the emulator starts: a plain struct that a CLI fills from flags.
///
/// Suggested flags (`mistral-files serve`):
/// - `--latency-ms MS` -> `latency`
/// - `--fail-next N:STATUS[:RETRY_AFTER_SECS]` (repeatable, parsed by [`FailSpec::from_str`]) -> `fail_next`
/// - `--cut-download-after BYTES` -> `cut_download_after` (the first download only)
/// - `--stall-download-after BYTES:SECS` -> `stall_download_after` (the first download only)
/// - `--throttle-download BYTES_PER_SEC` -> `throttle_download` (every download)
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultConfig {
    /// Latency added before every response.
    pub latency: Option<Duration>,
    /// Canned failures, in order.
    pub fail_next: Vec<FailSpec>,
    /// Cut the first download after this many body bytes.
    pub cut_download_after: Option<u64>,
    /// Stall the first download after this many bytes, for this long.
    pub stall_download_after: Option<(u64, Duration)>,
    /// Pace every download to about this many bytes per second.
    pub throttle_download: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fail_specs() {
        let s: FailSpec = "2:429:1".parse().unwrap();
        assert_eq!(s.count, 2);
        assert_eq!(s.status, 429);
        assert_eq!(s.retry_after, Some(Duration::from_secs(1)));
        let s: FailSpec = "1:503".parse().unwrap();
        assert_eq!(s.retry_after, None);
        assert!("x:503".parse::<FailSpec>().is_err());
        assert!("1:99".parse::<FailSpec>().is_err());
        assert!("1:500:2:3".parse::<FailSpec>().is_err());
    }

    #[test]
    fn failures_queue_in_order() {
        let f = Faults::default();
        f.fail_next(2, 429, None);
        f.fail_next(1, 503, None);
        let got: Vec<u16> = std::iter::from_fn(|| f.take_failure().map(|s| s.status)).collect();
        assert_eq!(got, vec![429, 429, 503]);
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let run = |seed| {
            let f = Faults::default();
            f.inject_at_rate(
                0.3,
                seed,
                &[Fault::StoreThenDrop, Fault::DropBeforeHandling],
            );
            (0..200)
                .map(|i| {
                    f.draw(if i % 3 == 0 {
                        Target::Upload
                    } else {
                        Target::OtherApi
                    })
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let hits = run(7).iter().filter(|f| f.is_some()).count();
        assert!((30..=90).contains(&hits), "{hits} of 200 at 30%");
    }
}
