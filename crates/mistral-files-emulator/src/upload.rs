//! `POST /v1/files`: a multipart upload streamed to a temp file in 256 KiB writes (hashing and
//! line counting on the way), then committed atomically. Nothing of a file is ever held whole in
//! memory; a body cut off mid-way leaves nothing behind (the temp file is removed when the
//! handler ends or is dropped). The 256 KiB buffers come from a [`BufferPool`] shared by all
//! uploads, so their memory is bounded whatever the number of concurrent uploads.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use futures_util::FutureExt;
use mistral_files_raw::open_enums::{FilePurpose, FileVisibility, SampleType, Source};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::buffer_pool::{BufferPool, PooledBuf};
use crate::error::{json_response, ApiError};
use crate::middleware::{drain, DRAIN_CAP};
use crate::record::{FormPart, RecordSlot};
use crate::state::AppState;
use crate::store::{CommitError, FileRow, TempFile};
use crate::validation::parse_spec_enum;
use crate::validation_error::{self, Violation};
use crate::wire;

/// Bytes allowed in a request beyond the file's own limit (boundaries, headers, small fields).
pub(crate) const FORM_OVERHEAD: u64 = 4 * 1024 * 1024;
/// Largest non-file form field.
const MAX_TEXT_FIELD: usize = 64 * 1024;
/// Most parts in one form.
const MAX_PARTS: usize = 64;
/// Longest file name accepted, in characters.
pub(crate) const MAX_FILENAME_CHARS: usize = 1024;
/// Longest file lifetime accepted, in hours (10 years).
const MAX_EXPIRY_HOURS: i64 = 24 * 365 * 10;

/// Mimetypes accepted for `purpose=ocr` (documents and images).
const OCR_MIMETYPES: [&str; 10] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/avif",
    "image/webp",
    "image/gif",
    "image/tiff",
    "image/bmp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
];

/// The mimetype the emulator records: from the name's extension, else the part's own
/// `Content-Type`, else `application/octet-stream`.
pub(crate) fn mimetype_for(filename: &str, part_type: Option<&str>) -> String {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let by_ext = match ext.as_str() {
        "jsonl" => "application/jsonl",
        "json" => "application/json",
        "txt" => "text/plain",
        "md" => "text/markdown",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "avif" => "image/avif",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "tif" | "tiff" => "image/tiff",
        "bmp" => "image/bmp",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "m4a" => "audio/mp4",
        "ogg" => "audio/ogg",
        "flac" => "audio/flac",
        "zip" => "application/zip",
        _ => "",
    };
    if !by_ext.is_empty() {
        return by_ext.to_string();
    }
    match part_type {
        Some(t)
            if t.len() <= 127
                && t.contains('/')
                && t.bytes().all(|b| b.is_ascii_graphic() && b != b';') =>
        {
            t.to_ascii_lowercase()
        }
        _ => "application/octet-stream".to_string(),
    }
}

/// The sample type recorded for an uploaded file of a purpose.
pub(crate) fn sample_type_for(purpose: &FilePurpose) -> SampleType {
    match purpose {
        FilePurpose::FineTune => SampleType::Instruct,
        FilePurpose::Batch => SampleType::BatchRequest,
        // `ocr`, `audio`, and any purpose without a rule here (one the spec adds later): plain
        // data, as the service records documents and audio.
        _ => SampleType::Pretrain,
    }
}

/// Checks the purpose's accepted formats; `Err(allowed)` when refused.
fn check_format(purpose: &FilePurpose, mimetype: &str) -> Result<(), String> {
    match purpose {
        FilePurpose::FineTune | FilePurpose::Batch if mimetype != "application/jsonl" => {
            Err("application/jsonl".to_string())
        }
        FilePurpose::Ocr if !OCR_MIMETYPES.contains(&mimetype) => Err(OCR_MIMETYPES.join(", ")),
        FilePurpose::Audio if !mimetype.starts_with("audio/") => Err("audio/*".to_string()),
        // A purpose without a format rule here (one the spec adds later) accepts any file: the
        // emulator cannot know the service's rule, and refusing would reject valid uploads.
        _ => Ok(()),
    }
}

fn too_large(max: u64) -> ApiError {
    ApiError::TooLarge(format!(
        "File too large: the maximum file size is {max} bytes ({} MiB).",
        max / (1024 * 1024)
    ))
}

fn multipart_error(e: MultipartError, max: u64) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(max)
    } else {
        tracing::debug!(error = %e, "multipart body refused");
        ApiError::BadRequest("There was an error parsing the body".to_string())
    }
}

/// What streaming one part produced.
struct Streamed {
    size: u64,
    sha256: [u8; 32],
    lines: i64,
}

/// Buffers queued between the receiving task and the writer thread of one upload.
const IN_FLIGHT: usize = 2;
/// In durable mode, start writeback every this many bytes so the final fsync is short.
const WRITEBACK_EVERY: u64 = 8 * 1024 * 1024;

/// Consumes bytes on a blocking thread: hash, count lines, write, start writeback.
struct Sink {
    file: Option<std::fs::File>,
    hasher: Sha256,
    newlines: i64,
    last: Option<u8>,
    count_lines: bool,
    written: u64,
    writeback_from: Option<u64>,
}

impl Sink {
    fn consume(&mut self, buf: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        if buf.is_empty() {
            return Ok(());
        }
        self.hasher.update(buf);
        if self.count_lines {
            self.newlines += count_newlines(buf);
        }
        self.last = buf.last().copied();
        if let Some(f) = self.file.as_mut() {
            f.write_all(buf)?;
            self.written += buf.len() as u64;
            if let Some(from) = self.writeback_from {
                if self.written - from >= WRITEBACK_EVERY {
                    start_writeback(f, from, self.written - from);
                    self.writeback_from = Some(self.written);
                }
            }
        }
        Ok(())
    }
}

/// Counts `\n` bytes; written so that the compiler vectorizes it (u8 lanes, 255 at a time).
fn count_newlines(buf: &[u8]) -> i64 {
    buf.chunks(255)
        .map(|c| c.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n')) as i64)
        .sum()
}

/// Asks the kernel to start writing a range back to disk without waiting (Linux), so that
/// the fsync at the end of a large upload has little left to do.
#[cfg(target_os = "linux")]
fn start_writeback(file: &std::fs::File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
        return;
    };
    // SAFETY: a valid open file descriptor; the call only schedules writeback of its pages.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &std::fs::File, _offset: u64, _len: u64) {}

enum PartError {
    TooLarge,
    Multipart(MultipartError),
    Io(std::io::Error),
}

/// Streams one part into `temp` (or only hashes it when `temp` is `None`): the receiving task
/// fills 256 KiB buffers from `pool` and hands them to a writer on the blocking pool, so
/// receiving and hashing/writing overlap; at most [`IN_FLIGHT`] + 2 buffers are used per upload,
/// and at most the pool's size in all.
async fn stream_part(
    field: &mut Field<'_>,
    temp: Option<&mut TempFile>,
    max: u64,
    count_lines: bool,
    durable: bool,
    pool: &Arc<BufferPool>,
) -> Result<Streamed, PartError> {
    let mut temp = temp;
    let mut sink = Sink {
        file: temp.as_mut().and_then(|t| t.file.take()),
        hasher: Sha256::new(),
        newlines: 0,
        last: None,
        count_lines,
        written: 0,
        writeback_from: durable.then_some(0),
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel::<PooledBuf>(IN_FLIGHT);
    let writer = tokio::task::spawn_blocking(move || -> std::io::Result<Sink> {
        while let Some(buf) = rx.blocking_recv() {
            sink.consume(buf.bytes())?;
            // `buf` goes back to the pool here
        }
        Ok(sink)
    });
    let mut buf: Option<PooledBuf> = None;
    let mut size: u64 = 0;
    let mut writer_gone = false;
    'receive: loop {
        let next = match field.chunk().now_or_never() {
            Some(next) => next,
            None => {
                // Nothing more has arrived yet: hand what is buffered to the writer rather than
                // hold a pooled buffer while waiting on this client (a stalled client must not
                // keep the other uploads waiting for buffers).
                if let Some(full) = buf.take().filter(|b| !b.is_empty()) {
                    if tx.send(full).await.is_err() {
                        writer_gone = true;
                        break 'receive;
                    }
                }
                field.chunk().await
            }
        };
        match next {
            Ok(Some(bytes)) => {
                size += bytes.len() as u64;
                if size > max {
                    drop(tx);
                    drop(buf);
                    // read (and discard) a bounded amount more so the client sees the answer
                    let mut drained = 0usize;
                    while let Ok(Some(b)) = field.chunk().await {
                        drained += b.len();
                        if drained > DRAIN_CAP {
                            break;
                        }
                    }
                    return Err(PartError::TooLarge);
                }
                let mut rest = &bytes[..];
                while !rest.is_empty() {
                    if buf.is_none() {
                        buf = Some(pool.get().await);
                    }
                    let b = buf.as_mut().expect("a buffer was just taken");
                    rest = b.fill_from(rest);
                    if b.is_full() {
                        let full = buf.take().expect("a buffer is being filled");
                        if tx.send(full).await.is_err() {
                            writer_gone = true;
                            break 'receive;
                        }
                    }
                }
            }
            Ok(None) => break,
            Err(e) => return Err(PartError::Multipart(e)),
        }
    }
    if let Some(buf) = buf.take().filter(|b| !writer_gone && !b.is_empty()) {
        let _ = tx.send(buf).await;
    }
    drop(tx);
    let mut sink = writer
        .await
        .map_err(|e| PartError::Io(std::io::Error::other(e)))?
        .map_err(PartError::Io)?;
    if writer_gone {
        return Err(PartError::Io(std::io::Error::other(
            "upload writer stopped",
        )));
    }
    if let Some(t) = temp {
        t.file = sink.file.take();
    }
    let mut lines = sink.newlines;
    if sink.last.is_some_and(|b| b != b'\n') {
        lines += 1;
    }
    Ok(Streamed {
        size,
        sha256: sink.hasher.finalize().into(),
        lines,
    })
}

/// The RFC 5987 / RFC 2231 `filename*=charset'lang'percent-encoded` parameter of a part's
/// `Content-Disposition`, decoded (UTF-8 or ISO-8859-1), as python-multipart reads it; it wins
/// over a plain `filename`. This is how a name with CR/LF or other bytes travels verbatim.
pub(crate) fn extended_filename(headers: &axum::http::HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_DISPOSITION)?.as_bytes();
    let text = std::str::from_utf8(value).ok()?;
    let param = text.split(';').map(str::trim).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("filename*").then(|| v.trim())
    })?;
    let mut pieces = param.splitn(3, '\'');
    let (charset, _lang, encoded) = (pieces.next()?, pieces.next()?, pieces.next()?);
    let mut bytes = Vec::with_capacity(encoded.len());
    let raw = encoded.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' {
            let h = std::str::from_utf8(raw.get(i + 1..i + 3)?).ok()?;
            bytes.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Some(bytes.into_iter().map(char::from).collect())
    } else {
        None
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The file part kept for the upload (the last part named `file`, as Starlette keeps it).
struct FilePart {
    temp: TempFile,
    filename: String,
    content_type: Option<String>,
    streamed: Streamed,
}

pub(crate) async fn upload(
    State(app): State<AppState>,
    req: Request,
) -> Result<Response, ApiError> {
    let seq = req.extensions().get::<RecordSlot>().map(|s| s.0);
    let max = app.max_upload;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max.saturating_add(FORM_OVERHEAD)) {
        drain(req).await;
        return Err(too_large(max));
    }
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let missing_file = || {
        ApiError::Validation(vec![validation_error::missing(&validation_error::loc(&[
            "body", "file",
        ]))])
    };
    if !is_multipart {
        drain(req).await;
        return Err(missing_file());
    }
    let mut multipart = Multipart::from_request(req, &app)
        .await
        .map_err(|_| missing_file())?;

    let mut file: Option<FilePart> = None;
    let mut texts: HashMap<String, String> = HashMap::new();
    let mut parts = 0usize;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(multipart_error(e, max)),
        };
        parts += 1;
        if parts > MAX_PARTS {
            return Err(ApiError::TooLarge(format!(
                "Too many form parts: at most {MAX_PARTS} are accepted."
            )));
        }
        let name = field.name().unwrap_or_default().to_string();
        let filename =
            extended_filename(field.headers()).or_else(|| field.file_name().map(str::to_string));
        let content_type = field.content_type().map(str::to_string);
        if let Some(filename) = filename {
            let is_file = name == "file";
            let mut temp = if is_file {
                Some(app.store.new_temp()?)
            } else {
                None
            };
            let count_lines = is_file && mimetype_for(&filename, None) == "application/jsonl";
            let streamed = match stream_part(
                &mut field,
                temp.as_mut(),
                max,
                count_lines,
                app.sync_writes,
                &app.upload_buffers,
            )
            .await
            {
                Ok(s) => s,
                Err(PartError::TooLarge) => return Err(too_large(max)),
                Err(PartError::Multipart(e)) => return Err(multipart_error(e, max)),
                Err(PartError::Io(e)) => return Err(e.into()),
            };
            if let Some(seq) = seq {
                app.recorder.add_form_part(
                    seq,
                    FormPart {
                        name: name.clone(),
                        filename: Some(filename.clone()),
                        content_type: content_type.clone(),
                        size: streamed.size,
                        sha256: hex(&streamed.sha256),
                        text: None,
                    },
                );
            }
            if let Some(temp) = temp {
                texts.remove("file");
                file = Some(FilePart {
                    temp,
                    filename,
                    content_type,
                    streamed,
                });
            }
        } else {
            let mut data = Vec::new();
            loop {
                match field.chunk().await {
                    Ok(Some(b)) => {
                        if data.len() + b.len() > MAX_TEXT_FIELD {
                            return Err(ApiError::TooLarge(format!(
                                "Form field too large: at most {MAX_TEXT_FIELD} bytes are accepted."
                            )));
                        }
                        data.extend_from_slice(&b);
                    }
                    Ok(None) => break,
                    Err(e) => return Err(multipart_error(e, max)),
                }
            }
            let text = String::from_utf8_lossy(&data).into_owned();
            if let Some(seq) = seq {
                app.recorder.add_form_part(
                    seq,
                    FormPart {
                        name: name.clone(),
                        filename: None,
                        content_type,
                        size: data.len() as u64,
                        sha256: hex(&Sha256::digest(&data)),
                        text: Some(text.clone()),
                    },
                );
            }
            if name == "file" {
                file = None;
            }
            texts.insert(name, text);
        }
    }

    // Validation, in FastAPI's parameter order: file, purpose, expiry, visibility.
    let mut errors: Vec<Violation> = Vec::new();
    let loc = |name: &str| validation_error::loc(&["body", name]);
    match &file {
        None => match texts.get("file") {
            Some(t) => errors.push(validation_error::value_error(
                &loc("file"),
                &t.chars().take(64).collect::<String>(),
                "Expected UploadFile, received: <class 'str'>",
            )),
            None => errors.push(validation_error::missing(&loc("file"))),
        },
        Some(f) if f.filename.is_empty() => errors.push(validation_error::value_error(
            &loc("file"),
            "",
            "the file part's filename must not be empty",
        )),
        Some(f) if f.filename.chars().count() > MAX_FILENAME_CHARS => errors.push(
            validation_error::string_too_long(&loc("file"), &f.filename, MAX_FILENAME_CHARS),
        ),
        Some(_) => {}
    }
    let non_empty = |k: &str| texts.get(k).filter(|s| !s.is_empty()).cloned();
    // The service's defaults: purpose `fine-tune`, visibility `workspace`.
    let purpose = match non_empty("purpose") {
        None => Some(FilePurpose::FineTune),
        Some(p) => parse_spec_enum::<FilePurpose>(&loc("purpose"), &p, &mut errors),
    };
    let expiry: Option<i64> = match non_empty("expiry") {
        None => None,
        Some(raw) => match raw.trim().parse::<i64>() {
            Err(_) => {
                errors.push(validation_error::int_parsing(&loc("expiry"), &raw));
                None
            }
            Ok(n) if n < 1 => {
                errors.push(validation_error::greater_than_equal(
                    &loc("expiry"),
                    &raw,
                    1,
                ));
                None
            }
            Ok(n) if n > MAX_EXPIRY_HOURS => {
                errors.push(validation_error::less_than_equal(
                    &loc("expiry"),
                    &raw,
                    MAX_EXPIRY_HOURS,
                ));
                None
            }
            Ok(n) => Some(n),
        },
    };
    let visibility = match non_empty("visibility") {
        None => Some(FileVisibility::Workspace),
        Some(vis) => parse_spec_enum::<FileVisibility>(&loc("visibility"), &vis, &mut errors),
    };
    let (Some(file), Some(purpose), Some(visibility), true) =
        (file, purpose, visibility, errors.is_empty())
    else {
        return Err(ApiError::Validation(errors));
    };

    let mimetype = mimetype_for(&file.filename, file.content_type.as_deref());
    if app.check_formats {
        if let Err(allowed) = check_format(&purpose, &mimetype) {
            return Err(ApiError::InvalidFormat { mimetype, allowed });
        }
    }
    let now = app.clock.now();
    let row = FileRow {
        id: Uuid::new_v4(),
        bytes: i64::try_from(file.streamed.size).unwrap_or(i64::MAX),
        created_at: now,
        filename: file.filename,
        sample_type: sample_type_for(&purpose).to_string(),
        purpose: purpose.to_string(),
        source: Source::Upload.to_string(),
        num_lines: (mimetype == "application/jsonl").then_some(file.streamed.lines),
        mimetype: Some(mimetype),
        signature: Some(hex(&file.streamed.sha256[..16])),
        expires_at: expiry.map(|h| now + h * 3600),
        visibility: Some(visibility.to_string()),
    };
    let store = app.store.clone();
    let temp = file.temp;
    let row = tokio::task::spawn_blocking(move || store.commit(temp, &row).map(|()| row))
        .await?
        .map_err(|e| match e {
            CommitError::Io(e) => ApiError::from(e),
            CommitError::Db(e) => ApiError::from(e),
        })?;
    tracing::debug!(id = %row.id, bytes = row.bytes, "file stored");
    Ok(json_response(StatusCode::OK, &wire::upload_out(&row)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_newlines() {
        let data: Vec<u8> = (0..100_000u32)
            .map(|i| if i % 7 == 0 { b'\n' } else { b'x' })
            .collect();
        let expected = data.iter().filter(|&&b| b == b'\n').count() as i64;
        assert_eq!(count_newlines(&data), expected);
        assert_eq!(count_newlines(&[b'\n'; 600]), 600);
        assert_eq!(count_newlines(b""), 0);
    }

    #[test]
    fn mimetypes_and_sample_types() {
        assert_eq!(mimetype_for("a.JSONL", None), "application/jsonl");
        assert_eq!(
            mimetype_for("noext", Some("text/x-custom")),
            "text/x-custom"
        );
        assert_eq!(
            mimetype_for("noext", Some("bad\r\nvalue")),
            "application/octet-stream"
        );
        assert_eq!(mimetype_for("noext", None), "application/octet-stream");
        assert_eq!(
            sample_type_for(&FilePurpose::FineTune),
            SampleType::Instruct
        );
        assert_eq!(
            sample_type_for(&FilePurpose::Batch),
            SampleType::BatchRequest
        );
        assert_eq!(sample_type_for(&FilePurpose::Ocr), SampleType::Pretrain);
        assert_eq!(sample_type_for(&FilePurpose::Audio), SampleType::Pretrain);
        // a purpose without a rule of its own (e.g. one the spec adds later) gets the defaults
        let new = FilePurpose::Unknown("new-purpose".to_string());
        assert_eq!(sample_type_for(&new), SampleType::Pretrain);
        assert_eq!(check_format(&new, "application/x-anything"), Ok(()));
    }
}
