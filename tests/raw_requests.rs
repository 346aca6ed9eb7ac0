//! The HTTP request each generated operation builds, snapshotted: method, path, query (with
//! repeated keys for arrays) and the headers that matter. A loopback server captures them.

use mistral_files_raw::open_enums::{FilePurpose, SampleType, Source};
use mistral_files_raw::{Client, ClientContext};
use mistral_files_test_support::{http_response, ScriptedServer, KEY};

const FILE_ID: &str = "3b1f0c55-8d0e-4c7a-9a43-2f6c1d7e9b10";
const FILE_JSON: &str = r#"{"id":"3b1f0c55-8d0e-4c7a-9a43-2f6c1d7e9b10","object":"file","bytes":null,"created_at":1760000000,"filename":"a.jsonl","purpose":"audio","sample_type":"instruct","source":"upload"}"#;

/// Starts a server that answers every request with a body fitting its path (and records the
/// request).
async fn capture_server() -> ScriptedServer {
    ScriptedServer::start(|_, head| {
        let target = head.split_whitespace().nth(1).unwrap_or("");
        let path = target.split('?').next().unwrap_or("");
        let (content_type, body) = if path.ends_with("/content") {
            ("application/octet-stream", "raw bytes".to_string())
        } else if path.ends_with("/url") {
            (
                "application/json",
                r#"{"url":"https://blob.example/x?sig=1"}"#.to_string(),
            )
        } else if path == "/v1/files" {
            (
                "application/json",
                format!(r#"{{"data":[{FILE_JSON}],"object":"list","total":1}}"#),
            )
        } else if head.starts_with("DELETE") {
            (
                "application/json",
                format!(r#"{{"id":"{FILE_ID}","object":"file","deleted":true}}"#),
            )
        } else {
            (
                "application/json",
                FILE_JSON.replace('}', r#","deleted":false}"#),
            )
        };
        http_response(
            "200 OK",
            &[
                ("content-type", content_type.to_string()),
                ("content-length", body.len().to_string()),
            ],
            body.as_bytes(),
        )
    })
    .await
}

/// The requests `server` received, each as [`describe`] shows it.
fn described(server: &ScriptedServer) -> Vec<String> {
    server.heads().iter().map(|h| describe(h)).collect()
}

/// The request line and the headers a reviewer cares about, in a stable order.
fn describe(head: &str) -> String {
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or("").to_string();
    let mut headers: Vec<String> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "authorization" | "accept" | "api-version" | "content-type"
            )
        })
        .map(|(k, v)| {
            let v = if k == "authorization" {
                v.replace(KEY, "<key>")
            } else {
                v
            };
            format!("{k}: {v}")
        })
        .collect();
    headers.sort();
    format!("{request_line}\n{}", headers.join("\n"))
}

#[tokio::test]
async fn each_operation_builds_the_expected_request() {
    let server = capture_server().await;
    let client = Client::new_with_client(
        &server.url,
        mistral_files_test_support::http::http_client(),
        ClientContext::with_api_key(KEY).unwrap(),
    );
    let id: uuid::Uuid = FILE_ID.parse().unwrap();

    let list = client
        .list_files()
        .page(2)
        .page_size(10)
        .include_total(false)
        .purpose(FilePurpose::Batch)
        .sample_type(vec![
            SampleType::Instruct,
            SampleType::Unknown("future".into()),
        ])
        .source(vec![Source::Upload, Source::Mistral])
        .search("report q3")
        .mimetypes(vec![
            "application/jsonl".to_string(),
            "text/plain".to_string(),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(list.data[0].purpose, FilePurpose::Audio);
    assert_eq!(list.data[0].bytes, None);
    client.list_files().send().await.unwrap();
    client.retrieve_file().file_id(id).send().await.unwrap();
    client.delete_file().file_id(id).send().await.unwrap();
    client
        .get_signed_url()
        .file_id(id)
        .expiry(48)
        .send()
        .await
        .unwrap();
    client.download_file().file_id(id).send().await.unwrap();

    let seen = described(&server).join("\n\n");
    insta::assert_snapshot!("raw_requests", seen);
}

#[tokio::test]
async fn anonymous_context_sends_no_authorization() {
    let server = capture_server().await;
    let client = Client::new_with_client(
        &server.url,
        mistral_files_test_support::http::http_client(),
        ClientContext::anonymous(),
    );
    client.list_files().send().await.unwrap();
    let seen = described(&server);
    assert!(!seen[0].contains("authorization"), "{}", seen[0]);
}

#[tokio::test]
async fn a_failed_status_comes_back_whole_even_when_its_body_is_not_json() {
    let server = ScriptedServer::start(|_, _| {
        let body = "<html>Bad Gateway</html>";
        http_response(
            "502 Bad Gateway",
            &[
                ("content-type", "text/html".to_string()),
                ("content-length", body.len().to_string()),
            ],
            body.as_bytes(),
        )
    })
    .await;
    let client = Client::new_with_client(
        &server.url,
        mistral_files_test_support::http::http_client(),
        ClientContext::anonymous(),
    );
    let result = client.list_files().send().await;
    // progenitor alone would drop the status of a body it cannot decode; the hooks return the
    // response itself, unread.
    let Err(mistral_files_raw::Error::UnexpectedResponse(failed)) = result else {
        panic!("{result:?}");
    };
    assert_eq!(failed.status().as_u16(), 502);
    assert_eq!(failed.text().await.unwrap(), "<html>Bad Gateway</html>");
}

#[tokio::test]
async fn a_hand_built_request_goes_through_the_same_hooks() {
    let server = capture_server().await;
    let client = Client::new_with_client(
        &server.url,
        mistral_files_test_support::http::http_client(),
        ClientContext::with_api_key(KEY)
            .unwrap()
            .user_agent(reqwest::header::HeaderValue::from_static("t/1")),
    );
    let request = client
        .request(
            reqwest::Method::GET,
            &format!("/v1/files/{FILE_ID}/content"),
        )
        .build()
        .unwrap();
    let response = client.execute(request, "download_file").await.unwrap();
    assert_eq!(response.text().await.unwrap(), "raw bytes");
    let head = server.heads()[0].to_ascii_lowercase();
    assert!(
        head.contains(&format!(
            "authorization: bearer {}",
            KEY.to_ascii_lowercase()
        )),
        "{head}"
    );
    assert!(head.contains("user-agent: t/1"), "{head}");
}

#[test]
fn context_debug_never_shows_the_key() {
    let ctx = ClientContext::with_api_key("sk-very-secret").unwrap();
    let shown = format!("{ctx:?}");
    assert!(!shown.contains("sk-very-secret"), "{shown}");
    assert!(ClientContext::with_api_key("bad\nkey").is_err());
}
