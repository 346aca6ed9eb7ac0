//! Every operation of the spec is implemented by `mistral-files`, served by the emulator and
//! shown in the `raw_requests` snapshot, or is on the allow-list below with its reason. A new
//! operation upstream fails this test until each of the three follows (or is listed).

use mistral_files::FilePurpose;
use mistral_files_test_support::setup;
use std::path::Path;

/// Operations (our names) that `raw_requests` does not show, and why.
const NOT_IN_RAW_REQUESTS: &[(&str, &str)] = &[(
    "upload_file",
    "multipart/form-data: progenitor cannot generate it; mistral-files writes the form by hand (exercised below)",
)];

/// (operation name, method, path template) of the normalized spec.
fn spec_operations() -> Vec<(String, String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(xtask::codegen::NORMALIZED)).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = op["operationId"].as_str().unwrap().to_string();
            ops.push((name, method.to_uppercase(), path.clone()));
        }
    }
    ops.sort();
    assert!(ops.len() >= 6, "{ops:?}");
    ops
}

/// Whether a concrete path (`/v1/files/3b1f...`) fits a template (`/v1/files/{file_id}`).
fn fits(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

#[tokio::test]
async fn every_operation_is_implemented_served_and_snapshotted() {
    let (emu, client) = setup().await;
    // Every operation mistral-files offers, once.
    let file = client
        .upload_bytes("a.jsonl", b"{\"custom_id\":\"1\",\"body\":{}}\n".to_vec())
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
    client.list().send().await.unwrap();
    client.retrieve(&file.id).await.unwrap();
    client.signed_url(file.id).await.unwrap();
    let mut body = client.download(file.id).await.unwrap().into_async_read();
    let mut content = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut body, &mut content)
        .await
        .unwrap();
    assert!(!content.is_empty());
    client.delete(&file.id).await.unwrap();

    let seen = emu.requests();
    let snapshot = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/snapshots/raw_requests__raw_requests.snap"),
    )
    .unwrap();
    let mut missing = Vec::new();
    for (name, method, template) in spec_operations() {
        // Each call above succeeded, so each request it recorded was served.
        let served = seen
            .iter()
            .any(|r| r.method == method && fits(&template, &r.path));
        if !served {
            missing.push(format!("{name} ({method} {template}): not sent by mistral-files or not served by the emulator"));
        }
        let in_snapshot = snapshot.lines().any(|l| {
            let mut words = l.split_whitespace();
            words.next() == Some(method.as_str())
                && words
                    .next()
                    .is_some_and(|t| fits(&template, t.split('?').next().unwrap()))
        });
        let allowed = NOT_IN_RAW_REQUESTS.iter().any(|(n, _)| *n == name);
        if !in_snapshot && !allowed {
            missing.push(format!(
                "{name} ({method} {template}): not shown in tests/raw_requests.rs"
            ));
        }
        if in_snapshot && allowed {
            missing.push(format!(
                "{name}: shown in raw_requests, drop it from NOT_IN_RAW_REQUESTS"
            ));
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}
