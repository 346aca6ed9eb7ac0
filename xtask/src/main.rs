//! `cargo xtask`: see `cargo xtask --help`.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use xtask::revision::Rev;
use xtask::{changes, codegen, import, names::NameMap, workspace_root};

#[derive(Parser)]
#[command(about = "Maintainer tasks for the mistral-files workspace")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
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
        base: String,
        /// The new revision: a git revision, or `.` for the working tree.
        #[arg(long, default_value = ".")]
        head: String,
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
        base: String,
        /// The new revision: a git revision, or `.` for the working tree.
        #[arg(long, default_value = ".")]
        head: String,
    },
    /// Print the pull request's description (Markdown): impact, changes by operation, both
    /// public API diffs, changed snapshots, needed version bumps, notes.
    Audit {
        /// The pull request's base (a git revision).
        #[arg(long)]
        base: String,
        /// The new revision: a git revision, or `.` for the working tree.
        #[arg(long, default_value = ".")]
        head: String,
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
    let root = workspace_root()?;
    match cli.command {
        Cmd::Codegen { check } => return codegen_command(&root, check),
        Cmd::Changes {
            base,
            head,
            markdown,
        } => {
            let report = changes::contract::between_revisions(
                &root,
                &Rev::parse(Some(&base)),
                &Rev::parse(Some(&head)),
            )?;
            if markdown {
                print!("{}", report.to_markdown());
            } else {
                print_report(&report);
            }
        }
        Cmd::ReleaseCheck { base, head } => {
            let release = xtask::release::Release::between(
                &root,
                &Rev::parse(Some(&base)),
                &Rev::parse(Some(&head)),
            )?;
            // The draft first, the verdict last: the end of the output says pass or fail.
            println!(
                "CHANGELOG draft (edit it, then add it under [Unreleased] in CHANGELOG.md):\n"
            );
            println!("{}", xtask::release::changelog::draft(&release));
            print!("{}", release.to_text());
            if !release.ok() {
                println!("release-check failed");
                return Ok(ExitCode::FAILURE);
            }
            println!("release-check passed");
        }
        Cmd::Audit { base, head } => {
            let audit = xtask::audit::Audit::between(
                &root,
                &Rev::parse(Some(&base)),
                &Rev::parse(Some(&head)),
            )?;
            print!("{}", audit.to_markdown());
        }
        Cmd::Import { document } => import_command(&root, &document)?,
        Cmd::PublicApi { check } => return public_api_command(&root, check),
        Cmd::Drill {
            build,
            cases,
            report,
        } => return drill_command(&root, build, &cases, report),
        Cmd::Bench { args } => return forward(&root, "bench", &args),
        Cmd::BuildCost { args } => return forward(&root, "build-cost", &args),
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a binary of `mistral-files-bench` with `args`, passing its exit code on.
fn forward(root: &Path, bin: &str, args: &[OsString]) -> Result<ExitCode> {
    let status = bench_command(root, bin, args)
        .status()
        .with_context(|| format!("running cargo run -p mistral-files-bench --bin {bin}"))?;
    // The binary reports its own errors; pass its exit code on.
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

/// `cargo xtask import`: every line on stdout, the absolute path written last.
fn import_command(root: &Path, document: &Path) -> Result<()> {
    let provider = xtask::doc::read(document)?;
    let names = NameMap::read(root)?;
    let imported = import::import(&provider, &names)?;
    for note in &imported.notes {
        println!("note: {note}");
    }
    let written = xtask::write_inside(root, Path::new(codegen::SPEC), &imported.yaml)?;
    println!("wrote {}", written.display());
    println!("next: `{}`, then read its change report", codegen::COMMAND);
    Ok(())
}

/// `cargo xtask codegen [--check]`: writes (or checks) the generated files, then prints the
/// change report; its last line is always `impact: ...`.
fn codegen_command(root: &Path, check: bool) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let inputs = codegen::Inputs::read(root)?;
    let files = codegen::generate_all(root, &inputs)?;
    let listing = files
        .iter()
        .find(|f| f.path == Path::new(xtask::inputs::RAW_LISTING))
        .map(|f| f.contents.as_str())
        .unwrap_or_default();
    let report = changes::contract::for_codegen(root, &inputs, listing)?;
    let mut code = ExitCode::SUCCESS;
    if check {
        let drift = codegen::check(root, &files);
        for d in &drift {
            println!("{}", d.diff);
        }
        for d in &drift {
            println!("error: {}", d.hint);
        }
        if drift.is_empty() {
            println!("generated code is up to date ({} files)", files.len());
        } else {
            code = ExitCode::FAILURE;
        }
    } else {
        for path in codegen::write(root, &files)? {
            println!("wrote {}", path.display());
        }
        let md = xtask::write_inside(
            root,
            Path::new(changes::contract::CHANGES_MD),
            &report.to_markdown(),
        )?;
        println!(
            "wrote {} (the change report, for the pull request)",
            md.display()
        );
        println!("generated in {:.2?}", started.elapsed());
    }
    print_report(&report);
    Ok(code)
}

/// The notes, then the changes, the impact line last.
fn print_report(report: &changes::Report) {
    for note in &report.notes {
        println!("note: {note}");
    }
    print!("{}", report.to_text());
}

/// `cargo xtask public-api [--check]`: writes the listings, or compares them with the committed ones.
fn public_api_command(root: &Path, check: bool) -> Result<ExitCode> {
    use xtask::public_api;
    let files = public_api::listings(root)?;
    if !check {
        for path in codegen::write(root, &files)? {
            println!("wrote {}", path.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let drift = codegen::check(root, &files);
    if drift.is_empty() {
        println!("public API listings are up to date ({} files)", files.len());
        return Ok(ExitCode::SUCCESS);
    }
    for d in &drift {
        println!("{}", d.diff);
    }
    let paths: Vec<_> = drift.iter().map(|d| d.path.display().to_string()).collect();
    println!(
        "error: public API listing out of date: {}\nrun `{}`, review the diff (read it with the change report's impact line) and commit the result",
        paths.join(", "),
        public_api::COMMAND
    );
    Ok(ExitCode::FAILURE)
}

/// `cargo xtask drill [--build] [--case NAME]...`.
fn drill_command(root: &Path, build: bool, only: &[String], report: bool) -> Result<ExitCode> {
    use xtask::drill;
    let mut failed = Vec::new();
    let work = root.join("target/drill");
    let target_dir = root.join("target/drill-target");
    for case in drill::cases(root)? {
        if !only.is_empty() && !only.contains(&case.name) {
            continue;
        }
        let outcome = match drill::run(root, &case) {
            Ok(outcome) => outcome,
            Err(e) => {
                println!("{}: FAILED to import and generate: {e:#}", case.name);
                failed.push(case.name.clone());
                continue;
            }
        };
        let impact = outcome.report.impact();
        let missing = drill::missing(&case, &outcome);
        let ok = impact == case.expect && missing.is_empty();
        let verdict = if ok { "ok" } else { "WRONG" };
        println!(
            "{}: impact {impact} (expected {}) {verdict}",
            case.name, case.expect
        );
        for m in &missing {
            println!("  missing: {m}");
        }
        if !ok || report {
            for note in &outcome.notes {
                println!("  note: {note}");
            }
            for line in outcome.report.to_text().lines() {
                println!("  {line}");
            }
        }
        if !ok {
            failed.push(case.name.clone());
            continue;
        }
        if build && case.build {
            if let Err(e) = drill::build(root, &case, &outcome, &work, &target_dir) {
                println!("{}: build failed: {e:#}", case.name);
                failed.push(case.name.clone());
            }
        }
    }
    if failed.is_empty() {
        println!("drill passed");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("drill failed: {}", failed.join(", "));
        Ok(ExitCode::FAILURE)
    }
}

/// `cargo run --release -p mistral-files-bench --bin bench -- ARGS...` in the workspace root.
fn bench_command(root: &Path, bin: &str, args: &[OsString]) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut c = Command::new(cargo);
    c.current_dir(root)
        .args([
            "run",
            "--release",
            "-p",
            "mistral-files-bench",
            "--bin",
            bin,
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
        let c = bench_command(
            Path::new("/r"),
            "bench",
            &bench_args(&["--quick", "--only", "list"]),
        );
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
