//! Faults, secrets and response decoding, beyond `failures.rs`: every 5xx for every idempotent
//! call, stalled JSON bodies and stalled headers, far-future `Retry-After` dates, oversized error
//! bodies, cross-host redirects, the key in `Debug`/messages/panics and on the wire; the
//! property tests of the decoding are `decoding_properties.rs`. The full table is
//! docs/RELIABILITY.md.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mistral_files::{ApiErrorBody, Client, Error, FilePurpose, RetryPolicy};
use mistral_files_test_support::*;

// ---------------------------------------------------------------------------------------------
// Faults

#[tokio::test]
async fn each_5xx_408_and_429_is_retried_for_every_idempotent_call_then_ok() {
    let (emu, client) = setup().await;
    let f = client
        .upload_bytes("r.jsonl", b"{}\n".to_vec())
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
    for status in [500u16, 502, 503, 504, 408, 429] {
        for call in ["list", "retrieve", "url", "download", "delete"] {
            // delete a fresh file each time
            let fresh = client
                .upload_bytes("d.jsonl", b"{}\n".to_vec())
                .await
                .unwrap();
            emu.clear_requests();
            emu.faults().fail_next(1, status, None);
            match call {
                "list" => drop(client.list().send().await.unwrap()),
                "retrieve" => drop(client.retrieve(f.id).await.unwrap()),
                "url" => drop(client.signed_url(f.id).await.unwrap()),
                "download" => {
                    assert_eq!(downloaded(client.download(f.id)).await, b"{}\n");
                }
                "delete" => assert!(client.delete(fresh.id).await.unwrap().deleted),
                _ => unreachable!(),
            }
            assert_eq!(
                emu.requests().len(),
                2,
                "{call} after {status}: retried once"
            );
        }
    }
}

#[tokio::test]
async fn retry_after_http_date_a_day_ahead_is_capped() {
    let day = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(86_400));
    let server = ScriptedServer::start(move |i, _| {
        if i == 0 {
            Reply::Bytes(http_response(
                "429 Too Many Requests",
                &[("retry-after", day.clone()), ("content-length", "0".into())],
                b"",
            ))
        } else {
            Reply::Bytes(json_200(FILE_JSON))
        }
    })
    .await;
    let client = client_at(
        &server.url,
        fast_retries().with_max_retry_after(Duration::from_millis(200)),
    );
    let t = Instant::now();
    client.retrieve(FILE_ID).await.unwrap();
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn exhausted_429_keeps_the_retry_after_it_was_given() {
    let emu = emulator().await;
    let client = client_at(emu.url(), fast_retries().with_max_attempts(2));
    emu.faults()
        .fail_next(5, 429, Some(Duration::from_secs(86_400)));
    let t = Instant::now();
    let e = client.list().send().await.unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(30));
    match &e {
        Error::Api(api) => {
            assert_eq!(api.status().as_u16(), 429);
            assert_eq!(api.retry_after(), Some(Duration::from_secs(86_400)));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.is_retryable());
    assert_eq!(emu.requests().len(), 2);
}

#[tokio::test]
async fn stalled_json_body_is_cut_by_the_idle_timeout_and_retried() {
    let server = ScriptedServer::start(|i, _| {
        let full = json_200(FILE_JSON);
        if i == 0 {
            let cut = full.len() - 20;
            Reply::Stall(
                full[..cut].to_vec(),
                Duration::from_secs(10),
                full[cut..].to_vec(),
            )
        } else {
            Reply::Bytes(full)
        }
    })
    .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .read_timeout(Duration::from_millis(300))
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let f = client.retrieve(FILE_ID).await.unwrap();
    assert_eq!(f.filename, "a.jsonl");
    assert_eq!(server.requests().len(), 2);

    // without retries: a typed, retryable transport error
    let server2 = ScriptedServer::start(|_, _| {
        let full = json_200(FILE_JSON);
        Reply::Stall(
            full[..full.len() - 20].to_vec(),
            Duration::from_secs(10),
            Vec::new(),
        )
    })
    .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server2.url)
        .read_timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let e = client.retrieve(FILE_ID).await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(e.is_retryable());
}

#[tokio::test]
async fn server_that_never_answers_is_cut_by_the_idle_timeout() {
    let server = ScriptedServer::start(|_, _| Reply::Silence(Duration::from_secs(10))).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .read_timeout(Duration::from_millis(300))
        .retry_policy(fast_retries().with_max_attempts(2))
        .build()
        .unwrap();
    let e = client.list().send().await.unwrap_err();
    assert!(matches!(&e, Error::Transport(t) if t.is_timeout()), "{e:?}");
    assert_eq!(
        server.requests().len(),
        2,
        "a GET is retried after a timeout"
    );
    // an upload is not resent after a timeout: the server may have stored it, and looking for
    // it times out too
    let e = client
        .upload_bytes("t.jsonl", b"{}\n".to_vec())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::UploadOutcomeUnknown { candidates, .. } if candidates.is_empty()),
        "{e:?}"
    );
    let posts = server
        .requests()
        .iter()
        .filter(|r| r.head.starts_with("POST"))
        .count();
    assert_eq!(posts, 1);
}

#[tokio::test]
async fn huge_error_bodies_are_bounded() {
    let big = Arc::new("<html>".to_string() + &"x".repeat(8 * 1024 * 1024) + "</html>");
    let b2 = big.clone();
    let server = ScriptedServer::start(move |_, _| {
        Reply::Bytes(http_response(
            "502 Bad Gateway",
            &[
                ("content-type", "text/html".into()),
                ("content-length", b2.len().to_string()),
            ],
            b2.as_bytes(),
        ))
    })
    .await;
    let client = client_at(&server.url, RetryPolicy::disabled());
    for e in [
        client.list().send().await.unwrap_err(),
        client
            .upload_bytes("a.jsonl", b"{}\n".to_vec())
            .await
            .unwrap_err(),
        client.download(FILE_ID).await.unwrap_err(),
    ] {
        assert_eq!(e.status().map(|s| s.as_u16()), Some(502));
        match e.api_body() {
            Some(ApiErrorBody::Text(t)) => {
                assert!(
                    t.starts_with("<html>xxx") && t.len() <= 8 * 1024,
                    "{}",
                    t.len()
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(e.to_string().len() < 1024, "message stays short");
    }
}

// ---------------------------------------------------------------------------------------------
// Security

#[tokio::test]
async fn redirect_to_another_host_never_carries_the_key() {
    let other = ScriptedServer::start(|_, _| Reply::Bytes(json_200(FILE_JSON))).await;
    let target = format!("{}/v1/files/{FILE_ID}", other.url);
    let api = ScriptedServer::start(move |_, _| {
        Reply::Bytes(http_response(
            "307 Temporary Redirect",
            &[("location", target.clone()), ("content-length", "0".into())],
            b"",
        ))
    })
    .await;
    let client = client_at(&api.url, RetryPolicy::disabled());
    let _ = client.retrieve(FILE_ID).await;
    let _ = client.download(FILE_ID).await;
    assert!(api.requests().iter().all(|s| s
        .head
        .to_ascii_lowercase()
        .contains("authorization: bearer")));
    for s in other.requests() {
        assert!(
            !s.head.to_ascii_lowercase().contains("authorization"),
            "the key followed a redirect to another host: {}",
            s.head
        );
    }
}

#[tokio::test]
async fn signed_url_fetches_carry_no_authorization_even_when_retried() {
    let data = content(50_000, 11);
    let d2 = data.clone();
    let blob = ScriptedServer::start(move |i, _| {
        if i == 0 {
            Reply::Bytes(http_response(
                "503 Service Unavailable",
                &[("content-length", "0".into())],
                b"",
            ))
        } else {
            Reply::Bytes(http_response(
                "200 OK",
                &[
                    ("content-type", "application/octet-stream".into()),
                    ("content-length", d2.len().to_string()),
                ],
                &d2,
            ))
        }
    })
    .await;
    let client = client_at("http://127.0.0.1:9", fast_retries());
    let url = format!("{}/container/blob?sv=2024&sig=SECRETSIG", blob.url);
    assert_eq!(downloaded(client.fetch_signed_url(&url)).await, data);
    let seen = blob.requests();
    assert_eq!(seen.len(), 2);
    for s in seen {
        assert!(
            !s.head.to_ascii_lowercase().contains("authorization"),
            "{}",
            s.head
        );
        assert!(!s.head.contains(KEY));
    }
    // an error on a signed URL does not echo its token
    let gone = ScriptedServer::start(|_, _| {
        Reply::Bytes(http_response(
            "403 Forbidden",
            &[("content-length", "0".into())],
            b"",
        ))
    })
    .await;
    let e = client
        .fetch_signed_url(format!("{}/b?sig=SECRETSIG", gone.url))
        .await
        .unwrap_err();
    assert!(!format!("{e} {e:?}").contains("SECRETSIG"), "{e:?}");
}

fn panic_message<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        r.unwrap();
    }));
    std::panic::set_hook(prev);
    match out {
        Ok(()) => String::new(),
        Err(p) => p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default(),
    }
}

#[tokio::test]
async fn the_key_is_never_in_debug_messages_or_panics() {
    let secret = "sk-NEVER-SHOW-ME-0123456789";
    let emu = emulator().await; // expects a different key: every call is a 401
    let builder = Client::builder()
        .api_key(secret)
        .base_url(emu.url())
        .retry_policy(RetryPolicy::disabled());
    let mut shown = vec![format!("{builder:?}")];
    let client = builder.build().unwrap();
    shown.push(format!("{client:?}"));
    shown.push(format!("{:?}", mistral_files::ApiKey::new(secret)));
    let mut errors: Vec<Error> = vec![
        client.list().send().await.unwrap_err(),
        client.retrieve(FILE_ID).await.unwrap_err(),
        client.download(FILE_ID).await.unwrap_err(),
        client
            .upload_bytes("a.jsonl", b"{}\n".to_vec())
            .await
            .unwrap_err(),
        client.signed_url(FILE_ID).await.unwrap_err(),
        Client::builder()
            .api_key(format!("{secret}\r\nx"))
            .build()
            .unwrap_err(),
    ];
    // a transport error
    let refused = refused_url();
    errors.push(
        client_at(&refused, RetryPolicy::disabled())
            .list()
            .send()
            .await
            .unwrap_err(),
    );
    for e in errors {
        assert!(
            e.status().map(|s| s.as_u16()) == Some(401) || e.status().is_none(),
            "{e:?}"
        );
        shown.push(e.to_string());
        shown.push(format!("{e:?}"));
        shown.push(format!("{e:#?}"));
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            shown.push(format!("{s} {s:?}"));
            src = s.source();
        }
        shown.push(panic_message::<()>(Err(e)));
    }
    for s in &shown {
        assert!(!s.contains("NEVER-SHOW-ME"), "the key leaked: {s}");
    }
    assert!(
        shown.iter().any(|s| s.contains("401")),
        "the errors were real"
    );
}

// ---------------------------------------------------------------------------------------------
// The key's header values, on the wire

/// Every copy of the key that goes out is a sensitive `HeaderValue`: over HTTP/2 a sensitive
/// header is sent as a "literal never indexed" field (RFC 7541 6.2.3), which for
/// `authorization` (static table index 23) starts with the bytes `0x1F 0x08`; a non-sensitive one
/// would be indexed (`0x57`). A bare h2c listener records the HEADERS block of a generated call
/// (`list`, `retrieve`: the generated client's context) and of hand-built ones (`upload`,
/// `download`), then hangs up.
#[tokio::test]
async fn every_copy_of_the_key_goes_out_as_a_sensitive_header() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let blocks = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let seen = blocks.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut preface = [0u8; 24];
                if s.read_exact(&mut preface).await.is_err() {
                    return;
                }
                // our (empty) SETTINGS
                let _ = s.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0]).await;
                let mut block = Vec::new();
                loop {
                    let mut head = [0u8; 9];
                    if s.read_exact(&mut head).await.is_err() {
                        return;
                    }
                    let len = usize::from(head[0]) << 16
                        | usize::from(head[1]) << 8
                        | usize::from(head[2]);
                    let mut payload = vec![0u8; len];
                    if s.read_exact(&mut payload).await.is_err() {
                        return;
                    }
                    // HEADERS (1) then CONTINUATION (9) until END_HEADERS (0x4)
                    if head[3] == 1 || head[3] == 9 {
                        let mut p = &payload[..];
                        if head[3] == 1 && head[4] & 0x8 != 0 {
                            let pad = usize::from(p[0]);
                            p = &p[1..p.len() - pad];
                        }
                        if head[3] == 1 && head[4] & 0x20 != 0 {
                            p = &p[5..];
                        }
                        block.extend_from_slice(p);
                        if head[4] & 0x4 != 0 {
                            seen.lock().unwrap().push(block);
                            return; // hang up
                        }
                    }
                }
            });
        }
    });
    mistral_files::install_tls_provider();
    let http = reqwest::Client::builder()
        .http2_prior_knowledge()
        .no_proxy()
        .build()
        .unwrap();
    let client = Client::builder()
        .api_key(KEY)
        .base_url(format!("http://{addr}"))
        .http_client(http)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let _ = client.list().send().await;
    let _ = client.retrieve(FILE_ID).await;
    let _ = client
        .upload_bytes("k.jsonl", b"{}\n".to_vec())
        .purpose(FilePurpose::Batch)
        .await;
    let _ = client.download(FILE_ID).await;
    let blocks = blocks.lock().unwrap().clone();
    assert_eq!(blocks.len(), 4, "one request each");
    for (i, block) in blocks.iter().enumerate() {
        assert!(
            block.windows(2).any(|w| w == [0x1F, 0x08]),
            "request {i}: authorization is not sent never-indexed: {block:02x?}"
        );
    }
}
