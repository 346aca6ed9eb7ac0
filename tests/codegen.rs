//! The generated client must be exactly what the vendored spec and overlay generate, and the
//! vendored spec exactly what `cargo xtask import` writes. On failure: run the command printed.

use std::path::PathBuf;
use xtask::codegen::{self, Inputs};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn generated_files_match_the_spec_and_overlay() {
    let inputs = Inputs::read(&root()).unwrap();
    let files = codegen::generate(&inputs).unwrap();
    let drift = codegen::check(&root(), &files);
    if !drift.is_empty() {
        let diffs: Vec<String> = drift.iter().map(|d| d.diff.clone()).collect();
        panic!(
            "{}\n\ngenerated code is out of date: run `{}`, review the snapshot diff, commit",
            diffs.join("\n"),
            codegen::COMMAND
        );
    }
}

#[test]
fn vendored_spec_is_what_import_writes() {
    let spec = std::fs::read_to_string(root().join(codegen::SPEC)).unwrap();
    let reimported = xtask::import::import(&xtask::doc::parse(&spec).unwrap()).unwrap();
    let diff = similar::TextDiff::from_lines(&spec, &reimported)
        .unified_diff()
        .header("committed", "imported")
        .to_string();
    assert!(
        spec == reimported,
        "{diff}\n{} is not in canonical import form: run `cargo xtask import {}`",
        codegen::SPEC,
        codegen::SPEC
    );
}

#[test]
fn header_names_the_inputs_their_hashes_and_the_command() {
    let generated = std::fs::read_to_string(root().join(codegen::GENERATED_RS)).unwrap();
    let inputs = Inputs::read(&root()).unwrap();
    let header: Vec<&str> = generated
        .lines()
        .take_while(|l| l.starts_with("//"))
        .collect();
    let header = header.join("\n");
    assert!(header.contains("DO NOT EDIT"), "{header}");
    assert!(header.contains(codegen::COMMAND), "{header}");
    assert!(
        header.contains(&format!(
            "{} sha256:{}",
            codegen::SPEC,
            xtask::sha256_hex(inputs.spec.as_bytes())
        )),
        "{header}"
    );
    assert!(
        header.contains(&format!(
            "{} sha256:{}",
            codegen::OVERLAY,
            xtask::sha256_hex(inputs.overlay.as_bytes())
        )),
        "{header}"
    );
}

#[test]
fn generation_is_deterministic() {
    let inputs = Inputs::read(&root()).unwrap();
    let a = codegen::generate(&inputs).unwrap();
    let b = codegen::generate(&inputs).unwrap();
    assert_eq!(a, b);
}

/// A one-field change in the spec shows as exactly the expected lines of the surface
/// snapshot: here `num_lines` turns from integer to string in the three file objects.
#[test]
fn one_field_change_changes_exactly_the_expected_surface_lines() {
    let inputs = Inputs::read(&root()).unwrap();
    let before = surface_of(&inputs);
    let needle = "        num_lines:\n          anyOf:\n          - type: integer\n";
    assert_eq!(inputs.spec.matches(needle).count(), 3, "fixture assumption");
    let changed = Inputs {
        spec: inputs.spec.replace(
            needle,
            "        num_lines:\n          anyOf:\n          - type: string\n",
        ),
        overlay: inputs.overlay.clone(),
    };
    let after = surface_of(&changed);
    let diff = similar::TextDiff::from_lines(&before, &after);
    let mut removed = Vec::new();
    let mut added = Vec::new();
    for change in diff.iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Delete => removed.push(change.value().trim_end().to_string()),
            similar::ChangeTag::Insert => added.push(change.value().trim_end().to_string()),
            similar::ChangeTag::Equal => {}
        }
    }
    let old = r#"  num_lines: Option<i64>  #[serde(skip_serializing_if = "Option::is_none")]"#;
    let new = r#"  num_lines: Option<String>  #[serde(skip_serializing_if = "Option::is_none")]"#;
    assert_eq!(removed, vec![old; 3]);
    assert_eq!(added, vec![new; 3]);
}

fn surface_of(inputs: &Inputs) -> String {
    let files = codegen::generate(inputs).unwrap();
    let rs = files
        .iter()
        .find(|f| f.path.ends_with("generated.rs"))
        .unwrap();
    xtask::surface::render(&rs.contents).unwrap()
}
