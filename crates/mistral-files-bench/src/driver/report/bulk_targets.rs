//! The targets of thousands of files: listing through latency with the defaults, download-all
//! and delete-all against the fastest SDK loop, the bulk delete against a rate limit, and the
//! emulator's memory under concurrent uploads; and the rate-limited run's own table.
//!
//! Why a module of its own: these promises are judged on figures the other tables do not have
//! (the emulator's count of 429 answers), and published as a table of their own.

use std::fmt::Write;

use super::{secs, Doc, Scenario, Target};
use crate::driver::clients::Who;

/// The crate's bulk delete against the emulator's rate limit.
#[derive(Debug, Clone, PartialEq)]
pub struct RateRun {
    /// The limit, requests per second.
    pub limit: u32,
    /// Files deleted.
    pub files: usize,
    /// The emulator's latency per request, ms.
    pub latency_ms: u64,
    /// The operation's own time, seconds.
    pub secs: f64,
    /// API requests the emulator received during the run (the listing's and the deletes',
    /// retries and refused ones included).
    pub requests: u64,
    /// Of those, how many it answered 429 for being over the limit.
    pub rate_limited: u64,
}

impl RateRun {
    /// Requests answered within the limit, per second.
    pub fn served_per_sec(&self) -> f64 {
        (self.requests - self.rate_limited.min(self.requests)) as f64 / self.secs
    }

    /// The share of requests answered 429, in percent.
    pub fn refused_percent(&self) -> f64 {
        if self.requests == 0 {
            return 0.0;
        }
        self.rate_limited as f64 * 100.0 / self.requests as f64
    }
}

/// How many times faster the crate is than the fastest of the SDKs in `s` (at least `min`).
fn faster_than_sdks(s: &Scenario, what: String, min: f64) -> Target {
    super::sdk_targets::faster(s, Who::Crate, &[Who::Python, Who::Node], what, min)
}

impl Doc {
    /// The targets of thousands of files, checked against the figures.
    pub fn bulk_targets(&self) -> Vec<Target> {
        let mut t = Vec::new();
        if let Some(s) = self.scenario("list-latency") {
            let (ms, files) = (self.cfg.list_latency_ms(), self.cfg.list_files());
            let what = format!("listing {files} files with {ms} ms latency, with the defaults: at least 5x faster than the fastest SDK");
            t.push(faster_than_sdks(s, what, 5.0));
        }
        let files = self.cfg.bulk_files();
        for (key, verb) in [("bulk-download", "download"), ("bulk-delete", "delete")] {
            if let Some(s) = self.scenario(key) {
                let what = format!(
                    "{verb} all {files} files at least 10x faster than the fastest SDK loop"
                );
                t.push(faster_than_sdks(s, what, 10.0));
            }
        }
        if let Some(r) = &self.rate {
            t.push(Target {
                what: format!(
                    "bulk delete against a limit of {} requests/s: at least {} requests/s served",
                    r.limit,
                    r.limit * 9 / 10
                ),
                measured: format!("{:.1} requests/s", r.served_per_sec()),
                met: Some(r.served_per_sec() >= f64::from(r.limit) * 0.9),
            });
            t.push(Target {
                what: "the same: fewer than 5% of its requests answered 429".into(),
                measured: format!(
                    "{:.2}% ({} of {})",
                    r.refused_percent(),
                    r.rate_limited,
                    r.requests
                ),
                met: Some(r.refused_percent() < 5.0),
            });
        }
        t.extend(self.emulator_rss_target("for"));
        t
    }

    /// The rate-limited run's table (nothing if it did not run).
    pub(super) fn render_rate(&self, o: &mut String) {
        let Some(r) = &self.rate else { return };
        let _ = writeln!(
            o,
            "### Delete all {} files against a limit of {} requests/s, emulator with {} ms latency a request\n",
            r.files, r.limit, r.latency_ms
        );
        let _ = writeln!(o, "| client | time | requests | answered 429 | served requests/s | vs the limit |\n|---|---|---|---|---|---|");
        let _ = writeln!(
            o,
            "| mistral-files (crate) | {} | {} | {} ({:.2}%) | {:.1} | {:.0}% |",
            secs(r.secs),
            r.requests,
            r.rate_limited,
            r.refused_percent(),
            r.served_per_sec(),
            r.served_per_sec() * 100.0 / f64::from(r.limit)
        );
        let _ = writeln!(o, "\nThe emulator (`--rate-limit {}`) refuses a key's requests past the limit with 429 and a `Retry-After`; its counts are the requests it received and those it refused, the listing's included. The SDK loops are not in this table: one request at a time through {} ms of latency stays under the limit by construction.\n", r.limit, r.latency_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_figures() {
        let r = RateRun {
            limit: 100,
            files: 10,
            latency_ms: 20,
            secs: 10.0,
            requests: 1000,
            rate_limited: 40,
        };
        assert_eq!(r.served_per_sec(), 96.0);
        assert_eq!(r.refused_percent(), 4.0);
        let none = RateRun {
            requests: 0,
            rate_limited: 0,
            ..r
        };
        assert_eq!(none.refused_percent(), 0.0);
    }
}
