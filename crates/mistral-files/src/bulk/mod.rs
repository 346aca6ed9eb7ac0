//! Bulk operations: a [`Selection`] of files (the listing's filters, plus age and name), listed
//! completely, then deleted or downloaded many at a time under one adaptive
//! [`Concurrency`](crate::Concurrency) limit, each file to its own [`FileOutcome`].
//!
//!   mod.rs        FileOutcome, Downloaded
//!   selection.rs  Selection: its setters, `files`, `list_all`, `delete`, `download_to_dir`
//!   selected.rs   Selected: the listed files, and the operations on them (uses the rest)
//!   run.rs        running an operation over the files under the gate; one delete, one download
//!   filter.rs     the age and name filters applied to the listed files
//!   names.rs      local names: sanitized, unique within the selection
//!   progress.rs   a bulk download's progress as one sum of bytes

mod filter;
mod names;
mod progress;
mod run;
mod selected;
mod selection;

use std::path::{Path, PathBuf};

pub use names::sanitize_file_name;
pub use selected::Selected;
pub use selection::Selection;

use crate::error::{Error, Result};
use crate::types::FileObject;

/// What became of one file of a bulk operation: the file, as listed, and its result.
///
/// ```no_run
/// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
/// use futures_util::TryStreamExt;
/// let mut outcomes = std::pin::pin!(client.select().name("*.tmp").delete());
/// while let Some(outcome) = outcomes.try_next().await? {
///     match outcome.result() {
///         Ok(()) => println!("deleted {}", outcome.file().filename),
///         Err(e) => eprintln!("{}: {e}", outcome.file().id),
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct FileOutcome<T> {
    file: FileObject,
    result: Result<T>,
}

impl<T> FileOutcome<T> {
    pub(crate) fn new(file: FileObject, result: Result<T>) -> Self {
        FileOutcome { file, result }
    }

    /// The file, as the selection listed it.
    ///
    /// ```no_run
    /// # async fn f(o: mistral_files::FileOutcome<()>) {
    /// println!("{}", o.file().id);
    /// # }
    /// ```
    pub fn file(&self) -> &FileObject {
        &self.file
    }

    /// The result for this file.
    ///
    /// ```no_run
    /// # async fn f(o: mistral_files::FileOutcome<()>) {
    /// if let Err(e) = o.result() { eprintln!("{e}"); }
    /// # }
    /// ```
    pub fn result(&self) -> std::result::Result<&T, &Error> {
        self.result.as_ref()
    }

    /// Whether the operation succeeded for this file.
    ///
    /// ```no_run
    /// # async fn f(o: mistral_files::FileOutcome<()>) {
    /// println!("{}", o.is_ok());
    /// # }
    /// ```
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }

    /// The result, dropping the file.
    ///
    /// ```no_run
    /// # async fn f(o: mistral_files::FileOutcome<()>) -> mistral_files::Result<()> {
    /// o.into_result()?;
    /// # Ok(()) }
    /// ```
    pub fn into_result(self) -> Result<T> {
        self.result
    }

    /// The file and its result.
    ///
    /// ```no_run
    /// # async fn f(o: mistral_files::FileOutcome<()>) {
    /// let (file, result) = o.into_parts();
    /// println!("{}: {}", file.id, result.is_ok());
    /// # }
    /// ```
    pub fn into_parts(self) -> (FileObject, Result<T>) {
        (self.file, self.result)
    }
}

/// One file of [`Selection::download_to_dir`]: where it is, and whether it was there already.
///
/// ```no_run
/// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
/// use futures_util::TryStreamExt;
/// let mut outcomes = std::pin::pin!(client.select().download_to_dir("results"));
/// while let Some(outcome) = outcomes.try_next().await? {
///     if let Ok(d) = outcome.result() {
///         println!("{} ({} bytes{})", d.path().display(), d.bytes(), if d.skipped() { ", already there" } else { "" });
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    path: PathBuf,
    bytes: u64,
    skipped: bool,
}

impl Downloaded {
    /// Where the file is: in the directory, under its sanitized, unique name.
    ///
    /// ```no_run
    /// # fn f(d: &mistral_files::Downloaded) {
    /// println!("{}", d.path().display());
    /// # }
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its size in bytes.
    ///
    /// ```no_run
    /// # fn f(d: &mistral_files::Downloaded) {
    /// println!("{}", d.bytes());
    /// # }
    /// ```
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// `true` when a file of the right size was there already and nothing was fetched.
    ///
    /// ```no_run
    /// # fn f(d: &mistral_files::Downloaded) {
    /// println!("{}", d.skipped());
    /// # }
    /// ```
    pub fn skipped(&self) -> bool {
        self.skipped
    }

    /// The path, consuming this.
    ///
    /// ```no_run
    /// # fn f(d: mistral_files::Downloaded) {
    /// let p: std::path::PathBuf = d.into_path();
    /// # }
    /// ```
    pub fn into_path(self) -> PathBuf {
        self.path
    }
}
