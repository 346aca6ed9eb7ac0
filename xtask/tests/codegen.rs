//! The generated files must be exactly what openapi/ generates, and the vendored spec exactly
//! what `cargo xtask import` writes. These tests build nothing but xtask, so they run (and
//! show their diffs) even when a breaking spec change stops the rest of the workspace from
//! compiling. On failure: run the command printed.

use std::path::PathBuf;
use xtask::changes::contract::{self, Side};
use xtask::codegen::{self, Inputs};
use xtask::names::NameMap;
use xtask::revision::Rev;

/// The checkout's root (tests run in `xtask/`).
fn root() -> PathBuf {
    xtask::workspace_root().expect("the tests run inside the checkout")
}

#[test]
fn generated_files_match_openapi() {
    let inputs = Inputs::read(&root()).unwrap();
    let files = codegen::generate_all(&root(), &inputs).unwrap();
    let drift = codegen::check(&root(), &files);
    let text: Vec<String> = drift
        .iter()
        .map(|d| format!("{}\n{}", d.diff, d.hint))
        .collect();
    assert!(drift.is_empty(), "{}", text.join("\n"));
}

#[test]
fn the_committed_state_reports_no_change() {
    let inputs = Inputs::read(&root()).unwrap();
    let files = codegen::generate_all(&root(), &inputs).unwrap();
    let committed = Side::at(&root(), &Rev::WorkTree).unwrap();
    let fresh = Side {
        raw_listing: files
            .iter()
            .find(|f| f.path.ends_with("public-api.txt"))
            .map(|f| f.contents.clone()),
        ..committed.clone()
    };
    let report = contract::report(&committed, &fresh).unwrap();
    assert_eq!(report.to_text(), "impact: none\n");
    assert_eq!(report.notes, Vec::<String>::new());
}

#[test]
fn vendored_spec_is_what_import_writes() {
    let spec = std::fs::read_to_string(root().join(codegen::SPEC)).unwrap();
    let names = NameMap::read(&root()).unwrap();
    let reimported = xtask::import::import(&xtask::doc::parse(&spec).unwrap(), &names).unwrap();
    let diff = similar::TextDiff::from_lines(&spec, &reimported.yaml)
        .unified_diff()
        .header("committed", "imported")
        .to_string();
    assert!(
        spec == reimported.yaml,
        "{diff}\n{} is not in canonical import form: run `cargo xtask import {}`",
        codegen::SPEC,
        codegen::SPEC
    );
    assert!(reimported.notes.is_empty(), "{:?}", reimported.notes);
}

#[test]
fn every_operation_and_type_is_pinned_and_every_doc_entry_applies() {
    let inputs = Inputs::read(&root()).unwrap();
    let names = std::fs::read_to_string(root().join(xtask::names::NAMES)).unwrap();
    assert_eq!(
        contract::unpinned(&names, &inputs.spec).unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(codegen::doc_notes(&inputs).unwrap(), Vec::<String>::new());
}

/// Our doc text covers the whole contract: every operation, parameter, type and field.
#[test]
fn every_item_of_the_contract_has_our_doc_text() {
    let inputs = Inputs::read(&root()).unwrap();
    let doc = codegen::normalized_document(&inputs).unwrap();
    let undocumented = contract::undocumented(&doc);
    assert!(
        undocumented.is_empty(),
        "add doc text to openapi/docs.yaml for: {undocumented:#?}"
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
    for (path, text) in [
        (codegen::SPEC, &inputs.spec),
        (codegen::OVERLAY, &inputs.overlay),
        (codegen::DOCS, &inputs.docs),
    ] {
        let line = format!("{path} sha256:{}", xtask::sha256_hex(text.as_bytes()));
        assert!(header.contains(&line), "{header}");
    }
}

#[test]
fn generation_is_deterministic() {
    let inputs = Inputs::read(&root()).unwrap();
    assert_eq!(
        codegen::generate(&inputs).unwrap(),
        codegen::generate(&inputs).unwrap()
    );
}

/// A body edited by hand under an intact header is named as such, with where the change belongs.
#[test]
fn a_hand_edit_is_named_as_such() {
    let inputs = Inputs::read(&root()).unwrap();
    let files = codegen::generate(&inputs).unwrap();
    let dir = std::env::temp_dir().join(format!("xtask-hand-edit-{}", std::process::id()));
    let mut edited = files.clone();
    for f in &mut edited {
        if f.path.ends_with("generated.rs") {
            f.contents = f.contents.replace("pub filename:", "pub file_name:");
        }
    }
    std::fs::create_dir_all(&dir).unwrap();
    codegen::write(&dir, &edited).unwrap();
    let drift = codegen::check(&dir, &files);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(drift.len(), 1);
    assert!(
        drift[0].hint.contains("edited by hand"),
        "{}",
        drift[0].hint
    );
    assert!(
        drift[0].hint.contains("openapi/names.yaml"),
        "{}",
        drift[0].hint
    );
}

/// Doc text lives apart from structure: a prose edit changes no line of the surface listing and
/// is reported as `docs`.
#[test]
fn a_prose_edit_is_docs_only() {
    let inputs = Inputs::read(&root()).unwrap();
    let before = codegen::generate_all(&root(), &inputs).unwrap();
    let listing = |files: &[codegen::GeneratedFile]| {
        let file = files
            .iter()
            .find(|f| f.path.ends_with("public-api.txt"))
            .unwrap();
        file.contents.clone()
    };
    let side = |inputs: &Inputs, files: &[codegen::GeneratedFile]| Side {
        inputs: inputs.clone(),
        names: std::fs::read_to_string(root().join(xtask::names::NAMES)).unwrap(),
        raw_listing: Some(listing(files)),
    };
    let changed = Inputs {
        docs: inputs
            .docs
            .replace("Identifier of the file.", "The file's identifier."),
        ..inputs.clone()
    };
    assert_ne!(changed.docs, inputs.docs, "fixture assumption");
    let after = codegen::generate_all(&root(), &changed).unwrap();
    let report = contract::report(&side(&inputs, &before), &side(&changed, &after)).unwrap();
    assert_eq!(
        report.impact(),
        xtask::changes::Impact::Docs,
        "{}",
        report.to_text()
    );
    assert_eq!(listing(&before), listing(&after));
}
