//! The service's own rules as the library meets them: a refusal in the middle of an upload is the
//! server's answer (not a transport error), signed URLs live 1 to 168 hours (checked before
//! sending), a file sent without a purpose is checked as fine-tuning data (`.jsonl`, locally),
//! and the service's JSONL error body keeps its `description` and its `errors[]` with line
//! numbers.

use std::time::Duration;

use mistral_files::{ApiErrorBody, Client, Error, FilePurpose};
use mistral_files_test_support::*;

#[tokio::test]
async fn a_refusal_mid_upload_is_the_servers_answer() {
    let emu = emulator_with(|b| b.max_upload_bytes(1024 * 1024)).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(emu.url())
        .retry_policy(fast_retries())
        .max_upload_bytes(64 * 1024 * 1024)
        .build()
        .unwrap();
    // 3 MiB: read and refused at 1 MiB, mid-body, the rest drained; 6 MiB: refused on its
    // declared length, the body drained; 12 MiB: refused on its declared length, over the drain
    // cap: answered without reading the body, and the answer still reaches the library
    for len in [3 << 20, 6 << 20, 12 << 20] {
        let e = client
            .upload_bytes("big.jsonl", content(len, 1))
            .purpose(FilePurpose::Batch)
            .await
            .unwrap_err();
        assert_eq!(e.status().map(|s| s.as_u16()), Some(413), "{len}: {e:?}");
        match e.api_body() {
            Some(ApiErrorBody::Detail { detail, .. }) => {
                assert!(detail.starts_with("File too large"), "{detail}")
            }
            other => panic!("{len}: {other:?}"),
        }
        let reader = std::io::Cursor::new(content(len, 2));
        let e = client
            .upload_reader("big.jsonl", reader, len as u64)
            .purpose(FilePurpose::Batch)
            .await
            .unwrap_err();
        assert_eq!(e.status().map(|s| s.as_u16()), Some(413), "{len}: {e:?}");
    }
    assert!(client.list().send().await.unwrap().data.is_empty());
}

#[tokio::test]
async fn signed_url_expiry_is_1_to_168_hours_checked_before_sending() {
    let (emu, client) = setup().await;
    let f = client
        .upload_bytes("a.jsonl", jsonl(1))
        .await
        .expect("uploaded");
    for hours in [1u64, 168] {
        client
            .signed_url(f.id)
            .expiry(Duration::from_secs(hours * 3600))
            .await
            .unwrap_or_else(|e| panic!("{hours} h: {e}"));
    }
    emu.clear_requests();
    for hours in [169u64, 24 * 365, u64::MAX / 3600] {
        let e = client
            .signed_url(f.id)
            .expiry(Duration::from_secs(hours * 3600))
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidInput {
                    what: "signed URL expiry",
                    ..
                }
            ),
            "{hours}: {e:?}"
        );
        assert!(e.to_string().contains("168"), "{e}");
    }
    assert!(emu.requests().is_empty(), "nothing was sent");
    assert_eq!(mistral_files::SIGNED_URL_MAX_EXPIRY_HOURS, 168);
}

#[tokio::test]
async fn without_a_purpose_the_name_must_end_in_jsonl_checked_locally() {
    let (emu, client) = setup().await;
    for name in ["scan.pdf", "notes.txt", "data.json", "noext"] {
        let e = client
            .upload_bytes(name, b"{}\n".to_vec())
            .await
            .unwrap_err();
        assert!(
            matches!(&e, Error::FineTuneRequiresJsonl { name: n } if n == name),
            "{name}: {e:?}"
        );
        assert!(e.to_string().contains("without a purpose"), "{e}");
    }
    assert!(emu.requests().is_empty(), "nothing was sent");
    // with the purpose it is for, the same file goes
    let f = client
        .upload_bytes("scan.pdf", b"%PDF-1.4".to_vec())
        .purpose(FilePurpose::Ocr)
        .await
        .unwrap();
    assert_eq!(f.purpose, FilePurpose::Ocr);
    let f = client
        .upload_bytes("UPPER.JSONL", b"{}\n".to_vec())
        .await
        .unwrap();
    assert_eq!(f.purpose, FilePurpose::FineTune);
}

#[tokio::test]
async fn jsonl_errors_keep_the_description_and_each_line_number() {
    let (_emu, client) = setup().await;
    for purpose in [None, Some(FilePurpose::FineTune)] {
        let mut req = client.upload_bytes("bad.jsonl", b"{}\nnot json\n\n{}\n[1]\n".to_vec());
        if let Some(p) = purpose.clone() {
            req = req.purpose(p);
        }
        let e = req.await.unwrap_err();
        assert_eq!(e.status().map(|s| s.as_u16()), Some(422), "{e:?}");
        let Some(ApiErrorBody::Detail {
            detail,
            description,
            errors,
            ..
        }) = e.api_body()
        else {
            panic!("{e:?}")
        };
        assert_eq!(detail, "Invalid file format.");
        assert!(
            description
                .as_deref()
                .unwrap()
                .starts_with("Found 3 errors in this file."),
            "{description:?}"
        );
        let lines: Vec<Option<u64>> = errors.iter().map(|e| e.line_number).collect();
        assert_eq!(lines, [Some(2), Some(3), Some(5)], "{purpose:?}");
        assert!(errors[0].message.starts_with("line contains invalid json"));
        assert_eq!(e.api_body().unwrap().line_errors().len(), 3);
        // the message names the lines
        let m = e.to_string();
        assert!(m.contains("line 2: line contains invalid json"), "{m}");
        assert!(m.contains("line 5: line is not a JSON object"), "{m}");
    }
    // not UTF-8: the service's own words
    let e = client
        .upload_bytes("latin1.jsonl", b"{\"a\":\"caf\xe9\"}\n".to_vec())
        .await
        .unwrap_err();
    assert_eq!(
        e.api_body().unwrap().summary(),
        "Failed to decode data, please encode your file using UTF-8."
    );
}
