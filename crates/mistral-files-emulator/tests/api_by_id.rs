//! The operations on one file against an emulator on 127.0.0.1:0: retrieve, delete, download
//! (ranges included), signed URLs and expiry; ids and names that must never reach the
//! filesystem.

use mistral_files_emulator::RunningEmulator;
use mistral_files_test_support::http::*;
use mistral_files_test_support::{emulator, emulator_with, sha256_hex, KEY};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const JSONL: &[u8] =
    b"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n{\"a\":1}\n{\"b\":2}";

#[tokio::test]
async fn retrieve_then_delete_then_404_everywhere() {
    let emu = emulator().await;
    let f = upload(&emu, "r.jsonl", JSONL, &[]).await;
    let id = f["id"].as_str().unwrap().to_string();
    let (s, r) = get_json(&emu, &format!("/v1/files/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["deleted"], false);
    let mut expected = f.clone();
    expected["deleted"] = json!(false);
    assert_eq!(r, expected);
    let typed: mistral_files_raw::types::RetrievedFile = serde_json::from_value(r).unwrap();
    assert_eq!(typed.id.to_string(), id);
    // upper-case ids name the same file
    let (s, _) = get_json(&emu, &format!("/v1/files/{}", id.to_uppercase())).await;
    assert_eq!(s, StatusCode::OK);

    let (s, d) = send_json(
        http_client()
            .delete(format!("{}/v1/files/{id}", emu.url()))
            .bearer_auth(KEY),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(d, json!({"id": id, "object": "file", "deleted": true}));
    let _: mistral_files_raw::types::DeletedFile = serde_json::from_value(d).unwrap();

    let nf = json!({"detail": "File not found"});
    assert_eq!(
        get_json(&emu, &format!("/v1/files/{id}")).await,
        (StatusCode::NOT_FOUND, nf.clone())
    );
    assert_eq!(
        get_json(&emu, &format!("/v1/files/{id}/content")).await,
        (StatusCode::NOT_FOUND, nf.clone())
    );
    assert_eq!(
        get_json(&emu, &format!("/v1/files/{id}/url")).await,
        (StatusCode::NOT_FOUND, nf.clone())
    );
    let (s, b) = send_json(
        http_client()
            .delete(format!("{}/v1/files/{id}", emu.url()))
            .bearer_auth(KEY),
    )
    .await;
    assert_eq!((s, b), (StatusCode::NOT_FOUND, nf));
    assert_eq!(listed_names(&emu, "").await.1, 0);
    assert!(entries(&emu.data_dir().join("content")).is_empty());
}

#[tokio::test]
async fn bad_ids_get_422_uuid_parsing_and_never_touch_the_filesystem() {
    let emu = emulator().await;
    let c = http_client();
    for (raw, decoded) in [
        ("not-a-uuid", "not-a-uuid"),
        ("..%2F..%2Fetc%2Fpasswd", "../../etc/passwd"),
        ("..%2F..", "../.."),
        ("%2E%2E%2F", "../"),
        ("files.sqlite3", "files.sqlite3"),
        (
            "12345678-1234-1234-1234-1234567890ab%00",
            "12345678-1234-1234-1234-1234567890ab\u{0}",
        ),
    ] {
        for suffix in ["", "/content", "/url"] {
            let (s, b) = get_json(&emu, &format!("/v1/files/{raw}{suffix}")).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{raw}{suffix}: {b}");
            let item = &b["detail"][0];
            assert_eq!(item["type"], "uuid_parsing");
            assert_eq!(item["loc"], json!(["path", "file_id"]));
            assert_eq!(item["input"], decoded);
            assert!(
                item["msg"]
                    .as_str()
                    .unwrap()
                    .starts_with("Input should be a valid UUID, "),
                "{item}"
            );
        }
        let (s, _) = send_json(
            c.delete(format!("{}/v1/files/{raw}", emu.url()))
                .bearer_auth(KEY),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (_, b) = get_json(&emu, "/v1/files/abc").await;
    assert_eq!(
        b["detail"][0]["msg"],
        "Input should be a valid UUID, invalid length: expected length 32 for simple format, found 3"
    );
    // literal dot segments that a client library would normalise away
    for path in [
        "/v1/files/../../etc/passwd",
        "/v1/files/../files.sqlite3/content",
        "/v1/files/%2e%2e/%2e%2e/content",
    ] {
        let resp = raw_get(&emu, path, true).await;
        assert!(
            resp.starts_with("HTTP/1.1 404") || resp.starts_with("HTTP/1.1 422"),
            "{path}: {resp}"
        );
        assert!(!resp.contains("SQLite"), "{path} served a store file");
    }
    // a bad id with a bad expiry reports both
    let (s, b) = get_json(&emu, "/v1/files/zzz/url?expiry=x").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["detail"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn names_are_stored_verbatim_and_never_used_as_paths() {
    let outer = tempfile::tempdir().unwrap();
    let emu = emulator_with(|b| b.data_dir(outer.path().join("data"))).await;
    let cases: Vec<(String, String)> = vec![
        // (Content-Disposition parameters, expected stored name)
        (
            "filename=\"../../../evil.jsonl\"".into(),
            "../../../evil.jsonl".into(),
        ),
        (
            "filename=\"/etc/passwd.jsonl\"".into(),
            "/etc/passwd.jsonl".into(),
        ),
        (
            "filename=\"say \\\"hi\\\".jsonl\"".into(),
            "say \"hi\".jsonl".into(),
        ),
        (
            "filename=\"données-日本.jsonl\"".into(),
            "données-日本.jsonl".into(),
        ),
        (
            "filename=\"fallback.jsonl\"; filename*=UTF-8''line%0D%0Abreak%22%2F..%2Fx.jsonl"
                .into(),
            "line\r\nbreak\"/../x.jsonl".into(),
        ),
    ];
    for (params, expected) in &cases {
        let (s, f) = post_form(&emu, &[Part::File("file", params.clone(), b"{}\n")]).await;
        assert_eq!(s, StatusCode::OK, "{params}: {f}");
        assert_eq!(f["filename"], expected.as_str());
        let id = f["id"].as_str().unwrap();
        let (_, r) = get_json(&emu, &format!("/v1/files/{id}")).await;
        assert_eq!(r["filename"], expected.as_str());
        // the download's Content-Disposition never breaks the header
        let resp = send(get(&emu, &format!("/v1/files/{id}/content"))).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let cd = resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(!cd.contains('\r') && !cd.contains('\n'));
        assert!(resp.headers().get("set-cookie").is_none());
    }
    // only id-named content files exist; nothing escaped the data directory
    let content = entries(&emu.data_dir().join("content"));
    assert_eq!(content.len(), cases.len());
    assert!(content.iter().all(|n| uuid::Uuid::parse_str(n).is_ok()));
    let mut top = entries(emu.data_dir());
    top.retain(|n| !n.starts_with("files.sqlite3"));
    assert_eq!(top, ["content", "lock", "tmp"]);
    assert_eq!(entries(outer.path()), ["data"]);
    let (_, l) = get_json(&emu, "/v1/files?search=%0D%0A").await;
    assert_eq!(l["total"], 1, "search matches CR/LF names");
}

#[tokio::test]
async fn download_full_range_and_416() {
    let emu = emulator().await;
    let data: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
    let f = upload(&emu, "blob.jsonl", &data, &[("purpose", "batch")]).await;
    let id = f["id"].as_str().unwrap();
    let path = format!("/v1/files/{id}/content");
    let ranged = |range: &str| send(get(&emu, &path).header("range", range));

    let resp = send(get(&emu, &path)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers().clone();
    assert_eq!(h["content-length"], data.len().to_string().as_str());
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(h["content-type"], "application/octet-stream");
    assert_eq!(
        h["etag"].to_str().unwrap(),
        format!("\"{}\"", &sha256_hex(&data)[..32])
    );
    assert_eq!(resp.bytes().await.unwrap().as_ref(), &data[..]);

    for (range, start, end) in [
        ("bytes=0-99", 0usize, 99usize),
        ("bytes=300000-", 300_000, data.len() - 1),
        ("bytes=-1000", data.len() - 1000, data.len() - 1),
        ("bytes=699999-800000", 699_999, 699_999),
        ("bytes=262143-262145", 262_143, 262_145),
    ] {
        let resp = ranged(range).await;
        assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(
            resp.headers()["content-range"].to_str().unwrap(),
            format!("bytes {start}-{end}/{}", data.len())
        );
        assert_eq!(
            resp.headers()["content-length"],
            (end - start + 1).to_string().as_str()
        );
        assert_eq!(
            resp.bytes().await.unwrap().as_ref(),
            &data[start..=end],
            "{range}"
        );
    }
    for range in ["bytes=700000-", "bytes=800000-900000", "bytes=-0"] {
        let resp = ranged(range).await;
        assert_eq!(resp.status(), StatusCode::RANGE_NOT_SATISFIABLE, "{range}");
        assert_eq!(
            resp.headers()["content-range"],
            format!("bytes */{}", data.len()).as_str()
        );
    }
    // malformed or multiple ranges are ignored: the full content
    for range in ["bytes=5-2", "bytes=0-1,5-6", "lines=1-2", "bytes=x-"] {
        let resp = ranged(range).await;
        assert_eq!(resp.status(), StatusCode::OK, "{range}");
        assert_eq!(resp.bytes().await.unwrap().len(), data.len());
    }
    // HEAD: headers only
    let resp = send(
        http_client()
            .head(format!("{}{path}", emu.url()))
            .bearer_auth(KEY),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["content-length"],
        data.len().to_string().as_str()
    );
    // empty file: 200 with nothing, any range unsatisfiable
    let e = upload(&emu, "empty.jsonl", b"", &[]).await;
    let (s, body) = download(&emu, e["id"].as_str().unwrap()).await;
    assert_eq!((s, body.len()), (StatusCode::OK, 0));
}

#[tokio::test]
async fn signed_urls_work_without_auth_expire_and_refuse_tampering() {
    let emu = emulator().await;
    let data = b"{\"signed\":true}\n".repeat(1000);
    let f = upload(&emu, "s.jsonl", &data, &[]).await;
    let id = f["id"].as_str().unwrap();
    let (s, b) = get_json(&emu, &format!("/v1/files/{id}/url?expiry=1")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let _: mistral_files_raw::types::SignedUrl = serde_json::from_value(b.clone()).unwrap();
    let url = b["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("{}/signed/", emu.url())), "{url}");
    assert_eq!(b.as_object().unwrap().len(), 1);

    emu.clear_requests();
    let c = http_client();
    let resp = c.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["accept-ranges"], "bytes");
    assert_eq!(resp.bytes().await.unwrap().as_ref(), &data[..]);
    assert!(!emu.requests()[0].has_auth);
    let resp = c
        .get(&url)
        .header("range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(resp.bytes().await.unwrap().as_ref(), &data[10..20]);

    tampered_tokens_are_refused(&emu, &c, &url).await;
    // default expiry is 24 h; bad expiry values are 422
    let (_, b24) = get_json(&emu, &format!("/v1/files/{id}/url")).await;
    let url24 = b24["url"].as_str().unwrap().to_string();
    for bad in ["0", "-3", "soon"] {
        let (s, b) = get_json(&emu, &format!("/v1/files/{id}/url?expiry={bad}")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(b["detail"][0]["loc"], json!(["query", "expiry"]));
    }

    // expiry: after 1 h the first URL is refused, the 24 h one still works
    emu.advance_clock(Duration::from_secs(3601));
    let resp = c.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(resp.headers()["content-type"], "application/xml");
    assert_eq!(c.get(&url24).send().await.unwrap().status(), StatusCode::OK);
    emu.advance_clock(Duration::from_secs(24 * 3600));
    assert_eq!(
        c.get(&url24).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    a_valid_url_for_a_deleted_file_is_404(&emu, &c, id).await;
}

/// A signed URL's token with its signature flipped, its expiry pushed out, another file's id,
/// or not a token at all: 403 each.
async fn tampered_tokens_are_refused(emu: &RunningEmulator, c: &reqwest::Client, url: &str) {
    let token = url.rsplit('/').next().unwrap().to_string();
    let mut flipped = token.clone().into_bytes();
    let last = flipped.len() - 1;
    flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
    let flipped = String::from_utf8(flipped).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let longer = format!(
        "{}.{}.{}",
        parts[0],
        parts[1].parse::<i64>().unwrap() + 999_999,
        parts[2]
    );
    let other_id = format!(
        "{}.{}.{}",
        uuid::Uuid::new_v4().simple(),
        parts[1],
        parts[2]
    );
    for bad in [
        flipped.as_str(),
        longer.as_str(),
        other_id.as_str(),
        "nonsense",
        "a.b.c",
    ] {
        let resp = c
            .get(format!("{}/signed/{bad}", emu.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{bad}");
        assert!(resp.text().await.unwrap().contains("AuthenticationFailed"));
    }
}

async fn a_valid_url_for_a_deleted_file_is_404(
    emu: &RunningEmulator,
    c: &reqwest::Client,
    id: &str,
) {
    let (_, fresh) = get_json(emu, &format!("/v1/files/{id}/url")).await;
    let fresh = fresh["url"].as_str().unwrap().to_string();
    c.delete(format!("{}/v1/files/{id}", emu.url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    let resp = c.get(&fresh).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(resp.text().await.unwrap().contains("BlobNotFound"));
}

#[tokio::test]
async fn files_expire_from_their_expiry_hours() {
    let emu = emulator().await;
    let f = upload(&emu, "short.jsonl", b"{}", &[("expiry", "1")]).await;
    upload(&emu, "forever.jsonl", b"{}", &[]).await;
    let id = f["id"].as_str().unwrap();
    assert_eq!(listed_names(&emu, "").await.1, 2);
    emu.advance_clock(Duration::from_secs(3600));
    assert_eq!(listed_names(&emu, "").await.0, ["forever.jsonl"]);
    assert_eq!(
        get_json(&emu, &format!("/v1/files/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(download(&emu, id).await.0, StatusCode::NOT_FOUND);
}
