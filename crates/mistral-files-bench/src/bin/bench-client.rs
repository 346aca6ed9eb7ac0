//! The crate side of `cargo xtask bench`: one operation of the `mistral-files` client per process,
//! so that its peak RSS is its own. Prints one JSON line: `{"op":..,"secs":..,...}` where `secs`
//! is the operation's own time (client construction included, process start-up excluded).
//!
//! ```text
//! bench-client upload URL PATH
//! bench-client download URL ID OUT
//! bench-client download-discard URL ID      (diagnostics: the stream alone)
//! bench-client list URL PAGE_SIZE [PREFETCH]
//! bench-client concurrent URL PATH N
//! bench-client seed URL COUNT CONCURRENCY
//! bench-client delete URL ID...
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
    let out = match op {
        "upload" => {
            let path = arg(args, 2, "path")?;
            let f = client(url)?.upload_path(path).await?;
            serde_json::json!({"id": f.id.to_string(), "bytes": f.bytes})
        }
        "download" => {
            let (id, out) = (arg(args, 2, "file id")?, arg(args, 3, "output path")?);
            let n = client(url)?.download_to_path(id, out).await?;
            serde_json::json!({"bytes": n})
        }
        "download-discard" => {
            // Diagnostics: the download stream alone, no file, no fsync.
            let id = arg(args, 2, "file id")?;
            let mut dl = client(url)?.download(id).await?;
            let mut n = 0u64;
            let mut chunks = 0u64;
            while let Some(c) = dl.try_next().await? {
                n += c.len() as u64;
                chunks += 1;
            }
            serde_json::json!({"bytes": n, "chunks": chunks})
        }
        "list" => {
            let page_size: u32 = arg(args, 2, "page size")?.parse()?;
            let c = client(url)?;
            let mut req = c.list().page_size(page_size);
            // optional: pages in flight (default: the library's)
            if let Some(n) = args.get(3) {
                req = req.prefetch(n.parse()?);
            }
            let n = req
                .into_stream()
                .try_fold(0u64, |n, _| async move { Ok(n + 1) })
                .await?;
            serde_json::json!({"count": n, "requests": n.div_ceil(u64::from(page_size)).max(1)})
        }
        "concurrent" => {
            let path = arg(args, 2, "path")?.to_string();
            let n: usize = arg(args, 3, "count")?.parse()?;
            let c = client(url)?;
            let uploads = (0..n).map(|_| {
                let (c, path) = (c.clone(), path.clone());
                tokio::spawn(async move { c.upload_path(path).await })
            });
            let mut ids = Vec::new();
            for h in futures_util::future::join_all(uploads).await {
                ids.push(h??.id.to_string());
            }
            serde_json::json!({"count": ids.len(), "ids": ids})
        }
        "seed" => {
            let count: usize = arg(args, 2, "count")?.parse()?;
            let conc: usize = arg(args, 3, "concurrency")?.parse()?;
            let c = client(url)?;
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
            serde_json::json!({"count": done})
        }
        "delete" => {
            let c = client(url)?;
            for id in &args[2..] {
                c.delete(id.as_str()).await?;
            }
            serde_json::json!({"count": args.len() - 2})
        }
        other => return Err(format!("unknown operation {other:?}").into()),
    };
    let mut out = out;
    out["op"] = op.into();
    out["secs"] = started.elapsed().as_secs_f64().into();
    println!("{out}");
    Ok(())
}
