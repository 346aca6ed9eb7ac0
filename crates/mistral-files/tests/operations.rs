//! Every operation and option against the local emulator, with assertions on what it received.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use mistral_files::{Error, FileId, FilePurpose, FileVisibility, Progress, SampleType, Source};
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
    let empty = write_temp(&dir, "empty.jsonl", b"");
    let big = write_temp(&dir, "big.jsonl", &[b'x'; 65]);
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
    let txt = write_temp(&dir, "train.txt", b"{}\n");
    let bad = write_temp(&dir, "bad.jsonl", b"{\"ok\":1}\n{\"ok\":2}\nnot json\n");

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
    #[cfg(unix)]
    {
        let fifo = dir.path().join("fifo.jsonl");
        if mkfifo(&fifo) {
            let e = client.upload_path(&fifo).await.unwrap_err();
            assert!(matches!(e, Error::NotAFile { .. }), "{e}");
        }
    }
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

#[tokio::test]
async fn list_sends_every_filter_with_repeated_keys() {
    let (emu, client) = setup().await;
    client
        .upload_bytes("alpha-report.jsonl", b"{}\n".to_vec())
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
    client
        .upload_bytes("beta.jsonl", b"{}\n".to_vec())
        .purpose(FilePurpose::FineTune)
        .await
        .unwrap();
    emu.clear_requests();
    let page = client
        .list()
        .page(0)
        .page_size(50)
        .include_total(false)
        .purpose(FilePurpose::Batch)
        .sample_type(SampleType::BatchRequest)
        .sample_types([SampleType::BatchResult])
        .source(Source::Upload)
        .sources([Source::Mistral])
        .search("REPORT")
        .mimetype("application/jsonl")
        .mimetypes(["text/plain"])
        .send()
        .await
        .unwrap();
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.data[0].filename, "alpha-report.jsonl");
    assert_eq!(page.total, None);
    let r = &requests_to(&emu, "GET", "/v1/files")[0];
    assert_eq!(
        query_values(r, "sample_type"),
        vec!["batch_request", "batch_result"]
    );
    assert_eq!(query_values(r, "source"), vec!["upload", "mistral"]);
    assert_eq!(
        query_values(r, "mimetypes"),
        vec!["application/jsonl", "text/plain"]
    );
    assert_eq!(query_values(r, "purpose"), vec!["batch"]);
    assert_eq!(query_values(r, "search"), vec!["REPORT"]);
    assert_eq!(query_values(r, "page"), vec!["0"]);
    assert_eq!(query_values(r, "page_size"), vec!["50"]);
    assert_eq!(query_values(r, "include_total"), vec!["false"]);

    let all = client.list().send().await.unwrap();
    assert_eq!(all.total, Some(2));
    assert!(matches!(
        client.list().page_size(0).send().await,
        Err(Error::InvalidInput { .. })
    ));
}

#[tokio::test]
async fn list_stream_pages_lazily_and_stops() {
    let (emu, client) = setup().await;
    for i in 0..7 {
        client
            .upload_bytes(format!("f{i}.jsonl"), b"{}\n".to_vec())
            .purpose(FilePurpose::Batch)
            .await
            .unwrap();
    }
    // short last page ends it
    emu.clear_requests();
    let files: Vec<_> = client
        .list()
        .page_size(3)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(files.len(), 7);
    let mut ids: Vec<_> = files.iter().map(|f| f.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 7);
    assert_eq!(requests_to(&emu, "GET", "/v1/files").len(), 3);

    // laziness: taking 2 makes one request
    emu.clear_requests();
    let first_two: Vec<_> = client.list().page_size(3).stream().take(2).collect().await;
    assert_eq!(first_two.len(), 2);
    assert_eq!(requests_to(&emu, "GET", "/v1/files").len(), 1);

    client
        .upload_bytes("f7.jsonl", b"{}\n".to_vec())
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
    client
        .upload_bytes("f8.jsonl", b"{}\n".to_vec())
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
    // 9 files, pages of 3: the total stops it after 3 requests
    emu.clear_requests();
    let n = client
        .list()
        .page_size(3)
        .into_stream()
        .try_fold(0, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(n, 9);
    let pages = requests_to(&emu, "GET", "/v1/files");
    assert_eq!(pages.len(), 3);
    // the total is counted once: asked with the first page, not with the next ones
    let asked: Vec<Vec<&str>> = pages
        .iter()
        .map(|r| query_values(r, "include_total"))
        .collect();
    assert_eq!(asked, [vec![], vec!["false"], vec!["false"]]);
    // unless the caller asked for it explicitly
    emu.clear_requests();
    let n = client
        .list()
        .page_size(3)
        .include_total(true)
        .stream()
        .try_fold(0, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(n, 9);
    let pages = requests_to(&emu, "GET", "/v1/files");
    assert!(pages
        .iter()
        .all(|r| query_values(r, "include_total") == ["true"]));
    // without a total, an empty fourth page stops it
    emu.clear_requests();
    let n = client
        .list()
        .page_size(3)
        .include_total(false)
        .stream()
        .try_fold(0, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(n, 9);
    assert_eq!(requests_to(&emu, "GET", "/v1/files").len(), 4);
    // starting at a later page
    let rest: Vec<_> = client
        .list()
        .page(2)
        .page_size(3)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rest.len(), 3);
}

#[tokio::test]
async fn retrieve_and_delete() {
    let (_emu, client) = setup().await;
    let f = client
        .upload_bytes("x.jsonl", b"{}\n".to_vec())
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
    let got = client.retrieve(&f.id).await.unwrap();
    assert_eq!(got.id, f.id);
    assert!(!got.deleted);
    let id_string = f.id.to_string();
    let d = client.delete(&id_string).await.unwrap();
    assert!(d.deleted);
    assert_eq!(d.id, f.id);
    let e = client.retrieve(f.id).await.unwrap_err();
    // A 404 is matched with the crate's own names: no `http` or `reqwest` dependency needed.
    assert!(e.is_not_found(), "{e:?}");
    assert_eq!(e.status(), Some(mistral_files::StatusCode::NOT_FOUND));
    assert!(!e.is_retryable() && !e.is_unauthorized() && !e.is_rate_limited());
    assert!(e.to_string().contains("404"), "{e}");
    let Error::Api(api) = &e else { panic!("{e:?}") };
    assert_eq!(api.status().as_u16(), 404);
    assert!(
        api.body().summary().contains("not found"),
        "{:?}",
        api.body()
    );
}

#[tokio::test]
async fn a_wrong_key_is_unauthorized() {
    let (emu, _client) = setup().await;
    let wrong = mistral_files::Client::builder()
        .api_key("not-the-key")
        .base_url(emu.url())
        .build()
        .unwrap();
    let e = wrong.list().send().await.unwrap_err();
    assert!(e.is_unauthorized(), "{e:?}");
    assert!(!e.is_not_found() && !e.is_retryable());
}

#[tokio::test]
async fn download_stream_reader_and_to_path() {
    let (emu, client) = setup().await;
    let data = content(3 * 1024 * 1024 + 17, 1);
    let f = client
        .upload_bytes("blob.jsonl", data.clone())
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();

    let dl = client.download(f.id).await.unwrap();
    assert_eq!(dl.content_length(), Some(data.len() as u64));
    let chunks: Vec<_> = dl.try_collect().await.unwrap();
    assert_eq!(chunks.concat(), data);

    let mut r = client.download(f.id).await.unwrap().into_async_read();
    let mut buf = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut r, &mut buf)
        .await
        .unwrap();
    assert_eq!(buf, data);

    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.jsonl");
    let last: Arc<Mutex<Option<Progress>>> = Arc::default();
    let last2 = last.clone();
    let n = client
        .download_to_path(f.id, &target)
        .on_progress(move |p| *last2.lock().unwrap() = Some(p))
        .await
        .unwrap();
    assert_eq!(n, data.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), data);
    assert_eq!(last.lock().unwrap().unwrap().bytes_done, data.len() as u64);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp files left"
    );

    let e = client
        .download_to_path(f.id, &target)
        .overwrite(false)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::TargetExists { .. }), "{e}");
    let e = client.download_to_path(f.id, dir.path()).await.unwrap_err();
    assert!(matches!(e, Error::NotAFile { .. }), "{e}");
    assert!(requests_to(&emu, "GET", "/v1/files/")
        .iter()
        .all(|r| r.has_auth));
}

#[tokio::test]
async fn signed_url_expiry_and_fetch_without_key() {
    let (emu, client) = setup().await;
    let data = content(200_000, 2);
    let f = client
        .upload_bytes("s.jsonl", data.clone())
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
    emu.clear_requests();
    let url = client.signed_url(f.id).await.unwrap();
    let url2 = client
        .signed_url(f.id)
        .expiry(Duration::from_secs(2 * 3600))
        .await
        .unwrap();
    assert!(
        !format!("{url:?}").contains(url.as_str().split('?').nth(1).unwrap_or("@@none@@"))
            || !url.as_str().contains('?')
    );
    let gets = requests_to(&emu, "GET", &format!("/v1/files/{}/url", f.id));
    assert_eq!(query_values(&gets[0], "expiry"), vec!["24"]);
    assert_eq!(query_values(&gets[1], "expiry"), vec!["2"]);
    for bad in [
        Duration::ZERO,
        Duration::from_secs(60),
        Duration::from_secs(3601),
    ] {
        let e = client.signed_url(f.id).expiry(bad).await.unwrap_err();
        assert!(matches!(e, Error::InvalidInput { .. }), "{e}");
    }

    emu.clear_requests();
    assert_eq!(downloaded(client.fetch_signed_url(&url2)).await, data);
    let dir = tempfile::tempdir().unwrap();
    let n = client
        .fetch_signed_url_to_path(&url, dir.path().join("s.jsonl"))
        .await
        .unwrap();
    assert_eq!(n, data.len() as u64);
    let reqs = emu.requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    for r in &reqs {
        assert!(
            !r.has_auth,
            "a signed-URL fetch must not carry the API key: {r:?}"
        );
        assert!(!r.path.starts_with("/v1/"));
    }
}

#[tokio::test]
async fn base_url_with_trailing_slash() {
    let emu = emulator().await;
    let client = mistral_files::Client::builder()
        .api_key(KEY)
        .base_url(format!("{}/", emu.url()))
        .build()
        .unwrap();
    client.list().send().await.unwrap();
    assert_eq!(emu.requests()[0].path, "/v1/files");
    for bad in ["127.0.0.1:1", "api.mistral.ai", "ftp://x"] {
        let e = mistral_files::Client::builder()
            .api_key(KEY)
            .base_url(bad)
            .build()
            .unwrap_err();
        assert!(matches!(e, Error::InvalidInput { .. }), "{bad}: {e}");
    }
    assert!(matches!(
        mistral_files::Client::builder().build(),
        Err(Error::MissingApiKey)
    ));
}

#[tokio::test]
async fn unknown_purpose_and_ids_roundtrip() {
    let (_emu, client) = setup().await;
    let f = client
        .upload_bytes("a.mp3", b"ID3abc".to_vec())
        .purpose(FilePurpose::Audio)
        .await
        .unwrap();
    assert_eq!(f.purpose.as_str(), "audio");
    let id: FileId = f.id.to_string().parse().unwrap();
    assert_eq!(id, f.id);
}
