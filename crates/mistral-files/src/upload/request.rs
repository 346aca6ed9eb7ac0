//! The public side of an upload: [`UploadRequest`], its options, and
//! [`send`](UploadRequest::send) as three named steps: the local checks, the form, the request.
//!
//! The steps are kept apart so that each can be read (and changed) alone, and so that no
//! request is made before every check has passed.

use std::future::{Future, IntoFuture};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use mistral_files_raw::types::UploadedFile;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use tokio::io::AsyncRead;

use super::body::Body;
use super::checks;
use super::data::UploadData;
use super::form::Form;
use super::reconcile::{self, Ledger, Wanted};
use crate::by_id::whole_hours;
use crate::client::Client;
use crate::error::from_raw::{self, decode_json};
use crate::error::{Error, Result};
use crate::exec::{record_status, Attempt, Call, Failure};
use crate::progress::{Progress, ProgressFn};
use crate::types::{FileObject, FilePurpose, FileVisibility};

/// An upload: set options, then `.await` it (or call [`send`](Self::send)).
///
/// Checks run before any request (none reads the file but the opt-in last): the file exists and
/// is a regular file, is not empty, is within the size limit, has a usable name, its type (by
/// the name's extension, else the content type) is one the purpose accepts (`fine-tune` and
/// `batch` take `.jsonl`, and so do files sent without a purpose: the service checks those as
/// fine-tuning data; `ocr` documents and images; `audio` audio), the expiry is whole hours, and
/// (opt-in) every line is a JSON object.
///
/// ```no_run
/// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
/// use std::time::Duration;
/// use mistral_files::{FilePurpose, FileVisibility};
/// let file = client
///     .upload_path("train.jsonl")
///     .purpose(FilePurpose::FineTune)
///     .file_name("train-v2.jsonl")
///     .expiry(Duration::from_secs(48 * 3600))
///     .visibility(FileVisibility::User)
///     .validate_jsonl(true)
///     .on_progress(|p| eprintln!("{}/{:?}", p.bytes_done, p.total))
///     .await?;
/// println!("{}", file.id);
/// # Ok(()) }
/// ```
#[must_use = "an upload does nothing until awaited"]
pub struct UploadRequest {
    client: Client,
    body: Body,
    purpose: Option<FilePurpose>,
    expiry: Option<Duration>,
    visibility: Option<FileVisibility>,
    content_type: Option<String>,
    validate_jsonl: bool,
    progress: Option<ProgressFn>,
}

impl Client {
    /// Upload a file from disk, streamed (never read whole into memory) with a known length. The
    /// stored name defaults to the path's file name. Retried on transient failures (the file is
    /// re-read from the start).
    ///
    /// **Exactly once.** When an attempt's answer is lost after its body was sent (the
    /// connection dropped, a timeout, a 5xx other than 503, an answer that cannot be decoded),
    /// the service may have stored the file. Before sending it again, and before reporting a
    /// failure, the client looks for it: a listing by name (`search`) and purpose, kept to the
    /// files of exactly that name and size created since the send began (less 30 s for the
    /// clocks' difference). One found: it is the upload's result (logged at debug level).
    /// None: the upload is sent again, or fails if no attempt is left. Several (two identical
    /// uploads in flight at once): nothing is sent again, and the upload fails with
    /// [`Error::UploadOutcomeUnknown`](crate::Error::UploadOutcomeUnknown) naming them; so it
    /// does when the listing itself fails. With [`RetryPolicy::disabled`](crate::RetryPolicy::disabled)
    /// no lookup is made: one request, and its error as it is. Uploads of [`upload_bytes`](Self::upload_bytes) and
    /// [`upload_reader`](Self::upload_reader) follow the same rule (a reader is looked for but
    /// never resent).
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let file = client.upload_path("batch.jsonl").purpose(mistral_files::FilePurpose::Batch).await?;
    /// # let _ = file; Ok(()) }
    /// ```
    pub fn upload_path(&self, path: impl AsRef<Path>) -> UploadRequest {
        self.new_upload(Body::Path {
            path: path.as_ref().to_path_buf(),
            name: None,
        })
    }

    /// Upload bytes held in memory, under the given file name. Retried on transient failures.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let file = client.upload_bytes("note.jsonl", b"{\"a\":1}\n").purpose("batch").await?;
    /// println!("{file:?}");
    /// # Ok(()) }
    /// ```
    pub fn upload_bytes(
        &self,
        file_name: impl Into<String>,
        data: impl Into<UploadData>,
    ) -> UploadRequest {
        self.new_upload(Body::Bytes {
            name: file_name.into(),
            data: data.into().0,
        })
    }

    /// Upload from a reader that yields exactly `len` bytes, under the given file name. A reader
    /// cannot be rewound, so this upload is never retried.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let data: &'static [u8] = b"{\"a\":1}\n";
    /// let file = client.upload_reader("a.jsonl", data, data.len() as u64).await?;
    /// # let _ = file; Ok(()) }
    /// ```
    pub fn upload_reader(
        &self,
        file_name: impl Into<String>,
        reader: impl AsyncRead + Send + Unpin + 'static,
        len: u64,
    ) -> UploadRequest {
        self.new_upload(Body::reader(file_name.into(), Box::new(reader), len))
    }

    fn new_upload(&self, body: Body) -> UploadRequest {
        UploadRequest {
            client: self.clone(),
            body,
            purpose: None,
            expiry: None,
            visibility: None,
            content_type: None,
            validate_jsonl: false,
            progress: None,
        }
    }
}

impl UploadRequest {
    /// The name the service stores (default: the path's file name). Quotes, CR/LF and non-ASCII
    /// characters are allowed; `/`, `\`, NUL and names over 255 bytes are not.
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// c.upload_path("/tmp/x.jsonl").file_name("données \"v2\".jsonl").await?;
    /// # Ok(()) }
    /// ```
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.body.set_name(name.into());
        self
    }

    /// The file's purpose (`purpose` form field): a [`FilePurpose`] or its wire name (`"batch"`). Without one, the service checks the file as
    /// fine-tuning data (JSONL), so the name must end in `.jsonl`, as for
    /// [`FilePurpose::FineTune`] ([`Error::FineTuneRequiresJsonl`](crate::Error::FineTuneRequiresJsonl)
    /// before any request otherwise).
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// c.upload_path("doc.pdf").purpose(mistral_files::FilePurpose::Ocr).await?;
    /// c.upload_path("requests.jsonl").purpose("batch").await?; // the same as FilePurpose::Batch
    /// # Ok(()) }
    /// ```
    pub fn purpose(mut self, purpose: impl Into<FilePurpose>) -> Self {
        self.purpose = Some(purpose.into());
        self
    }

    /// How long the service keeps the file, in whole hours (`expiry` form field). Zero, sub-hour
    /// and fractional-hour durations are an error, not rounded.
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// c.upload_path("b.jsonl").expiry(std::time::Duration::from_secs(24 * 3600)).await?;
    /// # Ok(()) }
    /// ```
    pub fn expiry(mut self, d: Duration) -> Self {
        self.expiry = Some(d);
        self
    }

    /// Who can see the file (`visibility` form field; the service defaults to `workspace`).
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// c.upload_path("b.jsonl").visibility(mistral_files::FileVisibility::User).await?;
    /// # Ok(()) }
    /// ```
    pub fn visibility(mut self, v: impl Into<FileVisibility>) -> Self {
        self.visibility = Some(v.into());
        self
    }

    /// The file part's `Content-Type` (default: guessed from the file name's extension,
    /// `application/octet-stream` when unknown).
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// c.upload_path("scan.bin").content_type("image/png").await?;
    /// # Ok(()) }
    /// ```
    pub fn content_type(mut self, mime: impl Into<String>) -> Self {
        self.content_type = Some(mime.into());
        self
    }

    /// Before sending, read the whole file and check that every line is a JSON object, reporting
    /// the first bad line ([`Error::InvalidJsonl`](crate::Error::InvalidJsonl)). Streams the file (bounded memory). Not
    /// available for [`upload_reader`](Client::upload_reader) sources.
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// c.upload_path("train.jsonl").validate_jsonl(true).await?;
    /// # Ok(()) }
    /// ```
    pub fn validate_jsonl(mut self, yes: bool) -> Self {
        self.validate_jsonl = yes;
        self
    }

    /// Report progress (file bytes sent / total) to a callback.
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// c.upload_path("b.jsonl").on_progress(|p| println!("{:?}", p.fraction())).await?;
    /// # Ok(()) }
    /// ```
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Run the checks and send the upload.
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// let file = c.upload_path("b.jsonl").send().await?;
    /// # let _ = file; Ok(()) }
    /// ```
    pub async fn send(self) -> Result<FileObject> {
        let checked = self.check().await?;
        let form = self.form(&checked);
        self.post(&form, &checked).await
    }

    /// Every check that needs no request, in the order their errors take precedence; the
    /// name, size and content type they settle.
    async fn check(&self) -> Result<Checked> {
        let name = self.body.name()?;
        checks::check_file_name(&name)?;
        let size = self.body.size().await?;
        checks::check_size(&name, size, self.client.inner.max_upload_bytes)?;
        let mime = checks::content_type(self.content_type.clone(), &name)?;
        // Without a purpose the service checks the file as fine-tuning data: same rule.
        checks::check_format(&name, self.purpose.as_ref(), &mime)?;
        let expiry_hours = self.expiry.map(|d| whole_hours("expiry", d)).transpose()?;
        if self.validate_jsonl {
            checks::check_jsonl(&self.body, &name).await?;
        }
        Ok(Checked {
            name,
            size,
            expiry_hours,
            mime,
        })
    }

    /// The form: the text fields that are set first, the file last.
    fn form(&self, checked: &Checked) -> Form {
        let expiry = checked.expiry_hours.map(|h| h.to_string());
        let fields = [
            ("purpose", self.purpose.as_ref().map(FilePurpose::as_str)),
            ("expiry", expiry.as_deref()),
            (
                "visibility",
                self.visibility.as_ref().map(FileVisibility::as_str),
            ),
        ];
        Form::new(&fields, &checked.name, &checked.mime)
    }

    /// Send the form around the checked content, retried as the source allows; each attempt
    /// reads the content again from the start. An attempt whose outcome is unknown is settled
    /// (`reconcile`) before the next one sends anything, and at the end when none is left.
    async fn post(&self, form: &Form, checked: &Checked) -> Result<FileObject> {
        let wanted = Wanted {
            name: checked.name.clone(),
            size: checked.size,
            purpose: self.purpose.clone().unwrap_or(FilePurpose::FineTune),
        };
        let ledger = Ledger::default();
        let call = Call::api("upload", "POST", "/v1/files", self.body.retry_class());
        let (wanted, ledger) = (&wanted, &ledger);
        let sent = self
            .client
            .call(call, |attempt| async move {
                if let Some(file) = reconcile::settle(&self.client, wanted, ledger).await? {
                    return Ok(file);
                }
                ledger.sending();
                let outcome = match self.attempt(&attempt, form, checked.size).await {
                    Err(Failure::Raw(e)) => Err(from_raw::map("upload", *e).await),
                    Err(Failure::Ours(e)) => Err(e),
                    Ok(out) => Ok(FileObject::from(out)),
                };
                if !outcome.as_ref().is_err_and(Error::leaves_upload_unsettled) {
                    ledger.settled();
                }
                Ok(outcome?)
            })
            .await;
        match sent {
            // With retries off, one request and its error as it is: no lookup either.
            Err(e) if ledger.unsettled_since().is_some() && self.looks_for_lost_uploads() => {
                match reconcile::settle(&self.client, wanted, ledger).await {
                    Ok(Some(file)) => Ok(file),
                    // nothing was stored: the upload failed as its last attempt did
                    Ok(None) => Err(e),
                    Err(unknown @ Error::UploadOutcomeUnknown { .. }) => Err(unknown),
                    Err(listing) => Err(Error::UploadOutcomeUnknown {
                        name: wanted.name.clone(),
                        candidates: Vec::new(),
                        source: Box::new(listing),
                    }),
                }
            }
            other => other,
        }
    }

    /// Whether an upload whose answer was lost is looked for: not with retries off, which
    /// promise one request.
    fn looks_for_lost_uploads(&self) -> bool {
        self.client.inner.retry.max_attempts() > 1
    }

    /// One attempt: the form around `size` bytes of content, read afresh, sent and decoded.
    async fn attempt(
        &self,
        attempt: &Attempt,
        form: &Form,
        size: u64,
    ) -> std::result::Result<UploadedFile, Failure> {
        let total_len = form.total_len(size);
        let content = self.body.content(size, self.progress.clone()).await?;
        let stream = stream::iter([Ok::<Bytes, std::io::Error>(form.head.clone())])
            .chain(content)
            .chain(stream::iter([Ok(form.tail.clone())]));
        let request = attempt
            .raw()
            .request(reqwest::Method::POST, "/v1/files")
            .header(CONTENT_TYPE, form.content_type.clone())
            .header(CONTENT_LENGTH, total_len)
            .body(reqwest::Body::wrap_stream(stream))
            .build()?;
        let response = attempt.raw().execute(request, "upload_file").await?;
        let status = response.status();
        record_status(status);
        let body = response.bytes().await?;
        Ok(decode_json("upload", status, body)?)
    }
}

/// What the local checks settled, for the form and the request.
struct Checked {
    /// The name the file is stored under.
    name: String,
    /// The content's length.
    size: u64,
    /// The expiry, in whole hours, if one was set.
    expiry_hours: Option<u64>,
    /// The file part's `Content-Type`.
    mime: String,
}

impl IntoFuture for UploadRequest {
    type Output = Result<FileObject>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<FileObject>> + Send>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
