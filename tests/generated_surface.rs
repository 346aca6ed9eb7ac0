//! Snapshots of what a reviewer of a regeneration cares about: the generated client's public
//! surface and each type's JSON schema. A spec change shows up here as a small diff
//! (`cargo insta review`).

use std::path::PathBuf;

#[test]
fn public_surface() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let generated = std::fs::read_to_string(root.join(xtask::codegen::GENERATED_RS)).unwrap();
    insta::assert_snapshot!(
        "raw_client_surface",
        xtask::surface::render(&generated).unwrap()
    );
}

#[test]
fn json_schema_of_every_type() {
    let schemas = mistral_files_raw::json_schemas();
    let names: Vec<&str> = schemas.iter().map(|(n, _)| *n).collect();
    insta::assert_yaml_snapshot!("raw_type_names", names);
    for (name, schema) in schemas {
        insta::assert_json_snapshot!(format!("schema_{name}"), schema);
    }
}
