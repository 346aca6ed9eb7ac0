//! What the service does with a file by its name and purpose: the mimetype it records, the
//! sample type it assigns, and the formats each purpose accepts.
//!
//! Pure functions over the raw crate's enums (no I/O, nothing of the crate), so that the form
//! reader (to know whether to count lines) and the handler (to check and describe the file)
//! can both use them.

use mistral_files_raw::open_enums::{FilePurpose, SampleType};

/// Mimetypes accepted for `purpose=ocr` besides images (any `image/*` is accepted): the list
/// the service's own 422 message gives, in its order (`image/.*` stands for the images there).
const OCR_DOCUMENTS: [&str; 17] = [
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

/// The types an OCR refusal names, as the service's message lists them.
fn ocr_allowed() -> String {
    let mut all = vec![OCR_DOCUMENTS[0], "image/.*"];
    all.extend(&OCR_DOCUMENTS[1..]);
    all.join(", ")
}

/// The mimetype the emulator records: from the name's extension, else the part's own
/// `Content-Type` (how a type without an extension of its own, e.g. `application/x-biblatex`,
/// is sent), else `application/octet-stream`.
pub(super) fn mimetype_for(filename: &str, part_type: Option<&str>) -> String {
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
        "svg" => "image/svg+xml",
        "ico" => "image/vnd.microsoft.icon",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "jxl" => "image/jxl",
        "jp2" => "image/jp2",
        "epub" => "application/epub+zip",
        "dbk" | "docbook" => "application/docbook+xml",
        "rtf" => "application/rtf",
        "odt" => "application/vnd.oasis.opendocument.text",
        "bib" => "application/x-bibtex",
        "enl" => "application/x-endnote+xml",
        "fb2" => "application/x-fictionbook+xml",
        "ipynb" => "application/x-ipynb+json",
        "jats" => "application/x-jats+xml",
        "tex" | "latex" => "application/x-latex",
        "opml" => "application/x-opml+xml",
        "roff" | "troff" | "ms" | "man" | "me" => "text/troff",
        "dokuwiki" => "text/x-dokuwiki",
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
pub(super) fn sample_type_for(purpose: &FilePurpose) -> SampleType {
    match purpose {
        FilePurpose::FineTune => SampleType::Instruct,
        FilePurpose::Batch => SampleType::BatchRequest,
        // `ocr`, `audio`, and any purpose without a rule here (one the spec adds later): plain
        // data, as the service records documents and audio.
        _ => SampleType::Pretrain,
    }
}

/// Checks the purpose's accepted formats; `Err(allowed)` when refused.
pub(super) fn check_format(purpose: &FilePurpose, mimetype: &str) -> Result<(), String> {
    match purpose {
        FilePurpose::FineTune | FilePurpose::Batch if mimetype != "application/jsonl" => {
            Err("application/jsonl".to_string())
        }
        FilePurpose::Ocr
            if !(mimetype.starts_with("image/") || OCR_DOCUMENTS.contains(&mimetype)) =>
        {
            Err(ocr_allowed())
        }
        FilePurpose::Audio if !mimetype.starts_with("audio/") => Err("audio/*".to_string()),
        // A purpose without a format rule here (one the spec adds later) accepts any file: the
        // emulator cannot know the service's rule, and refusing would reject valid uploads.
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // OCR: the service's documents and any image
        for (name, part_type) in [
            ("a.pdf", None),
            ("a.epub", None),
            ("a.rtf", None),
            ("a.odt", None),
            ("a.tex", None),
            ("a.ipynb", None),
            ("a.svg", None),
            ("a.heic", None),
            ("refs", Some("application/x-biblatex")),
            ("photo", Some("image/x-brand-new")),
        ] {
            let m = mimetype_for(name, part_type);
            assert_eq!(check_format(&FilePurpose::Ocr, &m), Ok(()), "{name}: {m}");
        }
        let refused = check_format(&FilePurpose::Ocr, "application/zip").unwrap_err();
        assert!(
            refused.starts_with("application/pdf, image/.*, application/vnd."),
            "{refused}"
        );
        assert!(
            refused.ends_with("text/troff, text/x-dokuwiki"),
            "{refused}"
        );
        let new = FilePurpose::Unknown("new-purpose".to_string());
        assert_eq!(sample_type_for(&new), SampleType::Pretrain);
        assert_eq!(check_format(&new, "application/x-anything"), Ok(()));
    }
}
