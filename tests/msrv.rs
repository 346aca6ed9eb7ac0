//! The declared `rust-version` is honest: every crate of the workspace declares the same one, no
//! locked dependency needs a newer Rust, and it is no higher than the newest one they need.
//!
//! The figures come from `cargo metadata --locked` (each package's `rust-version` as its
//! manifest declares it), for every package of `Cargo.lock` on every platform, so a
//! `cargo update` that pulls a dependency needing a newer Rust fails here, naming it.

use std::process::Command;

use serde_json::Value;

/// A Rust version as `(major, minor, patch)`; a missing patch is 0.
fn parse(version: &str) -> (u64, u64, u64) {
    let mut parts = version.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let mut next = || parts.next().unwrap_or(0);
    (next(), next(), next())
}

/// `(name, version, rust-version, is a workspace member)` of every package cargo knows.
fn packages() -> Vec<(String, String, Option<String>, bool)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("running cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata's JSON");
    let members: Vec<&str> = meta["workspace_members"]
        .as_array()
        .expect("workspace_members")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            let id = p["id"].as_str().unwrap_or_default();
            (
                p["name"].as_str().unwrap_or_default().to_string(),
                p["version"].as_str().unwrap_or_default().to_string(),
                p["rust_version"].as_str().map(str::to_string),
                members.contains(&id),
            )
        })
        .collect()
}

/// The one `rust-version` every workspace crate declares.
fn declared(all: &[(String, String, Option<String>, bool)]) -> String {
    let mut versions: Vec<(String, Option<String>)> = all
        .iter()
        .filter(|p| p.3)
        .map(|p| (p.0.clone(), p.2.clone()))
        .collect();
    versions.sort();
    let missing: Vec<&String> = versions
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| n)
        .collect();
    assert!(
        missing.is_empty(),
        "crates without rust-version: {missing:?}"
    );
    let first = versions[0].1.clone().expect("checked above");
    assert!(
        versions
            .iter()
            .all(|(_, v)| v.as_deref() == Some(first.as_str())),
        "the workspace's crates declare different rust-versions: {versions:?}"
    );
    first
}

/// The dependencies that need the newest Rust, and that Rust.
fn newest_needed(all: &[(String, String, Option<String>, bool)]) -> (String, Vec<String>) {
    let deps = all.iter().filter(|p| !p.3);
    let newest = deps
        .clone()
        .filter_map(|p| p.2.as_deref())
        .max_by_key(|v| parse(v))
        .unwrap_or("0")
        .to_string();
    let who = deps
        .filter(|p| p.2.as_deref().map(parse) == Some(parse(&newest)))
        .map(|p| format!("{} {}", p.0, p.1))
        .collect();
    (newest, who)
}

#[test]
fn no_locked_dependency_needs_a_newer_rust_than_declared() {
    let all = packages();
    let ours = declared(&all);
    let mut above: Vec<String> = all
        .iter()
        .filter(|p| !p.3)
        .filter_map(|p| {
            let needs = p.2.as_deref()?;
            (parse(needs) > parse(&ours)).then(|| format!("{} {} needs {needs}", p.0, p.1))
        })
        .collect();
    above.sort();
    assert!(
        above.is_empty(),
        "the workspace declares rust-version = \"{ours}\" (Cargo.toml, [workspace.package]) but \
         these locked dependencies need a newer Rust: raise it, or pin them lower:\n  {}",
        above.join("\n  ")
    );
}

#[test]
fn declared_rust_version_is_what_the_dependencies_need() {
    let all = packages();
    let ours = declared(&all);
    let (newest, who) = newest_needed(&all);
    assert_eq!(
        parse(&ours),
        parse(&newest),
        "rust-version = \"{ours}\" but the newest Rust a locked dependency needs is {newest} \
         ({}): declare that",
        who.join(", ")
    );
}

#[test]
fn versions_compare_numerically() {
    assert!(parse("1.89") > parse("1.88.0"));
    assert!(parse("1.100") > parse("1.99.9"));
    assert_eq!(parse("1.89"), parse("1.89.0"));
}
