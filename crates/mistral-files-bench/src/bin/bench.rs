//! `bench`: the benchmark driver, what `cargo xtask bench` runs (through
//! `cargo run --release -p mistral-files-bench --bin bench -- ARGS...`). See
//! [`mistral_files_bench::driver`] and `bench --help`.

use std::process::ExitCode;

use clap::Parser;
use mistral_files_bench::driver::{self, BenchArgs};

fn main() -> ExitCode {
    let args = BenchArgs::parse();
    match driver::run(&driver::workspace_root(), &args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
