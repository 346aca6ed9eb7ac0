//! The API commands with small results: ls, get, rm, url; and the client they share.
//! (upload and download, with their files and progress bars, are in `transfer.rs`.)

use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use mistral_files::{Client, FileObject, RetryPolicy, DEFAULT_BASE_URL};
use serde_json::json;

use crate::args::{ClientArgs, GetArgs, LsArgs, RmArgs, UrlArgs};
use crate::error::{CliError, Failures};
use crate::explain::{explain, About, Ctx};
use crate::format;
use crate::output::Out;
use crate::table;

/// The client, and the base URL it talks to (for messages).
pub struct Api {
    /// The library's client.
    pub client: Client,
    /// The base URL in use, validated (no credentials, no query).
    pub base: String,
}

impl Api {
    /// A `map_err` function turning a library error into the CLI's, for `what` about `about`.
    pub fn err<'a>(
        &'a self,
        what: &'a str,
        about: About<'a>,
    ) -> impl Fn(mistral_files::Error) -> CliError + 'a {
        move |e| {
            explain(
                e,
                &Ctx {
                    what,
                    base: &self.base,
                    about,
                },
            )
        }
    }
}

/// The base URL from `--base-url`, else `MISTRAL_BASE_URL`, else the provider's.
pub fn base_url(args: &ClientArgs) -> Result<String, CliError> {
    match &args.base_url {
        Some(u) => Ok(u.clone()),
        None => {
            env_var("MISTRAL_BASE_URL").map(|v| v.unwrap_or_else(|| DEFAULT_BASE_URL.to_string()))
        }
    }
}

/// An environment variable: `None` when unset; a usage error when it is not UTF-8.
fn env_var(name: &str) -> Result<Option<String>, CliError> {
    match std::env::var(name) {
        Ok(v) => Ok(Some(v)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(CliError::usage(format!("{name} is not valid UTF-8"))
                .hint(format!("set {name} again, or unset it")))
        }
    }
}

/// Builds the API client from the client options and the environment. Without a key it fails
/// (a usage error), unless `key_required` is false: fetching signed URLs sends no key, so a
/// placeholder that is never sent is used then.
pub fn client(args: &ClientArgs, key_required: bool) -> Result<Api, CliError> {
    let key = match &args.api_key {
        Some(k) => Some(k.clone()),
        None => env_var("MISTRAL_API_KEY")?,
    };
    let key = key.map(|k| k.trim().to_string()).filter(|k| !k.is_empty());
    let key = match key {
        Some(k) => k,
        None if !key_required => "unused: signed URLs are fetched without a key".to_string(),
        None => return Err(explain_local(mistral_files::Error::MissingApiKey)),
    };
    let base = check_base_url(&base_url(args)?)?;
    let client = Client::builder()
        .api_key(key)
        .base_url(&base)
        .user_agent(concat!("mistral-files-cli/", env!("CARGO_PKG_VERSION")))
        .retry_policy(RetryPolicy::default().with_max_attempts(args.retries + 1))
        .build()
        .map_err(explain_local)?;
    Ok(Api { client, base })
}

/// An error found before any request (no base URL needed in its message).
fn explain_local(e: mistral_files::Error) -> CliError {
    explain(
        e,
        &Ctx {
            what: "",
            base: "",
            about: About::Files,
        },
    )
}

/// The checks on a base URL the library leaves to its callers: blank, credentials (never echoed),
/// and a trailing `/v1`, which the client adds itself (every request would 404 on `/v1/v1/…`).
fn check_base_url(url: &str) -> Result<String, CliError> {
    let trimmed = url.trim().trim_end_matches('/');
    let hint = "pass --base-url (or set MISTRAL_BASE_URL) to a URL such as https://api.mistral.ai, or unset it";
    if trimmed.is_empty() {
        return Err(CliError::usage("the base URL is empty").hint(hint));
    }
    let rest = trimmed.split_once("://").map_or(trimmed, |(_, r)| r);
    if rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .contains('@')
    {
        return Err(
            CliError::usage("the base URL must not carry credentials (user:password@)").hint(hint),
        );
    }
    if let Some(root) = trimmed.strip_suffix("/v1") {
        if root.contains("://") && !root.ends_with('/') && !root.ends_with(':') {
            return Err(CliError::usage(format!(
                "the base URL {trimmed} ends in /v1, which the client adds itself (requests would go to {trimmed}/v1/files)"
            ))
            .hint(format!("use --base-url {root} (or set MISTRAL_BASE_URL to it)")));
        }
    }
    Ok(trimmed.to_string())
}

/// The listing window for `ls --limit`: no more pages in flight than the limit still needs after
/// the first page, so that `--limit` asks for no page it will not show (at least 1, at most the
/// library's default).
fn prefetch_for_limit(limit: u64, page_size: u32) -> usize {
    let pages = limit.div_ceil(u64::from(page_size.max(1)));
    let after_first = usize::try_from(pages.saturating_sub(1)).unwrap_or(usize::MAX);
    after_first.clamp(1, mistral_files::DEFAULT_PREFETCH)
}

/// `ls`: pages through the files lazily; a table fitted to the width, or JSON.
pub async fn ls(api: &Api, args: LsArgs, out: &Out) -> Result<(), CliError> {
    let mut page_size = args.page_size;
    if let Some(limit) = args.limit {
        page_size = page_size.min(u32::try_from(limit).unwrap_or(u32::MAX));
    }
    let mut req = api
        .client
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
    if let Some(limit) = args.limit {
        req = req.prefetch(prefetch_for_limit(limit, page_size));
    }
    let limit = args.limit.unwrap_or(u64::MAX);
    let stream = req
        .into_stream()
        .take(usize::try_from(limit).unwrap_or(usize::MAX));
    let mut stream = std::pin::pin!(stream);
    let mut files: Vec<FileObject> = Vec::new();
    let fail = api.err("list files", About::Files);
    while let Some(f) = stream.try_next().await.map_err(&fail)? {
        if out.json() {
            out.item(&f)?;
        } else {
            files.push(f);
        }
    }
    out.end_list()?;
    if !out.json() {
        if files.is_empty() {
            out.line("No files.")?;
        } else {
            out.line(table::file_table(&files, table::table_width(args.wide)))?;
        }
    }
    Ok(())
}

/// `get ID`
pub async fn get(api: &Api, args: GetArgs, out: &Out) -> Result<(), CliError> {
    let what = format!("get {}", args.id);
    let f = api
        .client
        .retrieve(args.id)
        .await
        .map_err(api.err(&what, About::File))?;
    for l in format::file_details(&f) {
        out.line(l)?;
    }
    out.doc(&f)
}

/// `rm ID...`: deletes each; goes on after a failure and reports them all. By filter: see
/// `bulk::rm`.
pub async fn rm(api: &Api, args: RmArgs, out: &Out) -> Result<(), CliError> {
    if args.select.is_given() {
        return crate::bulk::rm(api, &args, out).await;
    }
    let mut failures = Failures::new(out.mode);
    let total = args.ids.len();
    for id in &args.ids {
        match api.client.delete(id).await {
            Ok(d) => {
                out.line(format!("✓ deleted {}", d.id))?;
                out.item(&d)?;
            }
            Err(e) => {
                let what = format!("rm {id}");
                let e = api.err(&what, About::File)(e);
                if total == 1 {
                    return Err(e);
                }
                failures.push(e);
            }
        }
    }
    out.end_list()?;
    failures.finish(total, "deletions")
}

/// `url ID [--expiry HOURS]`: prints the URL alone (for `$(mistral-files url ID)`).
pub async fn url(api: &Api, args: UrlArgs, out: &Out) -> Result<(), CliError> {
    let what = format!("url {}", args.id);
    let url = api
        .client
        .signed_url(args.id)
        .expiry(Duration::from_secs(args.expiry * 3600))
        .await
        .map_err(api.err(&what, About::File))?;
    out.line(url.as_str())?;
    out.doc(&json!({ "id": args.id, "url": url.as_str(), "expiry_hours": args.expiry }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_ending_in_v1_are_refused_with_the_root() {
        let e = check_base_url("http://127.0.0.1:8080/v1/").unwrap_err();
        assert!(e.message.contains("ends in /v1"), "{}", e.message);
        assert_eq!(
            e.hint.as_deref(),
            Some("use --base-url http://127.0.0.1:8080 (or set MISTRAL_BASE_URL to it)")
        );
        assert_eq!(
            check_base_url("https://api.mistral.ai/").unwrap(),
            "https://api.mistral.ai"
        );
        assert!(check_base_url("http://proxy/v1x").is_ok());
        let e = check_base_url("http://user:S3CR3T@h/").unwrap_err();
        assert!(!e.message.contains("S3CR3T"));
    }

    #[test]
    fn ls_limit_prefetches_only_the_pages_it_needs() {
        // 3 files in pages of 2: the first page, then one more
        assert_eq!(prefetch_for_limit(3, 2), 1);
        // one page holds it all: nothing after the first (the window is at least 1)
        assert_eq!(prefetch_for_limit(2, 2), 1);
        assert_eq!(prefetch_for_limit(0, 2), 1);
        // 20 pages: the default window's ceiling (16)
        assert_eq!(prefetch_for_limit(40, 2), mistral_files::DEFAULT_PREFETCH);
        assert_eq!(prefetch_for_limit(13, 2), 6);
        assert_eq!(prefetch_for_limit(7, 2), 3);
        // extremes neither overflow nor divide by zero
        assert_eq!(
            prefetch_for_limit(u64::MAX, 1),
            mistral_files::DEFAULT_PREFETCH
        );
        // a page size of 0 counts as 1: 5 pages, 4 after the first
        assert_eq!(prefetch_for_limit(5, 0), 4);
    }
}
