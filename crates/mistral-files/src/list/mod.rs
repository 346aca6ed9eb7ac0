//! Listing files: [`ListRequest`], for one page or as a lazy stream over every page.
//!
//! A room of its own because paging keeps state between requests (the next page, the total,
//! how many files were seen) and has its own rules for when to stop.
//!
//!   mod.rs      the request, its setters, one page (`send`)
//!   stream.rs   the paging stream, with its prefetching window (uses mod.rs)

mod stream;

use std::sync::Arc;

use futures_util::stream::Stream;

use crate::client::Client;
use crate::concurrency::Gate;
use crate::error::{Error, Result};
use crate::exec::{answered, Call};
use crate::retry::RetryClass;
use crate::types::{FileObject, FilePage, FilePurpose, SampleType, Source};

/// A listing request: set filters, then [`send`](Self::send) for one page or
/// [`stream`](Self::stream) to page through all matching files lazily.
///
/// ```no_run
/// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
/// use futures_util::TryStreamExt;
/// use mistral_files::{FilePurpose, SampleType};
/// let files: Vec<_> = client
///     .list()
///     .purpose(FilePurpose::Batch)
///     .sample_type(SampleType::BatchResult)
///     .search("report")
///     .stream()
///     .try_collect()
///     .await?;
/// println!("{files:?}");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct ListRequest {
    client: Client,
    page: u32,
    page_size: u32,
    include_total: Option<bool>,
    sample_types: Vec<SampleType>,
    sources: Vec<Source>,
    search: Option<String>,
    purpose: Option<FilePurpose>,
    mimetypes: Vec<String>,
    prefetch: usize,
}

/// The default page size, 100 (the service's default).
///
/// ```
/// assert_eq!(mistral_files::DEFAULT_PAGE_SIZE, 100);
/// ```
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// The default ceiling of a listing stream's adaptive window of page requests in flight, 16
/// (see [`ListRequest::prefetch`]).
///
/// ```
/// assert_eq!(mistral_files::DEFAULT_PREFETCH, 16);
/// ```
pub const DEFAULT_PREFETCH: usize = 16;

/// The most page requests a listing stream may keep in flight: more would hold that many pages
/// in memory and press the service's rate limits for little gain.
const MAX_PREFETCH: usize = 64;

impl Client {
    /// Start a listing request.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let page = client.list().page_size(20).send().await?;
    /// for f in &page.data { println!("{} {}", f.id, f.filename); }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListRequest {
        ListRequest {
            client: self.clone(),
            page: 0,
            page_size: DEFAULT_PAGE_SIZE,
            include_total: None,
            sample_types: Vec::new(),
            sources: Vec::new(),
            search: None,
            purpose: None,
            mimetypes: Vec::new(),
            prefetch: DEFAULT_PREFETCH,
        }
    }
}

impl ListRequest {
    /// The client the request is made with.
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// The same listing, its page requests passing through `gate` (shared with what follows
    /// the listing: a bulk run goes on at the pace its listing learned) instead of a gate of its
    /// own.
    pub(crate) fn through_gate(mut self, gate: Arc<Gate>) -> Self {
        self.client = self.client.with_gate(gate);
        self
    }

    /// The page to fetch (0-based; for [`stream`](Self::stream), the page to start at).
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// let second = c.list().page(1).send().await?;
    /// println!("{second:?}");
    /// # Ok(()) }
    /// ```
    pub fn page(mut self, page: u32) -> Self {
        self.page = page;
        self
    }

    /// Files per page (1 or more; default 100).
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// let p = c.list().page_size(10).send().await?;
    /// println!("{p:?}");
    /// # Ok(()) }
    /// ```
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n;
        self
    }

    /// Whether the service should count the total (its default: yes).
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// let p = c.list().include_total(false).send().await?;
    /// assert!(p.total.is_none() || true);
    /// # Ok(()) }
    /// ```
    pub fn include_total(mut self, yes: bool) -> Self {
        self.include_total = Some(yes);
        self
    }

    /// Only files of this purpose.
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// let p = c.list().purpose(mistral_files::FilePurpose::FineTune).send().await?;
    /// println!("{p:?}");
    /// # Ok(()) }
    /// ```
    pub fn purpose(mut self, purpose: impl Into<FilePurpose>) -> Self {
        self.purpose = Some(purpose.into());
        self
    }

    /// Add a sample type to match (several are OR-ed; sent as repeated `sample_type` keys).
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// use mistral_files::SampleType;
    /// let p = c.list().sample_type(SampleType::Instruct).sample_type(SampleType::Pretrain).send().await?;
    /// println!("{p:?}");
    /// # Ok(()) }
    /// ```
    pub fn sample_type(mut self, t: SampleType) -> Self {
        self.sample_types.push(t);
        self
    }

    /// Add several sample types.
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// use mistral_files::SampleType;
    /// let p = c.list().sample_types([SampleType::BatchResult, SampleType::BatchError]).send().await?;
    /// println!("{p:?}");
    /// # Ok(()) }
    /// ```
    pub fn sample_types(mut self, ts: impl IntoIterator<Item = SampleType>) -> Self {
        self.sample_types.extend(ts);
        self
    }

    /// Add a source to match (repeated `source` keys).
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// let p = c.list().source(mistral_files::Source::Upload).send().await?;
    /// println!("{p:?}");
    /// # Ok(()) }
    /// ```
    pub fn source(mut self, s: Source) -> Self {
        self.sources.push(s);
        self
    }

    /// Add several sources.
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// use mistral_files::Source;
    /// let p = c.list().sources([Source::Upload, Source::Mistral]).send().await?;
    /// println!("{p:?}");
    /// # Ok(()) }
    /// ```
    pub fn sources(mut self, ss: impl IntoIterator<Item = Source>) -> Self {
        self.sources.extend(ss);
        self
    }

    /// Free-text search on file names.
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// let p = c.list().search("train").send().await?;
    /// println!("{p:?}");
    /// # Ok(()) }
    /// ```
    pub fn search(mut self, q: impl Into<String>) -> Self {
        self.search = Some(q.into());
        self
    }

    /// Add a MIME type to match (repeated `mimetypes` keys).
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// let p = c.list().mimetype("application/pdf").send().await?;
    /// println!("{p:?}");
    /// # Ok(()) }
    /// ```
    pub fn mimetype(mut self, m: impl Into<String>) -> Self {
        self.mimetypes.push(m.into());
        self
    }

    /// Add several MIME types.
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// let p = c.list().mimetypes(["image/png", "image/jpeg"]).send().await?;
    /// println!("{p:?}");
    /// # Ok(()) }
    /// ```
    pub fn mimetypes<S: Into<String>>(mut self, ms: impl IntoIterator<Item = S>) -> Self {
        self.mimetypes.extend(ms.into_iter().map(Into::into));
        self
    }

    /// The most page requests [`stream`](Self::stream) keeps in flight once the total is known
    /// (1 to 64; default [`DEFAULT_PREFETCH`], 16): the ceiling of its adaptive window
    /// ([`Concurrency::adaptive`](crate::Concurrency::adaptive)), which starts at 4 (or this, if
    /// lower), grows while pages come back fast and shrinks when the service slows down or
    /// refuses (`429`, `503`). `1` requests one page after another, each when the files of the
    /// previous one are used up. `0` or more than 64 is an [`Error::InvalidInput`], the stream's
    /// first item. Ignored by [`send`](Self::send).
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let files: Vec<_> = c.list().page_size(100).prefetch(8).stream().try_collect().await?;
    /// println!("{files:?}");
    /// # Ok(()) }
    /// ```
    pub fn prefetch(mut self, n: usize) -> Self {
        self.prefetch = n;
        self
    }

    fn check(&self) -> Result<()> {
        if self.page_size == 0 {
            return Err(Error::invalid("page size", "it must be at least 1"));
        }
        if self.page_size > 10_000 {
            return Err(Error::invalid(
                "page size",
                format!("{} is too large; use at most 10000", self.page_size),
            ));
        }
        Ok(())
    }

    async fn fetch(&self, page: u32) -> Result<FilePage> {
        self.fetch_with(page, self.include_total).await
    }

    async fn fetch_with(&self, page: u32, include_total: Option<bool>) -> Result<FilePage> {
        self.check()?;
        let client = &self.client;
        let call = Call::api("list", "GET", "/v1/files", RetryClass::Idempotent);
        let out = client
            .call(call, |attempt| async move {
                let mut b = attempt
                    .raw()
                    .list_files()
                    .page(i64::from(page))
                    .page_size(i64::from(self.page_size));
                if let Some(t) = include_total {
                    b = b.include_total(t);
                }
                if !self.sample_types.is_empty() {
                    b = b.sample_type(self.sample_types.clone());
                }
                if !self.sources.is_empty() {
                    b = b.source(self.sources.clone());
                }
                if let Some(s) = &self.search {
                    b = b.search(s.clone());
                }
                if let Some(p) = &self.purpose {
                    b = b.purpose(p.clone());
                }
                if !self.mimetypes.is_empty() {
                    b = b.mimetypes(self.mimetypes.clone());
                }
                Ok(answered(b.send().await?))
            })
            .await?;
        let total = out.total.and_then(|t| u64::try_from(t).ok());
        let data = out.data.into_iter().map(FileObject::from).collect();
        Ok(FilePage {
            data,
            total,
            page,
            page_size: self.page_size,
        })
    }

    /// Fetch one page.
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// let page = c.list().send().await?;
    /// println!("{page:?}");
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<FilePage> {
        self.fetch(self.page).await
    }

    /// Every matching file, page after page, fetched lazily. Ends after a short or empty page, or
    /// when the reported total is reached. An error ends the stream after being yielded.
    ///
    /// Unless [`include_total`](Self::include_total) was set, the total is asked for with the
    /// first page only: counting every matching file again for each page is work the service
    /// need not do (listing is not a snapshot either way).
    ///
    /// **Prefetching.** The first page is fetched alone. Once a total is known, several page
    /// requests are in flight at once, never for a page past the total; the files still come
    /// strictly in page order. How many is adaptive: 4 at first, doubling per round trip while
    /// the answers stay fast, up to [`prefetch`](Self::prefetch) (default 16); fewer when the
    /// answers slow down or the service refuses with `429` or `503` (see
    /// [`Concurrency`](crate::Concurrency)). Without a total
    /// (`include_total(false)`, or a service that sends none) pages are fetched one after another.
    /// Requests progress while the stream is polled: they are futures of the stream, nothing is
    /// spawned, so dropping the stream cancels them. At most `prefetch` pages are held besides the
    /// one being yielded. A short or empty page, or an error, drops the requests for later pages;
    /// the files of the pages before an error are yielded first. Each page request is retried on
    /// its own, by the client's [`RetryPolicy`](crate::RetryPolicy).
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let mut files = std::pin::pin!(c.list().stream());
    /// while let Some(file) = files.try_next().await? { println!("{}", file.filename); }
    /// # Ok(()) }
    /// ```
    pub fn stream(&self) -> impl Stream<Item = Result<FileObject>> + Send + 'static {
        self.clone().into_stream()
    }

    /// Like [`stream`](Self::stream), consuming the request.
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let n = c.list().into_stream().try_fold(0u64, |n, _| async move { Ok(n + 1) }).await?;
    /// println!("{n:?}");
    /// # Ok(()) }
    /// ```
    pub fn into_stream(self) -> impl Stream<Item = Result<FileObject>> + Send + 'static {
        stream::files(self)
    }
}
