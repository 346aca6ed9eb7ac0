//! The `cargo xtask` command line: its subcommands and how the forwarding ones run their
//! binaries. In the library so that tests can parse a command line as `cargo xtask` does.

use crate::revision::Rev;
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `cargo xtask`'s arguments.
#[derive(Parser)]
#[command(about = "Maintainer tasks for the mistral-files workspace")]
pub struct Cli {
    /// The task to run.
    #[command(subcommand)]
    pub command: Cmd,
}

/// The tasks (each variant's doc comment is its `--help` text).
#[derive(Subcommand)]
pub enum Cmd {
    /// Generate the raw client from openapi/ (spec + overlay + docs) and report what changed,
    /// ending with `impact: none|docs|additive|breaking`.
    Codegen {
        /// Do not write; fail with a diff if any generated file is out of date.
        #[arg(long)]
        check: bool,
    },
    /// Print the change report between two revisions' committed contracts (spec, overlay,
    /// docs, names), ending with `impact: none|docs|additive|breaking`.
    Changes {
        /// The old revision (a git revision).
        #[arg(long, default_value = "HEAD")]
        base: Rev,
        /// The new revision: a git revision, or `.` for the working tree.
        #[arg(long, default_value = ".")]
        head: Rev,
        /// Print Markdown (for a pull request) instead of text.
        #[arg(long)]
        markdown: bool,
    },
    /// Check that each publishable crate's version in Cargo.toml releases the change from a
    /// revision (0.x: breaking -> minor, other -> patch; from 1.0: major/minor/patch), then
    /// print a CHANGELOG draft. Exits 1 when a version is too low.
    ReleaseCheck {
        /// The last release (a git revision, e.g. its tag).
        #[arg(long)]
        base: Rev,
        /// The new revision: a git revision, or `.` for the working tree.
        #[arg(long, default_value = ".")]
        head: Rev,
    },
    /// Print the pull request's description (Markdown): impact, changes by operation, both
    /// public API diffs, changed snapshots, needed version bumps, notes.
    Audit {
        /// The pull request's base (a git revision).
        #[arg(long)]
        base: Rev,
        /// The new revision: a git revision, or `.` for the working tree.
        #[arg(long, default_value = ".")]
        head: Rev,
    },
    /// Rewrite openapi/mistral-files.yaml from the provider's whole API document (YAML or
    /// JSON): its structure only, with our names (openapi/names.yaml).
    Import {
        /// The provider's OpenAPI 3.1 document.
        document: PathBuf,
    },
    /// Write each library crate's public API listing (`crates/*/public-api.txt`).
    PublicApi {
        /// Do not write; fail with a diff if a committed listing is out of date.
        #[arg(long)]
        check: bool,
    },
    /// Run the spec-change drill: each case of xtask/tests/fixtures/cases through import +
    /// codegen, checking the change report's impact.
    Drill {
        /// Also build the workspace for every non-breaking case (in copies under target/drill).
        #[arg(long)]
        build: bool,
        /// Only these cases (file names without .yaml).
        #[arg(long = "case")]
        cases: Vec<String>,
        /// Print every case's report and notes, not only those of failing cases.
        #[arg(long)]
        report: bool,
    },
    /// Benchmark the crate against curl and the Python SDK; writes docs/BENCHMARKS.md.
    ///
    /// The driver is the `bench` binary of `mistral-files-bench`, so that xtask compiles no
    /// benchmark code: every argument (`--help` too) is passed on to it.
    #[command(disable_help_flag = true)]
    Bench {
        /// The bench's options (`cargo xtask bench --help` lists them).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Cold-build time of a new app on mistral-files vs the same app on reqwest + tokio +
    /// serde_json, with each rustls provider, and each provider's TLS transfer speed; writes the
    /// build-cost section of docs/BENCHMARKS.md. Several minutes of CPU.
    ///
    /// Forwards to the `build-cost` binary of `mistral-files-bench`, like `bench`: every
    /// argument (`--help` too) is passed on to it.
    #[command(disable_help_flag = true)]
    BuildCost {
        /// build-cost's options (`cargo xtask build-cost --help` lists them).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Chaos run: many uploads, downloads, listings and deletes through the client against the
    /// emulator with seeded random faults (10% by default), then a check of what it holds,
    /// ending with `N lost, N duplicated, N corrupted` (e.g. `--seed 1 --ops 2000`).
    ///
    /// Forwards to the `chaos` binary of `mistral-files-chaos`, like `bench`: every argument
    /// (`--help` too) is passed on to it.
    #[command(disable_help_flag = true)]
    Chaos {
        /// The chaos run's options (`cargo xtask chaos --help` lists them).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
}

/// The package of the `bench` and `build-cost` binaries.
pub const BENCH: &str = "mistral-files-bench";

/// `cargo run --release -p PACKAGE --bin BIN -- ARGS...` in the workspace root.
pub fn bench_command(root: &Path, package: &str, bin: &str, args: &[OsString]) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut c = Command::new(cargo);
    c.current_dir(root)
        .args(["run", "--release", "-p", package, "--bin", bin, "--"])
        .args(args);
    c
}
