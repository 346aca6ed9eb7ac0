//! Uploads: [`UploadRequest`], built by hand as a streamed `multipart/form-data` body.

use std::future::{Future, IntoFuture};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::stream::{self, Stream, StreamExt};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ops::whole_hours;
use crate::progress::{Progress, ProgressFn};
use crate::retry::RetryClass;
use crate::types::{FileObject, FilePurpose, FileVisibility};

/// Read chunk size for streamed uploads (256 KiB: large chunks are most of upload speed).
pub(crate) const UPLOAD_CHUNK: usize = 256 * 1024;
/// The longest file name accepted, in bytes.
///
/// ```
/// assert_eq!(mistral_files::MAX_FILE_NAME_BYTES, 255);
/// ```
pub const MAX_FILE_NAME_BYTES: usize = 255;

type BoxReader = Box<dyn AsyncRead + Send + Unpin>;

enum Body {
    Path(PathBuf),
    Bytes(Bytes),
    Reader(Arc<Mutex<Option<BoxReader>>>, u64),
}

/// An upload: set options, then `.await` it (or call [`send`](Self::send)).
///
/// Checks run before any request: the file exists and is a regular file, is not empty, is within
/// the size limit, has a usable name, `fine-tune` files end in `.jsonl`, the expiry is whole hours,
/// and (opt-in) every line is a JSON object.
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
    file_name: Option<String>,
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
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let file = client.upload_path("batch.jsonl").purpose(mistral_files::FilePurpose::Batch).await?;
    /// # let _ = file; Ok(()) }
    /// ```
    pub fn upload_path(&self, path: impl AsRef<Path>) -> UploadRequest {
        self.new_upload(Body::Path(path.as_ref().to_path_buf()), None)
    }

    /// Upload bytes held in memory, under the given file name. Retried on transient failures.
    ///
    /// ```no_run
    /// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
    /// let file = client.upload_bytes("note.jsonl", b"{\"a\":1}\n".to_vec()).await?;
    /// # let _ = file; Ok(()) }
    /// ```
    pub fn upload_bytes(
        &self,
        file_name: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> UploadRequest {
        self.new_upload(Body::Bytes(data.into()), Some(file_name.into()))
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
        let r: BoxReader = Box::new(reader);
        self.new_upload(
            Body::Reader(Arc::new(Mutex::new(Some(r))), len),
            Some(file_name.into()),
        )
    }

    fn new_upload(&self, body: Body, file_name: Option<String>) -> UploadRequest {
        UploadRequest {
            client: self.clone(),
            body,
            file_name,
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
        self.file_name = Some(name.into());
        self
    }

    /// The file's purpose (`purpose` form field).
    ///
    /// ```no_run
    /// # async fn f(c: mistral_files::Client) -> mistral_files::Result<()> {
    /// c.upload_path("doc.pdf").purpose(mistral_files::FilePurpose::Ocr).await?;
    /// # Ok(()) }
    /// ```
    pub fn purpose(mut self, purpose: FilePurpose) -> Self {
        self.purpose = Some(purpose);
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
    pub fn visibility(mut self, v: FileVisibility) -> Self {
        self.visibility = Some(v);
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
    /// the first bad line ([`Error::InvalidJsonl`]). Streams the file (bounded memory). Not
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
        let UploadRequest {
            client,
            body,
            file_name,
            purpose,
            expiry,
            visibility,
            content_type,
            validate_jsonl,
            progress,
        } = self;

        // File name.
        let name = match (&file_name, &body) {
            (Some(n), _) => n.clone(),
            (None, Body::Path(p)) => match p.file_name() {
                Some(os) => {
                    os.to_str()
                        .map(str::to_owned)
                        .ok_or_else(|| Error::InvalidFileName {
                            name: os.to_string_lossy().into_owned(),
                            reason: "it is not valid UTF-8; set a name with file_name()",
                        })?
                }
                None => return Err(Error::NotAFile { path: p.clone() }),
            },
            (None, _) => unreachable!("bytes and reader uploads always have a name"),
        };
        check_file_name(&name)?;

        // Size and kind.
        let size = match &body {
            Body::Path(p) => {
                let meta = tokio::fs::metadata(p).await.map_err(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        Error::FileNotFound { path: p.clone() }
                    } else {
                        Error::io(p, e)
                    }
                })?;
                if !meta.is_file() {
                    return Err(Error::NotAFile { path: p.clone() });
                }
                meta.len()
            }
            Body::Bytes(b) => b.len() as u64,
            Body::Reader(_, len) => *len,
        };
        if size == 0 {
            return Err(Error::EmptyFile { name });
        }
        let limit = client.inner.max_upload_bytes;
        if size > limit {
            return Err(Error::FileTooLarge { name, size, limit });
        }
        if purpose == Some(FilePurpose::FineTune) && !name.to_ascii_lowercase().ends_with(".jsonl")
        {
            return Err(Error::FineTuneRequiresJsonl { name });
        }
        let expiry_hours = expiry.map(|d| whole_hours("expiry", d)).transpose()?;
        if validate_jsonl {
            match &body {
                Body::Path(p) => {
                    let f = tokio::fs::File::open(p)
                        .await
                        .map_err(|e| Error::io(p, e))?;
                    validate_jsonl_reader(&name, f).await.map_err(|e| match e {
                        Error::Io { source, .. } => Error::io(p, source),
                        other => other,
                    })?;
                }
                Body::Bytes(b) => validate_jsonl_reader(&name, &b[..]).await?,
                Body::Reader(..) => return Err(Error::invalid(
                    "upload option",
                    "validate_jsonl needs a path or bytes source; a reader can only be read once",
                )),
            }
        }
        let mime = match content_type {
            Some(m) => m,
            None => guess_mime(&name),
        };
        if mime.bytes().any(|b| b.is_ascii_control()) {
            return Err(Error::invalid(
                "content type",
                "it contains control characters",
            ));
        }

        // The form: text fields first, the file last.
        let boundary = format!("mistral-files-{:032x}", rand::random::<u128>());
        let mut pre = BytesMut::new();
        let mut field = |n: &str, v: &str| {
            pre.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        };
        if let Some(p) = &purpose {
            field("purpose", p.as_str());
        }
        if let Some(h) = expiry_hours {
            field("expiry", &h.to_string());
        }
        if let Some(v) = &visibility {
            field("visibility", v.as_str());
        }
        pre.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; {}\r\nContent-Type: {mime}\r\n\r\n",
                filename_params(&name)
            )
            .as_bytes(),
        );
        let pre = pre.freeze();
        let epi = Bytes::from(format!("\r\n--{boundary}--\r\n"));
        let total_len = pre.len() as u64 + size + epi.len() as u64;
        let content_type = format!("multipart/form-data; boundary={boundary}");

        let class = match body {
            Body::Reader(..) => RetryClass::Never,
            _ => RetryClass::Upload,
        };
        let body = Arc::new(body);
        let out: mistral_files_raw::types::UploadedFile = client
            .with_retry("POST", "/v1/files", class, |_attempt| {
                let (pre, epi, body, progress, client) = (
                    pre.clone(),
                    epi.clone(),
                    body.clone(),
                    progress.clone(),
                    client.clone(),
                );
                let content_type = content_type.clone();
                async move {
                    let content = content_stream(&body, size, progress).await?;
                    let stream = stream::iter([Ok::<Bytes, std::io::Error>(pre)])
                        .chain(content)
                        .chain(stream::iter([Ok(epi)]));
                    let rb = client
                        .api_request(reqwest::Method::POST, "/v1/files")?
                        .header(CONTENT_TYPE, content_type)
                        .header(CONTENT_LENGTH, total_len)
                        .body(reqwest::Body::wrap_stream(stream));
                    Client::send_json("upload", rb).await
                }
            })
            .await?;
        Ok(out.into())
    }
}

impl IntoFuture for UploadRequest {
    type Output = Result<FileObject>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<FileObject>> + Send>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

type ContentStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// The file content for one attempt, exactly `size` bytes, reporting progress.
async fn content_stream(
    body: &Body,
    size: u64,
    progress: Option<ProgressFn>,
) -> Result<ContentStream> {
    let raw: ContentStream = match body {
        Body::Path(p) => {
            let f = tokio::fs::File::open(p)
                .await
                .map_err(|e| Error::io(p, e))?;
            Box::pin(exact_len(file_chunks(f.into_std().await, size), size))
        }
        Body::Bytes(b) => {
            // Hand big buffers over in large slices (cheap clones of the same allocation).
            let b = b.clone();
            let chunks: Vec<std::io::Result<Bytes>> = (0..b.len())
                .step_by(UPLOAD_CHUNK)
                .map(|i| Ok(b.slice(i..(i + UPLOAD_CHUNK).min(b.len()))))
                .collect();
            Box::pin(stream::iter(chunks))
        }
        Body::Reader(slot, _) => {
            let r = slot
                .lock()
                .expect("reader slot poisoned")
                .take()
                .ok_or_else(|| {
                    Error::invalid(
                        "upload source",
                        "the reader was already consumed by an earlier attempt",
                    )
                })?;
            Box::pin(exact_len(
                tokio_util::io::ReaderStream::with_capacity(r.take(size), UPLOAD_CHUNK),
                size,
            ))
        }
    };
    let Some(cb) = progress else { return Ok(raw) };
    cb(Progress {
        bytes_done: 0,
        total: Some(size),
    });
    let mut done = 0u64;
    Ok(Box::pin(raw.map(move |c| {
        if let Ok(b) = &c {
            done += b.len() as u64;
            cb(Progress {
                bytes_done: done,
                total: Some(size),
            });
        }
        c
    })))
}

/// Chunks in flight between the reader thread of a path upload and the HTTP body.
const READ_AHEAD: usize = 2;

/// Up to `size` bytes of `file` in `UPLOAD_CHUNK` pieces, read on one blocking thread that stays
/// [`READ_AHEAD`] chunks ahead of the network (one thread per upload rather than a blocking-pool
/// hop and a copy per chunk, as `tokio::fs::File` would do).
fn file_chunks(
    file: std::fs::File,
    size: u64,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(READ_AHEAD);
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut file = file.take(size);
        loop {
            let mut buf = BytesMut::zeroed(UPLOAD_CHUNK);
            let mut filled = 0;
            let res = loop {
                match file.read(&mut buf[filled..]) {
                    Ok(0) => break Ok(()),
                    Ok(n) => {
                        filled += n;
                        if filled == buf.len() {
                            break Ok(());
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => break Err(e),
                }
            };
            let item = match res {
                Ok(()) if filled == 0 => return,
                Ok(()) => {
                    buf.truncate(filled);
                    Ok(buf.freeze())
                }
                Err(e) => Err(e),
            };
            let stop = item.is_err() || filled < UPLOAD_CHUNK;
            // The receiver is gone when the request was dropped: stop reading.
            if tx.blocking_send(item).is_err() || stop {
                return;
            }
        }
    });
    stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}

/// Fail the stream if it ends before `size` bytes (a file that shrank, a short reader), rather than
/// send a truncated body.
fn exact_len(
    s: impl Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    size: u64,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let mut seen = 0u64;
    s.map(Some)
        .chain(stream::iter([None]))
        .filter_map(move |item| {
            let out = match item {
                Some(Ok(b)) => {
                    seen += b.len() as u64;
                    Some(Ok(b))
                }
                Some(Err(e)) => Some(Err(e)),
                None if seen < size => Some(Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("the upload source ended after {seen} of {size} bytes"),
                ))),
                None => None,
            };
            std::future::ready(out)
        })
}

fn guess_mime(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".jsonl") {
        return "application/jsonl".to_string();
    }
    mime_guess::from_path(name)
        .first_or_octet_stream()
        .essence_str()
        .to_string()
}

/// Check a file name before it goes into the form.
pub(crate) fn check_file_name(name: &str) -> Result<()> {
    let bad = |reason| {
        let mut shown: String = name.chars().take(80).collect();
        if name.chars().count() > 80 {
            shown.push('…');
        }
        Err(Error::InvalidFileName {
            name: shown,
            reason,
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.len() > MAX_FILE_NAME_BYTES {
        return bad("it is longer than 255 bytes");
    }
    if name.contains('/') || name.contains('\\') {
        return bad("it contains a path separator; give a bare file name");
    }
    if name.contains('\0') {
        return bad("it contains a NUL character");
    }
    if name == "." || name == ".." {
        return bad("it is a relative path component");
    }
    Ok(())
}

/// The `filename` parameters of the file part. Plain names go as `filename="name"`. Others get
/// both forms: `filename="…"` encoded as RFC 7578 §4.2 and browsers do (for servers that only
/// read that one), then `filename*=UTF-8''…` (RFC 5987), which python-multipart (the parser behind
/// the service) prefers and which carries quotes, CR/LF and non-ASCII characters exactly.
pub(crate) fn filename_params(name: &str) -> String {
    let plain = name
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'%');
    if plain {
        return format!("filename=\"{name}\"");
    }
    let mut ext = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            ext.push(b as char);
        } else {
            ext.push_str(&format!("%{b:02X}"));
        }
    }
    format!(
        "filename=\"{}\"; filename*=UTF-8''{ext}",
        encode_filename(name)
    )
}

/// Encode a file name for a `filename="…"` parameter the way RFC 7578 (§4.2) and browsers do:
/// `"` as `%22`, CR as `%0D`, LF as `%0A` (and other control characters likewise); everything
/// else, non-ASCII included, is sent as UTF-8.
pub(crate) fn encode_filename(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '"' => out.push_str("%22"),
            c if c.is_ascii_control() => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Stream a JSONL source and fail at the first line that is not a JSON object.
pub(crate) async fn validate_jsonl_reader(name: &str, r: impl AsyncRead + Unpin) -> Result<()> {
    const MAX_LINE: usize = 64 * 1024 * 1024;
    let mut reader = BufReader::with_capacity(UPLOAD_CHUNK, r);
    let mut line = Vec::new();
    let mut n = 0u64;
    let mut pending_blank: Option<u64> = None;
    let bad = |line: u64, message: String| Error::InvalidJsonl {
        name: name.to_string(),
        line,
        message,
    };
    loop {
        line.clear();
        let read = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .await
            .map_err(|e| Error::io(name, e))?;
        if read == 0 {
            return Ok(());
        }
        n += 1;
        if line.len() > MAX_LINE {
            return Err(bad(n, "the line is longer than 64 MiB".into()));
        }
        let mut content: &[u8] = &line;
        if content.last() == Some(&b'\n') {
            content = &content[..content.len() - 1];
        }
        if content.last() == Some(&b'\r') {
            content = &content[..content.len() - 1];
        }
        if content.iter().all(u8::is_ascii_whitespace) {
            pending_blank.get_or_insert(n);
            continue;
        }
        if let Some(b) = pending_blank {
            return Err(bad(b, "empty line".into()));
        }
        let first = content.iter().find(|c| !c.is_ascii_whitespace());
        if first != Some(&b'{') {
            return Err(bad(
                n,
                "expected a JSON object (a line starting with '{')".into(),
            ));
        }
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(content) {
            return Err(bad(n, e.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jsonl_validation() {
        validate_jsonl_reader("a", &b"{\"a\":1}\n{\"b\":[1,2]}\r\n"[..])
            .await
            .unwrap();
        validate_jsonl_reader("a", &b"{\"a\":1}"[..]).await.unwrap();
        validate_jsonl_reader("a", &b"{\"a\":1}\n\n"[..])
            .await
            .unwrap();
        let e = validate_jsonl_reader("a", &b"{\"a\":1}\n{\"a\":\n{}\n"[..])
            .await
            .unwrap_err();
        assert!(matches!(e, Error::InvalidJsonl { line: 2, .. }), "{e:?}");
        let e = validate_jsonl_reader("a", &b"{}\n\n{}\n"[..])
            .await
            .unwrap_err();
        assert!(matches!(e, Error::InvalidJsonl { line: 2, .. }), "{e:?}");
        let e = validate_jsonl_reader("a", &b"{}\n[1]\n"[..])
            .await
            .unwrap_err();
        assert!(matches!(e, Error::InvalidJsonl { line: 2, .. }), "{e:?}");
        let e = validate_jsonl_reader("a", &b"{} {}\n"[..])
            .await
            .unwrap_err();
        assert!(matches!(e, Error::InvalidJsonl { line: 1, .. }), "{e:?}");
    }

    #[test]
    fn filename_encoding() {
        assert_eq!(encode_filename("a\"b\r\nc.jsonl"), "a%22b%0D%0Ac.jsonl");
        assert_eq!(encode_filename("données.jsonl"), "données.jsonl");
        assert_eq!(filename_params("a b.jsonl"), "filename=\"a b.jsonl\"");
        assert_eq!(
            filename_params("é\".jsonl"),
            "filename=\"é%22.jsonl\"; filename*=UTF-8''%C3%A9%22.jsonl"
        );
        assert!(check_file_name("a/b").is_err());
        assert!(check_file_name("..").is_err());
        assert!(check_file_name("").is_err());
        assert!(check_file_name(&"x".repeat(256)).is_err());
        assert!(check_file_name("q\"uote\r\n.jsonl").is_ok());
    }

    #[test]
    fn mime() {
        assert_eq!(guess_mime("a.jsonl"), "application/jsonl");
        assert_eq!(guess_mime("a.pdf"), "application/pdf");
        assert_eq!(guess_mime("a.unknownext"), "application/octet-stream");
    }
}
