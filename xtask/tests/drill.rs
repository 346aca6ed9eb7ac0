//! The spec-change drill (see `xtask::drill`): each case of `tests/fixtures/cases/` through
//! import + codegen gives the impact it expects, before anything is built. That the workspace
//! still builds for the non-breaking cases is checked by `cargo xtask drill --build` in CI.

use std::path::PathBuf;
use xtask::changes::Impact;
use xtask::drill;

/// The checkout's root (tests run in `xtask/`).
fn root() -> PathBuf {
    xtask::workspace_root().expect("the tests run inside the checkout")
}

fn outcome(name: &str) -> drill::Outcome {
    let case = drill::cases(&root())
        .unwrap()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case {name}"));
    drill::run(&root(), &case).unwrap()
}

/// The raw crate's public API listing the case generated.
fn listing(outcome: &drill::Outcome) -> String {
    let file = outcome
        .files
        .iter()
        .find(|f| f.path.ends_with("mistral-files-raw/public-api.txt"))
        .unwrap();
    file.contents.clone()
}

#[test]
fn every_case_gives_the_impact_and_the_lines_it_expects() {
    let cases = drill::cases(&root()).unwrap();
    assert!(cases.len() >= 40, "the catalogue has {} cases", cases.len());
    // Two threads: each case runs progenitor twice, and the cases are independent.
    let half = cases.len() / 2;
    let wrong: Vec<String> = std::thread::scope(|s| {
        let runs: Vec<_> = cases
            .chunks(half.max(1))
            .map(|chunk| s.spawn(move || chunk.iter().filter_map(check).collect::<Vec<_>>()))
            .collect();
        runs.into_iter().flat_map(|r| r.join().unwrap()).collect()
    });
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// What is wrong with one case's outcome, if anything.
fn check(case: &drill::Case) -> Option<String> {
    let outcome = drill::run(&root(), case).unwrap();
    let text = outcome.report.to_text();
    assert!(
        text.ends_with(&format!("impact: {}\n", outcome.report.impact())),
        "{text}"
    );
    let missing = drill::missing(case, &outcome);
    (outcome.report.impact() != case.expect || !missing.is_empty()).then(|| {
        format!(
            "case {} (expected {}):\n{text}{missing:#?}",
            case.name, case.expect
        )
    })
}

/// Every kind of contract change the report models, with the cases that show it.
const KINDS: &[(&str, &[&str])] = &[
    (
        "defaults",
        &["default-changed", "default-removed", "default-declared"],
    ),
    (
        "security",
        &[
            "security-scheme-changed",
            "security-alternative-added",
            "security-replaced-on-operation",
            "security-dropped-on-operation",
        ],
    ),
    (
        "input bounds",
        &[
            "input-bound-narrowed",
            "input-bound-widened",
            "input-pattern-added",
            "input-length-bound-removed",
        ],
    ),
    (
        "output bounds",
        &["output-bound-narrowed", "output-bound-widened"],
    ),
    (
        "nullability",
        &[
            "input-null-accepted",
            "input-null-refused",
            "output-null-possible",
            "output-null-gone",
            "output-required-null-gone",
        ],
    ),
    (
        "required-ness",
        &[
            "input-now-required",
            "input-now-optional",
            "output-now-optional",
            "output-now-required",
            "output-new-required-field",
            "new-required-query-parameter",
            "new-optional-query-parameter",
        ],
    ),
    (
        "enum values",
        &[
            "input-enum-value-added",
            "shared-enum-value-removed",
            "output-enum-value-removed",
            "new-enum-value",
        ],
    ),
    (
        "operations and paths",
        &[
            "new-operation",
            "operation-removed",
            "path-renamed",
            "path-parameter-renamed",
            "operation-deprecated",
            "parameter-deprecated",
            "parameter-style-changed",
        ],
    ),
    (
        "media types",
        &[
            "request-media-type-added",
            "request-media-type-removed",
            "response-media-type-changed",
        ],
    ),
    (
        "status codes and errors",
        &[
            "success-status-added",
            "error-response-422",
            "error-response-documented",
        ],
    ),
    (
        "form fields",
        &[
            "new-optional-form-field",
            "new-required-form-field",
            "renamed-form-field",
            "form-field-type-changed",
        ],
    ),
    (
        "overlay",
        &[
            "overlay-audio-now-upstream",
            "overlay-expiry-contradicted",
            "overlay-expiry-now-upstream",
            "overlay-bytes-contradicted",
            "overlay-own-bound-widened",
        ],
    ),
    (
        "names and docs",
        &[
            "schema-rename",
            "renamed-query-parameter",
            "removed-field",
            "docs-edit",
            "docs-stale-entry",
        ],
    ),
];

/// Every kind of contract change the report models has at least one case, and every case
/// says which lines it expects.
#[test]
fn the_catalogue_covers_every_kind_of_change() {
    let names: Vec<String> = drill::cases(&root())
        .unwrap()
        .into_iter()
        .map(|c| {
            assert!(
                !c.lines.is_empty(),
                "case {} lists no expected line",
                c.name
            );
            c.name
        })
        .collect();
    for (kind, cases) in KINDS {
        for case in *cases {
            assert!(names.iter().any(|n| n == case), "{kind}: no case {case}");
        }
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
    let committed = std::fs::read_to_string(root().join(xtask::inputs::RAW_LISTING)).unwrap();
    assert_eq!(listing(&renamed), committed);
    assert_ne!(listing(&base), listing(&renamed));
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
