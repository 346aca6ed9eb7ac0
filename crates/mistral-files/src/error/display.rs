//! How an [`Error`] reads: its message (`Display`) and its cause (`source()`).
//!
//! Written by hand rather than derived with `thiserror`: that derive was a proc macro (and its
//! build script) that every dependent compiled for this one enum, about a second of CPU in a cold
//! build, measured with `cargo build --timings` for `cargo xtask build-cost`. A message never
//! repeats its cause: callers print the chain through `source()`.

use std::fmt;

use super::Error;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => fmt::Display::fmt(e, f),
            Error::Decode(e) => fmt::Display::fmt(e, f),
            Error::Transport(e) => fmt::Display::fmt(e, f),
            Error::Timeout { after } => write!(
                f,
                "the request did not complete within the total timeout of {after:?}"
            ),
            Error::Io { path, .. } => write!(f, "I/O error on {}", path.display()),
            Error::InvalidFileId { input, reason } => write!(
                f,
                "invalid file id {input:?}: {reason}; a file id is a UUID such as \
                 3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e"
            ),
            Error::FileNotFound { path } => {
                write!(f, "file to upload not found: {}", path.display())
            }
            Error::NotAFile { path } => write!(
                f,
                "not a regular file: {}; only regular files can be uploaded",
                path.display()
            ),
            Error::EmptyFile { name } => write!(
                f,
                "refusing to upload an empty file ({name}); the API rejects empty files"
            ),
            Error::FileTooLarge { name, size, limit } => file_too_large(f, name, *size, *limit),
            Error::InvalidFileName { name, reason } => {
                write!(f, "invalid file name {name:?}: {reason}")
            }
            Error::FineTuneRequiresJsonl { name } => fine_tune_requires_jsonl(f, name),
            Error::UnsupportedFormat {
                name,
                purpose,
                mimetype,
                supported,
            } => unsupported_format(f, name, purpose, mimetype, supported),
            Error::InvalidJsonl {
                name,
                line,
                message,
            } => write!(f, "{name}: line {line} is not a JSON object: {message}"),
            Error::InvalidInput { what, reason } => write!(f, "invalid {what}: {reason}"),
            Error::MissingApiKey => f.write_str(
                "no API key: set the MISTRAL_API_KEY environment variable or call \
                 ClientBuilder::api_key",
            ),
            Error::LengthMismatch { expected, actual } => write!(
                f,
                "download length mismatch: expected {expected} bytes, got {actual}"
            ),
            Error::Runtime { .. } => f.write_str("could not start the blocking client's runtime"),
            Error::Write { .. } => f.write_str("could not write the download to the writer"),
            Error::TargetExists { path } => {
                write!(f, "{} already exists (overwrite is off)", path.display())
            }
            Error::UploadOutcomeUnknown {
                name, candidates, ..
            } => upload_outcome_unknown(f, name, candidates),
        }
    }
}

// The long messages, each with the way out it suggests; the refusals before sending first.

fn file_too_large(f: &mut fmt::Formatter<'_>, name: &str, size: u64, limit: u64) -> fmt::Result {
    write!(
        f,
        "{name} is {size} bytes, over the upload limit of {limit} bytes (see \
         MAX_UPLOAD_BYTES; raise it with ClientBuilder::max_upload_bytes if your account \
         allows larger files)"
    )
}

fn fine_tune_requires_jsonl(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    write!(
        f,
        "fine-tuning accepts only .jsonl files (a file sent without a purpose is checked \
         as fine-tuning data), got {name:?}; rename the file, set file_name(\"….jsonl\"), \
         or give the purpose it is for"
    )
}

fn unsupported_format(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    purpose: &crate::FilePurpose,
    mimetype: &str,
    supported: &str,
) -> fmt::Result {
    write!(
        f,
        "invalid file format for purpose {purpose}: received file {name:?} with mimetype \
         {mimetype}, only {supported} are currently supported; give the file the \
         extension of its type (the service goes by the name), set content_type for a \
         name without one, or choose the purpose the file is for"
    )
}

/// After the upload was sent: its answer was lost and looking for the stored file did not
/// settle it.
fn upload_outcome_unknown(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    candidates: &[crate::FileId],
) -> fmt::Result {
    match candidates.len() {
        0 => write!(
            f,
            "the upload of {name:?} may have been stored: its answer was lost and \
             looking for the file failed; nothing was sent again"
        ),
        n => {
            let ids: Vec<String> = candidates.iter().map(|id| id.to_string()).collect();
            write!(
                f,
                "the upload of {name:?} may have been stored: its answer was lost and \
                 {n} stored files fit it ({}); nothing was sent again",
                ids.join(", ")
            )
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // transparent: the wrapped error's own cause
            Error::Api(e) => e.source(),
            Error::Decode(e) => e.source(),
            Error::Transport(e) => e.source(),
            Error::Io { source, .. } | Error::Runtime { source } | Error::Write { source } => {
                Some(source)
            }
            Error::UploadOutcomeUnknown { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}
