//! The `POST /v1/files` handler: refuses early what need not be read, reads the form (`form`),
//! applies FastAPI's parameter rules, checks the format, and commits the file and its row.
//!
//! Depends on `form`, `format`, `state`, `middleware` (drain), `record` (the request's slot),
//! `validation` / `validation_error`, `wire`, `store` and `error`; only the router uses it.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use mistral_files_raw::open_enums::{FilePurpose, FileVisibility, Source};
use mistral_files_raw::rules;
use mistral_files_raw::types::LocItem;
use uuid::Uuid;

use super::form::{file_too_large, hex, read_form, FilePart, Form, FORM_OVERHEAD};
use super::format::{check_format, mimetype_for, sample_type_for};
use super::jsonl::{JsonlCheck, Verdict};
use super::multipart::{boundary, FormReader};
use crate::error::{json_response, ApiError};
use crate::middleware::drain;
use crate::record::RecordSlot;
use crate::state::AppState;
use crate::store::{CommitError, FileRow, TempFile};
use crate::validation::{parse_bounded_int, parse_spec_enum};
use crate::validation_error::{self, Violation};
use crate::wire;

/// Longest file name accepted, in characters.
const MAX_FILENAME_CHARS: usize = rules::MAX_FILE_NAME_CHARS;
/// Shortest and longest file lifetime accepted, in hours.
const MIN_EXPIRY_HOURS: i64 = rules::UPLOAD_MIN_EXPIRY_HOURS as i64;
const MAX_EXPIRY_HOURS: i64 = rules::UPLOAD_MAX_EXPIRY_HOURS as i64;

/// An upload that passed FastAPI's rules.
struct Upload {
    file: FilePart,
    purpose: FilePurpose,
    /// Whether the form named a purpose (without one the service checks the file as
    /// fine-tuning data and records `fine-tune`).
    purpose_given: bool,
    expiry_hours: Option<i64>,
    visibility: FileVisibility,
}

pub(crate) async fn upload(
    State(app): State<AppState>,
    req: Request,
) -> Result<Response, ApiError> {
    // Past a shutdown's grace period an upload still arriving ends here: its temp file is
    // removed as the work is dropped, and no row is written (a commit already under way on the
    // blocking pool completes: that file was whole).
    tokio::select! {
        answer = receive(&app, req) => answer,
        () = app.grace_over() => {
            tracing::warn!("shutting down: an upload in progress is abandoned");
            Err(ApiError::ShuttingDown)
        }
    }
}

async fn receive(app: &AppState, req: Request) -> Result<Response, ApiError> {
    let app = app.clone();
    let seq = req.extensions().get::<RecordSlot>().map(|s| s.0);
    let mut reader = open_form(&app, req).await?;
    // A refusal mid-body is answered only after the rest of the body is read (up to a bound):
    // a client still sending would otherwise see a reset connection instead of the answer.
    let form = read_form(&app, &mut reader, seq).await;
    reader.drain().await;
    let upload = validate(form?)?;
    let mimetype = mimetype_for(&upload.file.filename, upload.file.content_type.as_deref());
    if app.check_formats {
        check_file(&upload, &mimetype).await?;
    }
    let (row, temp) = new_row(upload, mimetype, app.clock.now());
    let store = app.store.clone();
    let row = tokio::task::spawn_blocking(move || store.commit(temp, &row).map(|()| row))
        .await?
        .map_err(|e| match e {
            CommitError::Io(e) => ApiError::from(e),
            CommitError::Db(e) => ApiError::from(e),
        })?;
    tracing::debug!(id = %row.id, bytes = row.bytes, "file stored");
    Ok(json_response(StatusCode::OK, &wire::upload_out(&row)?))
}

/// The service's checks of the file for its purpose. With a purpose, its format rule first
/// (`Invalid file format.` + the mimetype), then for `fine-tune` the content; with none, the
/// file is checked as fine-tuning data: its content first (so a PDF is refused as bad JSONL,
/// as the service refuses it), then the `fine-tune` format rule.
async fn check_file(upload: &Upload, mimetype: &str) -> Result<(), ApiError> {
    let format = |purpose: &FilePurpose| {
        check_format(purpose, mimetype).map_err(|allowed| ApiError::InvalidFormat {
            mimetype: mimetype.to_string(),
            allowed,
        })
    };
    if upload.purpose_given {
        format(&upload.purpose)?;
    }
    if !upload.purpose_given || upload.purpose == FilePurpose::FineTune {
        let verdict = match &upload.file.streamed.jsonl {
            Some(v) => v.clone(),
            // the purpose that asks for the check came after the file: check it on disk
            None => check_on_disk(upload.file.temp.path.clone()).await?,
        };
        match verdict {
            Verdict::Valid => {}
            Verdict::NotUtf8 => return Err(ApiError::NotUtf8),
            Verdict::BadLines { count, listed } => {
                return Err(ApiError::InvalidJsonl { count, listed })
            }
        }
    }
    if !upload.purpose_given {
        format(&FilePurpose::FineTune)?;
    }
    Ok(())
}

/// The fine-tuning check over a stored temp file.
async fn check_on_disk(path: std::path::PathBuf) -> Result<Verdict, ApiError> {
    let verdict = tokio::task::spawn_blocking(move || -> std::io::Result<Verdict> {
        use std::io::Read;
        let mut f = std::fs::File::open(path)?;
        let mut check = JsonlCheck::default();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                return Ok(check.finish());
            }
            check.feed(&buf[..n]);
        }
    })
    .await??;
    Ok(verdict)
}

fn body_loc(name: &str) -> Vec<LocItem> {
    validation_error::loc(&["body", name])
}

/// The form's parts, to be read in order; a declared length over the limit or a body that is
/// not a form is refused before it is read (and drained, so that the client reads the answer).
async fn open_form(app: &AppState, req: Request) -> Result<FormReader, ApiError> {
    let max = app.max_upload;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max.saturating_add(FORM_OVERHEAD)) {
        drain(req).await;
        return Err(file_too_large(max));
    }
    let boundary = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(boundary);
    let Some(boundary) = boundary else {
        // FastAPI sees no form at all: the file is missing
        drain(req).await;
        return Err(ApiError::Validation(vec![validation_error::missing(
            &body_loc("file"),
        )]));
    };
    Ok(FormReader::new(
        req.into_body(),
        &boundary,
        max.saturating_add(FORM_OVERHEAD),
    ))
}

/// FastAPI's rules, in its parameter order (file, purpose, expiry, visibility), every failure
/// reported at once. Empty fields count as absent; the service's defaults are purpose
/// `fine-tune` and visibility `workspace`.
fn validate(form: Form) -> Result<Upload, ApiError> {
    let mut errors: Vec<Violation> = Vec::new();
    check_file_part(&form, &mut errors);
    let non_empty = |k: &str| form.texts.get(k).filter(|s| !s.is_empty());
    let purpose_given = non_empty("purpose").is_some();
    let purpose = match non_empty("purpose") {
        None => Some(FilePurpose::FineTune),
        Some(p) => parse_spec_enum::<FilePurpose>(&body_loc("purpose"), p, &mut errors),
    };
    let expiry_hours = non_empty("expiry").and_then(|raw| {
        parse_bounded_int(
            &body_loc("expiry"),
            raw,
            MIN_EXPIRY_HOURS,
            Some(MAX_EXPIRY_HOURS),
            &mut errors,
        )
    });
    let visibility = match non_empty("visibility") {
        None => Some(FileVisibility::Workspace),
        Some(v) => parse_spec_enum::<FileVisibility>(&body_loc("visibility"), v, &mut errors),
    };
    let (Some(file), Some(purpose), Some(visibility), true) =
        (form.file, purpose, visibility, errors.is_empty())
    else {
        return Err(ApiError::Validation(errors));
    };
    Ok(Upload {
        file,
        purpose,
        purpose_given,
        expiry_hours,
        visibility,
    })
}

/// The `file` parameter: present, a file rather than text, with a usable name.
fn check_file_part(form: &Form, errors: &mut Vec<Violation>) {
    let loc = body_loc("file");
    match &form.file {
        None => match form.texts.get("file") {
            Some(t) => errors.push(validation_error::value_error(
                &loc,
                &t.chars().take(64).collect::<String>(),
                "Expected UploadFile, received: <class 'str'>",
            )),
            None => errors.push(validation_error::missing(&loc)),
        },
        Some(f) if f.filename.is_empty() => errors.push(validation_error::value_error(
            &loc,
            "",
            "the file part's filename must not be empty",
        )),
        Some(f) if f.filename.chars().count() > MAX_FILENAME_CHARS => errors.push(
            validation_error::string_too_long(&loc, &f.filename, MAX_FILENAME_CHARS),
        ),
        Some(_) => {}
    }
}

/// The row the service records for the upload, and the temp file holding its content.
fn new_row(upload: Upload, mimetype: String, now: i64) -> (FileRow, TempFile) {
    let Upload {
        file,
        purpose,
        expiry_hours,
        visibility,
        ..
    } = upload;
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
        expires_at: expiry_hours.map(|h| now + h * 3600),
        visibility: Some(visibility.to_string()),
    };
    (row, file.temp)
}
