//! The figures: the runs of one client ([`Series`], each run a [`Sample`]), the
//! clients of one scenario ([`Scenario`]), and their median, min and max ([`Stat`]).
//!
//! Why a module of its own: the scenarios fill these and the report reads them; the statistics
//! (median, ratio to the faster baseline) are what the targets are judged on.

use crate::driver::clients::Who;
use crate::driver::sample::Sample;

/// The runs of one client in one scenario.
#[derive(Debug, Clone)]
pub struct Series {
    pub who: Who,
    pub samples: Vec<Sample>,
    /// Requests per operation (listing).
    pub requests: Option<u64>,
}

impl Series {
    pub fn new(who: Who) -> Series {
        Series {
            who,
            samples: Vec::new(),
            requests: None,
        }
    }

    pub fn secs(&self) -> Stat {
        Stat::of(self.samples.iter().map(|s| s.secs))
    }

    pub fn wall(&self) -> Stat {
        Stat::of(self.samples.iter().map(|s| s.wall))
    }

    /// Peak client RSS over the runs, KiB.
    pub fn rss_max(&self) -> Option<u64> {
        self.samples.iter().filter_map(|s| s.rss_kib).max()
    }

    /// Peak server RSS over the runs, KiB.
    pub fn server_rss_max(&self) -> Option<u64> {
        self.samples.iter().filter_map(|s| s.server_rss_kib).max()
    }
}

/// Median, min and max of some values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Stat {
    /// Of a non-empty set (NaN for an empty one).
    pub fn of(values: impl IntoIterator<Item = f64>) -> Stat {
        let mut v: Vec<f64> = values.into_iter().collect();
        if v.is_empty() {
            return Stat {
                median: f64::NAN,
                min: f64::NAN,
                max: f64::NAN,
            };
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Stat {
            median,
            min: v[0],
            max: v[n - 1],
        }
    }
}

/// One client's runs at one size, for the flat-memory check.
#[derive(Debug, Clone)]
pub struct Flat {
    pub who: Who,
    /// The file's size, MiB.
    pub mib: u64,
    pub up: Vec<Sample>,
    pub down: Vec<Sample>,
}

impl Flat {
    pub fn new(who: Who, mib: u64) -> Flat {
        Flat {
            who,
            mib,
            up: Vec::new(),
            down: Vec::new(),
        }
    }

    /// Peak client RSS over the uploads and downloads, KiB.
    pub fn rss_max(&self) -> Option<u64> {
        self.up
            .iter()
            .chain(&self.down)
            .filter_map(|s| s.rss_kib)
            .max()
    }
}

/// One figure: several clients against one server.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub key: &'static str,
    pub title: String,
    pub series: Vec<Series>,
    pub note: Option<String>,
    pub listing: bool,
}

impl Scenario {
    pub fn new(key: &'static str, title: String, series: Vec<Series>) -> Scenario {
        Scenario {
            key,
            title,
            series,
            note: None,
            listing: false,
        }
    }

    /// The series of `who`, if it has runs.
    pub fn get(&self, who: Who) -> Option<&Series> {
        self.series
            .iter()
            .find(|s| s.who == who && !s.samples.is_empty())
    }

    /// The faster baseline's median time.
    pub fn best_baseline(&self) -> Option<(Who, f64)> {
        self.series
            .iter()
            .filter(|s| s.who.is_baseline() && !s.samples.is_empty())
            .map(|s| (s.who, s.secs().median))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The crate's median time divided by the faster baseline's (below 1: faster).
    pub fn crate_ratio(&self) -> Option<f64> {
        let c = self.get(Who::Crate)?.secs().median;
        Some(c / self.best_baseline()?.1)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn stats() {
        let s = Stat::of([3.0, 1.0, 2.0]);
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        let s = Stat::of([4.0, 1.0, 2.0, 3.0]);
        assert_eq!(s.median, 2.5);
        assert!(Stat::of([]).median.is_nan());
    }

    /// A series of `who` with these times (8 MiB client, 20 MiB server).
    pub(crate) fn series(who: Who, secs: &[f64]) -> Series {
        let mut s = Series::new(who);
        s.samples = secs
            .iter()
            .map(|&x| Sample {
                secs: x,
                wall: x + 0.01,
                rss_kib: Some(8 * 1024),
                server_rss_kib: Some(20 * 1024),
            })
            .collect();
        s
    }

    #[test]
    fn ratio_is_against_the_faster_baseline() {
        let sc = Scenario::new(
            "bare-upload",
            "t".into(),
            vec![
                series(Who::Crate, &[0.2, 0.25, 0.3]),
                series(Who::Curl, &[1.2, 1.1, 1.3]),
                series(Who::Python, &[0.6, 0.7, 0.65]),
            ],
        );
        assert_eq!(sc.best_baseline().unwrap().0, Who::Python);
        let r = sc.crate_ratio().unwrap();
        assert!((r - 0.25 / 0.65).abs() < 1e-9);
    }
}
