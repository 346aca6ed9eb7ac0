//! `cargo xtask`: see `cargo xtask --help`.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
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
    /// Write each library crate's public API listing (`crates/*/public-api.txt`).
    PublicApi {
        /// Do not write; fail with a diff if a committed listing is out of date.
        #[arg(long)]
        check: bool,
    },
    /// Benchmark the crate against curl and the Python SDK; writes docs/BENCHMARKS.md.
    Bench(xtask::bench::BenchArgs),
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
        Cmd::Bench(args) => xtask::bench::run(&root, &args)?,
        Cmd::PublicApi { check } => return public_api(&root, check),
    }
    Ok(ExitCode::SUCCESS)
}

/// `cargo xtask public-api [--check]`: writes the listings, or compares them with the committed ones.
fn public_api(root: &std::path::Path, check: bool) -> Result<ExitCode> {
    use xtask::public_api;
    let files = public_api::listings(root)?;
    if !check {
        codegen::write(root, &files)?;
        for f in &files {
            eprintln!("wrote {}", root.join(&f.path).display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let drift = codegen::check(root, &files);
    if drift.is_empty() {
        eprintln!("public API listings are up to date ({} files)", files.len());
        return Ok(ExitCode::SUCCESS);
    }
    for d in &drift {
        println!("{}", d.diff);
    }
    let paths: Vec<_> = drift.iter().map(|d| d.path.display().to_string()).collect();
    eprintln!(
        "error: public API listing out of date: {}\nrun `{}`, review the diff and commit the result",
        paths.join(", "),
        public_api::COMMAND
    );
    Ok(ExitCode::FAILURE)
}
