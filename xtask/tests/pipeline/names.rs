use std::collections::BTreeMap;
use xtask::names::*;

#[test]
fn locations_round_trip_through_text() {
    for text in [
        "list_files response 200 .data[].purpose",
        "upload_file body .file",
        "list_files param purpose",
        "delete_file response 200",
    ] {
        let loc: Location = text.parse().unwrap();
        assert_eq!(loc.to_string(), text);
    }
    assert!("list_files header x".parse::<Location>().is_err());
    assert!("list_files response 200 data".parse::<Location>().is_err());
}

#[test]
fn path_parameters_do_not_matter() {
    assert_eq!(
        OperationKey::new("GET", "/v1/files/{file_id}/url"),
        OperationKey::new("get", "/v1/files/{id}/url")
    );
}

#[test]
fn resolves_through_refs_nullable_and_items() {
    let doc = xtask::doc::parse(
            r##"
paths:
  /v1/files:
    get:
      responses:
        '200': {content: {application/json: {schema: {$ref: '#/components/schemas/Page'}}}}
components:
  schemas:
    Page: {type: object, properties: {data: {anyOf: [{type: array, items: {$ref: '#/components/schemas/Item'}}, {type: 'null'}]}}}
    Item: {type: object, properties: {kind: {anyOf: [{$ref: '#/components/schemas/Kind'}, {type: 'null'}]}, n: {type: integer}}}
    Kind: {type: string, enum: [a]}
"##,
        )
        .unwrap();
    let ops = BTreeMap::from([("list".to_string(), "/paths/~1v1~1files/get".to_string())]);
    let at = |t: &str| resolve(&doc, &ops, &t.parse().unwrap()).unwrap();
    assert_eq!(at("list response 200").as_deref(), Some("Page"));
    assert_eq!(at("list response 200 .data[]").as_deref(), Some("Item"));
    assert_eq!(
        at("list response 200 .data[].kind").as_deref(),
        Some("Kind")
    );
    assert_eq!(at("list response 200 .data[].n"), None);
    assert!(resolve(&doc, &ops, &"list response 200 .nope".parse().unwrap()).is_err());
    let first = first_locations(&doc, &ops);
    assert_eq!(first["Kind"].to_string(), "list response 200 .data[].kind");
}

#[test]
fn the_names_file_may_be_empty_and_its_errors_name_the_entry() {
    assert_eq!(NameMap::parse("").unwrap(), NameMap::default());
    assert_eq!(
        NameMap::parse("# nothing yet\n").unwrap(),
        NameMap::default()
    );
    let err = |text: &str| format!("{:#}", NameMap::parse(text).unwrap_err());
    let text = err("operations: {list: [GET, /v1/files]}\n");
    assert!(text.contains("operations.list"), "{text}");
    let text = err("operations: {list: GET /a, again: get /a}\n");
    assert!(text.contains("both name GET /a"), "{text}");
    let text = err("operations: {list: GET /a}\nschemas: {Page: other response 200}\n");
    assert!(text.contains("schema Page: operation \"other\""), "{text}");
}
