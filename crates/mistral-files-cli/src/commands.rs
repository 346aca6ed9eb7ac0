//! The API commands: upload, ls, get, rm, url, download.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use mistral_files::{Client, FileObject, RetryPolicy};
use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::args::{DownloadArgs, GetArgs, GlobalArgs, LsArgs, RmArgs, UploadArgs, UrlArgs};
use crate::error::{CliError, Exit};
use crate::output::{self, display_name, Bars, Out};

/// Builds the API client from the global options (key and base URL; the environment has been
/// read by clap already).
pub fn client(global: &GlobalArgs) -> Result<Client, CliError> {
    let key = global.api_key.as_deref().map(str::trim).unwrap_or_default();
    if key.is_empty() {
        return Err(CliError::from_api(mistral_files::Error::MissingApiKey, ""));
    }
    let mut b = Client::builder()
        .api_key(key)
        .user_agent(concat!("mistral-files-cli/", env!("CARGO_PKG_VERSION")))
        .retry_policy(RetryPolicy::default().with_max_attempts(global.retries + 1));
    if let Some(url) = global.base_url.as_deref() {
        if url.trim().is_empty() {
            return Err(
                CliError::usage("the base URL is empty").hint(
                    "pass --base-url (or set MISTRAL_BASE_URL) to a URL such as https://api.mistral.ai, or unset it",
                ),
            );
        }
        b = b.base_url(url);
    }
    b.build().map_err(|e| CliError::from_api(e, ""))
}

/// Collects per-item failures of a multi-item command and turns them into one final error.
struct Failures {
    count: usize,
    all_usage: bool,
}

impl Failures {
    fn new() -> Self {
        Failures {
            count: 0,
            all_usage: true,
        }
    }

    /// Reports one failure on stderr now.
    fn push(&mut self, e: CliError) {
        e.print();
        self.count += 1;
        self.all_usage &= e.code == Exit::Usage;
    }

    /// `Ok` if nothing failed; else a summary error. Its exit code is 2 (usage, nothing was sent)
    /// only when every item was refused locally as a usage error; otherwise 1, since something
    /// was sent or an API or I/O error happened.
    fn finish(self, total: usize, what: &str) -> Result<(), CliError> {
        if self.count == 0 {
            return Ok(());
        }
        let mut e = CliError::failure(format!("{} of {total} {what} failed", self.count));
        if self.all_usage && self.count == total {
            e.code = Exit::Usage;
        }
        Err(e)
    }
}

/// `upload PATH...`
pub async fn upload(
    client: &Client,
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
    let total = args.paths.len();
    let jobs = args.paths.iter().map(|path| {
        let mut req = client
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
        let label = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let bar = bars.bar(&label);
        if let Some(b) = &bar {
            req = req.on_progress(output::feed(b.clone()));
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
    let mut failures = Failures::new();
    while let Some((path, res)) = results.next().await {
        match res {
            Ok(f) => {
                let lines = f
                    .num_lines
                    .map(|n| format!(", {n} lines"))
                    .unwrap_or_default();
                out.line(format!(
                    "✓ uploaded {} → {} ({}, {}{lines})",
                    display_name(&path.display().to_string()),
                    f.id,
                    output::size(f.bytes),
                    f.purpose,
                ))?;
                out.doc(&f)?;
            }
            Err(e) => {
                // The file's own name cannot be sent (e.g. not UTF-8): say how to choose one.
                let own_name = args.name.is_none()
                    && matches!(e, mistral_files::Error::InvalidFileName { .. });
                let mut e = CliError::from_api(e, &format!("upload {}", path.display()));
                if own_name {
                    e = e.hint(if total == 1 {
                        "pass --name NAME to choose the name it is stored under"
                    } else {
                        "rename the file, or upload it on its own with --name NAME"
                    });
                }
                if total == 1 {
                    return Err(e);
                }
                failures.push(e);
            }
        }
    }
    failures.finish(total, "uploads")
}

/// `ls`
pub async fn ls(client: &Client, args: LsArgs, out: &Out) -> Result<(), CliError> {
    let mut page_size = args.page_size;
    if let Some(limit) = args.limit {
        page_size = page_size.min(u32::try_from(limit).unwrap_or(u32::MAX));
    }
    let mut req = client
        .list()
        .page_size(page_size)
        .sample_types(args.sample_types)
        .sources(args.sources)
        .mimetypes(args.mimetypes.iter().cloned());
    if let Some(p) = args.purpose {
        req = req.purpose(p);
    }
    if let Some(q) = &args.search {
        req = req.search(q);
    }
    let limit = args.limit.unwrap_or(u64::MAX);
    let stream = req
        .into_stream()
        .take(usize::try_from(limit).unwrap_or(usize::MAX));
    let mut stream = std::pin::pin!(stream);
    let mut files: Vec<FileObject> = Vec::new();
    while let Some(f) = stream
        .try_next()
        .await
        .map_err(|e| CliError::from_api(e, "list files"))?
    {
        if out.json {
            out.doc(&f)?;
        } else {
            files.push(f);
        }
    }
    if !out.json {
        if files.is_empty() {
            out.line("No files.")?;
        } else {
            out.line(output::file_table(&files))?;
        }
    }
    Ok(())
}

/// `get ID`
pub async fn get(client: &Client, args: GetArgs, out: &Out) -> Result<(), CliError> {
    let f = client
        .retrieve(args.id)
        .await
        .map_err(|e| CliError::from_api(e, &format!("get {}", args.id)))?;
    for l in output::file_details(&f) {
        out.line(l)?;
    }
    out.doc(&f)
}

/// `rm ID...`: deletes each; goes on after a failure and reports them all.
pub async fn rm(client: &Client, args: RmArgs, out: &Out) -> Result<(), CliError> {
    let mut failures = Failures::new();
    let total = args.ids.len();
    for id in &args.ids {
        match client.delete(id).await {
            Ok(d) => {
                out.line(format!("✓ deleted {}", d.id))?;
                out.doc(&d)?;
            }
            Err(e) => {
                let e = CliError::from_api(e, &format!("rm {id}"));
                if total == 1 {
                    return Err(e);
                }
                failures.push(e);
            }
        }
    }
    failures.finish(total, "deletions")
}

/// `url ID [--expiry HOURS]`: prints the URL alone (for `$(mistral-files url ID)`).
pub async fn url(client: &Client, args: UrlArgs, out: &Out) -> Result<(), CliError> {
    let url = client
        .signed_url(args.id)
        .expiry(Duration::from_secs(args.expiry * 3600))
        .await
        .map_err(|e| CliError::from_api(e, &format!("url {}", args.id)))?;
    out.line(url.as_str())?;
    out.doc(&json!({ "id": args.id, "url": url.as_str(), "expiry_hours": args.expiry }))
}

/// `download ID [-o PATH | -o -] [--force]`
pub async fn download(
    client: &Client,
    args: DownloadArgs,
    out: &Out,
    progress: bool,
) -> Result<(), CliError> {
    let what = format!("download {}", args.id);
    let api = |e| CliError::from_api(e, &what);
    let bars = Bars::new(progress);
    if args.output.as_deref() == Some(Path::new("-")) {
        let bar = bars.bar(&args.id.to_string());
        let mut req = client.download(args.id);
        if let Some(b) = &bar {
            req = req.on_progress(output::feed(b.clone()));
        }
        let mut dl = req.await.map_err(api)?;
        let mut stdout = tokio::io::stdout();
        while let Some(chunk) = dl.try_next().await.map_err(api)? {
            stdout.write_all(&chunk).await.map_err(CliError::stdout)?;
        }
        stdout.flush().await.map_err(CliError::stdout)?;
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        return Ok(());
    }
    let target = match &args.output {
        Some(p) if !p.is_dir() => p.clone(),
        dir => {
            let meta = client.retrieve(args.id).await.map_err(api)?;
            let name = output::sanitize_file_name(&meta.filename, &args.id.to_string());
            match dir {
                Some(d) => d.join(name),
                None => PathBuf::from(name),
            }
        }
    };
    let bar = bars.bar(&target.display().to_string());
    let mut req = client
        .download_to_path(args.id, &target)
        .overwrite(args.force);
    if let Some(b) = &bar {
        req = req.on_progress(output::feed(b.clone()));
    }
    let res = req.await;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let bytes = res.map_err(api)?;
    out.line(format!(
        "✓ downloaded {} → {} ({})",
        args.id,
        display_name(&target.display().to_string()),
        output::size(Some(bytes))
    ))?;
    out.doc(&json!({ "id": args.id, "path": target, "bytes": bytes }))
}
