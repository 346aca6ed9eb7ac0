//! The API commands with small results: ls, get, rm, url (upload and download, with their files
//! and progress bars, are in `transfer.rs`; by filter, in `bulk.rs`).

use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use mistral_files::FileObject;
use serde_json::json;

use crate::api::Api;
use crate::args::{GetArgs, LsArgs, RmArgs, UrlArgs};
use crate::error::{CliError, Failures};
use crate::explain::About;
use crate::format;
use crate::output::Out;
use crate::table;

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
    let mut req = args.filters.request(&api.client).page_size(page_size);
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
    // clap requires ids or a filter, never both
    if args.ids.is_empty() {
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
