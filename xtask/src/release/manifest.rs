//! The few facts release-check needs from `Cargo.toml` files, read by a small line parser.
//!
//! Why not a TOML parser: the `toml` crate is not in `Cargo.lock` (nothing of the workspace
//! uses it) and xtask takes no new dependency for three keys. The parser understands what
//! these keys look like in a manifest cargo accepts: `[table]` headers, `key = "string"`,
//! dotted keys (`version.workspace = true`) and one-line inline tables
//! (`name = { path = "...", version = "0.1.0" }`; TOML allows no newline inside one). It
//! strips `#` comments outside strings. Anything it does not find is an error naming the
//! file and the key, never a silent default.

use anyhow::{bail, Result};

/// Where a crate's version is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSource {
    /// `version.workspace = true`: the root manifest's `[workspace.package] version`.
    Workspace,
    /// The crate's own `[package] version`.
    Own(String),
}

/// The root manifest's `[workspace.package] version`.
pub fn workspace_version(manifest: &str) -> Result<String> {
    match lookup(manifest, "workspace.package", "version") {
        Some(Value::Str(v)) => Ok(v),
        _ => bail!("Cargo.toml: no `version = \"...\"` in [workspace.package]"),
    }
}

/// The version requirement `[workspace.dependencies]` gives `name`, if any
/// (`name = { ..., version = "0.1.0" }`, `name = "0.1.0"` or a `[workspace.dependencies.name]`
/// table).
pub fn workspace_dependency_version(manifest: &str, name: &str) -> Option<String> {
    let inline = match lookup(manifest, "workspace.dependencies", name) {
        Some(Value::Str(v)) => return Some(v),
        Some(Value::Inline(body)) => inline_key(&body, "version"),
        _ => None,
    };
    inline.or_else(|| {
        match lookup(
            manifest,
            &format!("workspace.dependencies.{name}"),
            "version",
        ) {
            Some(Value::Str(v)) => Some(v),
            _ => None,
        }
    })
}

/// The version `Cargo.lock` records for the package `name` (the first `[[package]]` of that
/// name: a workspace crate appears once).
pub fn locked_version(lock: &str, name: &str) -> Option<String> {
    let mut in_package = false;
    for line in lock.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = false;
            continue;
        }
        if line == format!("name = \"{name}\"") {
            in_package = true;
        } else if in_package {
            if let Some(v) = line.strip_prefix("version = ") {
                return unquote(v);
            }
        }
    }
    None
}

/// Where a crate's manifest takes its version from.
pub fn package_version(manifest: &str, path: &str) -> Result<VersionSource> {
    match lookup(manifest, "package", "version") {
        Some(Value::Str(v)) => Ok(VersionSource::Own(v)),
        Some(Value::Inline(body)) if inline_key(&body, "workspace").as_deref() == Some("true") => {
            Ok(VersionSource::Workspace)
        }
        Some(Value::WorkspaceTrue) => Ok(VersionSource::Workspace),
        _ => bail!("{path}: no `version` in [package] (a string or `version.workspace = true`)"),
    }
}

/// A key's value, as far as this parser reads values.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    /// A basic or literal string.
    Str(String),
    /// An inline table's text between the braces.
    Inline(String),
    /// `key.workspace = true`.
    WorkspaceTrue,
    /// Anything else (a number, a boolean, an array).
    Other,
}

/// The value of `key` in `[table]`.
fn lookup(manifest: &str, table: &str, key: &str) -> Option<Value> {
    let mut current = String::new();
    for raw in manifest.lines() {
        let line = strip_comment(raw);
        let line = line.trim();
        if line.starts_with('[') {
            current = line
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_string();
            continue;
        }
        if current != table {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim().trim_matches('"'), v.trim());
        if k == key {
            return Some(value(v));
        }
        if k == format!("{key}.workspace") && v == "true" {
            return Some(Value::WorkspaceTrue);
        }
    }
    None
}

fn value(text: &str) -> Value {
    if let Some(body) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        return Value::Inline(body.to_string());
    }
    match unquote(text) {
        Some(s) => Value::Str(s),
        None => Value::Other,
    }
}

/// `"x"` or `'x'` -> `x` (no escape in any value this parser is asked for).
fn unquote(text: &str) -> Option<String> {
    let t = text.trim();
    for q in ['"', '\''] {
        if let Some(inner) = t.strip_prefix(q).and_then(|t| t.strip_suffix(q)) {
            return Some(inner.to_string());
        }
    }
    None
}

/// A key of an inline table's body: `path = "x", version = "0.1.0"` -> `0.1.0`; bare values
/// (`true`) as written.
fn inline_key(body: &str, key: &str) -> Option<String> {
    // Commas inside strings would split wrongly; no key read here holds one, and a value
    // cut there would fail to unquote rather than be misread.
    body.split(',').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k.trim() == key).then(|| unquote(v).unwrap_or_else(|| v.trim().to_string()))
    })
}

/// The line without its `#` comment (a `#` inside a string is kept).
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') => return &line[..i],
            _ => {}
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = r#"
[workspace]
members = ["a"]

[workspace.package]
# the shared version
version = "0.3.1" # comment
edition = "2021"

[workspace.dependencies]
# "version" in a comment
mistral-files-raw = { path = "crates/mistral-files-raw", version = "0.3.1", default-features = false }
plain = "1"
serde = { version = "1", features = ["derive"] }

[workspace.dependencies.tabled]
path = "crates/tabled"
version = "0.3.0"

[package]
name = "root"
version.workspace = true
"#;

    #[test]
    fn reads_the_workspace_version_and_the_pins() {
        assert_eq!(workspace_version(ROOT).unwrap(), "0.3.1");
        let pin = |n| workspace_dependency_version(ROOT, n);
        assert_eq!(pin("mistral-files-raw").as_deref(), Some("0.3.1"));
        assert_eq!(pin("plain").as_deref(), Some("1"));
        assert_eq!(pin("tabled").as_deref(), Some("0.3.0"));
        assert_eq!(pin("absent"), None);
    }

    #[test]
    fn reads_a_locked_version() {
        let lock = "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"mistral-files\"\nversion = \"0.2.0\"\ndependencies = [\n \"a\",\n]\n";
        assert_eq!(
            locked_version(lock, "mistral-files").as_deref(),
            Some("0.2.0")
        );
        assert_eq!(locked_version(lock, "a").as_deref(), Some("1.0.0"));
        assert_eq!(locked_version(lock, "b"), None);
    }

    #[test]
    fn reads_where_a_crate_takes_its_version_from() {
        assert_eq!(
            package_version(ROOT, "x").unwrap(),
            VersionSource::Workspace
        );
        let own = "[package]\nname = \"c\"\nversion = \"1.4.0\"\n";
        assert_eq!(
            package_version(own, "x").unwrap(),
            VersionSource::Own("1.4.0".into())
        );
        let inline = "[package]\nversion = { workspace = true }\n";
        assert_eq!(
            package_version(inline, "x").unwrap(),
            VersionSource::Workspace
        );
        let err = package_version("[package]\nname = \"c\"\n", "crates/c/Cargo.toml");
        assert!(err.unwrap_err().to_string().contains("crates/c/Cargo.toml"));
        assert!(workspace_version("[workspace]\n").is_err());
    }
}
