//! Every operation and option against the local emulator, with assertions on what it received.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use mistral_files::{Error, FileId, FilePurpose, Progress, SampleType, Source};
use mistral_files_test_support::*;

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

/// Uploads a one-line batch file named `name`.
async fn upload_batch(client: &mistral_files::Client, name: &str) {
    client
        .upload_bytes(name.to_string(), b"{}\n".to_vec())
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
}

/// How many files `req`'s stream yields (all of them must be `Ok`).
async fn streamed(req: mistral_files::ListRequest) -> usize {
    req.into_stream()
        .try_fold(0, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap()
}

#[tokio::test]
async fn list_stream_pages_lazily_and_stops() {
    let (emu, client) = setup().await;
    for i in 0..7 {
        upload_batch(&client, &format!("f{i}.jsonl")).await;
    }
    a_short_last_page_ends_it_and_taking_two_makes_one_request(&emu, &client).await;
    upload_batch(&client, "f7.jsonl").await;
    upload_batch(&client, "f8.jsonl").await;
    the_total_stops_it_and_is_asked_once(&emu, &client).await;
    // without a total, an empty fourth page stops it
    emu.clear_requests();
    let n = streamed(client.list().page_size(3).include_total(false)).await;
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

/// With 7 files in pages of 3: three requests, the short last page ending the stream; taking
/// two files makes one request.
async fn a_short_last_page_ends_it_and_taking_two_makes_one_request(
    emu: &mistral_files_emulator::RunningEmulator,
    client: &mistral_files::Client,
) {
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
    assert_eq!(requests_to(emu, "GET", "/v1/files").len(), 3);

    // laziness: taking 2 makes one request
    emu.clear_requests();
    let first_two: Vec<_> = client.list().page_size(3).stream().take(2).collect().await;
    assert_eq!(first_two.len(), 2);
    assert_eq!(requests_to(emu, "GET", "/v1/files").len(), 1);
}

/// With 9 files in pages of 3: the total stops the stream after 3 requests, and it is asked
/// with the first page only, unless the caller asks for it with every page.
async fn the_total_stops_it_and_is_asked_once(
    emu: &mistral_files_emulator::RunningEmulator,
    client: &mistral_files::Client,
) {
    emu.clear_requests();
    let n = streamed(client.list().page_size(3)).await;
    assert_eq!(n, 9);
    let pages = requests_to(emu, "GET", "/v1/files");
    assert_eq!(pages.len(), 3);
    // the total is counted once: asked with the first page, not with the next ones
    let asked: Vec<Vec<&str>> = pages
        .iter()
        .map(|r| query_values(r, "include_total"))
        .collect();
    assert_eq!(asked, [vec![], vec!["false"], vec!["false"]]);
    // unless the caller asked for it explicitly
    emu.clear_requests();
    let n = streamed(client.list().page_size(3).include_total(true)).await;
    assert_eq!(n, 9);
    let pages = requests_to(emu, "GET", "/v1/files");
    assert!(pages
        .iter()
        .all(|r| query_values(r, "include_total") == ["true"]));
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
