//! The service's rules for what it accepts, each stated once: the client checks them before
//! sending and the emulator enforces them, both from here (`mistral-files`' test
//! `service_rules_agree.rs` feeds the same inputs to both and requires the same verdicts).
//!
//! Plain data and pure functions over the wire types: no feature needed, so the emulator uses
//! them without the HTTP client. The signed-URL bounds come from the spec (in
//! `openapi/overlay.yaml`), which the generated types cannot carry; `tests/spec_bounds.rs`
//! checks them against the normalized spec.

use crate::open_enums::FilePurpose;

/// The shortest signed-URL lifetime the service accepts, in hours (`expiry` of
/// `GET /v1/files/{file_id}/url`).
pub const SIGNED_URL_MIN_EXPIRY_HOURS: u64 = 1;

/// The longest signed-URL lifetime the service accepts, in hours: 168, one week.
pub const SIGNED_URL_MAX_EXPIRY_HOURS: u64 = 168;

/// The shortest lifetime of an uploaded file (`expiry` form field), in hours.
pub const UPLOAD_MIN_EXPIRY_HOURS: u64 = 1;

/// The longest lifetime of an uploaded file (`expiry` form field), in hours: ten years.
pub const UPLOAD_MAX_EXPIRY_HOURS: u64 = 24 * 365 * 10;

/// The service's size limit for one file: 512 MiB.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// The longest file name the service stores, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 1024;

/// The longest line of a JSONL file the service checks: a longer one is a bad line of its own.
pub const JSONL_MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// The MIME type of JSONL files, the only format of `fine-tune` and `batch` files.
pub const JSONL_MIME: &str = "application/jsonl";

/// Extension (lowercase, without the dot) -> the MIME type the service records for a file of
/// that name. A name whose extension is not here gets the type its part was sent with, else
/// `application/octet-stream`.
pub const MIME_TYPES: &[(&str, &str)] = &[
    ("jsonl", JSONL_MIME),
    ("json", "application/json"),
    ("txt", "text/plain"),
    ("csv", "text/csv"),
    ("tsv", "text/tab-separated-values"),
    ("md", "text/markdown"),
    ("html", "text/html"),
    ("htm", "text/html"),
    ("xml", "application/xml"),
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("bmp", "image/bmp"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("avif", "image/avif"),
    ("heic", "image/heic"),
    ("heif", "image/heif"),
    ("jxl", "image/jxl"),
    ("jp2", "image/jp2"),
    ("ico", "image/vnd.microsoft.icon"),
    ("svg", "image/svg+xml"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("epub", "application/epub+zip"),
    ("rtf", "application/rtf"),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("dbk", "application/docbook+xml"),
    ("docbook", "application/docbook+xml"),
    ("bib", "application/x-bibtex"),
    ("enl", "application/x-endnote+xml"),
    ("fb2", "application/x-fictionbook+xml"),
    ("ipynb", "application/x-ipynb+json"),
    ("jats", "application/x-jats+xml"),
    ("tex", "application/x-latex"),
    ("latex", "application/x-latex"),
    ("opml", "application/x-opml+xml"),
    ("roff", "text/troff"),
    ("troff", "text/troff"),
    ("tr", "text/troff"),
    ("t", "text/troff"),
    ("ms", "text/troff"),
    ("man", "text/troff"),
    ("me", "text/troff"),
    ("dokuwiki", "text/x-dokuwiki"),
    ("mp3", "audio/mpeg"),
    ("wav", "audio/wav"),
    ("m4a", "audio/mp4"),
    ("ogg", "audio/ogg"),
    ("flac", "audio/flac"),
    ("mp4", "video/mp4"),
    ("webm", "video/webm"),
    ("zip", "application/zip"),
];

/// The MIME type [`MIME_TYPES`] gives a file called `name`, by its extension (any case; a name
/// that is only an extension, `.jsonl`, counts as one); `None` for an extension not listed.
///
/// ```
/// use mistral_files_raw::rules::mime_for_name;
/// assert_eq!(mime_for_name("Report.PDF"), Some("application/pdf"));
/// assert_eq!(mime_for_name("Makefile"), None);
/// ```
pub fn mime_for_name(name: &str) -> Option<&'static str> {
    let (_, ext) = name.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    MIME_TYPES.iter().find(|(e, _)| *e == ext).map(|(_, t)| *t)
}

/// The MIME type the service records for a file called `name` sent with the part type
/// `part_type`: by the name's extension ([`mime_for_name`]), else the part's own type (how a type
/// without an extension of its own, e.g. `application/x-biblatex`, is sent; lowercased; only a
/// plausible `type/subtype` of at most 127 characters without parameters), else
/// `application/octet-stream`. The type [`accepts`] is asked about.
///
/// ```
/// use mistral_files_raw::rules::recorded_mime;
/// assert_eq!(recorded_mime("a.JSONL", Some("text/plain")), "application/jsonl");
/// assert_eq!(recorded_mime("refs", Some("application/x-biblatex")), "application/x-biblatex");
/// assert_eq!(recorded_mime("big.bin", None), "application/octet-stream");
/// ```
pub fn recorded_mime(name: &str, part_type: Option<&str>) -> String {
    if let Some(by_ext) = mime_for_name(name) {
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

/// MIME types accepted for `purpose=ocr` besides images (any `image/*` is accepted): the list
/// the service's own refusal gives, in its order.
pub const OCR_DOCUMENTS: [&str; 17] = [
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/epub+zip",
    "application/docbook+xml",
    "application/rtf",
    "application/vnd.oasis.opendocument.text",
    "application/x-biblatex",
    "application/x-bibtex",
    "application/x-endnote+xml",
    "application/x-fictionbook+xml",
    "application/x-ipynb+json",
    "application/x-jats+xml",
    "application/x-latex",
    "application/x-opml+xml",
    "text/troff",
    "text/x-dokuwiki",
];

/// Whether a file of `purpose` must be JSONL. `None` is an upload without a purpose, which the
/// service checks as fine-tuning data.
///
/// ```
/// use mistral_files_raw::{open_enums::FilePurpose, rules::requires_jsonl};
/// assert!(requires_jsonl(None) && requires_jsonl(Some(&FilePurpose::Batch)));
/// assert!(!requires_jsonl(Some(&FilePurpose::Ocr)));
/// ```
pub fn requires_jsonl(purpose: Option<&FilePurpose>) -> bool {
    matches!(
        purpose,
        None | Some(FilePurpose::FineTune | FilePurpose::Batch)
    )
}

/// Whether the service accepts a file of MIME type `mimetype` for `purpose` (`None`: no purpose
/// given); `Err` with the accepted types, as the service's refusal lists them, otherwise. A
/// purpose without a rule here (one the spec adds later) accepts any file.
///
/// ```
/// use mistral_files_raw::{open_enums::FilePurpose, rules::accepts};
/// assert!(accepts(Some(&FilePurpose::Ocr), "image/png").is_ok());
/// assert_eq!(accepts(None, "text/csv"), Err("application/jsonl".to_string()));
/// ```
pub fn accepts(purpose: Option<&FilePurpose>, mimetype: &str) -> Result<(), String> {
    if requires_jsonl(purpose) {
        return if mimetype == JSONL_MIME {
            Ok(())
        } else {
            Err(JSONL_MIME.to_string())
        };
    }
    match purpose {
        Some(FilePurpose::Ocr)
            if !(mimetype.starts_with("image/") || OCR_DOCUMENTS.contains(&mimetype)) =>
        {
            let mut all = vec![OCR_DOCUMENTS[0], "image/.*"];
            all.extend(&OCR_DOCUMENTS[1..]);
            Err(all.join(", "))
        }
        Some(FilePurpose::Audio) if !mimetype.starts_with("audio/") => Err("audio/*".to_string()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_one_entry_per_extension_in_lowercase() {
        let mut seen = std::collections::HashSet::new();
        for (ext, ty) in MIME_TYPES {
            assert_eq!(*ext, ext.to_ascii_lowercase());
            assert!(seen.insert(*ext), "{ext} twice");
            assert!(ty.contains('/'), "{ty}");
        }
    }
}
