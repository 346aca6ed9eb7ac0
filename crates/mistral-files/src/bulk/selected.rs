//! [`Selected`]: the files of a selection, listed completely, and the operations on them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::stream::{self, Stream, StreamExt};

use super::names::unique_names;
use super::progress::{OnProgress, Sum};
use super::run::{delete_one, download_one, drive};
use super::{Downloaded, FileOutcome};
use crate::client::Client;
use crate::concurrency::Gate;
use crate::error::Error;
use crate::id::FileId;
use crate::progress::Progress;
use crate::types::FileObject;

/// The files of a [`Selection`](crate::Selection), listed completely: what an operation will
/// act on, to show or to confirm first. Acting on it acts on exactly these files, even if files
/// matching the selection were added since.
///
/// ```no_run
/// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
/// use futures_util::StreamExt;
/// let selected = client.select().name("*.tmp").list_all().await?;
/// println!("{} files, {} bytes", selected.len(), selected.total_bytes());
/// let failed = selected.delete().filter(|o| std::future::ready(!o.is_ok())).count().await;
/// println!("{failed} failed");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Selected {
    files: Vec<FileObject>,
    /// The client, its every attempt passing through `gate`.
    client: Client,
    /// The gate the listing went through: the operation goes on at the pace the listing learned
    /// (a copy of this value shares it).
    gate: Arc<Gate>,
    overwrite: bool,
    progress: OnProgress,
}

impl Selected {
    pub(super) fn new(
        files: Vec<FileObject>,
        client: Client,
        gate: Arc<Gate>,
        overwrite: bool,
        progress: OnProgress,
    ) -> Self {
        Selected {
            files,
            client,
            gate,
            overwrite,
            progress,
        }
    }

    /// Reports the progress of [`download_to_dir`](Self::download_to_dir) as one figure:
    /// `bytes_done` is the bytes of every file present so far (downloaded, resumed, or found
    /// complete and skipped), `total` the selection's [`total_bytes`](Self::total_bytes). A
    /// retried transfer counts no byte twice; a file that fails leaves the sum short of the total.
    /// Called from the tasks doing the transfers, so keep it cheap.
    ///
    /// ```no_run
    /// # async fn f(s: mistral_files::Selected) {
    /// use futures_util::StreamExt;
    /// let s = s.on_progress(|p| eprint!("\r{} of {:?} bytes", p.bytes_done, p.total));
    /// let outcomes: Vec<_> = s.download_to_dir("results").collect().await;
    /// # }
    /// ```
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = OnProgress::new(f);
        self
    }

    /// The files, in the order they were listed (newest first).
    ///
    /// ```no_run
    /// # fn f(s: &mistral_files::Selected) {
    /// for file in s.files() { println!("{} {}", file.id, file.filename); }
    /// # }
    /// ```
    pub fn files(&self) -> &[FileObject] {
        &self.files
    }

    /// How many files.
    ///
    /// ```no_run
    /// # fn f(s: &mistral_files::Selected) {
    /// println!("{}", s.len());
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no file was selected.
    ///
    /// ```no_run
    /// # fn f(s: &mistral_files::Selected) {
    /// if s.is_empty() { println!("nothing to do"); }
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The files' total size in bytes (those whose size the service gave).
    ///
    /// ```no_run
    /// # fn f(s: &mistral_files::Selected) {
    /// println!("{} bytes", s.total_bytes());
    /// # }
    /// ```
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().filter_map(|f| f.bytes).sum()
    }

    /// Where [`download_to_dir`](Self::download_to_dir) would put each file of
    /// [`files`](Self::files), in the same order: `dir` joined with its safe, unique name.
    ///
    /// ```no_run
    /// # fn f(s: &mistral_files::Selected) {
    /// for (file, path) in s.files().iter().zip(s.paths_in("results")) {
    ///     println!("{} -> {}", file.id, path.display());
    /// }
    /// # }
    /// ```
    pub fn paths_in(&self, dir: impl AsRef<Path>) -> Vec<PathBuf> {
        let dir = dir.as_ref();
        unique_names(&self.files)
            .into_iter()
            .map(|name| dir.join(name))
            .collect()
    }

    /// Deletes every file, as many at once as the selection's [`Concurrency`](crate::Concurrency) allows, yielding
    /// each file's outcome as it ends (see [`Selection::delete`](crate::Selection::delete)).
    ///
    /// ```no_run
    /// # async fn f(s: mistral_files::Selected) {
    /// use futures_util::StreamExt;
    /// let outcomes: Vec<_> = s.delete().collect().await;
    /// println!("{}", outcomes.len());
    /// # }
    /// ```
    pub fn delete(self) -> impl Stream<Item = FileOutcome<()>> + Send + 'static {
        let client = self.client;
        drive(self.files, self.gate, move |file| {
            delete_one(client.clone(), file)
        })
    }

    /// Downloads every file into `dir` (created if missing), yielding each file's outcome as it
    /// ends (see [`Selection::download_to_dir`](crate::Selection::download_to_dir)). A directory
    /// that cannot be created is every file's error.
    ///
    /// ```no_run
    /// # async fn f(s: mistral_files::Selected) {
    /// use futures_util::StreamExt;
    /// let outcomes: Vec<_> = s.download_to_dir("results").collect().await;
    /// println!("{}", outcomes.len());
    /// # }
    /// ```
    pub fn download_to_dir(
        self,
        dir: impl Into<PathBuf>,
    ) -> impl Stream<Item = FileOutcome<Downloaded>> + Send + 'static {
        let dir = dir.into();
        stream::once(async move {
            if let Err(e) = tokio::fs::create_dir_all(&dir).await {
                let failed = self.files.into_iter().map(move |file| {
                    let e = std::io::Error::new(e.kind(), e.to_string());
                    FileOutcome::new(file, Err(Error::io(&dir, e)))
                });
                return stream::iter(failed).boxed();
            }
            let paths: HashMap<FileId, PathBuf> = self
                .files
                .iter()
                .zip(self.paths_in(&dir))
                .map(|(f, path)| (f.id, path))
                .collect();
            let sum = Sum::new(&self.progress, self.total_bytes());
            let (client, overwrite) = (self.client, self.overwrite);
            drive(self.files, self.gate, move |file| {
                let path = paths.get(&file.id).cloned().unwrap_or_default();
                download_one(client.clone(), file, path, overwrite, sum.clone())
            })
            .boxed()
        })
        .flatten()
    }
}
