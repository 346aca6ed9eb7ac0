//! Failure handling: retries, Retry-After, resumable downloads, timeouts, and secrets.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mistral_files::{ApiErrorBody, Client, Error, FilePurpose, RetryPolicy};
use mistral_files_test_support::*;

fn client_with(
    emu: &mistral_files_emulator::RunningEmulator,
    f: impl FnOnce(mistral_files::ClientBuilder) -> mistral_files::ClientBuilder,
) -> Client {
    f(Client::builder()
        .api_key(KEY)
        .base_url(emu.url())
        .retry_policy(fast_retries()))
    .build()
    .unwrap()
}

#[tokio::test]
async fn retry_after_on_429_is_honoured() {
    let (emu, client) = setup().await;
    emu.faults().fail_next(1, 429, Some(Duration::from_secs(1)));
    let t = Instant::now();
    client.list().send().await.unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "waited {:?}",
        t.elapsed()
    );
    assert_eq!(requests_to(&emu, "GET", "/v1/files").len(), 2);
}

#[tokio::test]
async fn retry_after_of_a_day_is_capped() {
    let emu = emulator().await;
    let client = client_at(
        emu.url(),
        fast_retries().with_max_retry_after(Duration::from_millis(200)),
    );
    emu.faults()
        .fail_next(1, 429, Some(Duration::from_secs(86_400)));
    let t = Instant::now();
    client.list().send().await.unwrap();
    assert!(t.elapsed() < Duration::from_secs(30));
    assert_eq!(emu.requests().len(), 2);
}

#[tokio::test]
async fn transient_5xx_then_success() {
    let emu = emulator().await;
    let client = client_at(emu.url(), fast_retries().with_max_attempts(5));
    emu.faults().fail_next(1, 503, None);
    emu.faults().fail_next(1, 429, None);
    emu.faults()
        .fail_next_with_body(1, 502, "text/html", "<html><body>Bad gateway</body></html>");
    emu.faults().fail_next(1, 504, None);
    let page = client.list().send().await.unwrap();
    assert_eq!(page.data.len(), 0);
    assert_eq!(emu.requests().len(), 5);
}

#[tokio::test]
async fn retries_are_bounded_and_can_be_disabled() {
    let emu = emulator().await;
    let client = client_at(emu.url(), fast_retries().with_max_attempts(3));
    emu.faults().fail_next(10, 503, None);
    let e = client.list().send().await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(503));
    assert!(e.is_retryable());
    assert!(
        matches!(e.api_body(), Some(ApiErrorBody::Message { .. })),
        "{e:?}"
    );
    assert_eq!(emu.requests().len(), 3);

    emu.faults().reset();
    emu.clear_requests();
    let client = client_at(emu.url(), RetryPolicy::disabled());
    emu.faults()
        .fail_next_with_body(1, 502, "text/html", "<html><body>Bad gateway</body></html>");
    let e = client.retrieve(FILE_ID).await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(502));
    match e.api_body() {
        Some(ApiErrorBody::Text(t)) => assert!(t.contains("Bad gateway")),
        other => panic!("{other:?}"),
    }
    assert_eq!(emu.requests().len(), 1);
}

#[tokio::test]
async fn upload_500_is_looked_for_then_retried_and_503_is_retried() {
    let (emu, client) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let data = content(600_000, 3);
    let path = dir.path().join("u.jsonl");
    std::fs::write(&path, &data).unwrap();

    // a 500 (or a 502/504 from a proxy) may come after the store: the file is looked for
    // first (here nothing was stored), then sent again; a refusal is sent again at once
    for (status, lookups) in [(500, 1), (502, 1), (504, 1), (503, 0), (408, 0), (429, 0)] {
        emu.clear_requests();
        emu.faults().fail_next(1, status, None);
        let f = client
            .upload_path(&path)
            .purpose(FilePurpose::Batch)
            .await
            .unwrap();
        assert_eq!(f.bytes, Some(data.len() as u64));
        assert_eq!(
            requests_to(&emu, "POST", "/v1/files").len(),
            2,
            "status {status}"
        );
        assert_eq!(
            requests_to(&emu, "GET", "/v1/files").len(),
            lookups,
            "status {status}"
        );
        // else the next round's lookup would find this file (same name, size and purpose)
        client.delete(&f.id).await.unwrap();
    }
    // with retries off, a 500 is the upload's error
    emu.faults().fail_next(1, 500, None);
    let e = client_at(emu.url(), RetryPolicy::disabled())
        .upload_path(&path)
        .purpose(FilePurpose::Batch)
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500));
    emu.clear_requests();
    emu.faults().fail_next(1, 503, None);
    client
        .upload_bytes("b.jsonl", data.clone())
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
    assert_eq!(requests_to(&emu, "POST", "/v1/files").len(), 2);
    // whatever is stored is the full content
    let listed = client.list().send().await.unwrap();
    assert!(listed
        .data
        .iter()
        .all(|f| f.bytes == Some(data.len() as u64)));
}

#[tokio::test]
async fn one_shot_stream_upload_is_never_resent() {
    let (emu, client) = setup().await;
    let data = content(100_000, 4);
    emu.faults().fail_next(1, 503, None);
    let reader = std::io::Cursor::new(data.clone());
    let e = client
        .upload_reader("r.jsonl", reader, data.len() as u64)
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(requests_to(&emu, "POST", "/v1/files").len(), 1);
    // a reader shorter than announced fails instead of sending a truncated body
    let short = std::io::Cursor::new(vec![b'x'; 10]);
    assert!(client.upload_reader("s.jsonl", short, 20).await.is_err());
    assert!(client.list().send().await.unwrap().data.is_empty());
}

#[tokio::test]
async fn reset_mid_download_resumes_with_range() {
    let (emu, client) = setup().await;
    let (f, data) = uploaded_batch(&client, 2 * 1024 * 1024 + 5, 5).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.bin");

    emu.clear_requests();
    emu.faults().cut_download_after(700_000);
    let n = client.download_to_path(f.id, &target).await.unwrap();
    assert_eq!(n, data.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), data);
    let gets = requests_to(&emu, "GET", &format!("/v1/files/{}/content", f.id));
    assert_eq!(gets.len(), 2);
    let range = header(&gets[1], "range").expect("resumed with Range");
    assert!(
        range.starts_with("bytes=") && range.ends_with('-') && range != "bytes=0-",
        "{range}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // the stream form resumes too
    emu.faults().cut_download_after(123_457);
    assert_eq!(downloaded(client.download(f.id)).await, data);
    // and a signed URL fetch
    let url = client.signed_url(f.id).await.unwrap();
    emu.faults().cut_download_after(1_000_000);
    assert_eq!(downloaded(client.fetch_signed_url(&url)).await, data);
}

#[tokio::test]
async fn reset_without_retries_keeps_a_partial_that_the_next_run_resumes() {
    let emu = emulator().await;
    let client = client_at(emu.url(), RetryPolicy::disabled());
    let (f, data) = uploaded_batch(&client, 1024 * 1024, 6).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.bin");
    emu.faults().cut_download_after(300_000);
    let e = client.download_to_path(f.id, &target).await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    assert!(!target.exists(), "never a short file at the target");
    let part = dir.path().join(format!(".out.bin.{}.part", f.id));
    let meta = dir.path().join(format!(".out.bin.{}.meta", f.id));
    let kept = std::fs::metadata(&part)
        .expect("the partial copy is kept")
        .len();
    assert!(kept > 0 && kept <= 300_000, "{kept}");
    assert_eq!(&std::fs::read(&part).unwrap()[..], &data[..kept as usize]);
    assert!(meta.exists());

    // the next run asks for the rest only, and ends with the exact bytes and nothing else
    emu.clear_requests();
    let n = client.download_to_path(f.id, &target).await.unwrap();
    assert_eq!(n, data.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), data);
    let gets = requests_to(&emu, "GET", &format!("/v1/files/{}/content", f.id));
    assert_eq!(gets.len(), 1);
    assert_eq!(
        header(&gets[0], "range"),
        Some(format!("bytes={kept}-").as_str())
    );
    assert!(header(&gets[0], "if-range").is_some_and(|v| v.starts_with('"')));
    let mut left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left, ["out.bin"]);

    // an existing target is left untouched by a failed download
    std::fs::write(&target, b"old").unwrap();
    emu.faults().cut_download_after(300_000);
    client.download_to_path(f.id, &target).await.unwrap_err();
    assert_eq!(std::fs::read(&target).unwrap(), b"old");
}

#[tokio::test]
async fn restart_when_server_has_no_ranges() {
    // A server without Accept-Ranges that resets the first response mid-body: the client restarts
    // and skips what it already delivered.
    let data = Arc::new(content(500_000, 7));
    let d = data.clone();
    let server = ScriptedServer::start(move |i, head| {
        if head.starts_with("GET /v1/files/") && head.contains("/content") {
            let hdrs = [
                ("content-length", d.len().to_string()),
                ("content-type", "application/octet-stream".to_string()),
            ];
            let body: &[u8] = if i == 0 { &d[..200_000] } else { &d[..] };
            http_response("200 OK", &hdrs, body)
        } else {
            http_response("404 Not Found", &[], b"")
        }
    })
    .await;
    let client = client_at(&server.url, fast_retries());
    assert_eq!(downloaded(client.download(FILE_ID)).await, *data);
    let reqs = server.heads();
    assert_eq!(reqs.len(), 2);
    assert!(
        !reqs[1].to_ascii_lowercase().contains("range:"),
        "no Range without Accept-Ranges"
    );
}

#[tokio::test]
async fn stalled_download_is_cut_by_idle_timeout() {
    let emu = emulator().await;
    let client = client_with(&emu, |b| {
        b.read_timeout(Duration::from_millis(300))
            .retry_policy(RetryPolicy::disabled())
    });
    let (f, data) = uploaded_batch(&client, 1024 * 1024, 8).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.bin");
    emu.faults()
        .stall_download_after(64 * 1024, Duration::from_secs(5));
    let e = client.download_to_path(f.id, &target).await.unwrap_err();
    match &e {
        Error::Transport(t) => assert!(t.is_timeout() || t.is_body(), "{e:?}"),
        other => panic!("{other:?}"),
    }
    assert!(!target.exists());

    // with retries on, the stall is cut and the download resumes
    let client = client_with(&emu, |b| b.read_timeout(Duration::from_millis(300)));
    emu.faults()
        .stall_download_after(64 * 1024, Duration::from_secs(5));
    client.download_to_path(f.id, &target).await.unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), data);
}

#[tokio::test]
async fn slow_but_moving_download_is_not_cut() {
    let emu = emulator().await;
    let client = client_with(&emu, |b| {
        b.read_timeout(Duration::from_millis(400))
            .retry_policy(RetryPolicy::disabled())
    });
    let (f, data) = uploaded_batch(&client, 600_000, 9).await;
    emu.faults().throttle_download(300_000); // ~2 s in all, far beyond the idle timeout
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("slow.bin");
    let t = Instant::now();
    client.download_to_path(f.id, &target).await.unwrap();
    assert!(
        t.elapsed() > Duration::from_millis(800),
        "the throttle applied"
    );
    assert_eq!(std::fs::read(&target).unwrap(), data);
}

#[tokio::test]
async fn total_timeout_applies() {
    let emu = emulator().await;
    let client = client_with(&emu, |b| {
        b.timeout(Duration::from_millis(200))
            .retry_policy(RetryPolicy::disabled())
    });
    emu.faults().set_latency(Duration::from_secs(2));
    let e = client.list().send().await.unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    let e = client.download(FILE_ID).await.unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    let client = client_at(&refused_url(), fast_retries().with_max_attempts(2));
    let e = client.list().send().await.unwrap_err();
    assert!(matches!(&e, Error::Transport(t) if t.is_connect()), "{e:?}");
    assert!(e.is_retryable());
    assert!(e.to_string().contains("could not connect"), "{e}");
}

#[tokio::test]
async fn wrong_key_is_a_clear_401_without_the_key() {
    let emu = emulator().await;
    let secret = "sk-WRONG-KEY-0123456789";
    let client = Client::builder()
        .api_key(secret)
        .base_url(emu.url())
        .build()
        .unwrap();
    let e = client.list().send().await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
    assert!(!e.is_retryable());
    let msg = e.to_string();
    assert!(msg.contains("MISTRAL_API_KEY"), "{msg}");
    assert!(!msg.contains(secret) && !format!("{e:?}").contains(secret));
    assert!(!format!("{client:?}").contains(secret));
    assert_eq!(emu.requests().len(), 1, "401 is not retried");
}

#[tokio::test]
async fn path_prefix_and_lenient_decoding_and_decode_errors() {
    let server = ScriptedServer::start(|_, head| {
        let json = [("content-type", "application/json".to_string())];
        if head.starts_with(&format!("GET /prefix/v1/files/{FILE_ID} ")) {
            http_response("200 OK", &json, FILE_JSON.as_bytes())
        } else if head.starts_with("GET /prefix/v1/files?") {
            http_response("200 OK", &json, b"{\"data\": [not json")
        } else {
            http_response("404 Not Found", &json, b"{\"detail\":\"Not Found\"}")
        }
    })
    .await;
    let client = client_at(&format!("{}/prefix/", server.url), RetryPolicy::disabled());
    let f = client.retrieve(FILE_ID).await.unwrap();
    assert_eq!(f.bytes, None);
    assert_eq!(f.purpose.as_str(), "brand-new-purpose");
    assert_eq!(f.sample_type.as_str(), "something_new");
    let e = client.list().send().await.unwrap_err();
    match &e {
        Error::Decode(bad) => {
            assert_eq!(&bad.raw_body()[..], b"{\"data\": [not json");
            assert_eq!(bad.status().as_u16(), 200);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn reset_before_response_and_truncated_json_are_retried_for_get() {
    let server = ScriptedServer::start(|i, _| match i {
        0 => Vec::new(), // connection closed before any response
        1 => http_response(
            "200 OK",
            &[
                ("content-type", "application/json".to_string()),
                ("content-length", "500".to_string()),
            ],
            &FILE_JSON.as_bytes()[..40],
        ), // truncated body with a correct Content-Length
        _ => http_response(
            "200 OK",
            &[("content-type", "application/json".to_string())],
            FILE_JSON.as_bytes(),
        ),
    })
    .await;
    let client = client_at(&server.url, fast_retries());
    let f = client.retrieve(FILE_ID).await.unwrap();
    assert_eq!(f.filename, "a.jsonl");
    assert_eq!(server.heads().len(), 3);
}

#[tokio::test]
async fn reset_before_upload_response_is_not_retried() {
    // The server may have stored the file: an upload whose response never came is not resent
    // before the file is looked for, and here every listing is reset too.
    let server = ScriptedServer::start(|_, _| Vec::new()).await;
    let client = client_at(&server.url, fast_retries());
    let e = client
        .upload_bytes("a.jsonl", b"{}\n".to_vec())
        .await
        .unwrap_err();
    match &e {
        Error::UploadOutcomeUnknown {
            candidates, source, ..
        } => {
            assert!(candidates.is_empty());
            assert!(matches!(**source, Error::Transport(_)), "{source:?}");
        }
        other => panic!("{other:?}"),
    }
    let posts = server
        .heads()
        .iter()
        .filter(|h| h.starts_with("POST"))
        .count();
    assert_eq!(posts, 1, "never resent blind");
    // and with retries off: one request, its error as it is
    let server = ScriptedServer::start(|_, _| Vec::new()).await;
    let client = client_at(&server.url, RetryPolicy::disabled());
    let e = client
        .upload_bytes("a.jsonl", b"{}\n".to_vec())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    assert_eq!(server.heads().len(), 1);
}

#[tokio::test]
async fn unexpected_content_type_and_html_success_are_decode_errors() {
    let server = ScriptedServer::start(|_, _| {
        http_response(
            "200 OK",
            &[("content-type", "text/html".to_string())],
            b"<html>login page</html>",
        )
    })
    .await;
    let client = client_at(&server.url, RetryPolicy::disabled());
    let e = client.retrieve(FILE_ID).await.unwrap_err();
    match &e {
        Error::Decode(bad) => assert_eq!(&bad.raw_body()[..], b"<html>login page</html>"),
        other => panic!("{other:?}"),
    }
    assert!(!e.is_retryable());
}
