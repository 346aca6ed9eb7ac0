use xtask::import::*;
use xtask::names::NameMap;

pub(crate) const PROVIDER: &str = r##"
openapi: 3.1.0
info: {title: Whole API, version: 1.0.0}
paths:
  /v1/other:
    get:
      operationId: other_op
      tags: [other]
      responses: {'200': {description: OK, content: {application/json: {schema: {$ref: '#/components/schemas/Other'}}}}}
  /v1/files:
    get:
      operationId: list
      tags: [files]
      responses: {'200': {description: OK, content: {application/json: {schema: {$ref: '#/components/schemas/List'}}}}}
components:
  schemas:
    Other: {type: object}
    List: {type: object, properties: {data: {type: array, items: {$ref: '#/components/schemas/Item'}}}}
    Item: {type: object, properties: {kind: {$ref: '#/components/schemas/Kind'}}}
    Kind: {type: string, enum: [a, b]}
  securitySchemes:
    ApiKey: {type: http, scheme: bearer}
    Unused: {type: http, scheme: basic}
security: [{ApiKey: []}]
tags: [{name: other}, {name: files, description: Files}]
"##;

#[test]
fn keeps_files_operations_and_reachable_schemas_only() {
    let doc = extract(&xtask::doc::parse(PROVIDER).unwrap()).unwrap();
    let paths: Vec<_> = doc["paths"].as_object().unwrap().keys().collect();
    assert_eq!(paths, ["/v1/files"]);
    let schemas: Vec<_> = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(schemas, ["Item", "Kind", "List"]);
    let schemes: Vec<_> = doc["components"]["securitySchemes"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(schemes, ["ApiKey"]);
    assert_eq!(
        doc["tags"],
        serde_json::json!([{"name": "files", "description": "Files"}])
    );
}

#[test]
fn importing_twice_changes_nothing() {
    let once = import(&xtask::doc::parse(PROVIDER).unwrap(), &NameMap::default())
        .unwrap()
        .yaml;
    let twice = import(&xtask::doc::parse(&once).unwrap(), &NameMap::default())
        .unwrap()
        .yaml;
    assert_eq!(once, twice);
}

#[test]
fn key_order_of_the_input_does_not_matter() {
    let reordered = PROVIDER.replace(
        "Kind: {type: string, enum: [a, b]}",
        "Kind: {enum: [a, b], type: string}",
    );
    let a = import(&xtask::doc::parse(PROVIDER).unwrap(), &NameMap::default()).unwrap();
    let b = import(&xtask::doc::parse(&reordered).unwrap(), &NameMap::default()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn rejects_documents_without_files_operations() {
    let doc =
        xtask::doc::parse("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n").unwrap();
    let err = extract(&doc).unwrap_err().to_string();
    assert!(err.contains("no operation is tagged"), "{err}");
}

#[test]
fn rejects_dangling_refs() {
    let doc = xtask::doc::parse(&PROVIDER.replace("    Kind: {type: string, enum: [a, b]}\n", ""))
        .unwrap();
    let err = extract(&doc).unwrap_err().to_string();
    assert!(err.contains("Kind"), "{err}");
}

#[test]
fn json_documents_import_like_yaml() {
    let json = r##"{"openapi":"3.1.0","info":{"title":"T","version":"1"},
            "paths":{"/v1/files":{"get":{"operationId":"list","tags":["files"],
            "responses":{"200":{"description":"OK"}}}}}}"##;
    let yaml = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /v1/files:\n    get:\n      operationId: list\n      tags: [files]\n      responses: {'200': {description: OK}}\n";
    let none = xtask::names::NameMap::default();
    let a = import(&xtask::doc::parse(json).unwrap(), &none).unwrap();
    let b = import(&xtask::doc::parse(yaml).unwrap(), &none).unwrap();
    assert_eq!(a, b);
}
