//! The bounds the spec declares (through `openapi/overlay.yaml`) and the constants the client,
//! the CLI and the emulator check them with (`mistral_files_raw::SIGNED_URL_*_EXPIRY_HOURS`)
//! are the same numbers: changing one without the other fails here.

use serde_json::Value;

#[test]
fn signed_url_expiry_bounds_are_the_specs() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/generated/mistral-files.openapi-3.0.json"
    ))
    .expect("the normalized spec is committed");
    let doc: Value = serde_json::from_str(&doc).expect("JSON");
    let params = doc["paths"]["/v1/files/{file_id}/url"]["get"]["parameters"]
        .as_array()
        .expect("parameters");
    let expiry = params
        .iter()
        .find(|p| p["name"] == "expiry")
        .expect("an expiry parameter");
    let schema = &expiry["schema"];
    assert_eq!(
        schema["minimum"].as_u64(),
        Some(mistral_files_raw::SIGNED_URL_MIN_EXPIRY_HOURS),
        "{schema}"
    );
    assert_eq!(
        schema["maximum"].as_u64(),
        Some(mistral_files_raw::SIGNED_URL_MAX_EXPIRY_HOURS),
        "{schema}"
    );
    assert_eq!(
        mistral_files::SIGNED_URL_MAX_EXPIRY_HOURS,
        mistral_files_raw::SIGNED_URL_MAX_EXPIRY_HOURS
    );
}
