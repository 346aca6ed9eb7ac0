//! The client's checks before an upload and the emulator's rules come from one place
//! (`mistral_files_raw::rules`); this table feeds the same uploads to both and requires the same
//! verdict: the client refuses before sending exactly what the emulator refuses.
//!
//! The client is asked with a server that accepts everything, so that only its own checks can
//! refuse; the emulator is sent the same form by hand, so that its rules see it unchecked.
//! Each row is a rule the client checks, the formats of every purpose included (by the name's
//! extension, as the service goes); the longest upload expiry the client leaves to the service
//! (`bad_input.rs` sends a huge one on purpose). Two rules are the client's alone, stricter than the
//! service on purpose, and listed as such (the emulator accepts what they refuse): a stored name
//! must be a bare file name of at most 255 bytes (so that it can be saved under that name), and
//! an empty file is refused (an empty upload is almost always a mistake of the caller's).

use std::time::Duration;

use mistral_files::{Client, Error, FilePurpose, RetryPolicy};
use mistral_files_raw::rules;
use mistral_files_test_support::http::{file_part, post_form, Part};
use mistral_files_test_support::*;

/// One upload: the name, the content, the purpose and the expiry in hours.
struct Upload {
    name: String,
    content: Vec<u8>,
    purpose: Option<FilePurpose>,
    expiry_hours: Option<u64>,
}

fn upload(name: &str, content: &[u8], purpose: Option<FilePurpose>) -> Upload {
    Upload {
        name: name.to_string(),
        content: content.to_vec(),
        purpose,
        expiry_hours: None,
    }
}

/// What is tried, the upload, the verdict.
type Row = (&'static str, Upload, Verdict);

fn table() -> Vec<Row> {
    [format_rows(), name_rows(), line_rows(), expiry_rows()]
        .into_iter()
        .flatten()
        .collect()
}

/// The formats each purpose takes, by the name's extension.
fn format_rows() -> Vec<Row> {
    use FilePurpose::{Audio, Batch, FineTune, Ocr};
    use Verdict::{Accepted, Refused};
    vec![
        (
            "a JSONL file for fine-tuning",
            upload("t.JSONL", b"{}\n", Some(FineTune)),
            Accepted,
        ),
        (
            "a CSV file for fine-tuning",
            upload("t.csv", b"a,b\n", Some(FineTune)),
            Refused,
        ),
        (
            "a file without extension for fine-tuning",
            upload("train", b"{}\n", Some(FineTune)),
            Refused,
        ),
        (
            "no purpose: checked as fine-tuning data",
            upload("t.txt", b"{}\n", None),
            Refused,
        ),
        (
            "no purpose, JSONL",
            upload(".jsonl", b"{}\n", None),
            Accepted,
        ),
        (
            "a PDF for OCR",
            upload("scan.pdf", b"%PDF", Some(Ocr)),
            Accepted,
        ),
        (
            "a file without a document extension for OCR",
            upload("big.bin", b"\x00\x01", Some(Ocr)),
            Refused,
        ),
        (
            "an image for OCR",
            upload("photo.webp", b"RIFF", Some(Ocr)),
            Accepted,
        ),
        (
            "a CSV file for batch",
            upload("requests.csv", b"a,b\n", Some(Batch)),
            Refused,
        ),
        (
            "a text file for audio",
            upload("notes.txt", b"hello\n", Some(Audio)),
            Refused,
        ),
        (
            "an MP3 for audio",
            upload("talk.mp3", b"ID3", Some(Audio)),
            Accepted,
        ),
    ]
}

/// An empty file and the names the client refuses on its own.
fn name_rows() -> Vec<Row> {
    use FilePurpose::Batch;
    use Verdict::{ClientOnly, Refused};
    vec![
        (
            "an empty file",
            upload("e.jsonl", b"", Some(Batch)),
            ClientOnly,
        ),
        (
            "a path for a name",
            upload("a/b.jsonl", b"{}\n", Some(Batch)),
            ClientOnly,
        ),
        (
            "a 256-byte name",
            upload(&format!("{}.jsonl", "n".repeat(250)), b"{}\n", Some(Batch)),
            ClientOnly,
        ),
        ("an empty name", upload("", b"{}\n", Some(Batch)), Refused),
    ]
}

/// The JSONL lines of fine-tuning data.
fn line_rows() -> Vec<Row> {
    use FilePurpose::FineTune;
    use Verdict::{Accepted, Refused};
    let long_line = [
        b"{\"a\":\"".as_slice(),
        &vec![b'x'; rules::JSONL_MAX_LINE_BYTES],
        b"\"}\n",
    ]
    .concat();
    vec![
        (
            "a line that is not an object",
            upload("t.jsonl", b"{}\n[1]\n", Some(FineTune)),
            Refused,
        ),
        (
            "a blank line before data",
            upload("t.jsonl", b"{}\n\n{}\n", Some(FineTune)),
            Refused,
        ),
        (
            "blank lines at the end",
            upload("t.jsonl", b"{}\n\n\n", Some(FineTune)),
            Accepted,
        ),
        (
            "a line over the limit",
            upload("t.jsonl", &long_line, Some(FineTune)),
            Refused,
        ),
    ]
}

fn expiry_rows() -> Vec<Row> {
    use Verdict::{Accepted, Refused};
    let with_expiry = |hours| Upload {
        expiry_hours: Some(hours),
        ..upload("e.jsonl", b"{}\n", Some(FilePurpose::Batch))
    };
    vec![
        (
            "the shortest expiry",
            with_expiry(rules::UPLOAD_MIN_EXPIRY_HOURS),
            Accepted,
        ),
        (
            "the longest expiry",
            with_expiry(rules::UPLOAD_MAX_EXPIRY_HOURS),
            Accepted,
        ),
        ("an expiry of no time", with_expiry(0), Refused),
    ]
}

/// What the client and the emulator make of an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Both accept it.
    Accepted,
    /// Both refuse it (the client before sending).
    Refused,
    /// The client refuses it by a rule of its own; the service accepts it.
    ClientOnly,
}

/// Whether the client refuses `u` before sending it, checking the content as JSONL where the
/// service does (fine-tuning data, and files sent without a purpose).
async fn client_refuses(client: &Client, u: &Upload) -> bool {
    let checks_lines = matches!(u.purpose, None | Some(FilePurpose::FineTune));
    let mut request = client
        .upload_bytes(u.name.clone(), u.content.clone())
        .validate_jsonl(checks_lines);
    if let Some(p) = &u.purpose {
        request = request.purpose(p.clone());
    }
    if let Some(h) = u.expiry_hours {
        request = request.expiry(Duration::from_secs(h * 3600));
    }
    match request.await {
        Ok(_) => false,
        Err(Error::Api(api)) => panic!("the accepting server refused: {api}"),
        Err(_) => true,
    }
}

/// Whether the emulator refuses `u`.
async fn emulator_refuses(emu: &mistral_files_emulator::RunningEmulator, u: &Upload) -> bool {
    let expiry = u.expiry_hours.map(|h| h.to_string());
    let mut parts = vec![file_part(&u.name, &u.content)];
    if let Some(p) = &u.purpose {
        parts.push(Part::Text("purpose", p.as_str()));
    }
    if let Some(e) = &expiry {
        parts.push(Part::Text("expiry", e));
    }
    let (status, body) = post_form(emu, &parts).await;
    assert!(
        status.is_success() || status.is_client_error(),
        "{status}: {body}"
    );
    !status.is_success()
}

#[tokio::test]
async fn the_client_refuses_before_sending_what_the_emulator_refuses() {
    let emu = emulator().await;
    let accepting = ScriptedServer::start(|_, _| json_200(FILE_JSON)).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&accepting.url)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    for (what, u, expected) in table() {
        let verdict = match (
            client_refuses(&client, &u).await,
            emulator_refuses(&emu, &u).await,
        ) {
            (false, false) => Verdict::Accepted,
            (true, true) => Verdict::Refused,
            (true, false) => Verdict::ClientOnly,
            (false, true) => panic!("{what}: the client sends what the emulator refuses"),
        };
        assert_eq!(verdict, expected, "{what}");
    }
}

/// What the accepting server answers to every upload.
const FILE_JSON: &str = r#"{"id":"3b1f0c55-8d0e-4c7a-9a43-2f6c1d7e9b10","object":"file","bytes":3,"created_at":1760000000,"filename":"a.jsonl","purpose":"batch","sample_type":"batch_request","source":"upload"}"#;
