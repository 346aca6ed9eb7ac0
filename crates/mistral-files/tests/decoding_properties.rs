//! Property tests of error-body and response decoding: arbitrary statuses, content types and
//! bodies from a live server through the generated, the hand-built JSON and the streaming calls.
//! The full table is docs/RELIABILITY.md.
//!
//! They run proptest's default 256 cases; run a bigger budget by hand with
//! `PROPTEST_CASES=10000 cargo test -p mistral-files --test decoding_properties`.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::TryStreamExt;
use mistral_files::{ApiErrorBody, Client, Error, RetryPolicy};
use mistral_files_test_support::*;
use proptest::prelude::*;

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

/// What the scripted server answers: status, content type, body.
type Canned = (u16, Option<String>, Vec<u8>);

/// A server that answers every request with what is in the returned cell at the time.
fn canned_server(rt: &tokio::runtime::Runtime) -> (ScriptedServer, Arc<Mutex<Canned>>) {
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
    (srv, canned)
}

/// The common statuses (and the edges of each class), then any error status.
fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        prop::sample::select(vec![
            200u16, 201, 202, 203, 206, 299, 300, 400, 401, 403, 404, 409, 413, 422, 429, 500, 502,
            503, 504, 599
        ]),
        400u16..600,
    ]
}

fn content_type() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop::sample::select(vec![
        "application/json".to_string(),
        "text/html; charset=utf-8".to_string(),
        "text/plain".to_string(),
        "application/octet-stream".to_string(),
        "application/problem+json".to_string(),
    ]))
}

/// One call by name, its value dropped (a download read to the end).
async fn make_call(client: &Client, call: &str) -> Result<(), Error> {
    match call {
        "retrieve" => client.retrieve(FILE_ID).await.map(drop),
        "upload" => client
            .upload_bytes("p.jsonl", b"{}\n".to_vec())
            .await
            .map(drop),
        _ => match client.download(FILE_ID).await {
            Ok(d) => d.try_collect::<Vec<Bytes>>().await.map(drop),
            Err(e) => Err(e),
        },
    }
}

fn http_responses_property(exact: bool) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (srv, canned) = canned_server(&rt);
    let client = client_at(&srv.url, RetryPolicy::disabled());
    let mut runner = proptest::test_runner::TestRunner::new(config());
    let result = runner.run(
        &(status(), content_type(), body()),
        |(status, ctype, raw)| {
            *canned.lock().unwrap() = (status, ctype, raw.clone());
            let good_file = serde_json::from_slice::<serde_json::Value>(&raw)
                .ok()
                .filter(|v| v.get("id").is_some());
            rt.block_on(async {
                for call in ["retrieve", "upload", "download"] {
                    let r = make_call(&client, call).await;
                    check_outcome(exact, call, status, &raw, good_file.is_some(), r)?;
                }
                Ok(())
            })
        },
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// What `call` gave for a `status` answer with body `raw` (`good_file`: the body is a file).
fn check_outcome(
    exact: bool,
    call: &str,
    status: u16,
    raw: &[u8],
    good_file: bool,
    r: Result<(), Error>,
) -> Result<(), TestCaseError> {
    match (status, r) {
        (200, Ok(())) => prop_assert!(call == "download" || good_file, "{call}: Ok for a bad body"),
        (200, Err(Error::Decode(bad))) => {
            prop_assert!(call != "download");
            prop_assert_eq!(bad.status().as_u16(), 200);
            prop_assert_eq!(&bad.raw_body()[..], raw, "{} keeps the raw body", call);
        }
        (400..=599, Err(Error::Api(api))) => check_api_error(exact, call, status, raw, &api)?,
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
            prop_assert_eq!(&bad.raw_body()[..], raw);
        }
        (s, other) => prop_assert!(false, "{}: status {} gave {:?}", call, s, other),
    }
    Ok(())
}

/// An error status: the API error keeps the status and the body as `ApiErrorBody::parse` reads
/// it.
fn check_api_error(
    exact: bool,
    call: &str,
    status: u16,
    raw: &[u8],
    api: &mistral_files::ApiError,
) -> Result<(), TestCaseError> {
    let body = api.body();
    prop_assert_eq!(api.status().as_u16(), status, "{}", call);
    let expected = ApiErrorBody::parse(raw);
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
        let floats = serde_json::from_slice::<serde_json::Value>(raw)
            .map(|v| has_float(&v))
            .unwrap_or(false);
        if !matches!(expected, ApiErrorBody::Json(_)) && !floats {
            prop_assert_eq!(body, &expected);
        }
        return Ok(());
    }
    prop_assert_eq!(
        body,
        &expected,
        "{}: {} body {:?}",
        call,
        status,
        String::from_utf8_lossy(raw)
    );
    Ok(())
}

fn has_float(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) => n.is_f64(),
        serde_json::Value::Array(a) => a.iter().any(has_float),
        serde_json::Value::Object(m) => m.values().any(has_float),
        _ => false,
    }
}
