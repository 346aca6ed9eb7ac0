//! The change report is a function of two revisions' committed contracts: regenerating in
//! between, any number of times, never changes it (`cargo xtask codegen` and
//! `cargo xtask changes` print the same report). Runs in a temporary git repository holding a
//! copy of the checkout's contract files.

use std::path::{Path, PathBuf};
use std::process::Command;
use xtask::changes::contract;
use xtask::codegen::{self, Inputs};
use xtask::revision::Rev;

const FILES: &[&str] = &[
    "openapi/mistral-files.yaml",
    "openapi/overlay.yaml",
    "openapi/docs.yaml",
    "openapi/names.yaml",
    "crates/mistral-files-raw/src/generated.rs",
];

/// The checkout's root (tests run in `xtask/`).
fn root() -> PathBuf {
    xtask::workspace_root().expect("the tests run inside the checkout")
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository whose one commit holds the checkout's contract files.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for rel in FILES {
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root().join(rel), to).unwrap();
    }
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    dir
}

fn edit(dir: &Path, rel: &str, from: &str, to: &str) {
    let path = dir.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} is not in {rel}");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// What `cargo xtask codegen` does in `dir`: generate, write, report against HEAD.
fn codegen(dir: &Path) -> String {
    let inputs = Inputs::read(dir).unwrap();
    let files = codegen::generate(&inputs).unwrap();
    codegen::write(dir, &files).unwrap();
    let rs = std::fs::read_to_string(dir.join(codegen::GENERATED_RS)).unwrap();
    contract::for_codegen(dir, &inputs, &rs).unwrap().to_text()
}

const SPEC: &str = "openapi/mistral-files.yaml";
const DOCS: &str = "openapi/docs.yaml";
/// A breaking edit: the signed URL's `url` is no longer required.
const SPEC_EDIT: (&str, &str) = ("      required:\n      - url\n", "");
const DOCS_EDIT: (&str, &str) = ("Identifier of the file.", "The file's identifier.");

#[test]
fn a_second_codegen_after_a_docs_fix_reports_what_one_run_after_both_edits_reports() {
    let twice = repo();
    edit(twice.path(), SPEC, SPEC_EDIT.0, SPEC_EDIT.1);
    let first = codegen(twice.path());
    assert!(first.ends_with("impact: breaking\n"), "{first}");
    edit(twice.path(), DOCS, DOCS_EDIT.0, DOCS_EDIT.1);
    let second = codegen(twice.path());
    assert_eq!(
        codegen(twice.path()),
        second,
        "a third run changed the report"
    );

    let once = repo();
    edit(once.path(), SPEC, SPEC_EDIT.0, SPEC_EDIT.1);
    edit(once.path(), DOCS, DOCS_EDIT.0, DOCS_EDIT.1);
    assert_eq!(codegen(once.path()), second);
    assert!(second.ends_with("impact: breaking\n"), "{second}");
    assert!(
        second.contains("docs: type FileObject .id: doc text changed"),
        "{second}"
    );

    let changes =
        contract::between_revisions(twice.path(), &Rev::Git("HEAD".into()), &Rev::WorkTree)
            .unwrap()
            .to_text();
    assert_eq!(changes, second);
}

#[test]
fn committed_revisions_compare_without_the_working_tree() {
    let dir = repo();
    edit(dir.path(), SPEC, SPEC_EDIT.0, SPEC_EDIT.1);
    codegen(dir.path());
    git(dir.path(), &["commit", "-q", "-am", "spec"]);
    // The working tree moves on; the two commits' report does not.
    edit(dir.path(), DOCS, DOCS_EDIT.0, DOCS_EDIT.1);
    let report = contract::between_revisions(
        dir.path(),
        &Rev::Git("HEAD~1".into()),
        &Rev::Git("HEAD".into()),
    )
    .unwrap()
    .to_text();
    assert!(
        report.contains("breaking: type SignedUrl .url: now optional"),
        "{report}"
    );
    assert!(!report.contains("doc text"), "{report}");
    let err = contract::between_revisions(dir.path(), &Rev::Git("nope".into()), &Rev::WorkTree)
        .unwrap_err();
    assert!(
        format!("{err:#}").contains("`nope` is not a commit"),
        "{err:#}"
    );
}
