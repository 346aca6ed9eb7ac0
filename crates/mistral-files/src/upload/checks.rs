//! The rules an upload must pass before any request is made: a usable file name, a size the
//! service accepts, a sendable content type, a format the purpose accepts (the service's table,
//! `mistral_files_raw::rules`), (opt-in) JSONL content.
//!
//! Failing here costs nothing and gives a precise error, where the service would answer a
//! vaguer 4xx after the whole file was sent. Each rule is a function of its own so that
//! `UploadRequest::send` reads as the list of them, in the order their errors take precedence.

use mistral_files_raw::rules;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};

use super::body::{Body, UPLOAD_CHUNK};
use crate::error::{Error, Result};
use crate::types::FilePurpose;

/// The longest file name accepted, in bytes: the client's own rule, stricter than the service's
/// ([`mistral_files_raw::rules::MAX_FILE_NAME_CHARS`]) so that a downloaded file can be saved
/// under its name on any common file system.
///
/// ```
/// assert_eq!(mistral_files::MAX_FILE_NAME_BYTES, 255);
/// ```
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// Check a file name before it goes into the form: not empty (the service's rule), and a bare
/// name of at most [`MAX_FILE_NAME_BYTES`] (the client's own, which keeps every name the service
/// stores usable as a local file name).
pub(super) fn check_file_name(name: &str) -> Result<()> {
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

/// Not empty (the API rejects empty files) and within the client's upload limit.
pub(super) fn check_size(name: &str, size: u64, limit: u64) -> Result<()> {
    if size == 0 {
        return Err(Error::EmptyFile {
            name: name.to_string(),
        });
    }
    if size > limit {
        return Err(Error::FileTooLarge {
            name: name.to_string(),
            size,
            limit,
        });
    }
    Ok(())
}

/// The purpose's accepted formats ([`rules::accepts`]) for the type the service would record
/// ([`rules::recorded_mime`] of the name and the content type sent): the service's 422 `Invalid
/// file format.`, before sending. Fine-tuning, and an upload without a purpose (which the
/// service checks as fine-tuning data), get [`Error::FineTuneRequiresJsonl`]; the others
/// [`Error::UnsupportedFormat`].
pub(super) fn check_format(name: &str, purpose: Option<&FilePurpose>, mime: &str) -> Result<()> {
    let recorded = rules::recorded_mime(name, Some(mime));
    let Err(supported) = rules::accepts(purpose, &recorded) else {
        return Ok(());
    };
    Err(match purpose {
        None | Some(FilePurpose::FineTune) => Error::FineTuneRequiresJsonl {
            name: name.to_string(),
        },
        Some(p) => Error::UnsupportedFormat {
            name: name.to_string(),
            purpose: p.clone(),
            mimetype: recorded,
            supported,
        },
    })
}

/// Read the whole source and check that every line is a JSON object. A reader source is
/// refused: it can be read only once, and the upload needs it.
pub(super) async fn check_jsonl(body: &Body, name: &str) -> Result<()> {
    match body {
        Body::Path { path, .. } => {
            let f = tokio::fs::File::open(path)
                .await
                .map_err(|e| Error::io(path, e))?;
            validate_jsonl_reader(name, f).await.map_err(|e| match e {
                // Name the file on disk, not the name it is stored under.
                Error::Io { source, .. } => Error::io(path, source),
                other => other,
            })
        }
        Body::Bytes { data, .. } => validate_jsonl_reader(name, &data[..]).await,
        Body::Reader { .. } => Err(Error::invalid(
            "upload option",
            "validate_jsonl needs a path or bytes source; a reader can only be read once",
        )),
    }
}

/// Stream a JSONL source and fail at the first line that is not a JSON object.
pub(super) async fn validate_jsonl_reader(name: &str, r: impl AsyncRead + Unpin) -> Result<()> {
    const MAX_LINE: usize = rules::JSONL_MAX_LINE_BYTES;
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
            return Err(bad(
                n,
                format!("the line is longer than {} MiB", MAX_LINE >> 20),
            ));
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

/// The file part's `Content-Type`: the one given, or a guess from the name. Control characters
/// would break the form's framing.
pub(super) fn content_type(given: Option<String>, name: &str) -> Result<String> {
    let mime = match given {
        Some(m) => m,
        None => super::mime::for_name(name).to_string(),
    };
    if mime.bytes().any(|b| b.is_ascii_control()) {
        return Err(Error::invalid(
            "content type",
            "it contains control characters",
        ));
    }
    Ok(mime)
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
    fn formats_by_purpose() {
        let ocr = FilePurpose::Ocr;
        assert!(check_format("a.pdf", Some(&ocr), "application/pdf").is_ok());
        assert!(check_format("scan", Some(&ocr), "image/png").is_ok());
        let e = check_format("big.bin", Some(&ocr), "application/octet-stream").unwrap_err();
        assert!(
            matches!(&e, Error::UnsupportedFormat { mimetype, .. } if mimetype == "application/octet-stream"),
            "{e:?}"
        );
        let e = check_format("b.csv", Some(&FilePurpose::Batch), "text/csv").unwrap_err();
        assert!(
            e.to_string()
                .contains("only application/jsonl are currently supported"),
            "{e}"
        );
        let e = check_format("t.txt", None, "text/plain").unwrap_err();
        assert!(matches!(e, Error::FineTuneRequiresJsonl { .. }), "{e:?}");
        assert!(check_format("t.jsonl", Some(&FilePurpose::FineTune), "application/jsonl").is_ok());
        assert!(check_format("x", Some(&FilePurpose::Unknown("new".into())), "a/b").is_ok());
    }

    #[test]
    fn file_names() {
        assert!(check_file_name("a/b").is_err());
        assert!(check_file_name("..").is_err());
        assert!(check_file_name("").is_err());
        assert!(check_file_name(&"x".repeat(256)).is_err());
        assert!(check_file_name("q\"uote\r\n.jsonl").is_ok());
    }
}
