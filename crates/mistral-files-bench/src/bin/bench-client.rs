//! The crate side of `cargo xtask bench`: one operation of the `mistral-files` client per process,
//! so that its peak RSS is its own. Prints one JSON line: `{"op":..,"secs":..,...}` where `secs`
//! is the operation's own time (client construction included, process start-up excluded).
//!
//! ```text
//! bench-client upload URL PATH
//! bench-client download URL ID OUT
//! bench-client download-discard URL ID      (diagnostics: the stream alone)
//! bench-client list URL PAGE_SIZE
//! bench-client concurrent URL PATH N
//! bench-client seed URL COUNT CONCURRENCY
//! bench-client delete URL ID...
//! bench-client download-all URL DIR PAGE_SIZE
//! bench-client delete-all URL PAGE_SIZE
//! ```
//! The API key is `mistral_files_bench::BENCH_KEY`.

use std::time::Instant;

use futures_util::{StreamExt, TryStreamExt};
use mistral_files::Client;
use mistral_files_bench::BENCH_KEY;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn client(url: &str) -> Res<Client> {
    Ok(Client::builder().api_key(BENCH_KEY).base_url(url).build()?)
}

fn arg<'a>(args: &'a [String], i: usize, what: &str) -> Res<&'a str> {
    args.get(i)
        .map(String::as_str)
        .ok_or_else(|| format!("missing argument {i}: {what}").into())
}

/// Drains a bulk operation's outcomes: how many files succeeded, or the first failure (after
/// every file had its turn; a listing that fails ends the stream with its error).
async fn all_ok<T>(
    outcomes: impl futures_util::Stream<Item = mistral_files::Result<mistral_files::FileOutcome<T>>>,
) -> Res<u64> {
    let mut outcomes = std::pin::pin!(outcomes);
    let (mut ok, mut failed) = (0u64, None);
    while let Some(o) = outcomes.next().await {
        match o?.into_result() {
            Ok(_) => ok += 1,
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(ok),
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = run(&args).await {
        eprintln!("bench-client: {e}");
        std::process::exit(1);
    }
}

async fn run(args: &[String]) -> Res<()> {
    let op = arg(args, 0, "operation")?;
    let url = arg(args, 1, "base URL")?;
    let started = Instant::now();
    let c = client(url)?;
    let mut out = match op {
        "upload" => upload(&c, args).await?,
        "download" => download(&c, args).await?,
        "download-discard" => download_discard(&c, args).await?,
        "list" => list(&c, args).await?,
        "concurrent" => concurrent(&c, args).await?,
        "seed" => seed(&c, args).await?,
        "delete" => {
            for id in &args[2..] {
                c.delete(id.as_str()).await?;
            }
            serde_json::json!({"count": args.len() - 2})
        }
        "download-all" => {
            let dir = arg(args, 2, "directory")?;
            let page_size: u32 = arg(args, 3, "page size")?.parse()?;
            let outcomes = c.list().page_size(page_size).select().download_to_dir(dir);
            serde_json::json!({"count": all_ok(outcomes).await?})
        }
        "delete-all" => {
            let page_size: u32 = arg(args, 2, "page size")?.parse()?;
            let outcomes = c.list().page_size(page_size).select().delete();
            serde_json::json!({"count": all_ok(outcomes).await?})
        }
        other => return Err(format!("unknown operation {other:?}").into()),
    };
    out["op"] = op.into();
    out["secs"] = started.elapsed().as_secs_f64().into();
    println!("{out}");
    Ok(())
}

type Out = Res<serde_json::Value>;

/// `upload URL PATH`
async fn upload(c: &Client, args: &[String]) -> Out {
    let f = c.upload_path(arg(args, 2, "path")?).await?;
    Ok(serde_json::json!({"id": f.id.to_string(), "bytes": f.bytes}))
}

/// `download URL ID OUT`
async fn download(c: &Client, args: &[String]) -> Out {
    let (id, out) = (arg(args, 2, "file id")?, arg(args, 3, "output path")?);
    let n = c.download_to_path(id, out).await?;
    Ok(serde_json::json!({"bytes": n}))
}

/// `download-discard URL ID`: diagnostics, the download stream alone (no file, no fsync).
async fn download_discard(c: &Client, args: &[String]) -> Out {
    let mut dl = c.download(arg(args, 2, "file id")?).await?;
    let (mut n, mut chunks) = (0u64, 0u64);
    while let Some(chunk) = dl.try_next().await? {
        n += chunk.len() as u64;
        chunks += 1;
    }
    Ok(serde_json::json!({"bytes": n, "chunks": chunks}))
}

/// `list URL PAGE_SIZE`: every file through the paging stream, with the library's defaults.
async fn list(c: &Client, args: &[String]) -> Out {
    let page_size: u32 = arg(args, 2, "page size")?.parse()?;
    let n = c
        .list()
        .page_size(page_size)
        .into_stream()
        .try_fold(0u64, |n, _| async move { Ok(n + 1) })
        .await?;
    Ok(serde_json::json!({"count": n, "requests": n.div_ceil(u64::from(page_size)).max(1)}))
}

/// `concurrent URL PATH N`: N uploads of one file at once.
async fn concurrent(c: &Client, args: &[String]) -> Out {
    let path = arg(args, 2, "path")?.to_string();
    let n: usize = arg(args, 3, "count")?.parse()?;
    let uploads = (0..n).map(|_| {
        let (c, path) = (c.clone(), path.clone());
        tokio::spawn(async move { c.upload_path(path).await })
    });
    let mut ids = Vec::new();
    for h in futures_util::future::join_all(uploads).await {
        ids.push(h??.id.to_string());
    }
    Ok(serde_json::json!({"count": ids.len(), "ids": ids}))
}

/// `seed URL COUNT CONCURRENCY`: COUNT tiny JSONL files, CONCURRENCY uploads at a time.
async fn seed(c: &Client, args: &[String]) -> Out {
    let count: usize = arg(args, 2, "count")?.parse()?;
    let conc: usize = arg(args, 3, "concurrency")?.parse()?;
    let done = futures_util::stream::iter(0..count)
        .map(|i| {
            let c = c.clone();
            async move {
                c.upload_bytes(format!("seed-{i:05}.jsonl"), format!("{{\"i\":{i}}}\n"))
                    .await
            }
        })
        .buffer_unordered(conc)
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await?;
    Ok(serde_json::json!({"count": done}))
}
