//! Uploads against the local emulator, with assertions on what it received: every field,
//! bytes and readers, names, content types, and the checks made before sending.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mistral_files::{Error, FilePurpose, FileVisibility, Progress};
use mistral_files_test_support::*;

fn write_temp(dir: &tempfile::TempDir, name: &str, data: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, data).unwrap();
    p
}

#[tokio::test]
async fn upload_path_sends_every_field_streamed_with_length() {
    let (emu, client) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let data =
        b"{\"custom_id\":\"1\",\"body\":{}}\n{\"custom_id\":\"2\",\"body\":{}}\n".repeat(1000);
    let path = write_temp(&dir, "batch.jsonl", &data);
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let seen2 = seen.clone();
    let file = client
        .upload_path(&path)
        .purpose(FilePurpose::Batch)
        .expiry(Duration::from_secs(48 * 3600))
        .visibility(FileVisibility::User)
        .on_progress(move |p| seen2.lock().unwrap().push(p))
        .await
        .unwrap();
    assert_eq!(file.filename, "batch.jsonl");
    assert_eq!(file.purpose, FilePurpose::Batch);
    assert_eq!(file.bytes, Some(data.len() as u64));
    assert_eq!(file.visibility, Some(FileVisibility::User));
    assert_eq!(file.num_lines, Some(2000));
    assert!(file.expires_at.is_some());

    let posts = requests_to(&emu, "POST", "/v1/files");
    assert_eq!(posts.len(), 1);
    let r = &posts[0];
    assert!(r.has_auth);
    assert!(
        header(r, "content-length").is_some(),
        "known Content-Length: {:?}",
        r.headers
    );
    assert!(header(r, "transfer-encoding").is_none());
    assert!(header(r, "content-type")
        .unwrap()
        .starts_with("multipart/form-data; boundary="));
    let text = |n: &str| {
        r.form
            .iter()
            .find(|p| p.name == n)
            .and_then(|p| p.text.clone())
    };
    assert_eq!(text("purpose").as_deref(), Some("batch"));
    assert_eq!(text("expiry").as_deref(), Some("48"));
    assert_eq!(text("visibility").as_deref(), Some("user"));
    let part = r.form.iter().find(|p| p.name == "file").unwrap();
    assert_eq!(part.filename.as_deref(), Some("batch.jsonl"));
    assert_eq!(part.content_type.as_deref(), Some("application/jsonl"));
    assert_eq!(part.size, data.len() as u64);
    assert_eq!(part.sha256, sha256_hex(&data));

    let seen = seen.lock().unwrap();
    assert_eq!(seen.first().unwrap().bytes_done, 0);
    assert_eq!(
        *seen.last().unwrap(),
        Progress {
            bytes_done: data.len() as u64,
            total: Some(data.len() as u64)
        }
    );
}

#[tokio::test]
async fn upload_bytes_reader_and_name_override() {
    let (emu, client) = setup().await;
    let data = b"{\"a\":1}\n".to_vec();
    let f1 = client
        .upload_bytes("mem.jsonl", data.clone())
        .purpose(FilePurpose::FineTune)
        .await
        .unwrap();
    assert_eq!(f1.filename, "mem.jsonl");
    let reader: &'static [u8] = b"{\"b\":2}\n";
    let f2 = client
        .upload_reader("stream.jsonl", reader, reader.len() as u64)
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
    assert_eq!(f2.bytes, Some(reader.len() as u64));
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "local-name.jsonl", &data);
    let f3 = client
        .upload_path(&path)
        .file_name("renamed.jsonl")
        .await
        .unwrap();
    assert_eq!(f3.filename, "renamed.jsonl");
    let posts = requests_to(&emu, "POST", "/v1/files");
    let shas: Vec<_> = posts
        .iter()
        .map(|r| {
            r.form
                .iter()
                .find(|p| p.name == "file")
                .unwrap()
                .sha256
                .clone()
        })
        .collect();
    assert_eq!(
        shas,
        vec![sha256_hex(&data), sha256_hex(reader), sha256_hex(&data)]
    );
    assert_eq!(
        posts[2]
            .form
            .iter()
            .find(|p| p.name == "file")
            .unwrap()
            .filename
            .as_deref(),
        Some("renamed.jsonl")
    );
    // a field left unset is not sent
    assert!(posts[2]
        .form
        .iter()
        .all(|p| p.name != "purpose" && p.name != "expiry" && p.name != "visibility"));
}

#[tokio::test]
async fn tricky_file_names_arrive_intact() {
    let (emu, client) = setup().await;
    for name in [
        "qu\"ote.jsonl",
        "cr\r\nlf.jsonl",
        "données 日本語.jsonl",
        "semi;colon = 'x'.jsonl",
        "percent%22literal.jsonl",
        "back`tick $(x).jsonl",
    ] {
        emu.clear_requests();
        let f = client
            .upload_bytes(name, b"{}\n".to_vec())
            .purpose(FilePurpose::Batch)
            .await
            .unwrap();
        assert_eq!(f.filename, name);
        let posts = requests_to(&emu, "POST", "/v1/files");
        let part = posts[0].form.iter().find(|p| p.name == "file").unwrap();
        assert_eq!(part.filename.as_deref(), Some(name));
        // and the form was not broken: the other field is intact
        assert_eq!(
            posts[0]
                .form
                .iter()
                .find(|p| p.name == "purpose")
                .unwrap()
                .text
                .as_deref(),
            Some("batch")
        );
        assert_eq!(client.retrieve(f.id).await.unwrap().filename, name);
    }
}

#[tokio::test]
async fn content_type_from_extension_or_override() {
    let (emu, client) = setup().await;
    client
        .upload_bytes("scan.pdf", b"%PDF-1.4 x".to_vec())
        .purpose(FilePurpose::Ocr)
        .await
        .unwrap();
    client
        .upload_bytes("scan.bin", b"\x89PNG\r\n".to_vec())
        .purpose(FilePurpose::Ocr)
        .content_type("image/png")
        .file_name("scan.png")
        .await
        .unwrap();
    let posts = requests_to(&emu, "POST", "/v1/files");
    let ct = |i: usize| {
        posts[i]
            .form
            .iter()
            .find(|p| p.name == "file")
            .unwrap()
            .content_type
            .clone()
    };
    assert_eq!(ct(0).as_deref(), Some("application/pdf"));
    assert_eq!(ct(1).as_deref(), Some("image/png"));
}

#[tokio::test]
async fn pre_send_checks_make_no_request() {
    let emu = emulator().await;
    let client = mistral_files::Client::builder()
        .api_key(KEY)
        .base_url(emu.url())
        .max_upload_bytes(64)
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let limit = write_temp(
        &dir,
        "limit.jsonl",
        &b"{\"a\":\""
            .iter()
            .chain([b'x'; 55].iter())
            .chain(b"\"}\n")
            .copied()
            .collect::<Vec<u8>>(),
    );
    assert_eq!(std::fs::metadata(&limit).unwrap().len(), 64);
    paths_are_checked_before_sending(&client, &dir).await;
    bytes_names_and_options_are_checked_before_sending(&client).await;
    assert!(
        emu.requests().is_empty(),
        "no request may be made: {:?}",
        emu.requests()
    );
    // exactly at the limit is fine
    client
        .upload_path(&limit)
        .validate_jsonl(true)
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
}

/// A missing path, a directory, an empty file, one over the limit (64 bytes), a fine-tuning
/// file that is not JSONL, a bad JSONL line, a FIFO: each refused.
async fn paths_are_checked_before_sending(client: &mistral_files::Client, dir: &tempfile::TempDir) {
    let empty = write_temp(dir, "empty.jsonl", b"");
    let big = write_temp(dir, "big.jsonl", &[b'x'; 65]);
    let txt = write_temp(dir, "train.txt", b"{}\n");
    let bad = write_temp(dir, "bad.jsonl", b"{\"ok\":1}\n{\"ok\":2}\nnot json\n");
    let e = client
        .upload_path(dir.path().join("missing.jsonl"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::FileNotFound { .. }), "{e}");
    let e = client.upload_path(dir.path()).await.unwrap_err();
    assert!(matches!(e, Error::NotAFile { .. }), "{e}");
    let e = client.upload_path(&empty).await.unwrap_err();
    assert!(matches!(e, Error::EmptyFile { .. }), "{e}");
    let e = client.upload_path(&big).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::FileTooLarge {
                size: 65,
                limit: 64,
                ..
            }
        ),
        "{e}"
    );
    let e = client
        .upload_path(&txt)
        .purpose(FilePurpose::FineTune)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::FineTuneRequiresJsonl { .. }), "{e}");
    let e = client
        .upload_path(&bad)
        .validate_jsonl(true)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidJsonl { line: 3, .. }), "{e}");
    #[cfg(unix)]
    {
        let fifo = dir.path().join("fifo.jsonl");
        if mkfifo(&fifo) {
            let e = client.upload_path(&fifo).await.unwrap_err();
            assert!(matches!(e, Error::NotAFile { .. }), "{e}");
        }
    }
}

/// Bad JSONL in bytes, expiries that are not whole hours, bad names, and JSONL validation of a
/// reader (which cannot be read twice): each refused.
async fn bytes_names_and_options_are_checked_before_sending(client: &mistral_files::Client) {
    let e = client
        .upload_bytes("b.jsonl", b"{}\n[]\n".to_vec())
        .validate_jsonl(true)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidJsonl { line: 2, .. }), "{e}");
    for d in [
        Duration::ZERO,
        Duration::from_secs(1800),
        Duration::from_secs(5400),
    ] {
        let e = client
            .upload_bytes("a.jsonl", b"{}\n".to_vec())
            .expiry(d)
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::InvalidInput { what: "expiry", .. }),
            "{e}"
        );
    }
    for name in ["", "a/b.jsonl", "..", "nul\0.jsonl", &"x".repeat(256)] {
        let e = client
            .upload_bytes(name, b"{}\n".to_vec())
            .await
            .unwrap_err();
        assert!(matches!(e, Error::InvalidFileName { .. }), "{name:?}: {e}");
    }
    let e = client
        .upload_reader("r.jsonl", &b"{}\n"[..], 3)
        .validate_jsonl(true)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e}");
}

#[tokio::test]
async fn bad_ids_are_typed_errors_before_any_request() {
    let (emu, client) = setup().await;
    for bad in [
        "",
        "not-a-uuid",
        "../../etc/passwd",
        "..%2F..%2Fetc",
        "%2e%2e%2f",
        "3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e/../x",
    ] {
        assert!(matches!(
            client.retrieve(bad).await,
            Err(Error::InvalidFileId { .. })
        ));
        assert!(matches!(
            client.delete(bad).await,
            Err(Error::InvalidFileId { .. })
        ));
        assert!(matches!(
            client.download(bad).await,
            Err(Error::InvalidFileId { .. })
        ));
        assert!(matches!(
            client.signed_url(bad).await,
            Err(Error::InvalidFileId { .. })
        ));
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            client.download_to_path(bad, dir.path().join("x")).await,
            Err(Error::InvalidFileId { .. })
        ));
    }
    assert!(emu.requests().is_empty());
}
