use serde_json::json;
use xtask::prose::*;

#[test]
fn strips_prose_in_keyword_positions_only() {
    let mut doc = json!({
        "info": {"title": "t", "description": "theirs", "version": "1"},
        "paths": {"/a": {"get": {"summary": "s", "description": "d",
            "responses": {"200": {"description": "theirs"}}}}},
        "components": {"schemas": {"S": {"type": "object", "description": "theirs",
            "examples": [1],
            "properties": {"description": {"type": "string", "description": "theirs"}}}}}
    });
    strip(&mut doc);
    assert_eq!(doc["info"], json!({"title": "t", "version": "1"}));
    assert_eq!(
        doc["paths"]["/a"]["get"],
        json!({"responses": {"200": {"description": "OK"}}})
    );
    assert_eq!(
        doc["components"]["schemas"]["S"],
        json!({"type": "object", "properties": {"description": {"type": "string"}}})
    );
}

#[test]
fn docs_apply_by_our_names_and_name_the_nearest_on_a_miss() {
    let mut doc = json!({
        "paths": {"/a": {"get": {"operationId": "list_files",
            "parameters": [{"name": "page", "in": "query"}],
            "responses": {"200": {"description": "OK"}}}}},
        "components": {"schemas": {"FileObject": {"properties": {"id": {"type": "string"}}}}}
    });
    let docs = json!({
        "info": {"title": "Ours"},
        "operations": {"list_files": {"summary": "List", "parameters": {"page": "Which page."}}},
        "schemas": {"FileObject": {"description": "A file.", "properties": {"id": "Its id."}}}
    });
    assert!(apply_docs(&mut doc, &docs).unwrap().is_empty());
    assert_eq!(doc["info"]["title"], "Ours");
    assert_eq!(doc["paths"]["/a"]["get"]["summary"], "List");
    assert_eq!(
        doc["paths"]["/a"]["get"]["parameters"][0]["description"],
        "Which page."
    );
    assert_eq!(
        doc["components"]["schemas"]["FileObject"]["properties"]["id"]["description"],
        "Its id."
    );

    let typo = json!({"schemas": {"FileObjet": {"description": "x"}}});
    let err = apply_docs(&mut doc, &typo).unwrap().join("\n");
    assert!(err.contains("\"FileObject\""), "{err}");
    let typo = json!({"operations": {"list_files": {"parameters": {"pages": "x"}}}});
    let err = apply_docs(&mut doc, &typo).unwrap().join("\n");
    assert!(err.contains("nearest existing name is \"page\""), "{err}");
}

#[test]
fn a_stale_entry_costs_only_its_own_text() {
    let mut doc = json!({
        "paths": {"/a": {"get": {"operationId": "list_files",
            "parameters": [{"name": "page", "in": "query"}, {"name": "search", "in": "query"}],
            "responses": {"200": {"description": "OK"}}}}},
        "components": {"schemas": {"FileObject": {"properties": {"id": {}, "name": {}}}}}
    });
    let docs = json!({
        "operations": {"list_files": {"parameters": {"gone": "Old.", "page": "Which page.", "search": "Text."}}},
        "schemas": {"FileObject": {"properties": {"old": "Old.", "id": "Its id.", "name": "Its name."}}}
    });
    let notes = apply_docs(&mut doc, &docs).unwrap();
    assert_eq!(notes.len(), 2, "{notes:?}");
    let params = &doc["paths"]["/a"]["get"]["parameters"];
    assert_eq!(params[0]["description"], "Which page.");
    assert_eq!(params[1]["description"], "Text.");
    let props = &doc["components"]["schemas"]["FileObject"]["properties"];
    assert_eq!(props["id"]["description"], "Its id.");
    assert_eq!(props["name"]["description"], "Its name.");
}
