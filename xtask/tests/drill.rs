//! The spec-change drill (see `xtask::drill`): each case of `tests/fixtures/cases/` through
//! import + codegen gives the impact it expects, before anything is built. That the workspace
//! still builds for the non-breaking cases is checked by `cargo xtask drill --build` in CI.

use std::path::{Path, PathBuf};
use xtask::changes::Impact;
use xtask::drill;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn outcome(name: &str) -> drill::Outcome {
    let case = drill::cases(&root())
        .unwrap()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case {name}"));
    drill::run(&root(), &case).unwrap()
}

fn surface(outcome: &drill::Outcome) -> String {
    let rs = outcome
        .files
        .iter()
        .find(|f| f.path.ends_with("generated.rs"))
        .unwrap();
    xtask::surface::render(&rs.contents).unwrap()
}

#[test]
fn every_case_gives_the_impact_it_expects() {
    let cases = drill::cases(&root()).unwrap();
    assert!(cases.len() >= 7, "{cases:?}");
    for case in cases {
        let outcome = drill::run(&root(), &case).unwrap();
        let text = outcome.report.to_text();
        assert_eq!(
            outcome.report.impact(),
            case.expect,
            "case {}:\n{text}",
            case.name
        );
        assert!(
            text.ends_with(&format!("impact: {}\n", case.expect)),
            "{text}"
        );
    }
}

#[test]
fn a_provider_rename_changes_no_generated_name() {
    let base = outcome("new-enum-value");
    let renamed = outcome("schema-rename");
    assert_eq!(renamed.report.impact(), Impact::None);
    assert!(renamed.notes.is_empty(), "{:?}", renamed.notes);
    let text = renamed.report.to_text();
    assert!(
        text.contains(
            "none: type FilePage: the provider renamed ListFilesOut -> ListFilesResponse"
        ),
        "{text}"
    );
    // Same Rust names as the committed code (the base case only adds an enum value).
    let committed = std::fs::read_to_string(root().join(xtask::codegen::GENERATED_RS)).unwrap();
    assert_eq!(
        surface(&renamed),
        xtask::surface::render(&committed).unwrap()
    );
    assert_ne!(surface(&base), surface(&renamed));
}

#[test]
fn an_added_field_and_enum_value_are_listed_as_additive() {
    let text = outcome("optional-field-and-enum-value").report.to_text();
    for line in [
        "additive: type FileObject .labels: new field (array<string>?)",
        "additive: type FilePurpose: new enum values: `speech`",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    assert!(!text.contains("breaking"), "{text}");
}

#[test]
fn breaking_changes_say_what_broke() {
    for (case, line) in [
        ("removed-field", "breaking: type FileObject .signature: removed"),
        ("renamed-query-parameter", "breaking: operation list_files query search: renamed to `query query`?"),
        ("renamed-form-field", "breaking: operation upload_file body multipart/form-data .purpose: renamed to `.file_purpose`?"),
        (
            "new-required-form-field",
            "breaking: operation upload_file body multipart/form-data .workspace_id: new required input (string)",
        ),
    ] {
        let text = outcome(case).report.to_text();
        assert!(text.contains(line), "case {case}: missing {line:?} in\n{text}");
    }
}

#[test]
fn a_new_operation_is_additive_and_asks_for_a_name() {
    let outcome = outcome("new-operation");
    let text = outcome.report.to_text();
    assert!(text.contains("additive: operation files_api_routes_update_file: new operation (PATCH /v1/files/{file_id})"), "{text}");
    assert!(
        outcome
            .notes
            .iter()
            .any(|n| n.contains("`files_api_routes_update_file: PATCH /v1/files/{}`")),
        "{:?}",
        outcome.notes
    );
}
