//! Uploads the service would refuse for their format are refused before the first byte is sent,
//! with the service's wording and a hint, and without reading the file: a 500 MB file of the
//! wrong type for its purpose fails as fast as a small one (measured by hand: see the
//! CHANGELOG; no timed assertion here).

use mistral_files_test_support::cli::CliEnv;
use predicates::prelude::*;

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_mistral-files");

#[test]
fn a_big_file_without_a_document_extension_is_refused_for_ocr_before_sending() {
    let env = CliEnv::new(BIN);
    let big = env.path("big.bin");
    // Sparse: 500 MB long, nothing written (and nothing read: the check goes by the name).
    std::fs::File::create(&big)
        .unwrap()
        .set_len(500_000_000)
        .unwrap();
    env.cmd()
        .arg("upload")
        .arg(&big)
        .args(["--purpose", "ocr"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "application/octet-stream, only application/pdf, image/.*",
        ))
        .stderr(predicate::str::contains("are currently supported"))
        .stderr(predicate::str::contains(
            "hint: OCR reads documents and images",
        ));
    assert_eq!(env.api_requests(), 0);
}

#[test]
fn batch_files_must_be_jsonl_before_sending() {
    let env = CliEnv::new(BIN);
    let csv = env.write("requests.csv", b"a,b\n");
    env.cmd()
        .arg("upload")
        .arg(&csv)
        .args(["--purpose", "batch"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "\"requests.csv\" is text/csv, only application/jsonl are currently supported",
        ))
        .stderr(predicate::str::contains(
            "hint: batch and fine-tune files are JSONL",
        ));
    assert_eq!(env.api_requests(), 0);
}
