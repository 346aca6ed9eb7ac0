use serde_json::Value;
use xtask::import::import;
use xtask::names::NameMap;

const NAMES: &str = "operations:\n  list_files: GET /v1/files\nschemas:\n  FilePage: list_files response 200\n  FileObject: list_files response 200 .data[]\n";

fn imported(provider: &str) -> (Value, Vec<String>) {
    let names = NameMap::parse(NAMES).unwrap();
    let out = import(&xtask::doc::parse(provider).unwrap(), &names).unwrap();
    (xtask::doc::parse(&out.yaml).unwrap(), out.notes)
}

#[test]
fn a_provider_rename_lands_on_the_same_names() {
    let (before, _) = imported(super::import::PROVIDER);
    let renamed = super::import::PROVIDER
        .replace("schemas/List'", "schemas/ListResponse'")
        .replace("    List: {", "    ListResponse: {")
        .replace("operationId: list", "operationId: list_v2");
    let (after, notes) = imported(&renamed);
    let without_provider_id = |doc: &Value| {
        let mut paths = doc["paths"].clone();
        let op = paths["/v1/files"]["get"].as_object_mut().unwrap();
        op.shift_remove("x-provider-operation-id");
        paths
    };
    assert_eq!(
        without_provider_id(&before),
        without_provider_id(&after),
        "only the recorded provider operationId differs"
    );
    assert_eq!(
        after["paths"]["/v1/files"]["get"]["x-provider-operation-id"],
        "list_v2"
    );
    assert_eq!(
        after["components"]["schemas"]["FilePage"]["x-provider-name"],
        "ListResponse"
    );
    assert_eq!(
        before["components"]["schemas"]["FileObject"]["x-provider-name"],
        "Item"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("schema Kind is not pinned")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("`Kind: list_files response 200 .data[].kind`")),
        "{notes:?}"
    );
}

#[test]
fn two_names_for_one_schema_is_an_error() {
    let names = NameMap::parse(&format!("{NAMES}  Other: list_files response 200\n")).unwrap();
    let err = import(&xtask::doc::parse(super::import::PROVIDER).unwrap(), &names).unwrap_err();
    assert!(err.to_string().contains("both pin"), "{err}");
}
