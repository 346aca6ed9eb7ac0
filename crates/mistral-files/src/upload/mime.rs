//! The content type sent for a file part when the caller gives none, from the file name's
//! extension.
//!
//! The table is the service's (`mistral_files_raw::rules`, which the emulator follows too)
//! rather than `mime_guess`'s: what matters is the handful of types the Files API reads (JSONL
//! for fine-tuning and batch; for OCR the documents and images its refusals list), and
//! `mime_guess` with its build script and tables costs every dependent's cold build about a
//! second of CPU (docs/BENCHMARKS.md, "Build cost and TLS"). Anything not in it is sent as
//! `application/octet-stream`, which the service accepts where no format is required.

/// The content type for a file called `name`: the service's own table
/// ([`mistral_files_raw::rules::MIME_TYPES`]), else `application/octet-stream`.
pub(super) fn for_name(name: &str) -> &'static str {
    mistral_files_raw::rules::mime_for_name(name).unwrap_or("application/octet-stream")
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
}
