//! `cargo xtask release-check` and `cargo xtask audit` end to end, on a small git repository
//! made in a temporary directory from this checkout's contract, manifests and listings: a
//! breaking spec commit fails the check until the version is bumped, and the audit prints
//! every section. Nothing here reaches the network or reads outside the checkout and the
//! temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn checkout() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// What `cargo xtask release-check` and `audit` read at a revision.
const FILES: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    "openapi/mistral-files.yaml",
    "openapi/overlay.yaml",
    "openapi/docs.yaml",
    "openapi/names.yaml",
    "crates/mistral-files-raw/Cargo.toml",
    "crates/mistral-files/Cargo.toml",
    "crates/mistral-files-emulator/Cargo.toml",
    "crates/mistral-files-cli/Cargo.toml",
    "crates/mistral-files-raw/public-api.txt",
    "crates/mistral-files/public-api.txt",
];

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=release test",
            "-c",
            "user.email=release-test@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.hooksPath=/dev/null",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// A repository (below cargo's temporary directory for integration tests) whose one commit
/// holds [`FILES`] as they are in this checkout.
fn repository(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for rel in FILES {
        let to = dir.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(checkout().join(rel), &to).unwrap();
    }
    git(&dir, &["init", "--quiet"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "--quiet", "-m", "the release"]);
    dir
}

/// Edits a file of the repository in place.
fn edit(dir: &Path, rel: &str, f: impl FnOnce(&str) -> String) {
    let path = dir.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let new = f(&text);
    assert_ne!(new, text, "the edit of {rel} changed nothing");
    std::fs::write(path, new).unwrap();
}

/// Removes the `signature` property of `FileObject` (a response body): a breaking change.
fn remove_signature(spec: &str) -> String {
    let start = spec
        .find("\n    FileObject:\n")
        .expect("FileObject in the spec");
    let field = start + spec[start..].find("\n        signature:\n").unwrap() + 1;
    let next = field + spec[field..].find("\n        expires_at:\n").unwrap() + 1;
    format!("{}{}", &spec[..field], &spec[next..])
}

/// Sets the workspace version and our crates' pins, as a maintainer bumping would.
fn bump(dir: &Path, from: &str, to: &str) {
    edit(dir, "Cargo.toml", |t| {
        t.replace(
            &format!("version = \"{from}\""),
            &format!("version = \"{to}\""),
        )
    });
}

/// What `cargo update --workspace` does to Cargo.lock after [`bump`].
fn bump_lock(dir: &Path, from: &str, to: &str) {
    edit(dir, "Cargo.lock", |t| {
        let mut t = t.to_string();
        for krate in xtask::release::CRATES {
            t = t.replace(
                &format!("name = \"{krate}\"\nversion = \"{from}\""),
                &format!("name = \"{krate}\"\nversion = \"{to}\""),
            );
        }
        t
    });
}

fn xtask(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn version(dir: &Path) -> String {
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let manifest = xtask::release::manifest::parse(&manifest, "Cargo.toml").unwrap();
    xtask::release::manifest::workspace_version(&manifest).unwrap()
}

#[test]
fn a_breaking_spec_change_fails_release_check_until_the_version_is_bumped() {
    let dir = repository("release-check");
    let before = version(&dir);
    edit(&dir, "openapi/mistral-files.yaml", remove_signature);
    git(
        &dir,
        &[
            "commit",
            "--quiet",
            "-am",
            "spec: FileObject loses signature",
        ],
    );

    let out = xtask(&dir, &["release-check", "--base", "HEAD~1"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    let before_version = semver::Version::parse(&before).unwrap();
    let needed = xtask::release::needed(&before_version, xtask::changes::Impact::Breaking)
        .unwrap()
        .to_string();
    for krate in [
        "mistral-files-raw",
        "mistral-files",
        "mistral-files-emulator",
        "mistral-files-cli",
    ] {
        assert!(
            said.contains(&format!(
                "error: {krate} is {before} but its breaking changes since HEAD~1 need {needed}"
            )),
            "{said}"
        );
    }
    assert!(said.contains("### Breaking\n- `type FileObject`"), "{said}");
    assert!(said.trim_end().ends_with("release-check failed"), "{said}");

    // The version alone, without the pins of [workspace.dependencies]: still refused.
    edit(&dir, "Cargo.toml", |t| {
        t.replacen(
            &format!("version = \"{before}\""),
            &format!("version = \"{needed}\""),
            1,
        )
    });
    let out = xtask(&dir, &["release-check", "--base", "HEAD~1"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("[workspace.dependencies] pins mistral-files-raw"),
        "{}",
        text(&out)
    );

    bump(&dir, &before, &needed);
    let out = xtask(&dir, &["release-check", "--base", "HEAD~1"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains(&format!(
            "Cargo.lock lists mistral-files {before} but the crate is {needed}"
        )),
        "{}",
        text(&out)
    );

    bump_lock(&dir, &before, &needed);
    let out = xtask(&dir, &["release-check", "--base", "HEAD~1"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.trim_end().ends_with("release-check passed"), "{said}");
    assert!(!said.contains("error:"), "{said}");

    // Committed, the same verdict between two commits.
    git(&dir, &["commit", "--quiet", "-am", "release: bump"]);
    let out = xtask(
        &dir,
        &["release-check", "--base", "HEAD~2", "--head", "HEAD"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn a_removed_library_item_is_breaking_even_when_the_wire_is_not() {
    let dir = repository("release-check-api");
    let before = version(&dir);
    edit(&dir, "crates/mistral-files/public-api.txt", |t| {
        t.lines()
            .filter(|l| !l.starts_with("pub fn mistral_files::ClientBuilder::"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    let out = xtask(&dir, &["release-check", "--base", "HEAD"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("wire impact: none"), "{said}");
    assert!(
        said.contains(&format!(
            "error: mistral-files is {before} but its breaking"
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!("error: mistral-files-cli is {before}")),
        "{said}"
    );
    assert!(!said.contains("error: mistral-files-raw"), "{said}");
    assert!(!said.contains("error: mistral-files-emulator"), "{said}");
}

#[test]
fn the_audit_prints_every_section() {
    let dir = repository("audit");
    edit(&dir, "openapi/mistral-files.yaml", remove_signature);
    edit(&dir, "crates/mistral-files-raw/public-api.txt", |t| {
        t.lines()
            .filter(|l| !l.contains("FileObject::signature"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    let snap = "xtask/tests/snapshots/snapshots__wire_contract.snap";
    std::fs::create_dir_all(dir.join(snap).parent().unwrap()).unwrap();
    std::fs::write(dir.join(snap), "---\nsource: test\n---\nFileObject\n").unwrap();
    git(&dir, &["add", "."]);
    git(
        &dir,
        &[
            "commit",
            "--quiet",
            "-m",
            "spec: FileObject loses signature",
        ],
    );

    let out = xtask(&dir, &["audit", "--base", "HEAD~1"]);
    let md = text(&out);
    assert_eq!(out.status.code(), Some(0), "{md}");
    let sections = [
        "# Contract audit: HEAD~1 -> the working tree\n\n**Impact: breaking**",
        "## Changes by operation and type\n\n### `type FileObject` (breaking)\n\n- **breaking** `type FileObject",
        "## Public API: `mistral-files`\n\n`crates/mistral-files/public-api.txt`: none, 0 line(s)",
        "## Public API: `mistral-files-raw`\n\n`crates/mistral-files-raw/public-api.txt`: breaking",
        "```diff\n- pub ",
        &format!("## Snapshots changed\n\n- `{snap}`\n"),
        "## Version bumps\n\n| crate |",
        "| `mistral-files-emulator` |",
        "**too low**",
        "## Notes\n\n- ",
    ];
    let mut at = 0;
    for s in sections {
        let found = md[at..]
            .find(s)
            .unwrap_or_else(|| panic!("no {s:?} after byte {at} of:\n{md}"));
        at += found;
    }
    // The stale doc entry of the removed field is a note.
    assert!(md.contains("signature"), "{md}");
}
