//! Reading the multipart form of an upload, part by part in arrival order, as Starlette does:
//! the last part named `file` that has a file name is streamed to a temp file (through `sink`),
//! other parts are read (small, bounded) or only hashed, and every part is recorded.
//!
//! Depends on `sink`, `format`, `state` (store, recorder, limits, buffers), `store` (the temp
//! file), `record` (the recorded part) and `error`; the handler decides what the parts mean.

use std::collections::HashMap;

use axum::extract::multipart::{Field, MultipartError};
use axum::extract::Multipart;
use axum::http::{header, StatusCode};
use sha2::{Digest, Sha256};

use super::format::mimetype_for;
use super::sink::{stream_part, PartError, Streamed};
use crate::error::ApiError;
use crate::record::FormPart;
use crate::state::AppState;
use crate::store::TempFile;

/// Bytes allowed in a request beyond the file's own limit (boundaries, headers, small fields).
pub(crate) const FORM_OVERHEAD: u64 = 4 * 1024 * 1024;
/// Largest non-file form field.
const MAX_TEXT_FIELD: usize = 64 * 1024;
/// Most parts in one form.
const MAX_PARTS: usize = 64;

/// The file part kept for the upload (the last part named `file`, as Starlette keeps it).
pub(super) struct FilePart {
    pub(super) temp: TempFile,
    pub(super) filename: String,
    pub(super) content_type: Option<String>,
    pub(super) streamed: Streamed,
}

/// What a form held: the file part, and the text fields by name (the last value of a name wins).
pub(super) struct Form {
    pub(super) file: Option<FilePart>,
    pub(super) texts: HashMap<String, String>,
}

/// The answer to a file over `max` bytes.
pub(super) fn file_too_large(max: u64) -> ApiError {
    ApiError::TooLarge(format!(
        "File too large: the maximum file size is {max} bytes ({} MiB).",
        max / (1024 * 1024)
    ))
}

fn multipart_error(e: MultipartError, max: u64) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        file_too_large(max)
    } else {
        tracing::debug!(error = %e, "multipart body refused");
        ApiError::BadRequest("There was an error parsing the body".to_string())
    }
}

/// Reads every part of the form; `seq` is the request's slot in the recorder.
pub(super) async fn read_form(
    app: &AppState,
    mut multipart: Multipart,
    seq: Option<u64>,
) -> Result<Form, ApiError> {
    let mut form = Form {
        file: None,
        texts: HashMap::new(),
    };
    let mut parts = 0usize;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(e, app.max_upload))?
    {
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
            let kept = read_file_part(app, &mut field, &name, filename, content_type, seq).await?;
            if let Some(file) = kept {
                form.texts.remove("file");
                form.file = Some(file);
            }
        } else {
            let text = read_text_part(app, &mut field, &name, content_type, seq).await?;
            if name == "file" {
                form.file = None;
            }
            form.texts.insert(name, text);
        }
    }
    Ok(form)
}

/// Streams a part that has a file name: into a temp file when it is the `file` part (returned),
/// else only hashed for the record (a file under another name is not stored, as the service
/// ignores it).
async fn read_file_part(
    app: &AppState,
    field: &mut Field<'_>,
    name: &str,
    filename: String,
    content_type: Option<String>,
    seq: Option<u64>,
) -> Result<Option<FilePart>, ApiError> {
    let max = app.max_upload;
    let is_file = name == "file";
    let mut temp = if is_file {
        Some(app.store.new_temp()?)
    } else {
        None
    };
    let count_lines = is_file && mimetype_for(&filename, None) == "application/jsonl";
    let streamed = stream_part(
        field,
        temp.as_mut(),
        max,
        count_lines,
        app.sync_writes,
        &app.upload_buffers,
    )
    .await
    .map_err(|e| match e {
        PartError::TooLarge => file_too_large(max),
        PartError::Multipart(e) => multipart_error(e, max),
        PartError::Io(e) => ApiError::from(e),
    })?;
    record_part(
        app,
        seq,
        FormPart {
            name: name.to_string(),
            filename: Some(filename.clone()),
            content_type: content_type.clone(),
            size: streamed.size,
            sha256: hex(&streamed.sha256),
            text: None,
        },
    );
    Ok(temp.map(|temp| FilePart {
        temp,
        filename,
        content_type,
        streamed,
    }))
}

/// Reads a part without a file name, at most [`MAX_TEXT_FIELD`] bytes, as (lossy) UTF-8.
async fn read_text_part(
    app: &AppState,
    field: &mut Field<'_>,
    name: &str,
    content_type: Option<String>,
    seq: Option<u64>,
) -> Result<String, ApiError> {
    let mut data = Vec::new();
    while let Some(b) = field
        .chunk()
        .await
        .map_err(|e| multipart_error(e, app.max_upload))?
    {
        if data.len() + b.len() > MAX_TEXT_FIELD {
            return Err(ApiError::TooLarge(format!(
                "Form field too large: at most {MAX_TEXT_FIELD} bytes are accepted."
            )));
        }
        data.extend_from_slice(&b);
    }
    let text = String::from_utf8_lossy(&data).into_owned();
    record_part(
        app,
        seq,
        FormPart {
            name: name.to_string(),
            filename: None,
            content_type,
            size: data.len() as u64,
            sha256: hex(&Sha256::digest(&data)),
            text: Some(text.clone()),
        },
    );
    Ok(text)
}

/// Adds a part to the recorded request (when it is still recorded).
fn record_part(app: &AppState, seq: Option<u64>, part: FormPart) {
    if let Some(seq) = seq {
        app.recorder.add_form_part(seq, part);
    }
}

/// The RFC 5987 / RFC 2231 `filename*=charset'lang'percent-encoded` parameter of a part's
/// `Content-Disposition`, decoded (UTF-8 or ISO-8859-1), as python-multipart reads it; it wins
/// over a plain `filename`. This is how a name with CR/LF or other bytes travels verbatim.
fn extended_filename(headers: &axum::http::HeaderMap) -> Option<String> {
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

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
