use serde_json::json;
use xtask::codegen::*;

/// progenitor 0.15 asserts one error type per operation; without the merge of
/// `error_responses`, two error bodies make it panic, and the error names the operation.
#[test]
fn a_generator_panic_is_an_error_that_names_the_operation() {
    let body = |name: &str| json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}});
    let object = json!({"type": "object", "properties": {"detail": {"type": "string"}}});
    let doc = json!({
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/a": {"get": {"operationId": "fine", "responses": {"200": {"description": "OK"}}}},
        "/b": {"get": {"operationId": "list_files", "responses": {
            "200": {"description": "OK"},
            "422": {"description": "Client error", "content": body("HTTPValidationError")},
            "4XX": {"description": "Client error", "content": body("ErrorBody")}
        }}}
    },
    "components": {"schemas": {"ErrorBody": object.clone(), "HTTPValidationError": object}}
    });
    let err = run_progenitor(&doc, &[]).unwrap_err().to_string();
    assert!(err.contains("panicked on operation list_files"), "{err}");
    let mut merged = doc.clone();
    xtask::error_responses::merge(&mut merged);
    run_progenitor(&merged, &[]).unwrap();
}
