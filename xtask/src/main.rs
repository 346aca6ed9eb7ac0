//! `cargo xtask`: see `cargo xtask --help`.

use anyhow::{Context, Result};
use clap::Parser;
use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;
use xtask::cli::{bench_command, Cli, Cmd, BENCH};
use xtask::{changes, codegen, import, names::NameMap, workspace_root, GeneratedFile};

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
    let root = workspace_root()?;
    let ok = match Cli::parse().command {
        Cmd::Codegen { check } => codegen_command(&root, check)?,
        Cmd::Changes {
            base,
            head,
            markdown,
        } => {
            let report = changes::contract::between_revisions(&root, &base, &head)?;
            if markdown {
                print!("{}", report.to_markdown());
            } else {
                print_report(&report);
            }
            true
        }
        Cmd::ReleaseCheck { base, head } => {
            let release = xtask::release::Release::between(&root, &base, &head)?;
            // The draft first, the verdict last: the end of the output says pass or fail.
            println!(
                "CHANGELOG draft (edit it, then add it under [Unreleased] in CHANGELOG.md):\n"
            );
            println!("{}", xtask::release::changelog::draft(&release));
            print!("{}", release.to_text());
            let verdict = if release.ok() { "passed" } else { "failed" };
            println!("release-check {verdict}");
            release.ok()
        }
        Cmd::Audit { base, head } => {
            let audit = xtask::audit::Audit::between(&root, &base, &head)?;
            print!("{}", audit.to_markdown());
            true
        }
        Cmd::Import { document } => {
            import_command(&root, &document)?;
            true
        }
        Cmd::PublicApi { check } => public_api_command(&root, check)?,
        Cmd::Drill {
            build,
            cases,
            report,
        } => xtask::drill::command(&root, build, &cases, report)?,
        Cmd::Bench { args } => return forward(&root, BENCH, "bench", &args),
        Cmd::BuildCost { args } => return forward(&root, BENCH, "build-cost", &args),
        Cmd::Chaos { args } => return forward(&root, "mistral-files-chaos", "chaos", &args),
    };
    // Success (0) or failure (1).
    Ok(ExitCode::from(u8::from(!ok)))
}

/// Runs binary `bin` of `package` with `args`, passing its exit code on.
fn forward(root: &Path, package: &str, bin: &str, args: &[OsString]) -> Result<ExitCode> {
    let status = bench_command(root, package, bin, args)
        .status()
        .with_context(|| format!("running cargo run -p {package} --bin {bin}"))?;
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
fn codegen_command(root: &Path, check: bool) -> Result<bool> {
    let started = std::time::Instant::now();
    let inputs = codegen::Inputs::read(root)?;
    let files = codegen::generate_all(root, &inputs)?;
    let listing = GeneratedFile::find(&files, xtask::inputs::RAW_LISTING).unwrap_or_default();
    let report = changes::contract::for_codegen(root, &inputs, listing)?;
    let drift = codegen::ensure(root, &files, check, "generated code is up to date")?;
    for d in &drift {
        println!("error: {}", d.hint);
    }
    if !check {
        let md = report.to_markdown();
        let md = xtask::write_inside(root, Path::new(changes::contract::CHANGES_MD), &md)?;
        println!(
            "wrote {} (the change report, for the pull request)",
            md.display()
        );
        println!("generated in {:.2?}", started.elapsed());
    }
    print_report(&report);
    Ok(drift.is_empty())
}

/// The notes, then the changes, the impact line last.
fn print_report(report: &changes::Report) {
    for note in &report.notes {
        println!("note: {note}");
    }
    print!("{}", report.to_text());
}

/// `cargo xtask public-api [--check]`: writes the listings, or compares them with the committed ones.
fn public_api_command(root: &Path, check: bool) -> Result<bool> {
    use xtask::public_api;
    let files = public_api::listings(root)?;
    let up_to_date = "public API listings are up to date";
    let drift = codegen::ensure(root, &files, check, up_to_date)?;
    if !drift.is_empty() {
        let paths: Vec<_> = drift.iter().map(|d| d.path.display().to_string()).collect();
        println!(
            "error: public API listing out of date: {}\nrun `{}`, review the diff (read it with the change report's impact line) and commit the result",
            paths.join(", "),
            public_api::COMMAND
        );
    }
    Ok(drift.is_empty())
}
