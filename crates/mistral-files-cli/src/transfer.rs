//! The commands that move file contents: upload and download, with progress bars (one per file,
//! and a total bar when there are several).

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use mistral_files::UploadRequest;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::api::Api;
use crate::args::{DownloadArgs, DownloadSource, UploadArgs};
use crate::error::{CliError, Failures};
use crate::explain::About;
use crate::format::{self, display_name};
use crate::output::Out;
use crate::progress::{feed, Bars, Total};

/// `upload PATH...`: up to `--parallel` at once, results in argument order.
pub async fn upload(
    api: &Api,
    args: UploadArgs,
    out: &Out,
    progress: bool,
) -> Result<(), CliError> {
    if args.name.is_some() && args.paths.len() > 1 {
        return Err(CliError::usage(format!(
            "--name can only be used with a single PATH ({} given)",
            args.paths.len()
        ))
        .hint("upload the files one by one to name each"));
    }
    let bars = Bars::new(progress);
    let sizes: Vec<Option<u64>> = args
        .paths
        .iter()
        .map(|p| {
            std::fs::metadata(p)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len())
        })
        .collect();
    let total = bars.total(args.paths.len(), sizes.iter().copied().sum());
    let jobs = args.paths.iter().zip(&sizes).map(|(path, size)| {
        let mut req = upload_request(api, &args, path);
        let bar = bars.bar(&label_of(path), *size);
        if let Some(f) = feed(bar.clone(), total.clone()) {
            req = req.on_progress(f);
        }
        async move {
            let res = req.send().await;
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            (path, res)
        }
    });
    let mut results = futures_util::stream::iter(jobs).buffered(usize::from(args.parallel));
    let mut failures = Failures::new(out.mode);
    let count = args.paths.len();
    while let Some((path, res)) = results.next().await {
        match res {
            Ok(f) => {
                out.line(uploaded_line(&path.display().to_string(), &f))?;
                out.item(&f)?;
            }
            Err(e) => {
                let e = upload_error(api, e, path, args.name.is_none(), count);
                if count == 1 {
                    return Err(e);
                }
                failures.push(e);
            }
        }
    }
    if let Some(t) = &total {
        t.finish();
    }
    out.end_list()?;
    failures.finish(count, "uploads")
}

/// The width the upload line fits in: a terminal's default.
const LINE_COLUMNS: usize = 80;

/// `✓ NAME → ID (SIZE, N lines)`, within [`LINE_COLUMNS`]: the id (what the other commands
/// take) whole, the name shortened in the middle when the line would be wider (its end, which
/// tells similar names apart, kept). The purpose is the one asked for (`--json` has it all).
fn uploaded_line(path: &str, f: &mistral_files::FileObject) -> String {
    use unicode_width::UnicodeWidthStr;
    let lines = f
        .num_lines
        .map(|n| format!(", {}", format::count(n, "line", "lines")))
        .unwrap_or_default();
    let rest = format!(" → {} ({}{lines})", f.id, format::size(f.bytes));
    let prefix = "✓ ";
    let room = LINE_COLUMNS
        .saturating_sub(prefix.width() + rest.width())
        .max(8);
    let name = format::truncate(&display_name(path), room);
    format!("{prefix}{name}{rest}")
}

/// The library's request for one path, with the command's options.
fn upload_request(api: &Api, args: &UploadArgs, path: &Path) -> UploadRequest {
    let mut req = api
        .client
        .upload_path(path)
        .purpose(args.purpose.clone())
        .validate_jsonl(args.validate);
    if let Some(n) = &args.name {
        req = req.file_name(n);
    }
    if let Some(h) = args.expiry {
        req = req.expiry(Duration::from_secs(h * 3600));
    }
    if let Some(v) = &args.visibility {
        req = req.visibility(v.clone());
    }
    req
}

/// An upload's error; when the file's own name cannot be sent (e.g. not UTF-8), the hint says
/// how to choose one.
fn upload_error(
    api: &Api,
    e: mistral_files::Error,
    path: &Path,
    own_name: bool,
    count: usize,
) -> CliError {
    let own_name = own_name && matches!(e, mistral_files::Error::InvalidFileName { .. });
    let what = format!("upload {}", display_name(&path.display().to_string()));
    let e = api.err(&what, About::Files)(e);
    if !own_name {
        return e;
    }
    e.hint(if count == 1 {
        "pass --name NAME to choose the name it is stored under"
    } else {
        "rename the file, or upload it on its own with --name NAME"
    })
}

/// The label of a path's bar: its file name.
fn label_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// One download to do: where from, where to, and how many bytes if known.
struct Job {
    source: DownloadSource,
    target: PathBuf,
    bytes: Option<u64>,
}

/// `download ID|URL... [-o PATH | -o DIR | -o -] [--force]`
pub async fn download(
    api: &Api,
    args: DownloadArgs,
    out: &Out,
    progress: bool,
) -> Result<(), CliError> {
    // clap requires ids (or a URL) or a filter, never both
    if args.sources.is_empty() {
        return crate::bulk::download(api, &args, out, progress).await;
    }
    check_download_args(&args, out)?;
    if args.output.as_deref() == Some(Path::new("-")) {
        return to_stdout(api, &args.sources[0], progress).await;
    }
    let count = args.sources.len();
    let mut failures = Failures::new(out.mode);
    let mut jobs = Vec::new();
    for source in &args.sources {
        match plan(api, source, args.output.as_deref()).await {
            Ok(job) => jobs.push(job),
            Err(e) if count == 1 => return Err(e),
            Err(e) => failures.push(e),
        }
    }
    let bars = Bars::new(progress);
    let total = bars.total(jobs.len(), jobs.iter().map(|j| j.bytes).sum());
    for job in jobs {
        match fetch(api, &job, args.force, &bars, total.clone()).await {
            Ok(bytes) => {
                let (from, id) = match &job.source {
                    DownloadSource::Id(id) => (id.to_string(), Some(*id)),
                    DownloadSource::Url(_) => ("signed URL".to_string(), None),
                };
                let to = display_name(&job.target.display().to_string());
                out.line(format!(
                    "✓ downloaded {from} → {to} ({})",
                    format::size(Some(bytes))
                ))?;
                out.item(&json!({ "id": id, "path": job.target, "bytes": bytes }))?;
            }
            Err(e) if count == 1 => return Err(e),
            Err(e) => failures.push(e),
        }
    }
    if let Some(t) = &total {
        t.finish();
    }
    out.end_list()?;
    failures.finish(count, "downloads")
}

/// The usage errors of `download`, found before any request.
fn check_download_args(args: &DownloadArgs, out: &Out) -> Result<(), CliError> {
    let several = args.sources.len() > 1;
    let has_url = args
        .sources
        .iter()
        .any(|s| matches!(s, DownloadSource::Url(_)));
    match args.output.as_deref() {
        Some(p) if p == Path::new("-") => {
            if several {
                return Err(CliError::usage(
                    "-o - writes one file to stdout, but several were given",
                )
                .hint("download them into a directory with -o DIR"));
            }
            if out.json() {
                return Err(CliError::usage(
                    "--json and --jsonl cannot be used with -o - (stdout is the file's content)",
                ));
            }
        }
        Some(p) if several && !p.is_dir() => {
            return Err(CliError::usage(format!(
                "with several files, -o must be an existing directory ({} is not)",
                display_name(&p.display().to_string())
            )));
        }
        Some(p) if p.is_dir() && has_url => return Err(url_needs_a_path()),
        None if has_url => return Err(url_needs_a_path()),
        Some(p) if !p.is_dir() => check_parent(p)?,
        _ => {}
    }
    if has_url && several {
        return Err(url_needs_a_path());
    }
    Ok(())
}

fn url_needs_a_path() -> CliError {
    CliError::usage("a signed URL does not carry the file's name")
        .hint("download it on its own with -o PATH (or -o - for stdout)")
}

/// The directory a target goes into must exist: said before anything is sent, rather than as an
/// error on the temporary file's name afterwards.
fn check_parent(target: &Path) -> Result<(), CliError> {
    let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    let shown = display_name(&dir.display().to_string());
    let problem = match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(_) => format!("{shown} is not a directory"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            format!("the directory {shown} does not exist")
        }
        Err(e) => format!("the directory {shown} cannot be used: {e}"),
    };
    let target = display_name(&target.display().to_string());
    Err(
        CliError::failure(format!("cannot write {target}: {problem}")).hint(format!(
            "create it first (mkdir -p {shown}), or choose another -o"
        )),
    )
}

/// Where a download goes: `-o PATH` as given; else the file's own name (sanitized), in `-o DIR`
/// or here, which takes the file's metadata (and gives its size to the total bar).
async fn plan(api: &Api, source: &DownloadSource, output: Option<&Path>) -> Result<Job, CliError> {
    let (id, target) = match (source, output) {
        (DownloadSource::Url(_), Some(p)) => {
            return Ok(Job {
                source: source.clone(),
                target: p.to_path_buf(),
                bytes: None,
            })
        }
        (DownloadSource::Url(_), None) => return Err(url_needs_a_path()),
        (DownloadSource::Id(id), Some(p)) if !p.is_dir() => (id, Some(p.to_path_buf())),
        (DownloadSource::Id(id), _) => (id, None),
    };
    if let Some(target) = target {
        return Ok(Job {
            source: source.clone(),
            target,
            bytes: None,
        });
    }
    let what = format!("download {id}");
    let meta = api
        .client
        .retrieve(id)
        .await
        .map_err(api.err(&what, About::File))?;
    let name = mistral_files::sanitize_file_name(&meta.filename, &id.to_string());
    let target = output.map_or_else(|| PathBuf::from(&name), |d| d.join(&name));
    Ok(Job {
        source: source.clone(),
        target,
        bytes: meta.bytes,
    })
}

/// Downloads one job to its target (temporary file, length check, rename; never over an
/// existing file without `--force`).
async fn fetch(
    api: &Api,
    job: &Job,
    force: bool,
    bars: &Bars,
    total: Option<Total>,
) -> Result<u64, CliError> {
    let bar = bars.bar(&job.target.display().to_string(), job.bytes);
    let progress = feed(bar.clone(), total);
    let (what, res) = match &job.source {
        DownloadSource::Id(id) => {
            let mut req = api
                .client
                .download_to_path(*id, &job.target)
                .overwrite(force);
            if let Some(f) = progress {
                req = req.on_progress(f);
            }
            (format!("download {id}"), req.await)
        }
        DownloadSource::Url(url) => {
            let mut req = api
                .client
                .fetch_signed_url_to_path(url, &job.target)
                .overwrite(force);
            if let Some(f) = progress {
                req = req.on_progress(f);
            }
            ("download signed URL".to_string(), req.await)
        }
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    res.map_err(api.err(&what, about(&job.source)))
}

/// What a download source addresses, for its error messages.
fn about(source: &DownloadSource) -> About<'_> {
    match source {
        DownloadSource::Id(_) => About::File,
        DownloadSource::Url(u) => About::Signed(u),
    }
}

/// `download ID -o -`: the bytes on stdout, nothing else.
async fn to_stdout(api: &Api, source: &DownloadSource, progress: bool) -> Result<(), CliError> {
    let bars = Bars::new(progress);
    let (what, label, mut req) = match source {
        DownloadSource::Id(id) => (
            format!("download {id}"),
            id.to_string(),
            api.client.download(*id),
        ),
        DownloadSource::Url(u) => (
            "download signed URL".to_string(),
            "signed URL".to_string(),
            api.client.fetch_signed_url(u),
        ),
    };
    let bar = bars.bar(&label, None);
    if let Some(f) = feed(bar.clone(), None) {
        req = req.on_progress(f);
    }
    let fail = api.err(&what, about(source));
    let mut dl = req.await.map_err(&fail)?;
    let mut stdout = tokio::io::stdout();
    while let Some(chunk) = dl.try_next().await.map_err(&fail)? {
        stdout.write_all(&chunk).await.map_err(CliError::stdout)?;
    }
    stdout.flush().await.map_err(CliError::stdout)?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upload_line_fits_80_columns_and_says_1_line() {
        use unicode_width::UnicodeWidthStr;
        let json = r#"{"id":"3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e","object":"file","bytes":1536,
            "created_at":1,"filename":"x","purpose":"fine-tune","sample_type":"instruct",
            "source":"upload","num_lines":1}"#;
        let f: mistral_files::FileObject = serde_json::from_str(json).unwrap();
        let line = uploaded_line("evaluation-set-with-a-long-name-part-03.jsonl", &f);
        assert!(line.width() <= 80, "{} columns: {line}", line.width());
        assert!(
            line.contains("-03.jsonl → 3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e"),
            "{line}"
        );
        assert!(line.ends_with("(1.50 KiB, 1 line)"), "{line}");
        assert_eq!(
            uploaded_line("a.jsonl", &f),
            "✓ a.jsonl → 3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e (1.50 KiB, 1 line)"
        );
    }
}
