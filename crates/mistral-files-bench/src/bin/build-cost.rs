//! `build-cost`: what `cargo xtask build-cost` runs (through
//! `cargo run --release -p mistral-files-bench --bin build-cost -- ARGS...`). See
//! [`mistral_files_bench::build_cost`] and `build-cost --help`.

use std::process::ExitCode;

use clap::Parser;
use mistral_files_bench::build_cost::{self, BuildCostArgs};
use mistral_files_bench::driver;

fn main() -> ExitCode {
    let args = BuildCostArgs::parse();
    match build_cost::run(&driver::workspace_root(), &args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
