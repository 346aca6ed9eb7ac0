//! [`Selection`]: which files a bulk operation acts on, and the operations.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};

use super::filter::Filter;
use super::progress::OnProgress;
use super::{Downloaded, FileOutcome, Selected};
use crate::client::Client;
use crate::concurrency::Concurrency;
use crate::error::{Error, Result};
use crate::list::ListRequest;
use crate::progress::Progress;
use crate::types::FileObject;

/// A selection of files for a bulk operation: the filters of a [`ListRequest`] (purpose, sample
/// types, sources, search, MIME types), plus the file's age and a glob on its name.
///
/// **Listed first, then acted on.** [`delete`](Self::delete) and
/// [`download_to_dir`](Self::download_to_dir) list the whole selection before touching any
/// file: the listing pages by offset, so deleting while paging would shift the later files onto
/// pages already read, and they would be skipped. A listing that fails acts on nothing: the
/// operation's stream yields that error alone. [`list_all`](Self::list_all) does the listing
/// alone, to show or confirm the files before acting on exactly those.
///
/// Then the files are handled many at a time, under the [`Concurrency`] set with
/// [`concurrency`](Self::concurrency) (default: adaptive, up to 32 requests in flight), which
/// every request and retry passes through. One file failing does not stop the others: every
/// file gets exactly one [`FileOutcome`], in the order they end.
///
/// ```no_run
/// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
/// use std::time::Duration;
/// use futures_util::TryStreamExt;
/// use mistral_files::FilePurpose;
/// let old_batches = client.list().purpose(FilePurpose::Batch).select().older_than(Duration::from_secs(7 * 86_400));
/// let outcomes: Vec<_> = old_batches.delete().try_collect().await?;
/// let failed = outcomes.iter().filter(|o| !o.is_ok()).count();
/// println!("{} deleted, {failed} failed", outcomes.len() - failed);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a selection does nothing until one of its operations runs"]
pub struct Selection {
    list: ListRequest,
    filter: Filter,
    concurrency: Concurrency,
    overwrite: bool,
    progress: OnProgress,
}

impl ListRequest {
    /// A [`Selection`] of the files this request matches, for a bulk operation. Its page and
    /// prefetch settings apply to the listing; it starts at its [`page`](Self::page).
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let files: Vec<_> = client.list().search("report").select().name("report-*.jsonl").files().try_collect().await?;
    /// println!("{} files", files.len());
    /// # Ok(()) }
    /// ```
    pub fn select(self) -> Selection {
        Selection {
            list: self,
            filter: Filter::default(),
            concurrency: Concurrency::default(),
            overwrite: false,
            progress: OnProgress::default(),
        }
    }
}

impl Client {
    /// A [`Selection`] of every file (`self.list().select()`), to narrow down.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let n = client.select().name("*.tmp").files().try_fold(0, |n, _| async move { Ok(n + 1) }).await?;
    /// println!("{n} files");
    /// # Ok(()) }
    /// ```
    pub fn select(&self) -> Selection {
        self.list().select()
    }
}

impl Selection {
    /// Only files created at least `age` ago (by their `created_at`, against this machine's
    /// clock when the operation starts).
    ///
    /// ```no_run
    /// # fn f(client: mistral_files::Client) {
    /// let week_old = client.select().older_than(std::time::Duration::from_secs(7 * 86_400));
    /// # }
    /// ```
    pub fn older_than(mut self, age: Duration) -> Self {
        self.filter.older_than = Some(age);
        self
    }

    /// Only files created less than `age` ago (by their `created_at`, against this machine's
    /// clock when the operation starts).
    ///
    /// ```no_run
    /// # fn f(client: mistral_files::Client) {
    /// let last_hour = client.select().newer_than(std::time::Duration::from_secs(3600));
    /// # }
    /// ```
    pub fn newer_than(mut self, age: Duration) -> Self {
        self.filter.newer_than = Some(age);
        self
    }

    /// Only files whose whole name matches `pattern`: `*` matches any run of characters, `?`
    /// any one character; without either, the name must be exactly `pattern` (case matters).
    ///
    /// ```no_run
    /// # fn f(client: mistral_files::Client) {
    /// let results = client.select().name("batch-2026-??-*.jsonl");
    /// # }
    /// ```
    pub fn name(mut self, pattern: impl Into<String>) -> Self {
        self.filter.name = Some(pattern.into());
        self
    }

    /// How many requests the operation keeps in flight (default
    /// [`Concurrency::adaptive(32)`](Concurrency::adaptive)).
    ///
    /// ```no_run
    /// # fn f(client: mistral_files::Client) {
    /// let gentle = client.select().concurrency(mistral_files::Concurrency::fixed(2));
    /// # }
    /// ```
    pub fn concurrency(mut self, concurrency: Concurrency) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// Whether [`download_to_dir`](Self::download_to_dir) replaces an existing file of another
    /// size (default: no, that file's outcome is [`Error::TargetExists`]). A file of the right
    /// size is never fetched again either way.
    ///
    /// ```no_run
    /// # fn f(client: mistral_files::Client) {
    /// let fresh = client.select().overwrite(true);
    /// # }
    /// ```
    pub fn overwrite(mut self, yes: bool) -> Self {
        self.overwrite = yes;
        self
    }

    /// Reports the progress of [`download_to_dir`](Self::download_to_dir) as one sum of bytes
    /// over every selected file (see [`Selected::on_progress`]).
    ///
    /// ```no_run
    /// # fn f(client: mistral_files::Client) {
    /// let selection = client.select().on_progress(|p| eprint!("\r{:.0?}", p.fraction()));
    /// # }
    /// ```
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = OnProgress::new(f);
        self
    }

    /// The selected files, as they are listed (for a dry run); nothing is changed.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let mut files = std::pin::pin!(client.select().name("*.jsonl").files());
    /// while let Some(f) = files.try_next().await? { println!("would delete {}", f.filename); }
    /// # Ok(()) }
    /// ```
    pub fn files(&self) -> impl Stream<Item = Result<FileObject>> + Send + 'static {
        self.matching(self.list.clone())
    }

    /// The files of `list` that pass the age and name filters, as of now.
    fn matching(
        &self,
        list: ListRequest,
    ) -> impl Stream<Item = Result<FileObject>> + Send + 'static {
        let matcher = self.filter.at(SystemTime::now());
        list.into_stream()
            .try_filter(move |f| std::future::ready(matcher.matches(f)))
    }

    /// Lists the whole selection: the files an operation would act on, to show or confirm
    /// before acting on exactly those ([`Selected`]). A file listed twice (files added while
    /// paging shift the pages) is kept once.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let selected = client.select().name("*.tmp").list_all().await?;
    /// if selected.len() < 100 {
    ///     let _outcomes = selected.delete();
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_all(&self) -> Result<Selected> {
        // One gate for the listing and the operation after it: what the listing learned of the
        // service (its rate limit above all) holds from the first delete or download on.
        let gate = self.concurrency.gate();
        let listing = self.list.clone().through_gate(Arc::clone(&gate));
        let mut files: Vec<FileObject> = self.matching(listing).try_collect().await?;
        // The listing is not a snapshot: a file uploaded meanwhile shifts the later pages by
        // one, and a file can come twice. Each file is acted on once.
        let mut seen = HashSet::new();
        files.retain(|f| seen.insert(f.id));
        Ok(Selected::new(
            files,
            self.list.client().with_gate(Arc::clone(&gate)),
            gate,
            self.overwrite,
            self.progress.clone(),
        ))
    }

    /// Deletes every selected file (listed completely first), yielding each file's outcome; a
    /// file already gone counts as deleted. `Err` only when the selection could not be listed,
    /// then nothing is deleted.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let outcomes: Vec<_> = client.select().name("scratch-*").delete().try_collect().await?;
    /// assert!(outcomes.iter().all(|o| o.is_ok()));
    /// # Ok(()) }
    /// ```
    pub fn delete(&self) -> impl Stream<Item = Result<FileOutcome<()>>> + Send + 'static {
        let sel = self.clone();
        stream::once(async move {
            match sel.list_all().await {
                Err(e) => stream::once(std::future::ready(Err(e))).boxed(),
                Ok(selected) => selected.delete().map(Ok).boxed(),
            }
        })
        .flatten()
    }

    /// Downloads every selected file (listed completely first) into `dir` (created if missing),
    /// each under its own name made safe ([`sanitize_file_name`](crate::sanitize_file_name)) and
    /// unique: when several files share a name, the oldest keeps it and the others get the first
    /// 8 characters of their id before the extension (`out-1a2b3c4d.jsonl`).
    ///
    /// Each file is downloaded like [`Client::download_to_path`]: atomically, and resuming the
    /// partial copy an interrupted run left. A file already there with the file's size is not
    /// fetched again ([`Downloaded::skipped`]); one of another size is an error naming it
    /// ([`Error::TargetExists`]) unless [`overwrite`](Self::overwrite). `Err` only when the
    /// selection could not be listed or `dir` not created, then nothing is downloaded.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// use futures_util::StreamExt;
    /// use mistral_files::{FilePurpose, SampleType};
    /// let results = client.list().purpose(FilePurpose::Batch).sample_type(SampleType::BatchResult).select();
    /// let mut outcomes = std::pin::pin!(results.download_to_dir("results"));
    /// while let Some(outcome) = outcomes.next().await {
    ///     let outcome = outcome?;
    ///     if let Err(e) = outcome.result() { eprintln!("{}: {e}", outcome.file().id); }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn download_to_dir(
        &self,
        dir: impl Into<PathBuf>,
    ) -> impl Stream<Item = Result<FileOutcome<Downloaded>>> + Send + 'static {
        let sel = self.clone();
        let dir = dir.into();
        stream::once(async move {
            let listed = match tokio::fs::create_dir_all(&dir).await {
                Ok(()) => sel.list_all().await,
                Err(e) => Err(Error::io(&dir, e)),
            };
            match listed {
                Err(e) => stream::once(std::future::ready(Err(e))).boxed(),
                Ok(selected) => selected.download_to_dir(dir).map(Ok).boxed(),
            }
        })
        .flatten()
    }
}
