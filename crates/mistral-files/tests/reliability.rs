//! Faults, secrets and response decoding, beyond `failures.rs`: every 5xx for every idempotent
//! call, stalled JSON bodies and stalled headers, far-future `Retry-After` dates, oversized error
//! bodies, cross-host redirects, the key in `Debug`/messages/panics, and property tests of the
//! error-body and response decoding. The full table is docs/RELIABILITY.md.
//!
//! The property tests run proptest's default 256 cases; run a bigger budget by hand with
//! `PROPTEST_CASES=10000 cargo test -p mistral-files --test reliability prop_`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::TryStreamExt;
use mistral_files::{ApiErrorBody, Client, Error, FilePurpose, RetryPolicy};
use mistral_files_test_support::*;
use proptest::prelude::*;

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
// Property tests: error-body and response decoding

fn config() -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        failure_persistence: None,
        ..Default::default()
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{json, Value};
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    prop::sample::select(vec![
                        "detail", "message", "type", "code", "param", "object", "loc", "msg",
                        "input", "error",
                    ])
                    .prop_map(String::from),
                    "[a-z]{1,5}",
                ],
                inner,
                0..5,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Bodies: raw bytes, arbitrary JSON, the provider's shapes with arbitrary contents, HTML pages.
fn body() -> impl Strategy<Value = Vec<u8>> {
    use serde_json::json;
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        (".{0,20}", prop::option::of(".{0,20}")).prop_map(|(d, m)| {
            serde_json::to_vec(&json!({"detail": d, "message": m})).unwrap()
        }),
        prop::collection::vec(
            (".{0,8}", prop::collection::vec(json_value(), 0..3), ".{0,10}", json_value()),
            0..3
        )
        .prop_map(|items| {
            let items: Vec<_> = items
                .into_iter()
                .map(|(t, loc, msg, input)| json!({"type": t, "loc": loc, "msg": msg, "input": input}))
                .collect();
            serde_json::to_vec(&json!({ "detail": items })).unwrap()
        }),
        (".{0,20}", json_value(), json_value(), json_value()).prop_map(|(m, t, c, p)| {
            serde_json::to_vec(&json!({"object": "error", "message": m, "type": t, "code": c, "param": p}))
                .unwrap()
        }),
        ".{0,60}".prop_map(|t| format!("<!DOCTYPE html><html><body><h1>{t}</h1></body></html>").into_bytes()),
        Just(FILE_JSON.as_bytes().to_vec()),
        Just(b"   \r\n".to_vec()),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// `ApiErrorBody::parse` never panics, and picks the variant the body's shape calls for.
    #[test]
    fn prop_error_body_parse_classifies_every_body(raw in body()) {
        use serde_json::Value;
        let parsed = ApiErrorBody::parse(&raw);
        let _ = parsed.summary();
        let value: Option<Value> = serde_json::from_slice(&raw).ok();
        match (&parsed, &value) {
            (ApiErrorBody::Empty, _) => prop_assert!(raw.iter().all(u8::is_ascii_whitespace)),
            (ApiErrorBody::Text(t), None) => {
                // the text is the body (lossily decoded), cut to a few KiB
                let lossy = String::from_utf8_lossy(&raw);
                prop_assert!(lossy.starts_with(t.trim_end_matches('…')), "{:?} vs {:?}", t, lossy);
            }
            (ApiErrorBody::Detail { detail, message, .. }, Some(v)) => {
                prop_assert_eq!(v.get("detail").and_then(Value::as_str), Some(detail.as_str()));
                prop_assert_eq!(v.get("message").and_then(Value::as_str), message.as_deref());
            }
            (ApiErrorBody::Validation(items), Some(v)) => {
                prop_assert_eq!(v["detail"].as_array().map(Vec::len), Some(items.len()));
            }
            (ApiErrorBody::Message { message, .. }, Some(v)) => {
                prop_assert!(!v["detail"].is_string());
                prop_assert_eq!(v["message"].as_str(), Some(message.as_str()));
            }
            (ApiErrorBody::Json(j), Some(v)) => {
                prop_assert_eq!(j, v, "the JSON is kept whole");
                prop_assert!(!v["detail"].is_string() && !v["message"].is_string());
            }
            (other, v) => prop_assert!(false, "{:?} for {:?}", other, v),
        }
    }
}

/// Arbitrary status, content type and body from a live server, through the generated calls
/// (`retrieve`), the hand-built JSON call (`upload_bytes`) and the streaming call (`download`):
/// never a panic; 2xx with a good body is `Ok`; 200 with a bad body is `Decode` keeping the raw
/// body; 4xx/5xx is `Api` with that status and the body parsed exactly as `ApiErrorBody::parse`
/// parses the raw bytes.
#[test]
fn prop_http_responses_map_to_the_right_error_variant() {
    http_responses_property(false)
}

/// The generated calls keep every field of a JSON error body. FAILS: a 4xx/5xx JSON body that is
/// not one of the provider's shapes loses its unknown fields (and null known fields) on the
/// generated calls (list, retrieve, delete, signed URL): `400 {"loc":null}` gives `Json({})`,
/// `400 {"error":"rate limited"}` gives `Json({})` and the message "HTTP 400 Bad Request: {}".
/// progenitor parses the body into the raw crate's `ErrorBody` (no `additionalProperties`) and
/// drops the bytes; the ergonomic crate can only re-serialize what is left. See docs/RELIABILITY.md.
#[test]
fn prop_generated_calls_keep_every_error_field() {
    http_responses_property(true)
}

#[tokio::test]
async fn unknown_json_error_body_is_kept_on_generated_calls() {
    let srv = ScriptedServer::start(|_, _| {
        Reply::Bytes(http_response(
            "400 Bad Request",
            &[
                ("content-type", "application/json".into()),
                ("content-length", "25".into()),
            ],
            br#"{"error": "rate limited"}"#,
        ))
    })
    .await;
    let client = client_at(&srv.url, RetryPolicy::disabled());
    let e = client.retrieve(FILE_ID).await.unwrap_err();
    assert!(e.to_string().contains("rate limited"), "{e}");
}

fn http_responses_property(exact: bool) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    type Canned = (u16, Option<String>, Vec<u8>);
    let canned: Arc<Mutex<Canned>> = Arc::new(Mutex::new((200, None, Vec::new())));
    let c2 = canned.clone();
    let srv = rt.block_on(ScriptedServer::start(move |_, _| {
        let (status, ctype, body) = c2.lock().unwrap().clone();
        let mut headers = vec![("content-length", body.len().to_string())];
        if let Some(ct) = ctype {
            headers.push(("content-type", ct));
        }
        Reply::Bytes(http_response(
            &format!("{status} Whatever"),
            &headers,
            &body,
        ))
    }));
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&srv.url)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let status = prop_oneof![
        prop::sample::select(vec![
            200u16, 201, 202, 203, 206, 299, 300, 400, 401, 403, 404, 409, 413, 422, 429, 500, 502,
            503, 504, 599
        ]),
        400u16..600,
    ];
    let ctype = prop::option::of(prop::sample::select(vec![
        "application/json".to_string(),
        "text/html; charset=utf-8".to_string(),
        "text/plain".to_string(),
        "application/octet-stream".to_string(),
        "application/problem+json".to_string(),
    ]));
    let mut runner = proptest::test_runner::TestRunner::new(config());
    let result = runner.run(&(status, ctype, body()), |(status, ctype, raw)| {
        *canned.lock().unwrap() = (status, ctype, raw.clone());
        let good_file = serde_json::from_slice::<serde_json::Value>(&raw)
            .ok()
            .filter(|v| v.get("id").is_some());
        rt.block_on(async {
            for call in ["retrieve", "upload", "download"] {
                let r: Result<(), Error> = match call {
                    "retrieve" => client.retrieve(FILE_ID).await.map(drop),
                    "upload" => client
                        .upload_bytes("p.jsonl", b"{}\n".to_vec())
                        .await
                        .map(drop),
                    _ => match client.download(FILE_ID).await {
                        Ok(d) => d.try_collect::<Vec<Bytes>>().await.map(drop),
                        Err(e) => Err(e),
                    },
                };
                match (status, r) {
                    (200, Ok(())) => prop_assert!(
                        call == "download" || good_file.is_some(),
                        "{call}: Ok for a bad body"
                    ),
                    (200, Err(Error::Decode(bad))) => {
                        prop_assert!(call != "download");
                        prop_assert_eq!(bad.status().as_u16(), 200);
                        prop_assert_eq!(
                            &bad.raw_body()[..],
                            &raw[..],
                            "{} keeps the raw body",
                            call
                        );
                    }
                    (400..=599, Err(Error::Api(api))) => {
                        let body = api.body();
                        prop_assert_eq!(api.status().as_u16(), status, "{}", call);
                        let expected = ApiErrorBody::parse(&raw);
                        if !exact && call == "retrieve" {
                            // The generated path re-serializes progenitor's typed ErrorBody: same
                            // variant, but a `Json` body loses unknown fields and nulls (known
                            // bug, see prop_generated_calls_keep_every_error_field).
                            prop_assert_eq!(
                                std::mem::discriminant(body),
                                std::mem::discriminant(&expected),
                                "{:?} vs {:?}",
                                body,
                                expected
                            );
                            // Floats are re-serialized too, and may come back 1 ulp off.
                            let floats = serde_json::from_slice::<serde_json::Value>(&raw)
                                .map(|v| has_float(&v))
                                .unwrap_or(false);
                            if !matches!(expected, ApiErrorBody::Json(_)) && !floats {
                                prop_assert_eq!(body, &expected);
                            }
                            continue;
                        }
                        prop_assert_eq!(
                            body,
                            &ApiErrorBody::parse(&raw),
                            "{}: {} body {:?}",
                            call,
                            status,
                            String::from_utf8_lossy(&raw)
                        );
                    }
                    (201..=399, Err(Error::Api(api))) => {
                        prop_assert_eq!(api.status().as_u16(), status)
                    }
                    // a 206 that nobody asked for, without Content-Range: refused, typed
                    (
                        206,
                        Err(Error::InvalidInput {
                            what: "server response",
                            ..
                        }),
                    ) => prop_assert_eq!(call, "download"),
                    (201..=299, Ok(())) => {}
                    (s, Err(Error::Decode(bad))) if (201..=299).contains(&s) => {
                        prop_assert_eq!(&bad.raw_body()[..], &raw[..]);
                    }
                    (s, other) => prop_assert!(false, "{}: status {} gave {:?}", call, s, other),
                }
            }
            Ok(())
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

fn has_float(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) => n.is_f64(),
        serde_json::Value::Array(a) => a.iter().any(has_float),
        serde_json::Value::Object(m) => m.values().any(has_float),
        _ => false,
    }
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
