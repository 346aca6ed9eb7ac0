//! The report writer: figures -> `docs/BENCHMARKS.md` (or `--out`), with medians and min/max,
//! ratios to the faster baseline, the targets of issues 5 and 13 checked, and the machine the figures
//! came from.
//!
//! Why this module: the scenarios only collect figures into a [`Doc`]; everything about how they
//! are judged ([`Doc::targets`]) and laid out ([`Doc::render`]) is here, one file per concern.

mod bulk_targets;
mod figures;
mod machine;
mod render;
mod sdk_targets;
mod targets;

pub use super::sample::Sample;
pub use bulk_targets::RateRun;
pub use figures::{Flat, Scenario, Series, Stat};
pub use machine::machine;
pub use targets::Target;

use super::args::BenchArgs;
use super::clients::Who;

/// The whole report.
pub struct Doc {
    /// The settings of the run (the report states them).
    pub cfg: BenchArgs,
    pub machine: Vec<(String, String)>,
    pub missing: Vec<String>,
    pub scenarios: Vec<Scenario>,
    /// The crate's and the CLI's runs at the small and the large size (flat-memory check).
    pub flat: Vec<Flat>,
    pub seed_secs: Option<f64>,
    /// How long seeding the bulk figures' files took.
    pub bulk_seed_secs: Option<f64>,
    /// The bulk delete against the emulator's rate limit.
    pub rate: Option<RateRun>,
}

impl Doc {
    pub fn new(cfg: &BenchArgs) -> Doc {
        Doc {
            cfg: cfg.clone(),
            machine: Vec::new(),
            missing: Vec::new(),
            scenarios: Vec::new(),
            flat: Vec::new(),
            seed_secs: None,
            bulk_seed_secs: None,
            rate: None,
        }
    }

    fn scenario(&self, key: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.key == key)
    }

    /// `who`'s flat-memory rows: (small, large) if both were measured.
    fn flat_of(&self, who: Who) -> Option<(&Flat, &Flat)> {
        let rows: Vec<&Flat> = self.flat.iter().filter(|f| f.who == who).collect();
        match rows[..] {
            [small, large] => Some((small, large)),
            _ => None,
        }
    }
}

/// A memory figure: `12.3 MiB`, or `n/a`.
fn mib(kib: Option<u64>) -> String {
    match kib {
        Some(k) => format!("{:.1} MiB", k as f64 / 1024.0),
        None => "n/a".into(),
    }
}

/// A time figure: 3 decimals under 10 s, 1 above.
fn secs(s: f64) -> String {
    if s < 10.0 {
        format!("{s:.3} s")
    } else {
        format!("{s:.1} s")
    }
}

#[cfg(test)]
mod tests {
    use super::figures::tests::series;
    use super::*;
    use clap::Parser;

    #[test]
    fn renders_targets() {
        let cfg = BenchArgs::try_parse_from(["bench", "--quick"]).unwrap();
        let mut doc = Doc::new(&cfg);
        doc.scenarios.push(Scenario::new(
            "bare-upload",
            "Upload".into(),
            vec![series(Who::Crate, &[0.2]), series(Who::Curl, &[1.0])],
        ));
        let text = doc.render();
        assert!(
            text.contains("| mistral-files (crate) | 0.200 s (0.200 s-0.200 s) | 0.20x |"),
            "{text}"
        );
        assert!(text.contains("5.00x faster than curl | yes |"), "{text}");
    }
}
