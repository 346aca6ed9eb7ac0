//! The content type sent for a file part when the caller gives none, from the file name's
//! extension.
//!
//! Our own table rather than `mime_guess`: what matters is the handful of types the Files API
//! reads (JSONL for fine-tuning and batch; for OCR the documents and images its refusals list),
//! and `mime_guess` with its build script and tables was about a second of CPU in every
//! dependent's cold build (`cargo xtask build-cost`, with `cargo build --timings`). Anything not
//! here is sent as `application/octet-stream`, which the service accepts where no format is
//! required (the emulator decides by extension first, as the service does).

/// Extension (lowercase, without the dot) → content type.
const TYPES: &[(&str, &str)] = &[
    ("jsonl", "application/jsonl"),
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
    ("bib", "application/x-bibtex"),
    ("enl", "application/x-endnote+xml"),
    ("fb2", "application/x-fictionbook+xml"),
    ("ipynb", "application/x-ipynb+json"),
    ("tex", "application/x-latex"),
    ("latex", "application/x-latex"),
    ("opml", "application/x-opml+xml"),
    ("roff", "text/troff"),
    ("tr", "text/troff"),
    ("t", "text/troff"),
    ("mp3", "audio/mpeg"),
    ("wav", "audio/wav"),
    ("m4a", "audio/mp4"),
    ("ogg", "audio/ogg"),
    ("flac", "audio/flac"),
    ("mp4", "video/mp4"),
    ("webm", "video/webm"),
    ("zip", "application/zip"),
];

/// The content type for a file called `name`.
pub(super) fn for_name(name: &str) -> &'static str {
    let Some((_, ext)) = name.rsplit_once('.') else {
        return "application/octet-stream";
    };
    let ext = ext.to_ascii_lowercase();
    TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .map_or("application/octet-stream", |(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::for_name;

    #[test]
    fn types_by_extension() {
        assert_eq!(for_name("a.jsonl"), "application/jsonl");
        assert_eq!(for_name("Report.PDF"), "application/pdf");
        assert_eq!(for_name("scan.JPeG"), "image/jpeg");
        assert_eq!(
            for_name("deck.pptx"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        );
        assert_eq!(for_name("a.unknownext"), "application/octet-stream");
        // no extension; a name that is only an extension counts as one (as the JSONL rule reads it)
        assert_eq!(for_name("Makefile"), "application/octet-stream");
        assert_eq!(for_name(".jsonl"), "application/jsonl");
        assert_eq!(for_name("archive.tar.zip"), "application/zip");
    }

    #[test]
    fn the_table_has_one_entry_per_extension_in_lowercase() {
        let mut seen = std::collections::HashSet::new();
        for (ext, ty) in super::TYPES {
            assert_eq!(*ext, ext.to_ascii_lowercase());
            assert!(seen.insert(*ext), "{ext} twice");
            assert!(ty.contains('/'), "{ty}");
        }
    }
}
