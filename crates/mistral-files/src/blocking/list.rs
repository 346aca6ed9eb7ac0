//! Blocking listing: [`ListRequest`] for one page, and [`FileIter`], an iterator over every
//! matching file that fetches the pages as it goes (the async paging stream, driven one item at
//! a time).

use std::pin::Pin;

use futures_util::stream::{Stream, StreamExt};

use super::{Client, Runtime};
use crate::error::Result;
use crate::types::{FileObject, FilePage, FilePurpose, SampleType, Source};

/// A listing request of the blocking client: set filters, then [`send`](Self::send) for one
/// page, or iterate (`for file in request`, or [`iter`](Self::iter)) over every matching file,
/// page after page. The filters are those of [`crate::ListRequest`].
///
/// ```no_run
/// # fn f(client: mistral_files::blocking::Client) -> mistral_files::Result<()> {
/// use mistral_files::FilePurpose;
/// let first = client.list().purpose(FilePurpose::Batch).page_size(20).send()?;
/// println!("{:?} files in all", first.total);
/// for file in client.list().purpose(FilePurpose::Batch) {
///     println!("{}", file?.filename);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or iterated"]
pub struct ListRequest {
    inner: crate::ListRequest,
    rt: Runtime,
}

impl Client {
    /// Start a listing request.
    pub fn list(&self) -> ListRequest {
        ListRequest {
            inner: self.inner.list(),
            rt: self.rt.clone(),
        }
    }
}

impl ListRequest {
    /// The page to fetch (0-based; for iteration, the page to start at).
    pub fn page(mut self, page: u32) -> Self {
        self.inner = self.inner.page(page);
        self
    }

    /// Files per page (1 or more; default 100).
    pub fn page_size(mut self, n: u32) -> Self {
        self.inner = self.inner.page_size(n);
        self
    }

    /// Whether the service should count the total (its default: yes).
    pub fn include_total(mut self, yes: bool) -> Self {
        self.inner = self.inner.include_total(yes);
        self
    }

    /// Only files of this purpose.
    pub fn purpose(mut self, purpose: impl Into<FilePurpose>) -> Self {
        self.inner = self.inner.purpose(purpose);
        self
    }

    /// Add a sample type to match (several are OR-ed).
    pub fn sample_type(mut self, t: SampleType) -> Self {
        self.inner = self.inner.sample_type(t);
        self
    }

    /// Add several sample types.
    pub fn sample_types(mut self, ts: impl IntoIterator<Item = SampleType>) -> Self {
        self.inner = self.inner.sample_types(ts);
        self
    }

    /// Add a source to match.
    pub fn source(mut self, s: Source) -> Self {
        self.inner = self.inner.source(s);
        self
    }

    /// Add several sources.
    pub fn sources(mut self, ss: impl IntoIterator<Item = Source>) -> Self {
        self.inner = self.inner.sources(ss);
        self
    }

    /// Free-text search on file names.
    pub fn search(mut self, q: impl Into<String>) -> Self {
        self.inner = self.inner.search(q);
        self
    }

    /// Add a MIME type to match.
    pub fn mimetype(mut self, m: impl Into<String>) -> Self {
        self.inner = self.inner.mimetype(m);
        self
    }

    /// Add several MIME types.
    pub fn mimetypes<S: Into<String>>(mut self, ms: impl IntoIterator<Item = S>) -> Self {
        self.inner = self.inner.mimetypes(ms);
        self
    }

    /// How many page requests the iteration keeps in flight once the total is known (1 to 64;
    /// default [`DEFAULT_PREFETCH`](crate::DEFAULT_PREFETCH), 4); see
    /// [`crate::ListRequest::prefetch`]. The requests progress while the iterator waits for its
    /// next page.
    ///
    /// ```no_run
    /// # fn f(client: mistral_files::blocking::Client) -> mistral_files::Result<()> {
    /// for file in client.list().page_size(100).prefetch(8) {
    ///     println!("{}", file?.filename);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn prefetch(mut self, n: usize) -> Self {
        self.inner = self.inner.prefetch(n);
        self
    }

    /// Fetch one page.
    pub fn send(self) -> Result<FilePage> {
        self.rt.block_on(self.inner.send())
    }

    /// Every matching file, fetching the pages as the iteration reaches them. An error ends the
    /// iteration after being yielded.
    pub fn iter(&self) -> FileIter {
        self.clone().into_iter()
    }
}

impl IntoIterator for ListRequest {
    type Item = Result<FileObject>;
    type IntoIter = FileIter;

    fn into_iter(self) -> FileIter {
        FileIter {
            stream: Box::pin(self.inner.into_stream()),
            rt: self.rt,
        }
    }
}

/// Every file a [`ListRequest`] matches, page after page; see [`ListRequest::iter`].
#[must_use = "an iterator does nothing until iterated"]
pub struct FileIter {
    stream: Pin<Box<dyn Stream<Item = Result<FileObject>> + Send>>,
    rt: Runtime,
}

impl std::fmt::Debug for FileIter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileIter").finish_non_exhaustive()
    }
}

impl Iterator for FileIter {
    type Item = Result<FileObject>;

    fn next(&mut self) -> Option<Result<FileObject>> {
        self.rt.block_on(self.stream.next())
    }
}
