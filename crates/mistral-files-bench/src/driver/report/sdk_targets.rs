//! The targets against curl and both SDKs (a durable download, listing through latency, the
//! CLI's and the library's memory, the emulator under concurrent uploads), each checked against
//! the figures; the targets against the bare server are [`super::targets`].
//!
//! Why a module of its own: the two sets of promises are judged and published as two tables
//! (their headings name the issues that made them), and either may change without the other.

use super::{mib, Doc, Scenario, Series, Target};
use crate::driver::clients::Who;

/// `who`'s median time in `s`, if it ran.
fn median(s: &Scenario, who: Who) -> Option<f64> {
    s.get(who).map(|x| x.secs().median)
}

/// The fastest of `peers` in `s`: (who, median time).
fn fastest(s: &Scenario, peers: &[Who]) -> Option<(Who, f64)> {
    peers
        .iter()
        .filter_map(|w| median(s, *w).map(|m| (*w, m)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// The crate's time as a multiple of the fastest of `peers`' (at most `max` to meet it).
fn at_most(s: &Scenario, peers: &[Who], what: String, max: f64) -> Target {
    let c = median(s, Who::Crate);
    let p = fastest(s, peers);
    Target {
        what,
        measured: match (c, p) {
            (Some(c), Some((w, p))) => format!("{:.2}x {}'s time", c / p, w.label()),
            _ => "no baseline".into(),
        },
        met: c.zip(p).map(|(c, (_, p))| c / p <= max),
    }
}

/// How many times faster `who` (a row of ours) is than the fastest of `peers` (at least `min`
/// to meet it).
pub(super) fn faster(s: &Scenario, who: Who, peers: &[Who], what: String, min: f64) -> Target {
    let c = median(s, who);
    let p = fastest(s, peers);
    Target {
        what,
        measured: match (c, p) {
            (Some(c), Some((w, p))) => format!("{:.1}x faster than {}", p / c, w.label()),
            _ => "no baseline".into(),
        },
        met: c.zip(p).map(|(c, (_, p))| p / c >= min),
    }
}

impl Doc {
    /// Issue 13's targets, checked against the figures.
    pub fn sdk_targets(&self) -> Vec<Target> {
        let (size, files) = (self.cfg.size_mib(), self.cfg.list_files());
        let mut t = Vec::new();
        for (key, server) in [
            ("bare-download", "bare server"),
            ("emu-download", "emulator"),
        ] {
            if let Some(s) = self.scenario(key) {
                let what =
                    format!("{server}: download_to_path {size} MiB at most 1.0x curl's time");
                t.push(at_most(s, &[Who::Curl], what, 1.0));
            }
        }
        if let Some(s) = self.scenario("list-latency") {
            let ms = self.cfg.list_latency_ms();
            let what = format!("emulator with {ms} ms latency: listing {files} files at least 5x faster than the fastest SDK (Python, TypeScript)");
            t.push(faster(s, Who::Crate, &[Who::Python, Who::Node], what, 5.0));
        }
        if let Some(s) = self.scenario("list") {
            let what =
                format!("emulator: listing {files} files at least 5x faster than the Python SDK");
            t.push(faster(s, Who::Crate, &[Who::Python], what, 5.0));
        }
        if let Some(s) = self.scenario("emu-upload") {
            let what = format!("emulator: upload {size} MiB at most 1.0x the fastest peer's time (curl, Python, TypeScript)");
            t.push(at_most(s, &[Who::Curl, Who::Python, Who::Node], what, 1.0));
        }
        t.extend(self.memory_sdk_targets());
        t
    }

    /// The library's and the CLI's peak RSS and its flatness, the emulator's under load.
    fn memory_sdk_targets(&self) -> Vec<Target> {
        let size = self.cfg.size_mib();
        let mut t = Vec::new();
        for (who, what, max_mib) in [(Who::Crate, "library", 10), (Who::Cli, "CLI", 12)] {
            if let Some(peak) = self.transfer_peak(who) {
                t.push(Target {
                    what: format!("{what} peak RSS at most {max_mib} MiB for the {size} MiB upload and download"),
                    measured: mib(Some(peak)),
                    met: Some(peak <= max_mib * 1024),
                });
            }
            t.extend(self.flat_target(who, what));
        }
        t.extend(self.emulator_rss_target("during"));
        t
    }

    /// The emulator's peak RSS under concurrent uploads, at most 32 MiB (`link`: how the
    /// uploads are named in the row, "during" or "for").
    pub(super) fn emulator_rss_target(&self, link: &str) -> Option<Target> {
        let s = self.scenario("concurrent")?;
        let peak = s.series.iter().filter_map(Series::server_rss_max).max();
        let (n, each) = (self.cfg.concurrent(), self.cfg.concurrent_mib());
        Some(Target {
            what: format!(
                "emulator peak RSS at most 32 MiB {link} {n} concurrent {each} MiB uploads"
            ),
            measured: mib(peak),
            met: peak.map(|p| p <= 32 * 1024),
        })
    }

    /// `who`'s peak RSS over the `--size-mib` uploads and downloads (the transfers, and the
    /// large size of the flat-memory check).
    fn transfer_peak(&self, who: Who) -> Option<u64> {
        let transfers = ["bare-upload", "bare-download", "emu-upload", "emu-download"]
            .iter()
            .filter_map(|k| self.scenario(k))
            .filter_map(|s| s.get(who).and_then(Series::rss_max));
        let flat = self
            .flat
            .iter()
            .filter(|f| f.who == who && f.mib == self.cfg.size_mib())
            .filter_map(|f| f.rss_max());
        transfers.chain(flat).max()
    }
}

#[cfg(test)]
mod tests {
    use super::super::figures::tests::series;
    use super::*;

    #[test]
    fn ratios_are_against_the_fastest_peer() {
        let sc = Scenario::new(
            "x",
            "t".into(),
            vec![
                series(Who::Crate, &[1.0]),
                series(Who::Python, &[8.0]),
                series(Who::Node, &[4.0]),
            ],
        );
        let t = faster(&sc, Who::Crate, &[Who::Python, Who::Node], "w".into(), 5.0);
        assert_eq!(t.measured, "4.0x faster than TypeScript SDK");
        assert_eq!(t.met, Some(false));
        let t = at_most(&sc, &[Who::Curl], "w".into(), 1.0);
        assert_eq!((t.measured.as_str(), t.met), ("no baseline", None));
        let t = at_most(&sc, &[Who::Python, Who::Node], "w".into(), 1.0);
        assert_eq!(
            (t.measured.as_str(), t.met),
            ("0.25x TypeScript SDK's time", Some(true))
        );
    }
}
