//! The targets of issue 5 (speed against the baselines, client and emulator memory, listing),
//! each checked against the figures.
//!
//! Why a module of its own: the thresholds are the promises the report checks; they change for
//! other reasons than the figures or the layout do.

use super::{mib, Doc, Series};
use crate::driver::clients::Who;

/// A target of issue 5 and whether it was met.
pub struct Target {
    pub what: String,
    pub measured: String,
    pub met: Option<bool>,
}

impl Doc {
    /// The targets, checked against the figures.
    pub fn targets(&self) -> Vec<Target> {
        let mut t = self.speed_targets();
        t.extend(self.memory_targets());
        t.extend(self.listing_targets());
        t
    }

    /// The crate against the faster baseline: 2x on the bare server, within 5% on the emulator.
    fn speed_targets(&self) -> Vec<Target> {
        let mut t = Vec::new();
        for (key, what) in [("bare-upload", "upload"), ("bare-download", "download")] {
            if let Some(s) = self.scenario(key) {
                let r = s.crate_ratio();
                t.push(Target {
                    what: format!(
                        "bare server, {what}: at least 2x faster than the faster baseline"
                    ),
                    measured: match (r, s.best_baseline()) {
                        (Some(r), Some((b, _))) => {
                            format!("{:.2}x faster than {}", 1.0 / r, b.label())
                        }
                        _ => "no baseline".into(),
                    },
                    met: r.map(|r| r <= 0.5),
                });
            }
        }
        for (key, what) in [("emu-upload", "upload"), ("emu-download", "download")] {
            if let Some(s) = self.scenario(key) {
                let r = s.crate_ratio();
                t.push(Target {
                    what: format!(
                        "emulator, {what}: wall time at most 5% above the faster baseline"
                    ),
                    measured: match (r, s.best_baseline()) {
                        (Some(r), Some((b, _))) => {
                            format!("{:+.1}% vs {}", (r - 1.0) * 100.0, b.label())
                        }
                        _ => "no baseline".into(),
                    },
                    met: r.map(|r| r <= 1.05),
                });
            }
        }
        t
    }

    /// Client peak RSS, client RSS flat as the file grows, emulator peak RSS.
    fn memory_targets(&self) -> Vec<Target> {
        let mut t = Vec::new();
        let crate_rss: Vec<u64> = ["bare-upload", "bare-download", "emu-upload", "emu-download"]
            .iter()
            .filter_map(|k| self.scenario(k))
            .filter_map(|s| s.get(Who::Crate).and_then(Series::rss_max))
            .collect();
        if let Some(max) = crate_rss.iter().max() {
            t.push(Target {
                what: format!(
                    "client peak RSS at most 16 MiB for the {} MiB transfers",
                    self.cfg.size_mib()
                ),
                measured: mib(Some(*max)),
                met: Some(*max <= 16 * 1024),
            });
        }
        if let Some(f) = self.flat_target(Who::Crate, "client") {
            t.push(f);
        }
        let emu_rss: Vec<u64> = ["emu-upload", "emu-download"]
            .iter()
            .filter_map(|k| self.scenario(k))
            .flat_map(|s| s.series.iter().filter_map(Series::server_rss_max))
            .collect();
        if let Some(max) = emu_rss.iter().max() {
            t.push(Target {
                what: "emulator peak RSS under 64 MiB during the transfers".into(),
                measured: mib(Some(*max)),
                met: Some(*max < 64 * 1024),
            });
        }
        t
    }

    /// `who`'s RSS flat as the file grows (`what` names it), if both sizes were measured.
    pub(super) fn flat_target(&self, who: Who, what: &str) -> Option<Target> {
        let (s, l) = self.flat_of(who)?;
        let (small, large) = (s.rss_max().unwrap_or(0), l.rss_max().unwrap_or(0));
        Some(Target {
            what: format!(
                "{what} RSS flat as the file grows ({} MiB vs {} MiB)",
                s.mib, l.mib
            ),
            measured: format!("{} vs {}", mib(Some(small)), mib(Some(large))),
            // flat: the large file costs at most 2 MiB (or 15%) more than the small one
            met: Some(large <= small + (2 * 1024).max(small * 15 / 100)),
        })
    }

    /// Listing at least 5x faster than the Python SDK's page loop.
    fn listing_targets(&self) -> Vec<Target> {
        let mut t = Vec::new();
        for (key, server) in [("list", "emulator"), ("list-bare", "bare server")] {
            let Some(s) = self.scenario(key) else {
                continue;
            };
            let c = s.get(Who::Crate).map(|x| x.secs().median);
            let p = s.get(Who::Python).map(|x| x.secs().median);
            t.push(Target {
                what: format!(
                    "{server}: listing {} files at least 5x faster than the Python SDK's page loop",
                    self.cfg.list_files()
                ),
                measured: match (c, p) {
                    (Some(c), Some(p)) => format!("{:.1}x faster", p / c),
                    _ => "no Python baseline".into(),
                },
                met: c.zip(p).map(|(c, p)| p / c >= 5.0),
            });
        }
        t
    }
}
