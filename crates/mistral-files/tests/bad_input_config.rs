//! Bad configuration of the library (base URLs, API keys, the environment) and bad targets
//! (a signed URL that is not HTTP, a download into a missing directory): refused with a typed
//! error before any request, the key never echoed, nothing written. Complements `bad_input.rs`; the whole list is
//! in docs/RELIABILITY.md.

use mistral_files::{Client, Error};
use mistral_files_test_support::*;

/// Whether `e` is the refusal of a base URL.
fn is_bad_base_url(e: &Error) -> bool {
    matches!(
        e,
        Error::InvalidInput {
            what: "base URL",
            ..
        }
    )
}

#[tokio::test]
async fn base_url_with_query_credentials_or_no_host_is_refused() {
    for bad in [
        "",
        "   ",
        "http://",
        "http://127.0.0.1:1/?x=1",
        "http://127.0.0.1:1/#frag",
        "http://user:pass@127.0.0.1:1",
        "file:///etc/passwd",
        "//127.0.0.1:1",
        "http//127.0.0.1:1",
    ] {
        let e = Client::builder()
            .api_key(KEY)
            .base_url(bad)
            .build()
            .unwrap_err();
        assert!(is_bad_base_url(&e), "{bad:?}: {e:?}");
        assert!(!e.to_string().contains("pass@") || bad.contains("pass@"));
    }
    // a path prefix is kept and a trailing slash dropped
    let c = Client::builder()
        .api_key(KEY)
        .base_url("http://127.0.0.1:9/proxy/mistral/")
        .build()
        .unwrap();
    assert_eq!(c.base_url(), "http://127.0.0.1:9/proxy/mistral");
}

#[tokio::test]
async fn api_key_empty_whitespace_or_with_control_characters() {
    for empty in ["", "   ", "\n"] {
        let e = Client::builder().api_key(empty).build().unwrap_err();
        assert!(matches!(e, Error::MissingApiKey), "{empty:?}: {e:?}");
    }
    let injected = "sk-INJECT\r\nX-Evil: 1";
    let e = Client::builder().api_key(injected).build().unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidInput {
                what: "API key",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(!e.to_string().contains("INJECT") && !format!("{e:?}").contains("INJECT"));
}

#[tokio::test]
async fn api_key_with_surrounding_whitespace_is_trimmed_for_every_call() {
    // A key read from a file often ends with a newline: every request (generated and hand-built)
    // sends the trimmed key.
    let emu = emulator().await;
    let client = Client::builder()
        .api_key(format!("  {KEY}\n"))
        .base_url(emu.url())
        .build()
        .unwrap();
    let f = client
        .upload_bytes("k.jsonl", b"{}\n".to_vec())
        .await
        .unwrap();
    client.list().send().await.unwrap();
    client.retrieve(f.id).await.unwrap();
    client.download(f.id).await.unwrap();
    client.signed_url(f.id).await.unwrap();
    client.delete(f.id).await.unwrap();
    assert!(emu.requests().iter().all(|r| r.has_auth));
}

#[tokio::test]
async fn signed_url_fetch_refuses_non_http_urls() {
    let (emu, client) = setup().await;
    for bad in [
        "",
        "file:///etc/passwd",
        "/signed/abc",
        "ftp://127.0.0.1/x",
        "javascript:alert(1)",
    ] {
        let e = client.fetch_signed_url(bad).await.unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidInput {
                    what: "signed URL",
                    ..
                }
            ),
            "{bad:?}: {e:?}"
        );
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("x");
        assert!(client.fetch_signed_url_to_path(bad, &target).await.is_err());
        assert!(!target.exists());
    }
    assert!(emu.requests().is_empty());
}

#[tokio::test]
async fn download_into_a_missing_directory_is_an_io_error_and_writes_nothing() {
    let (_emu, client) = setup().await;
    let f = client
        .upload_bytes("d.jsonl", b"{}\n".to_vec())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("no").join("such").join("dir.bin");
    let e = client.download_to_path(f.id, &target).await.unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// `Client::from_env()` without `MISTRAL_API_KEY`: run in a child process so that no thread of
/// this test binary sees the environment change.
#[test]
fn from_env_without_key_is_missing_api_key() {
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "from_env_child",
            "--nocapture",
            "--include-ignored",
        ])
        .env_remove("MISTRAL_API_KEY")
        .env("MISTRAL_BASE_URL", "not a url")
        .env("MISTRAL_FILES_BAD_INPUT_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("CHILD-OK"), "{stdout}");
}

#[test]
#[ignore = "run by from_env_without_key_is_missing_api_key in a child process"]
fn from_env_child() {
    if std::env::var_os("MISTRAL_FILES_BAD_INPUT_CHILD").is_none() {
        return;
    }
    let e = Client::from_env().unwrap_err();
    assert!(matches!(e, Error::MissingApiKey), "{e:?}");
    assert!(e.to_string().contains("MISTRAL_API_KEY"));
    // with a key, the bad MISTRAL_BASE_URL is the error
    let e = mistral_files::ClientBuilder::from_env()
        .api_key("k")
        .build()
        .unwrap_err();
    assert!(is_bad_base_url(&e), "{e:?}");
    println!("CHILD-OK");
}
