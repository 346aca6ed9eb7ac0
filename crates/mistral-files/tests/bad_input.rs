//! Bad input to the library: every case is refused with a typed error before any request, or,
//! where only the server can judge it, reaches the server and comes back as a typed API error.
//! Complements `operations.rs` (`pre_send_checks_make_no_request`, `bad_ids_are_typed_errors_before_any_request`,
//! `base_url_with_trailing_slash`); the whole list is in docs/RELIABILITY.md.

use std::time::Duration;

use mistral_files::{
    ApiErrorBody, Client, Error, FilePurpose, FileVisibility, MAX_FILE_NAME_BYTES,
};
use mistral_files_test_support::*;

fn limited_client(emu: &mistral_files_emulator::RunningEmulator, limit: u64) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(emu.url())
        .max_upload_bytes(limit)
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

#[tokio::test]
async fn id_lookalikes_are_refused_before_any_request() {
    let (emu, client) = setup().await;
    let long = "a".repeat(10_000);
    for bad in [
        format!(" {FILE_ID}"),
        format!("{FILE_ID}\n"),
        format!("{{{FILE_ID}}}"),
        format!("urn:uuid:{FILE_ID}"),
        FILE_ID.replace('-', ""),
        FILE_ID.replace('-', "%2D"),
        format!("{FILE_ID}?x=1"),
        format!("{FILE_ID}#frag"),
        format!("{FILE_ID}/content"),
        format!("{}\0", &FILE_ID[..35]),
        // full-width digits look like a UUID but are not ASCII
        FILE_ID.replacen('3', "３", 1),
        "..".to_string(),
        "%2e%2e".to_string(),
        "..\\..\\windows".to_string(),
        long,
    ] {
        let e = client.retrieve(bad.as_str()).await.unwrap_err();
        match &e {
            Error::InvalidFileId { input, .. } => {
                assert!(
                    input.chars().count() <= 65,
                    "input echoed in full: {}",
                    input.len()
                )
            }
            other => panic!("{bad:?}: {other:?}"),
        }
        assert!(matches!(
            client.delete(bad.as_str()).await,
            Err(Error::InvalidFileId { .. })
        ));
        assert!(matches!(
            client.download(bad.as_str()).await,
            Err(Error::InvalidFileId { .. })
        ));
    }
    assert!(emu.requests().is_empty(), "{:?}", emu.requests());
}

#[tokio::test]
async fn uppercase_id_is_accepted_and_sent_lowercase() {
    let (emu, client) = setup().await;
    let e = client.retrieve(FILE_ID.to_uppercase()).await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(404), "{e}");
    assert_eq!(emu.requests()[0].path, format!("/v1/files/{FILE_ID}"));
}

#[tokio::test]
async fn unreadable_file_is_an_io_error_without_request() {
    use std::os::unix::fs::PermissionsExt;
    let (emu, client) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.jsonl");
    std::fs::write(&path, b"{}\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&path).is_ok() {
        println!("SKIPPED unreadable_file_is_an_io_error_without_request: this process can read a chmod-000 file (running as root or with CAP_DAC_OVERRIDE)");
        return;
    }
    let e = client.upload_path(&path).await.unwrap_err();
    assert!(
        matches!(&e, Error::Io { path: p, .. } if p == &path),
        "{e:?}"
    );
    assert!(emu.requests().is_empty());
}

#[cfg(unix)]
#[tokio::test]
async fn dangling_symlink_is_file_not_found_and_symlink_to_file_uploads() {
    let (emu, client) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("dangling.jsonl");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
    let e = client.upload_path(&link).await.unwrap_err();
    assert!(matches!(e, Error::FileNotFound { .. }), "{e:?}");
    assert!(emu.requests().is_empty());

    let real = dir.path().join("real.jsonl");
    std::fs::write(&real, b"{}\n").unwrap();
    let good = dir.path().join("good.jsonl");
    std::os::unix::fs::symlink(&real, &good).unwrap();
    let f = client.upload_path(&good).await.unwrap();
    assert_eq!(f.filename, "good.jsonl", "the link's own name is sent");
    assert_eq!(f.bytes, Some(3));
}

#[tokio::test]
async fn empty_bytes_and_reader_are_refused() {
    let (emu, client) = setup().await;
    let e = client
        .upload_bytes("e.jsonl", Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::EmptyFile { .. }), "{e:?}");
    let e = client
        .upload_reader("e.jsonl", &b""[..], 0)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::EmptyFile { .. }), "{e:?}");
    assert!(emu.requests().is_empty());
}

#[tokio::test]
async fn bytes_and_reader_sizes_at_and_over_the_limit() {
    let emu = emulator().await;
    let client = limited_client(&emu, 100);
    let too_large = |e: Error| {
        assert!(
            matches!(
                e,
                Error::FileTooLarge {
                    size: 101,
                    limit: 100,
                    ..
                }
            ),
            "{e:?}"
        )
    };
    too_large(
        client
            .upload_bytes("b.jsonl", vec![b'x'; 101])
            .await
            .unwrap_err(),
    );
    too_large(
        client
            .upload_reader("r.jsonl", &[b'x'; 101][..], 101)
            .await
            .unwrap_err(),
    );
    assert!(emu.requests().is_empty());
    // not JSON: sent as batch, which the service does not check line by line
    let f = client
        .upload_bytes("b.jsonl", vec![b'x'; 100])
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
    assert_eq!(f.bytes, Some(100));
    let f = client
        .upload_reader("r.jsonl", &[b'x'; 100][..], 100)
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
    assert_eq!(f.bytes, Some(100));
}

#[tokio::test]
async fn reader_longer_than_announced_sends_exactly_the_announced_length() {
    let (emu, client) = setup().await;
    let f = client
        .upload_reader("long.jsonl", &b"0123456789"[..], 4)
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
    assert_eq!(f.bytes, Some(4));
    let posts = requests_to(&emu, "POST", "/v1/files");
    let part = posts[0].form.iter().find(|p| p.name == "file").unwrap();
    assert_eq!(part.size, 4);
    assert_eq!(part.sha256, sha256_hex(b"0123"));
}

#[cfg(unix)]
#[tokio::test]
async fn non_utf8_path_name_needs_an_override() {
    use std::os::unix::ffi::OsStrExt;
    let (emu, client) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join(std::ffi::OsStr::from_bytes(b"bad-\xff\xfe.jsonl"));
    std::fs::write(&path, b"{}\n").unwrap();
    let e = client.upload_path(&path).await.unwrap_err();
    assert!(matches!(e, Error::InvalidFileName { .. }), "{e:?}");
    assert!(emu.requests().is_empty());
    let f = client
        .upload_path(&path)
        .file_name("renamed.jsonl")
        .await
        .unwrap();
    assert_eq!(f.filename, "renamed.jsonl");
}

#[tokio::test]
async fn name_length_is_counted_in_bytes_and_path_separators_are_refused() {
    let (emu, client) = setup().await;
    for name in [
        "é".repeat(128),                      // 256 bytes in 128 characters
        format!("{}.jsonl", "x".repeat(250)), // 256 bytes
        "back\\slash.jsonl".to_string(),
        ".".to_string(),
        "/".to_string(),
        "dir/".to_string(),
    ] {
        let e = client
            .upload_bytes(name.as_str(), b"{}\n".to_vec())
            .await
            .unwrap_err();
        match &e {
            Error::InvalidFileName { name: shown, .. } => {
                assert!(shown.len() <= 300, "name echoed in full")
            }
            other => panic!("{name:?}: {other:?}"),
        }
    }
    assert!(emu.requests().is_empty());
    let max = format!("{}.jsonl", "y".repeat(MAX_FILE_NAME_BYTES - 6));
    assert_eq!(max.len(), MAX_FILE_NAME_BYTES);
    let f = client
        .upload_bytes(max.as_str(), b"{}\n".to_vec())
        .await
        .unwrap();
    assert_eq!(f.filename, max);
}

#[tokio::test]
async fn content_type_with_control_characters_is_refused() {
    let (emu, client) = setup().await;
    let e = client
        .upload_bytes("a.jsonl", b"{}\n".to_vec())
        .content_type("text/plain\r\nX-Injected: 1")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e:?}");
    assert!(emu.requests().is_empty());
}

#[tokio::test]
async fn unknown_purpose_and_visibility_reach_the_server_and_its_422_is_typed() {
    let (emu, client) = setup().await;
    for (purpose, visibility) in [
        (Some(FilePurpose::Unknown("not-a-purpose".into())), None),
        (None, Some(FileVisibility::Unknown("everyone".into()))),
    ] {
        emu.clear_requests();
        let mut req = client.upload_bytes("a.jsonl", b"{}\n".to_vec());
        if let Some(p) = purpose.clone() {
            req = req.purpose(p);
        }
        if let Some(v) = visibility.clone() {
            req = req.visibility(v);
        }
        let e = req.await.unwrap_err();
        assert_eq!(e.status().map(|s| s.as_u16()), Some(422), "{e}");
        match e.api_body() {
            Some(ApiErrorBody::Validation(items)) => {
                let loc = items[0].loc_string();
                assert!(loc == "body.purpose" || loc == "body.visibility", "{loc}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            requests_to(&emu, "POST", "/v1/files").len(),
            1,
            "a 422 is not retried"
        );
    }
    assert!(client.list().send().await.unwrap().data.is_empty());
}

#[tokio::test]
async fn huge_expiry_is_sent_and_refused_by_the_server_or_stored() {
    // Whole hours, far in the future: the library sends it (only the server knows its maximum);
    // whatever the answer, it is a typed result, never a panic or a hang.
    let (_emu, client) = setup().await;
    for hours in [
        24 * 365 * 100u64,
        u64::from(u32::MAX),
        (i64::MAX as u64) / 3600,
    ] {
        let r = client
            .upload_bytes("x.jsonl", b"{}\n".to_vec())
            .expiry(Duration::from_secs(hours * 3600))
            .await;
        match r {
            Ok(f) => assert!(f.expires_at.is_some()),
            Err(e) => assert_eq!(e.status().map(|s| s.as_u16()), Some(422), "{hours}: {e}"),
        }
    }
    let e = client
        .signed_url(FILE_ID)
        .expiry(Duration::from_secs(u64::MAX / 3600 * 3600))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::InvalidInput { .. }) || e.status().is_some(),
        "{e:?}"
    );
}

#[tokio::test]
async fn page_size_zero_or_huge_is_refused_before_any_request() {
    let (emu, client) = setup().await;
    for n in [0u32, 10_001, u32::MAX] {
        let e = client.list().page_size(n).send().await.unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidInput {
                    what: "page size",
                    ..
                }
            ),
            "{n}: {e:?}"
        );
        use futures_util::StreamExt;
        let first = std::pin::pin!(client.list().page_size(n).stream())
            .next()
            .await
            .unwrap();
        assert!(matches!(first, Err(Error::InvalidInput { .. })));
    }
    assert!(emu.requests().is_empty());
    // negative values cannot be expressed: page and page_size are u32
}

#[tokio::test]
async fn huge_page_number_is_an_empty_page() {
    let (emu, client) = setup().await;
    client
        .upload_bytes("a.jsonl", b"{}\n".to_vec())
        .await
        .unwrap();
    let page = client
        .list()
        .page(u32::MAX)
        .page_size(10_000)
        .send()
        .await
        .unwrap();
    assert!(page.data.is_empty());
    let lists = requests_to(&emu, "GET", "/v1/files");
    let last = lists.last().unwrap();
    assert_eq!(query_values(last, "page"), vec![u32::MAX.to_string()]);
}

#[tokio::test]
async fn search_with_url_special_characters_arrives_intact() {
    let (emu, client) = setup().await;
    let q = "a&b=c#d?e%20 f/../é+\"'";
    client.list().search(q).send().await.unwrap();
    let lists = requests_to(&emu, "GET", "/v1/files");
    assert_eq!(query_values(&lists[0], "search"), vec![q]);
    assert_eq!(query_values(&lists[0], "page").len(), 1, "no injected keys");
    assert!(lists[0].query.iter().all(|(k, _)| k != "b"));
}
