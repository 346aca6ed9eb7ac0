//! `cargo xtask`: see `cargo xtask --help`.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use xtask::{codegen, import, workspace_root};

#[derive(Parser)]
#[command(about = "Maintainer tasks for the mistral-files workspace")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Generate the raw client from openapi/ (spec + overlay).
    Codegen {
        /// Do not write; fail with a diff if any generated file is out of date.
        #[arg(long)]
        check: bool,
    },
    /// Rewrite openapi/mistral-files.yaml from the provider's whole API document (YAML or JSON).
    Import {
        /// The provider's OpenAPI 3.1 document.
        document: PathBuf,
    },
    /// Print the public surface of the generated raw client.
    Surface,
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
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    let root = workspace_root();
    match cli.command {
        Cmd::Codegen { check } => {
            let started = std::time::Instant::now();
            let inputs = codegen::Inputs::read(&root)?;
            let files = codegen::generate(&inputs)?;
            if check {
                let drift = codegen::check(&root, &files);
                if drift.is_empty() {
                    eprintln!("generated code is up to date ({} files)", files.len());
                    return Ok(ExitCode::SUCCESS);
                }
                for d in &drift {
                    println!("{}", d.diff);
                }
                let paths: Vec<_> = drift.iter().map(|d| d.path.display().to_string()).collect();
                eprintln!(
                    "error: generated code is out of date: {}\nrun `{}` and commit the result",
                    paths.join(", "),
                    codegen::COMMAND
                );
                return Ok(ExitCode::FAILURE);
            }
            codegen::write(&root, &files)?;
            for f in &files {
                eprintln!("wrote {}", f.path.display());
            }
            eprintln!("generated in {:.2?}", started.elapsed());
        }
        Cmd::Import { document } => {
            let provider = xtask::doc::read(&document)?;
            let yaml = import::import(&provider)?;
            let target = root.join(codegen::SPEC);
            std::fs::write(&target, yaml)
                .with_context(|| format!("writing {}", target.display()))?;
            eprintln!(
                "wrote {}; now run `{}` and review the snapshot diff (cargo insta review)",
                codegen::SPEC,
                codegen::COMMAND
            );
        }
        Cmd::Surface => {
            let text = std::fs::read_to_string(root.join(codegen::GENERATED_RS))?;
            print!("{}", xtask::surface::render(&text)?);
        }
        Cmd::Bench { args } => {
            let status = bench_command(&root, &args)
                .status()
                .context("running cargo run -p mistral-files-bench --bin bench")?;
            // The driver reports its own errors; pass its exit code on.
            return Ok(match status.code() {
                Some(0) => ExitCode::SUCCESS,
                Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(1)),
                None => ExitCode::FAILURE,
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `cargo run --release -p mistral-files-bench --bin bench -- ARGS...` in the workspace root.
fn bench_command(root: &Path, args: &[OsString]) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut c = Command::new(cargo);
    c.current_dir(root)
        .args([
            "run",
            "--release",
            "-p",
            "mistral-files-bench",
            "--bin",
            "bench",
            "--",
        ])
        .args(args);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bench_args(argv: &[&str]) -> Vec<OsString> {
        let cli = Cli::try_parse_from(["xtask", "bench"].iter().chain(argv)).unwrap();
        match cli.command {
            Cmd::Bench { args } => args,
            _ => unreachable!(),
        }
    }

    #[test]
    fn bench_passes_every_argument_on() {
        for argv in [
            &[][..],
            &["--quick", "--only", "list"],
            &["--quick", "--no-python", "--only", "list"],
            &["--help"],
            &["--runs", "3", "--out", "x.md", "--only=flat,list"],
        ] {
            assert_eq!(bench_args(argv), argv, "{argv:?}");
        }
    }

    #[test]
    fn bench_runs_the_driver_through_cargo() {
        let c = bench_command(Path::new("/r"), &bench_args(&["--quick", "--only", "list"]));
        let args: Vec<_> = c.get_args().collect();
        assert_eq!(
            args,
            [
                "run",
                "--release",
                "-p",
                "mistral-files-bench",
                "--bin",
                "bench",
                "--",
                "--quick",
                "--only",
                "list"
            ]
        );
        assert_eq!(c.get_current_dir(), Some(Path::new("/r")));
    }
}
