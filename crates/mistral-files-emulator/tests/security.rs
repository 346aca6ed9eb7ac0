//! Security cases beyond the `api_*.rs` tests (which prove: traversal in ids ->
//! `bad_ids_get_422_uuid_parsing_and_never_touch_the_filesystem`, names stored verbatim ->
//! `names_are_stored_verbatim_and_never_used_as_paths`, upload size with Content-Length ->
//! `size_limit_is_enforced_with_413_and_leaves_nothing`): a chunked upload with no Content-Length
//! is bounded too, oversized request heads are refused without harming the server, and signed-URL
//! tokens cannot reach files of the data directory. On the network: a signed URL opens only its
//! own store (whose random key survives its restarts and is never shown), and the well-known key
//! is refused on an address other machines can reach. Listed in docs/RELIABILITY.md.

use std::net::SocketAddr;
use std::path::Path;

use mistral_files_emulator::{Emulator, EmulatorError, Exposure, RunningEmulator, DEFAULT_API_KEY};
use mistral_files_test_support::http::*;
use mistral_files_test_support::{emulator, emulator_builder, emulator_with, hex, KEY};
use reqwest::StatusCode;

#[tokio::test]
async fn chunked_upload_without_length_over_the_limit_is_refused_and_leaves_nothing() {
    let emu = emulator_with(|b| b.max_upload_bytes(1000)).await;
    let data = vec![b'a'; 200_000];
    let body = multipart_body(&[
        file_part("big.jsonl", &data),
        Part::Text("purpose", "batch"),
    ]);
    // streamed in small chunks: no Content-Length, Transfer-Encoding: chunked
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        body.chunks(4096).map(|c| Ok(c.to_vec())).collect();
    let resp = post_files(&emu)
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await;
    match resp {
        Ok(r) => assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE),
        // refusing by closing the connection mid-body is acceptable too
        Err(e) => assert!(e.is_request() || e.is_body(), "{e:?}"),
    }
    let (s, list) = get_json(&emu, "/v1/files").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["total"], 0);
    assert!(entries(&emu.data_dir().join("content")).is_empty());
    assert!(eventually(|| entries(&emu.data_dir().join("tmp")).is_empty()).await);
}

#[tokio::test]
async fn oversized_request_heads_are_refused_and_the_server_lives_on() {
    let emu = emulator().await;
    let long_query = "x".repeat(1024 * 1024);
    let resp = raw_get(&emu, &format!("/v1/files?search={long_query}"), true).await;
    assert!(
        resp.is_empty() || resp.starts_with("HTTP/1.1 4"),
        "{}",
        &resp[..resp.len().min(200)]
    );
    let huge_header = format!(
        "GET /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "y".repeat(1024 * 1024)
    );
    let resp = raw_http(&emu, huge_header.as_bytes()).await;
    assert!(
        resp.is_empty() || resp.starts_with("HTTP/1.1 4"),
        "{}",
        &resp[..resp.len().min(200)]
    );
    let (s, _) = get_json(&emu, "/v1/files").await;
    assert_eq!(s, StatusCode::OK, "the server still answers");
}

#[tokio::test]
async fn signed_url_tokens_cannot_reach_store_files() {
    let emu = emulator().await;
    for path in [
        "/signed/../files.sqlite3",
        "/signed/..%2Ffiles.sqlite3",
        "/signed/%2e%2e%2ffiles.sqlite3",
        "/signed/..%2F..%2F..%2Fetc%2Fpasswd",
        "/signed/files.sqlite3",
        "/signed/",
        "/signed/00000000-0000-0000-0000-000000000000.99999999999.00",
    ] {
        let resp = raw_get(&emu, path, false).await;
        assert!(
            resp.starts_with("HTTP/1.1 403") || resp.starts_with("HTTP/1.1 404"),
            "{path}: {}",
            &resp[..resp.len().min(300)]
        );
        assert!(
            !resp.contains("SQLite format"),
            "{path} served the database"
        );
        assert!(!resp.contains("root:"), "{path} served a system file");
    }
}

/// The token of a signed URL for `id` handed out by `emu`.
async fn signed_token(emu: &RunningEmulator, id: &str) -> String {
    let (s, v) = get_json(emu, &format!("/v1/files/{id}/url?expiry=2")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["url"]
        .as_str()
        .unwrap()
        .rsplit_once("/signed/")
        .unwrap()
        .1
        .to_string()
}

/// `GET /signed/{token}` on `emu`, without a key: status and body.
async fn open_signed(emu: &RunningEmulator, token: &str) -> (StatusCode, Vec<u8>) {
    let resp = send(http_client().get(format!("{}/signed/{token}", emu.url()))).await;
    let status = resp.status();
    (status, resp.bytes().await.unwrap().to_vec())
}

/// The signing key a data directory's database holds.
fn stored_signing_key(dir: &Path) -> Vec<u8> {
    let db = rusqlite::Connection::open(dir.join("files.sqlite3")).unwrap();
    db.query_row(
        "SELECT value FROM meta WHERE key = 'signing_key'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[tokio::test]
async fn a_signed_url_opens_only_its_own_store_and_survives_its_restart() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = emulator_with(|b| b.data_dir(dir_a.path())).await;
    let b = emulator_with(|b| b.data_dir(dir_b.path())).await;
    let data = b"{\"store\":\"a\"}\n".to_vec();
    let id = upload(&a, "a.jsonl", &data, &[]).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = signed_token(&a, &id).await;
    assert_eq!(
        open_signed(&a, &token).await,
        (StatusCode::OK, data.clone())
    );

    // the other store refuses it on its signature (403), before looking for the file (404)
    let (s, body) = open_signed(&b, &token).await;
    let body = String::from_utf8_lossy(&body);
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("the signature is not valid"), "{body}");
    // and the other store's own URLs are refused by the first
    let id_b = upload(&b, "b.jsonl", b"{}\n", &[]).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let token_b = signed_token(&b, &id_b).await;
    assert_eq!(open_signed(&a, &token_b).await.0, StatusCode::FORBIDDEN);

    // a restart of the first store (a new port) keeps its key: the URL still opens
    a.shutdown().await;
    let a = emulator_with(|b| b.data_dir(dir_a.path())).await;
    assert_eq!(open_signed(&a, &token).await, (StatusCode::OK, data));
    assert_eq!(open_signed(&b, &token).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_signing_key_is_random_per_store_and_never_shown() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = emulator_with(|b| b.data_dir(dir_a.path())).await;
    let b = emulator_with(|b| b.data_dir(dir_b.path())).await;
    let (key_a, key_b) = (
        stored_signing_key(dir_a.path()),
        stored_signing_key(dir_b.path()),
    );
    assert_eq!((key_a.len(), key_b.len()), (32, 32));
    assert_ne!(key_a, key_b, "each store makes its own");
    assert_ne!(key_a, [0u8; 32]);
    // kept as it was made across a restart
    a.shutdown().await;
    let a = emulator_with(|b| b.data_dir(dir_a.path())).await;
    assert_eq!(stored_signing_key(dir_a.path()), key_a);

    // never in Debug (the running emulator, its builder), nor the API key
    let key_hex = hex(&key_a);
    for shown in [
        format!("{a:?}"),
        format!("{a:#?}"),
        format!("{:?}", emulator_builder().data_dir(dir_a.path())),
    ] {
        assert!(!shown.contains(&key_hex), "{shown}");
        assert!(!shown.contains(KEY), "{shown}");
        assert!(!shown.contains("S3CR3T"), "{shown}");
    }
    drop(b);
}

/// Addresses other machines could reach. None is bound: the rule is checked first.
const NETWORK_ADDRS: [&str; 4] = [
    "0.0.0.0:0",
    "[::]:0",
    "192.0.2.7:8080",
    "[2001:db8::7]:8080",
];

#[tokio::test]
async fn the_default_key_off_loopback_is_a_typed_error_before_anything_is_made() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("never-made");
    for addr in NETWORK_ADDRS {
        let addr: SocketAddr = addr.parse().unwrap();
        for builder in [
            Emulator::builder(),
            Emulator::builder().api_key(DEFAULT_API_KEY),
            Emulator::builder().api_key(""),
            Emulator::builder().api_key(KEY).api_key(" "),
        ] {
            let err = builder
                .bind(addr)
                .data_dir(&data)
                .start()
                .await
                .expect_err("refused");
            match &err {
                EmulatorError::WellKnownKeyOnNetwork { addr: a, exposure } => {
                    assert_eq!(*a, addr);
                    assert_eq!(*exposure, Exposure::of(addr.ip()));
                    assert!(exposure.reachable_from_network());
                }
                other => panic!("{addr}: {other:?}"),
            }
            let msg = err.to_string();
            assert!(msg.contains(&addr.to_string()), "{msg}");
            assert!(msg.contains("reachable from the network"), "{msg}");
            assert!(msg.contains("api_key"), "{msg}");
            assert!(msg.contains("insecure_default_key"), "{msg}");
            assert!(!data.exists(), "nothing is created before the check");
        }
    }
    // on loopback the default key is fine, and warned about by nobody
    let emu = Emulator::builder().start().await.unwrap();
    assert_eq!(emu.exposure(), Exposure::Loopback);
    assert!(emu.warnings().is_empty());
}

#[tokio::test]
async fn off_loopback_a_key_of_ones_own_or_a_knowing_opt_in_starts_and_says_so() {
    // bound on every interface, reached through loopback only
    let all: SocketAddr = "0.0.0.0:0".parse().unwrap();
    let own = emulator_builder().bind(all).start().await.unwrap();
    assert_eq!(own.exposure(), Exposure::AllInterfaces);
    assert!(own.addr().ip().is_unspecified(), "{}", own.addr());
    assert!(own.url().starts_with("http://127.0.0.1:"), "{}", own.url());
    assert!(own.warnings().is_empty(), "{:?}", own.warnings());
    assert_eq!(get_json(&own, "/v1/files").await.0, StatusCode::OK);
    drop(own);

    let default = Emulator::builder()
        .bind(all)
        .insecure_default_key(true)
        .start()
        .await
        .unwrap();
    assert_eq!(default.exposure(), Exposure::AllInterfaces);
    let [warning] = default.warnings() else {
        panic!("{:?}", default.warnings())
    };
    assert!(warning.contains("default API key"), "{warning}");
    assert!(warning.contains("reachable from the network"), "{warning}");
    let resp = send(
        http_client()
            .get(format!("{}/v1/files", default.url()))
            .bearer_auth(DEFAULT_API_KEY),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    drop(default);

    let open = Emulator::builder()
        .bind(all)
        .no_auth()
        .start()
        .await
        .unwrap();
    let [warning] = open.warnings() else {
        panic!("{:?}", open.warnings())
    };
    assert!(warning.contains("without an API key"), "{warning}");
}

/// A data directory the emulator creates holds the content and the signing key: on a shared
/// host, only its owner may read it. One that exists already keeps its permissions.
#[cfg(unix)]
#[tokio::test]
async fn a_data_directory_it_creates_is_its_owners_alone() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("new").join("store");
    let emu = emulator_with(|b| b.data_dir(&dir)).await;
    upload(&emu, "a.jsonl", b"{}\n", &[]).await;
    for d in [parent.path().join("new"), dir.clone()] {
        let mode = std::fs::metadata(&d).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", d.display());
    }
    emu.shutdown().await;

    let existing = tempfile::tempdir().unwrap();
    std::fs::set_permissions(existing.path(), std::fs::Permissions::from_mode(0o750)).unwrap();
    let emu = emulator_with(|b| b.data_dir(existing.path())).await;
    let mode = std::fs::metadata(existing.path())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o750);
    emu.shutdown().await;
}
