//! The raw crate's optional `schemars` feature, as the workspace uses it: every generated type
//! and open enum has a JSON schema, by name.

#[test]
fn every_generated_type_has_a_schema() {
    let schemas = mistral_files_raw::json_schemas();
    let names: Vec<&str> = schemas.iter().map(|(name, _)| *name).collect();
    for expected in [
        "FileObject",
        "FilePage",
        "ErrorBody",
        "FilePurpose",
        "SignedUrl",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "json_schemas() is sorted by name");
    let (_, file) = schemas.iter().find(|(n, _)| *n == "FileObject").unwrap();
    let json = serde_json::to_value(file).unwrap();
    assert!(json["properties"]["filename"].is_object(), "{json}");
}
