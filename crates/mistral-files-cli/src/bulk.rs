//! `rm` and `download` by filter: the selection is listed whole, then shown (`--dry-run`),
//! confirmed (`rm` of several files), and acted on by the library (many files at once under its
//! adaptive concurrency), each file's outcome reported as it ends. One file failing does not
//! stop the others; the exit code says some failed.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use mistral_files::{FileId, FileObject, Selected};
use serde_json::{json, Value};

use crate::api::Api;
use crate::args::{BulkArgs, DownloadArgs, RmArgs, SelectArgs};
use crate::error::{CliError, Failures};
use crate::explain::About;
use crate::format::{self, display_name};
use crate::output::Out;
use crate::progress::Bars;

/// How many files the question before a deletion lists; the total covers the rest.
const LISTED_IN_QUESTION: usize = 10;

/// `rm FILTERS...`: lists, then deletes after a yes (see `examples::RM` for the rules).
pub async fn rm(api: &Api, args: &RmArgs, out: &Out) -> Result<(), CliError> {
    let selected = list(api, &args.select, &args.bulk, false).await?;
    if args.bulk.dry_run {
        return dry_run(&selected, None, out, "nothing deleted");
    }
    if selected.is_empty() {
        return nothing(out);
    }
    if selected.len() > 1 && !args.yes {
        confirm(&selected).await?;
    }
    let total = selected.len();
    let mut failures = Failures::new(out.mode);
    let mut outcomes = std::pin::pin!(selected.delete());
    while let Some(outcome) = outcomes.next().await {
        let (file, result) = outcome.into_parts();
        match result {
            Ok(()) => {
                out.line(format!(
                    "✓ deleted {} {}",
                    file.id,
                    display_name(&file.filename)
                ))?;
                out.item(&report(&file, "deleted", None, None))?;
            }
            Err(e) => {
                let e = api.err(&format!("rm {}", file.id), About::File)(e);
                out.item(&report(&file, "failed", None, Some(&e.message)))?;
                failures.push(e);
            }
        }
    }
    out.end_list()?;
    failures.finish(total, "deletions")
}

/// `download FILTERS... [-o DIR]`: lists, then downloads every file into the directory.
pub async fn download(
    api: &Api,
    args: &DownloadArgs,
    out: &Out,
    progress: bool,
) -> Result<(), CliError> {
    let dir = args.output.clone().unwrap_or_else(|| PathBuf::from("."));
    if dir == Path::new("-") {
        return Err(CliError::usage(
            "with filters, -o is a directory: several files cannot go to stdout",
        )
        .hint("download one file by id with -o -, or choose a directory"));
    }
    let selected = list(api, &args.select, &args.bulk, args.force).await?;
    if args.bulk.dry_run {
        return dry_run(&selected, Some(&dir), out, "nothing downloaded");
    }
    if selected.is_empty() {
        return nothing(out);
    }
    let paths: HashMap<FileId, PathBuf> = selected
        .files()
        .iter()
        .map(|f| f.id)
        .zip(selected.paths_in(&dir))
        .collect();
    let total = selected.len();
    // one bar for the whole selection (a bar per file would be thousands of lines)
    let bars = Bars::new(progress);
    let total_bar = bars.total(total, Some(selected.total_bytes()));
    let selected = match total_bar.clone() {
        Some(bar) => selected.on_progress(move |p| bar.set(p.bytes_done)),
        None => selected,
    };
    let mut failures = Failures::new(out.mode);
    let mut outcomes = std::pin::pin!(selected.download_to_dir(&dir));
    while let Some(outcome) = outcomes.next().await {
        let (file, result) = outcome.into_parts();
        match result {
            Ok(d) => {
                let shown = display_name(&d.path().display().to_string());
                let size = format::size(Some(d.bytes()));
                let (status, line) = if d.skipped() {
                    (
                        "skipped",
                        format!("= skipped {shown} (already there, {size})"),
                    )
                } else {
                    (
                        "downloaded",
                        format!("✓ downloaded {} → {shown} ({size})", file.id),
                    )
                };
                out.line(line)?;
                out.item(&report(&file, status, Some(d.path()), None))?;
            }
            Err(e) => {
                let e = api.err(&format!("download {}", file.id), About::File)(e);
                let path = paths.get(&file.id).map(PathBuf::as_path);
                out.item(&report(&file, "failed", path, Some(&e.message)))?;
                failures.push(e);
            }
        }
    }
    if let Some(bar) = &total_bar {
        bar.finish();
    }
    out.end_list()?;
    failures.finish(total, "downloads")
}

/// The whole selection, listed.
async fn list(
    api: &Api,
    select: &SelectArgs,
    bulk: &BulkArgs,
    overwrite: bool,
) -> Result<Selected, CliError> {
    select
        .selection(&api.client, bulk)
        .overwrite(overwrite)
        .list_all()
        .await
        .map_err(api.err("list files", About::Files))
}

/// Nothing matched: said, and an empty list in JSON.
fn nothing(out: &Out) -> Result<(), CliError> {
    out.line("No files match.")?;
    out.end_list()
}

/// One file's outcome as JSON: `id`, `name`, `status`, and `path`, `error` when there are any.
fn report(file: &FileObject, status: &str, path: Option<&Path>, error: Option<&str>) -> Value {
    let mut v = json!({ "id": file.id, "name": file.filename, "status": status });
    if let Some(p) = path {
        v["path"] = json!(p);
    }
    if let Some(e) = error {
        v["error"] = json!(e);
    }
    v
}

/// `--dry-run`: one line per file (with its target, for a download) and the total; in JSON the
/// files with `"status": "selected"`. Nothing is changed.
fn dry_run(selected: &Selected, dir: Option<&Path>, out: &Out, done: &str) -> Result<(), CliError> {
    let now = unix_now();
    let paths = dir.map(|d| selected.paths_in(d));
    for (i, file) in selected.files().iter().enumerate() {
        let path = paths.as_ref().map(|p| p[i].as_path());
        let mut line = file_line(file, now);
        if let Some(p) = path {
            line.push_str(&format!(" → {}", display_name(&p.display().to_string())));
        }
        out.line(line)?;
        let mut item = report(file, "selected", path, None);
        item["bytes"] = json!(file.bytes);
        item["created_at"] = json!(file.created_at);
        out.item(&item)?;
    }
    out.line(format!("{}: dry run, {done}", summary(selected)))?;
    out.end_list()
}

/// `ID  NAME  SIZE  AGE old`.
fn file_line(file: &FileObject, now: i64) -> String {
    format!(
        "{}  {}  {}  {} old",
        file.id,
        display_name(&file.filename),
        format::size(file.bytes),
        format::age(file.created_at, now)
    )
}

/// `N files (SIZE)`.
fn summary(selected: &Selected) -> String {
    format!(
        "{} ({})",
        format::count(selected.len() as u64, "file", "files"),
        format::size(Some(selected.total_bytes()))
    )
}

/// Asks on the terminal before deleting several files: the first files and the total on
/// stderr, then `Delete N files (SIZE)? [y/N]`, and one line read from stdin. Anything but `y`
/// or `yes` cancels (exit 1). Without a terminal to ask on, a usage error (exit 2) names
/// `--yes`. Nothing is deleted either way.
async fn confirm(selected: &Selected) -> Result<(), CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(format!(
            "rm would delete {}, and stdin is not a terminal to confirm it",
            summary(selected)
        ))
        .hint("pass --yes to delete them (or --dry-run to list them first)"));
    }
    let now = unix_now();
    for file in selected.files().iter().take(LISTED_IN_QUESTION) {
        crate::progress::eprint_line(&format!("  {}", file_line(file, now)));
    }
    if selected.len() > LISTED_IN_QUESTION {
        let more = (selected.len() - LISTED_IN_QUESTION) as u64;
        crate::progress::eprint_line(&format!(
            "  … and {} more",
            format::count(more, "file", "files")
        ));
    }
    let question = format!("Delete {}? [y/N] ", summary(selected));
    let answer = tokio::task::spawn_blocking(move || ask(&question))
        .await
        .map_err(|e| CliError::failure(format!("could not read the answer: {e}")))?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(CliError::failure("cancelled: nothing was deleted")),
    }
}

/// Prints `question` on stderr and reads one line from stdin (empty at its end or on error).
fn ask(question: &str) -> String {
    let mut stderr = std::io::stderr();
    let _ = write!(stderr, "{question}").and_then(|()| stderr.flush());
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    line
}

/// Now, in UNIX seconds, for the ages shown.
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
