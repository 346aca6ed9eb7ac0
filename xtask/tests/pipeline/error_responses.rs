use serde_json::{json, Value};
use xtask::error_responses::*;

fn body(name: &str) -> Value {
    json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}})
}

#[test]
fn several_error_bodies_become_the_catch_all_one() {
    let mut doc = json!({"paths": {"/a": {"get": {"operationId": "list_files", "responses": {
        "200": {"content": body("Page")},
        "422": {"content": body("HTTPValidationError")},
            "4XX": {"content": body("ErrorBody")},
        "5XX": {"content": body("ErrorBody")}
    }}}}});
    let notes = merge(&mut doc);
    let responses = &doc["paths"]["/a"]["get"]["responses"];
    // 422 now has the 4XX body, so the range covers it.
    assert!(responses.get("422").is_none(), "{responses}");
    assert_eq!(responses["4XX"]["content"], body("ErrorBody"));
    assert_eq!(responses["200"]["content"], body("Page"));
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("operation list_files") && notes[0].contains("422 (HTTPValidationError)"),
        "{notes:?}"
    );
}

#[test]
fn one_error_body_needs_no_merge_and_a_covered_status_goes() {
    let mut doc = json!({"paths": {"/a": {"get": {"responses": {
        "404": {"content": body("ErrorBody")},
        "4XX": {"content": body("ErrorBody")},
        "500": {"content": body("ErrorBody")}
    }}}}});
    assert!(merge(&mut doc).is_empty());
    let responses = &doc["paths"]["/a"]["get"]["responses"];
    assert!(responses.get("404").is_none(), "{responses}");
    // No 5XX range: the single status stays.
    assert_eq!(responses["500"]["content"], body("ErrorBody"));
}

#[test]
fn without_a_catch_all_the_first_status_wins() {
    let mut doc = json!({"paths": {"/a": {"get": {"responses": {
        "422": {"content": body("HTTPValidationError")},
            "404": {"content": body("NotFound")}
    }}}}});
    merge(&mut doc);
    let responses = &doc["paths"]["/a"]["get"]["responses"];
    assert_eq!(responses["422"]["content"], body("NotFound"));
}
