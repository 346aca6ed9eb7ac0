//! Running one operation over the listed files: as many files at once as the gate's limit
//! allows, each to exactly one outcome.

use std::collections::VecDeque;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::stream::{self, FuturesUnordered, Stream, StreamExt};

use super::progress::Sum;
use super::{Downloaded, FileOutcome};
use crate::client::Client;
use crate::concurrency::Gate;
use crate::error::{Error, Result};
use crate::types::FileObject;

/// Runs `op` on every file, as many at once as `gate` allows, yielding each file's outcome as
/// it ends. The files in flight follow the gate's limit (refilled as each one ends, with room for
/// files waiting out a `Retry-After`), so that a limit shrunk by the service's refusals also
/// holds back the transfers of large downloads, not only the starts of requests; the gate
/// itself holds back every attempt.
pub(super) fn drive<T, F, Fut>(
    files: Vec<FileObject>,
    gate: Arc<Gate>,
    op: F,
) -> impl Stream<Item = FileOutcome<T>> + Send + 'static
where
    T: Send + 'static,
    F: FnMut(FileObject) -> Fut + Send + 'static,
    Fut: Future<Output = Result<T>> + Send + 'static,
{
    let state = Driver {
        pending: files.into(),
        running: FuturesUnordered::new(),
        gate,
        op,
    };
    stream::unfold(state, |mut d| async move {
        d.refill();
        let outcome = d.running.next().await?;
        Some((outcome, d))
    })
}

struct Driver<T, F> {
    pending: VecDeque<FileObject>,
    running: FuturesUnordered<BoxFuture<'static, FileOutcome<T>>>,
    gate: Arc<Gate>,
    op: F,
}

impl<T, F, Fut> Driver<T, F>
where
    T: Send + 'static,
    F: FnMut(FileObject) -> Fut,
    Fut: Future<Output = Result<T>> + Send + 'static,
{
    /// Starts files until the limit is reached or none is left.
    fn refill(&mut self) {
        while self.running.len() < self.gate.operations() {
            let Some(file) = self.pending.pop_front() else {
                break;
            };
            let fut = (self.op)(file.clone());
            self.running
                .push(Box::pin(async move { FileOutcome::new(file, fut.await) }));
        }
    }
}

/// Deletes one file. A file already gone (404) counts as deleted: what is asked for is its
/// absence, and a retried delete whose first attempt went through meets exactly that.
pub(super) async fn delete_one(client: Client, file: FileObject) -> Result<()> {
    match client.delete(file.id).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Downloads one file to `path`: skipped when a file of its size is there already, refused when
/// another file is there (unless `overwrite`), else downloaded atomically and resumably by
/// `download_to_path` (a partial copy of an earlier run is continued).
pub(super) async fn download_one(
    client: Client,
    file: FileObject,
    path: PathBuf,
    overwrite: bool,
    sum: Sum,
) -> Result<Downloaded> {
    if let Some(existing) = existing_size(&path).await? {
        if file.bytes == Some(existing) {
            sum.add(existing);
            return Ok(Downloaded {
                path,
                bytes: existing,
                skipped: true,
            });
        }
        if !overwrite {
            return Err(Error::TargetExists { path });
        }
    }
    let mut request = client
        .download_to_path(file.id, &path)
        .known_size(file.bytes)
        .overwrite(overwrite);
    if let Some(cb) = sum.per_file() {
        request = request.on_progress(cb);
    }
    let bytes = request.send().await?;
    Ok(Downloaded {
        path,
        bytes,
        skipped: false,
    })
}

/// The size of the file at `path`, `None` when there is none; a directory there is an error.
async fn existing_size(path: &Path) -> Result<Option<u64>> {
    match tokio::fs::metadata(path).await {
        Ok(m) if m.is_dir() => Err(Error::NotAFile {
            path: path.to_path_buf(),
        }),
        Ok(m) => Ok(Some(m.len())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}
