//! Reading the multipart form of an upload, part by part in arrival order, as Starlette does:
//! the last part named `file` that has a file name is streamed to a temp file (through `sink`),
//! other parts are read (small, bounded) or only hashed, and every part is recorded.
//!
//! Depends on `sink`, `format`, `state` (store, recorder, limits, buffers), `store` (the temp
//! file), `record` (the recorded part) and `error`; the handler decides what the parts mean.

use std::collections::HashMap;

use mistral_files_raw::open_enums::FilePurpose;
use sha2::{Digest, Sha256};

use super::format::mimetype_for;
use super::multipart::{FormError, FormReader};
use super::sink::{stream_part, PartChecks, PartError, Streamed};
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

/// The answer to a form that could not be read.
pub(super) fn form_error(e: FormError, max: u64) -> ApiError {
    match e {
        FormError::TooLarge => file_too_large(max),
        FormError::Malformed(why) => {
            tracing::debug!(why, "multipart body refused");
            ApiError::BadRequest("There was an error parsing the body".to_string())
        }
        FormError::Body(e) => {
            tracing::debug!(error = %e, "multipart body could not be read");
            ApiError::BadRequest("There was an error parsing the body".to_string())
        }
    }
}

/// Reads every part of the form; `seq` is the request's slot in the recorder.
pub(super) async fn read_form(
    app: &AppState,
    reader: &mut FormReader,
    seq: Option<u64>,
) -> Result<Form, ApiError> {
    let mut form = Form {
        file: None,
        texts: HashMap::new(),
    };
    let mut parts = 0usize;
    while let Some(head) = reader
        .next_part()
        .await
        .map_err(|e| form_error(e, app.max_upload))?
    {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(ApiError::TooLarge(format!(
                "Too many form parts: at most {MAX_PARTS} are accepted."
            )));
        }
        if let Some(filename) = head.filename {
            // The fine-tuning check runs while the file streams, unless a purpose already read
            // says it is not needed (the handler checks the file afterwards if a later purpose
            // field asks for it after all).
            let check_jsonl = app.check_formats
                && form
                    .texts
                    .get("purpose")
                    .is_none_or(|p| needs_jsonl_check(p));
            let kept = read_file_part(
                app,
                reader,
                &head.name,
                filename,
                head.content_type,
                seq,
                check_jsonl,
            )
            .await?;
            if let Some(file) = kept {
                form.texts.remove("file");
                form.file = Some(file);
            }
        } else {
            let text = read_text_part(app, reader, &head.name, head.content_type, seq).await?;
            if head.name == "file" {
                form.file = None;
            }
            form.texts.insert(head.name, text);
        }
    }
    Ok(form)
}

/// Whether a `purpose` field's value (empty: none) asks for the fine-tuning check of the content.
pub(super) fn needs_jsonl_check(purpose: &str) -> bool {
    purpose.is_empty() || FilePurpose::from(purpose) == FilePurpose::FineTune
}

/// Streams a part that has a file name: into a temp file when it is the `file` part (returned),
/// else only hashed for the record (a file under another name is not stored, as the service
/// ignores it).
async fn read_file_part(
    app: &AppState,
    reader: &mut FormReader,
    name: &str,
    filename: String,
    content_type: Option<String>,
    seq: Option<u64>,
    check_jsonl: bool,
) -> Result<Option<FilePart>, ApiError> {
    let max = app.max_upload;
    let is_file = name == "file";
    let mut temp = if is_file {
        Some(app.store.new_temp()?)
    } else {
        None
    };
    let checks = PartChecks {
        count_lines: is_file && mimetype_for(&filename, None) == "application/jsonl",
        jsonl: is_file && check_jsonl,
    };
    let streamed = stream_part(
        reader,
        temp.as_mut(),
        max,
        checks,
        app.sync_writes,
        &app.upload_buffers,
    )
    .await
    .map_err(|e| match e {
        PartError::TooLarge => file_too_large(max),
        PartError::Form(e) => form_error(e, max),
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
    reader: &mut FormReader,
    name: &str,
    content_type: Option<String>,
    seq: Option<u64>,
) -> Result<String, ApiError> {
    let mut data = Vec::new();
    while let Some(b) = reader
        .chunk()
        .await
        .map_err(|e| form_error(e, app.max_upload))?
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

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
