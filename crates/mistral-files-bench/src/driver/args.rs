//! The options of `cargo xtask bench` (the `bench` binary) and the settings a run uses.
//!
//! One type, [`BenchArgs`], is both: the fields are what was typed (private, so that nothing
//! reads a value `--quick` overrides by mistake), the methods are the effective settings
//! (`--quick` applied), and [`BenchArgs::validate`] checks them once before anything runs.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

/// Options of `cargo xtask bench`.
#[derive(clap::Parser, Debug, Clone, PartialEq)]
#[command(
    name = "bench",
    about = "Benchmark the crate and its CLI against curl and the Python and TypeScript SDKs; writes docs/BENCHMARKS.md",
    long_about = None
)]
pub struct BenchArgs {
    /// Measured runs per figure (the median is reported, with min/max).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Size of the large transfer, MiB (at most 512, the service's limit).
    #[arg(long, default_value_t = 512)]
    size_mib: u64,
    /// Size of the small transfer that shows client memory is flat, MiB.
    #[arg(long, default_value_t = 64)]
    small_mib: u64,
    /// Files seeded into the emulator for the listing figure.
    #[arg(long, default_value_t = 10_000)]
    list_files: usize,
    /// Page size of the listing.
    #[arg(long, default_value_t = 100)]
    page_size: u32,
    /// Latency the emulator adds to every request in the extra listing figure, ms (0: no such
    /// figure).
    #[arg(long, default_value_t = 20)]
    list_latency_ms: u64,
    /// Files seeded for the bulk download and delete figures.
    #[arg(long, default_value_t = 10_000)]
    bulk_files: usize,
    /// Latency the emulator adds to every request in the bulk figures, ms.
    #[arg(long, default_value_t = 20)]
    bulk_latency_ms: u64,
    /// Measured runs of each bulk figure (an SDK's loop over 10,000 files takes minutes).
    #[arg(long, default_value_t = 1)]
    bulk_runs: usize,
    /// The emulator's rate limit in the rate-limited bulk delete, requests per second (0: no
    /// such figure).
    #[arg(long, default_value_t = 100)]
    rate_limit: u32,
    /// Number of concurrent uploads.
    #[arg(long, default_value_t = 16)]
    concurrent: usize,
    /// Size of each concurrent upload, MiB.
    #[arg(long, default_value_t = 32)]
    concurrent_mib: u64,
    /// A short smoke run: 1 run, 16 MiB transfers, 500 files listed, 200 in bulk, 4 x 4 MiB
    /// concurrent uploads
    /// (writes target/bench/BENCHMARKS-quick.md unless --out is given).
    #[arg(long)]
    quick: bool,
    /// Only these sections (comma-separated): transfers, flat, concurrent, list, bulk.
    #[arg(long, value_delimiter = ',')]
    only: Vec<Section>,
    /// Skip the Python SDK baseline.
    #[arg(long)]
    no_python: bool,
    /// Skip the TypeScript SDK baseline (node and npm).
    #[arg(long, alias = "no-typescript")]
    no_node: bool,
    /// Skip the curl baseline.
    #[arg(long)]
    no_curl: bool,
    /// Run the emulator with fsynced uploads (its default; off in the bench so that the disk's
    /// flush speed is not what is measured).
    #[arg(long)]
    emulator_fsync: bool,
    /// Where to write the report (default docs/BENCHMARKS.md; quick: target/bench/BENCHMARKS-quick.md).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Keep the generated data files and venv-independent work files under target/bench.
    #[arg(long)]
    keep_data: bool,
}

/// A part of the bench.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// 512 MiB upload and download, bare server and emulator.
    Transfers,
    /// Client RSS at the small vs the large size.
    Flat,
    /// Concurrent uploads to the emulator.
    Concurrent,
    /// Listing through the paging stream (bare server, emulator, emulator with latency).
    List,
    /// Download and delete every file, with latency, and the delete against a rate limit.
    Bulk,
}

impl Section {
    /// Every section, in the order they run.
    pub const ALL: [Section; 5] = [
        Section::Transfers,
        Section::Flat,
        Section::Concurrent,
        Section::List,
        Section::Bulk,
    ];
}

impl BenchArgs {
    /// The given value, or the `--quick` one.
    fn pick<T>(&self, given: T, quick: T) -> T {
        if self.quick {
            quick
        } else {
            given
        }
    }

    /// Measured runs per figure.
    pub fn runs(&self) -> usize {
        self.pick(self.runs, 1)
    }

    /// The large transfer, MiB.
    pub fn size_mib(&self) -> u64 {
        self.pick(self.size_mib, 16)
    }

    /// The small transfer of the flat-memory check, MiB.
    pub fn small_mib(&self) -> u64 {
        self.pick(self.small_mib, 4)
    }

    /// Files listed.
    pub fn list_files(&self) -> usize {
        self.pick(self.list_files, 500)
    }

    /// Page size of the listing (`--quick` keeps it).
    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    /// The emulator's latency per request in the extra listing figure, ms (0: none).
    pub fn list_latency_ms(&self) -> u64 {
        self.list_latency_ms
    }

    /// Files of the bulk figures.
    pub fn bulk_files(&self) -> usize {
        self.pick(self.bulk_files, 200)
    }

    /// The emulator's latency per request in the bulk figures, ms.
    pub fn bulk_latency_ms(&self) -> u64 {
        self.bulk_latency_ms
    }

    /// Measured runs of each bulk figure.
    pub fn bulk_runs(&self) -> usize {
        self.pick(self.bulk_runs, 1)
    }

    /// The rate limit of the rate-limited bulk delete, requests per second (0: none).
    pub fn rate_limit(&self) -> u32 {
        self.rate_limit
    }

    /// Number of concurrent uploads.
    pub fn concurrent(&self) -> usize {
        self.pick(self.concurrent, 4)
    }

    /// Size of each concurrent upload, MiB.
    pub fn concurrent_mib(&self) -> u64 {
        self.pick(self.concurrent_mib, 4)
    }

    /// Whether this is a `--quick` smoke run.
    pub fn quick(&self) -> bool {
        self.quick
    }

    /// The sections to run, in order.
    pub fn sections(&self) -> &[Section] {
        if self.only.is_empty() {
            &Section::ALL
        } else {
            &self.only
        }
    }

    /// Whether `section` runs.
    pub fn has(&self, section: Section) -> bool {
        self.sections().contains(&section)
    }

    /// Whether the Python SDK baseline is wanted.
    pub fn python(&self) -> bool {
        !self.no_python
    }

    /// Whether the TypeScript SDK baseline is wanted.
    pub fn node(&self) -> bool {
        !self.no_node
    }

    /// Whether the curl baseline is wanted.
    pub fn curl(&self) -> bool {
        !self.no_curl
    }

    /// Whether the emulator fsyncs uploads.
    pub fn emulator_fsync(&self) -> bool {
        self.emulator_fsync
    }

    /// Whether to keep the data and work files.
    pub fn keep_data(&self) -> bool {
        self.keep_data
    }

    /// Where the report goes; `root` is the workspace root, `target_dir` the cargo target dir.
    pub fn out(&self, root: &Path, target_dir: &Path) -> PathBuf {
        match &self.out {
            Some(o) => o.clone(),
            None if self.quick => target_dir.join("bench").join("BENCHMARKS-quick.md"),
            None => root.join("docs").join("BENCHMARKS.md"),
        }
    }

    /// Checks the effective settings.
    pub fn validate(&self) -> Result<()> {
        if self.runs() == 0 {
            bail!("--runs must be at least 1");
        }
        if self.size_mib() == 0 || self.size_mib() > 512 {
            bail!("--size-mib must be 1..=512 (512 MiB is the service's file limit)");
        }
        if self.small_mib() == 0 || self.small_mib() > self.size_mib() {
            bail!("--small-mib must be 1..=--size-mib");
        }
        if self.concurrent() == 0 || self.concurrent_mib() == 0 || self.concurrent_mib() > 512 {
            bail!("--concurrent and --concurrent-mib must be at least 1 (and at most 512 MiB)");
        }
        if self.page_size() == 0 || self.list_files() == 0 {
            bail!("--page-size and --list-files must be at least 1");
        }
        if self.bulk_files() == 0 || self.bulk_runs() == 0 {
            bail!("--bulk-files and --bulk-runs must be at least 1");
        }
        Ok(())
    }
}

/// The cargo target directory in use (`CARGO_TARGET_DIR`, else `<root>/target`).
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if !d.is_empty() => {
            let d = PathBuf::from(d);
            if d.is_absolute() {
                d
            } else {
                root.join(d)
            }
        }
        _ => root.join("target"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parse(args: &[&str]) -> BenchArgs {
        BenchArgs::try_parse_from(std::iter::once("bench").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn defaults_are_full_size_every_section_written_to_docs_benchmarks() {
        let c = parse(&[]);
        c.validate().unwrap();
        assert_eq!(c.size_mib(), 512);
        assert_eq!(c.small_mib(), 64);
        assert_eq!(c.list_files(), 10_000);
        assert_eq!(c.page_size(), 100);
        assert_eq!((c.concurrent(), c.concurrent_mib()), (16, 32));
        assert!(c.runs() >= 3);
        assert_eq!(
            c.out(Path::new("/r"), Path::new("/r/target")),
            PathBuf::from("/r/docs/BENCHMARKS.md")
        );
        assert_eq!(c.sections().len(), 5);
        assert_eq!(
            (c.bulk_files(), c.bulk_latency_ms(), c.rate_limit()),
            (10_000, 20, 100)
        );
        assert!(c.python() && c.node() && c.curl() && !c.emulator_fsync());
        assert_eq!(c.list_latency_ms(), 20);
    }

    #[test]
    fn quick_and_overrides() {
        let c = parse(&["--quick"]);
        c.validate().unwrap();
        assert_eq!((c.runs(), c.size_mib(), c.list_files()), (1, 16, 500));
        assert_eq!(
            c.out(Path::new("/r"), Path::new("/t")),
            PathBuf::from("/t/bench/BENCHMARKS-quick.md")
        );
        let c = parse(&[
            "--runs",
            "7",
            "--size-mib",
            "128",
            "--only",
            "transfers,list",
            "--no-python",
            "--no-typescript",
            "--list-latency-ms",
            "0",
            "--out",
            "x.md",
        ]);
        c.validate().unwrap();
        assert_eq!((c.runs(), c.size_mib()), (7, 128));
        assert_eq!(c.sections(), [Section::Transfers, Section::List]);
        assert!(!c.python() && !c.node());
        assert_eq!(c.list_latency_ms(), 0);
        assert_eq!(
            c.out(Path::new("/r"), Path::new("/t")),
            PathBuf::from("x.md")
        );
    }

    #[test]
    fn rejects_bad_values() {
        for bad in [
            &["--runs", "0"][..],
            &["--size-mib", "513"],
            &["--small-mib", "600"],
            &["--page-size", "0"],
            &["--bulk-files", "0"],
        ] {
            assert!(parse(bad).validate().is_err(), "{bad:?}");
        }
        assert!(BenchArgs::try_parse_from(["bench", "--only", "nope"]).is_err());
    }
}
