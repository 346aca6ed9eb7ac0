//! The emulator as a server, on 127.0.0.1:0: restarts on the same data directory, leftovers
//! of a crash, uploads cut off mid-body, unknown routes, concurrency, `100-continue`, and the
//! order of JSON keys.

use mistral_files_test_support::http::*;
use mistral_files_test_support::{emulator, emulator_with, KEY};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn restart_on_the_same_data_dir_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let emu = emulator_with(|b| b.data_dir(dir.path())).await;
    let data = b"{\"keep\":1}\n{\"keep\":2}\n".to_vec();
    let f = upload(&emu, "keep.jsonl", &data, &[("expiry", "48")]).await;
    let id = f["id"].as_str().unwrap().to_string();
    let (_, signed) = get_json(&emu, &format!("/v1/files/{id}/url")).await;
    let first_url = emu.url().to_string();
    emu.shutdown().await;
    assert!(
        http_client()
            .get(format!("{first_url}/v1/files"))
            .send()
            .await
            .is_err(),
        "stopped"
    );

    let emu = emulator_with(|b| b.data_dir(dir.path())).await;
    let (s, r) = get_json(&emu, &format!("/v1/files/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    for k in [
        "id",
        "bytes",
        "created_at",
        "filename",
        "num_lines",
        "signature",
        "expires_at",
        "mimetype",
    ] {
        assert_eq!(r[k], f[k], "{k}");
    }
    assert_eq!(listed_names(&emu, "").await.1, 1);
    assert_eq!(download(&emu, &id).await, (StatusCode::OK, data.clone()));
    // signed URLs survive a restart (same key), rebased on the new port
    let token = signed["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let resp = http_client()
        .get(format!("{}/signed/{token}", emu.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.bytes().await.unwrap().as_ref(), &data[..]);
    drop(emu);
    assert!(
        dir.path().join("content").join(&id).exists(),
        "a given data dir is kept"
    );
}

#[tokio::test]
async fn a_crash_leftover_is_cleaned_at_start() {
    let dir = tempfile::tempdir().unwrap();
    {
        let emu = emulator_with(|b| b.data_dir(dir.path())).await;
        upload(&emu, "kept.jsonl", b"{}", &[]).await;
        emu.shutdown().await;
    }
    // what a crash could leave: a temp file, and content renamed in place but never inserted
    std::fs::write(dir.path().join("tmp").join("upload-deadbeef.part"), b"half").unwrap();
    let orphan = uuid::Uuid::new_v4().hyphenated().to_string();
    std::fs::write(dir.path().join("content").join(&orphan), b"orphan").unwrap();
    let emu = emulator_with(|b| b.data_dir(dir.path())).await;
    assert!(entries(&dir.path().join("tmp")).is_empty());
    let content = entries(&dir.path().join("content"));
    assert_eq!(content.len(), 1);
    assert!(!content.contains(&orphan));
    assert_eq!(listed_names(&emu, "").await.1, 1);
}

#[tokio::test]
async fn an_upload_cut_off_mid_body_leaves_no_file_no_row_no_temp() {
    use tokio::io::AsyncWriteExt;
    let emu = emulator().await;
    let tmp = emu.data_dir().join("tmp");
    let mut s = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    let head = format!(
        "POST /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.jsonl\"\r\n\r\n",
        4 * 1024 * 1024
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..10 {
        s.write_all(&chunk).await.unwrap();
    }
    s.flush().await.unwrap();
    // the content is being streamed to a temp file on disk, not held in memory
    assert!(
        eventually(|| std::fs::read_dir(&tmp)
            .map(|d| d
                .flatten()
                .any(|e| e.metadata().map(|m| m.len() > 0).unwrap_or(false)))
            .unwrap_or(false))
        .await,
        "a temp file with data appears while the body is still arriving"
    );
    drop(s); // the client goes away mid-body
    assert!(
        eventually(|| entries(&tmp).is_empty()).await,
        "temp file removed"
    );
    assert!(entries(&emu.data_dir().join("content")).is_empty());
    assert_eq!(listed_names(&emu, "").await.1, 0);
    // the same happens on a clean shutdown of the connection with a truncated body
    let mut s = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&chunk).await.unwrap();
    s.shutdown().await.unwrap();
    assert!(eventually(|| entries(&tmp).is_empty()).await);
    assert_eq!(listed_names(&emu, "").await.1, 0);
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let emu = emulator().await;
    assert_eq!(
        get_json(&emu, "/v1/elsewhere").await,
        (StatusCode::NOT_FOUND, json!({"detail": "Not Found"}))
    );
    let (s, b) = send_json(
        http_client()
            .put(format!("{}/v1/files", emu.url()))
            .bearer_auth(KEY),
    )
    .await;
    assert_eq!(
        (s, b),
        (
            StatusCode::METHOD_NOT_ALLOWED,
            json!({"detail": "Method Not Allowed"})
        )
    );
}

#[tokio::test]
async fn many_concurrent_uploads_and_downloads() {
    let emu = std::sync::Arc::new(emulator().await);
    let mut tasks = Vec::new();
    for i in 0..16u32 {
        let emu = emu.clone();
        tasks.push(tokio::spawn(async move {
            let data: Vec<u8> = (0..(300_000 + i * 1000))
                .map(|j| ((j * 7 + i) % 256) as u8)
                .collect();
            let f = upload(&emu, &format!("c{i}.jsonl"), &data, &[("purpose", "batch")]).await;
            let id = f["id"].as_str().unwrap().to_string();
            let (s, got) = download(&emu, &id).await;
            assert_eq!(s, StatusCode::OK);
            assert_eq!(got, data);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(listed_names(&emu, "").await.1, 16);
}

#[tokio::test]
async fn refused_requests_waiting_for_100_continue_are_answered_without_the_body() {
    let emu = emulator().await;
    let req = format!(
        "POST /v1/files HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: 100000\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
    );
    let resp = raw_http(&emu, req.as_bytes()).await;
    assert!(resp.starts_with("HTTP/1.1 401"), "{resp}");
    assert!(resp.contains("{\"detail\":\"Unauthorized\"}"));
    assert!(!resp.contains("100 Continue"));
}

#[tokio::test]
async fn json_keys_follow_the_documented_order() {
    let emu = emulator().await;
    let resp = post_files(&emu)
        .body(multipart_body(&[file_part("o.jsonl", b"{}")]))
        .send()
        .await
        .unwrap();
    let text = resp.text().await.unwrap();
    let keys = [
        "\"id\"",
        "\"object\"",
        "\"bytes\"",
        "\"created_at\"",
        "\"filename\"",
        "\"purpose\"",
        "\"sample_type\"",
        "\"source\"",
        "\"num_lines\"",
        "\"mimetype\"",
        "\"signature\"",
        "\"expires_at\"",
        "\"visibility\"",
    ];
    let positions: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
}
