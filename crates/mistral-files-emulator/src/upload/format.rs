//! What the service does with a file by its name and purpose: the mimetype it records, the
//! sample type it assigns, and the formats each purpose accepts (the last from the rules the
//! client checks too, `mistral_files_raw::rules`).
//!
//! Pure functions over the raw crate's enums (no I/O, nothing of the crate), so that the form
//! reader (to know whether to count lines) and the handler (to check and describe the file)
//! can both use them.

use mistral_files_raw::open_enums::{FilePurpose, SampleType};
use mistral_files_raw::rules;

/// The mimetype the emulator records: the service's rule, [`rules::recorded_mime`] (by the
/// name's extension, else the part's own `Content-Type`, else `application/octet-stream`).
pub(super) fn mimetype_for(filename: &str, part_type: Option<&str>) -> String {
    rules::recorded_mime(filename, part_type)
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

/// Checks the purpose's accepted formats ([`rules::accepts`]); `Err(allowed)` when refused.
pub(super) fn check_format(purpose: &FilePurpose, mimetype: &str) -> Result<(), String> {
    rules::accepts(Some(purpose), mimetype)
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
