//! Every test that `docs/RELIABILITY.md` names exists: a row is a claim, and the test is its
//! proof, so a renamed or deleted test must take its row with it.

use std::path::{Path, PathBuf};

/// The test folder of each crate letter the document uses.
fn folder(letter: &str) -> Option<&'static str> {
    Some(match letter {
        "L" => "crates/mistral-files/tests",
        "E" => "crates/mistral-files-emulator/tests",
        "C" => "crates/mistral-files-cli/tests",
        "K" => "crates/mistral-files-chaos/tests",
        "X" => "xtask/tests",
        "W" => "tests",
        _ => return None,
    })
}

/// `(letter, file, function)` for each `` X `file.rs::function` `` reference in the document.
fn references(doc: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut letter: Option<String> = None;
    for token in doc.split(['|', ',', ' ']) {
        let token = token.trim();
        if folder(token).is_some() {
            letter = Some(token.to_string());
            continue;
        }
        let Some(reference) = token.strip_prefix('`').and_then(|t| t.strip_suffix('`')) else {
            continue;
        };
        let Some((file, function)) = reference.split_once(".rs::") else {
            continue;
        };
        if let Some(l) = &letter {
            out.push((l.clone(), format!("{file}.rs"), function.to_string()));
        }
    }
    out
}

/// Whether `source` defines a function called `name`.
fn defines(source: &str, name: &str) -> bool {
    source.contains(&format!("fn {name}(")) || source.contains(&format!("fn {name}<"))
}

#[test]
fn every_test_named_in_reliability_md_exists() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/RELIABILITY.md")).unwrap();
    let refs = references(&doc);
    assert!(
        refs.len() > 50,
        "the document names {} tests; parsing broke?",
        refs.len()
    );
    let missing: Vec<String> = refs
        .iter()
        .filter(|(letter, file, function)| {
            let path = root.join(folder(letter).unwrap()).join(file);
            let source = std::fs::read_to_string(Path::new(&path)).unwrap_or_default();
            !defines(&source, function)
        })
        .map(|(l, f, func)| format!("{l} {f}::{func}"))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/RELIABILITY.md names tests that do not exist: {missing:#?}"
    );
}
