//! The few facts release-check needs from `Cargo.toml` and `Cargo.lock`, read with the `toml`
//! crate: [`parse`] a file once, then ask the parsed table. Anything it does not find is an
//! error naming the file and the key, never a silent default.

use anyhow::{bail, Context, Result};
use toml::{Table, Value};

/// Where a crate's version is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSource {
    /// `version.workspace = true`: the root manifest's `[workspace.package] version`.
    Workspace,
    /// The crate's own `[package] version`.
    Own(String),
}

/// The root manifest's `[workspace.package] version`.
pub fn workspace_version(root: &Table) -> Result<String> {
    let version = at(root, &["workspace", "package", "version"]).and_then(Value::as_str);
    let version = version.context("Cargo.toml: no `version = \"...\"` in [workspace.package]")?;
    Ok(version.to_string())
}

/// The version requirement the root manifest's `[workspace.dependencies]` gives `name`, if any
/// (`name = "0.1.0"`, `name = { ..., version = "0.1.0" }` or a
/// `[workspace.dependencies.name]` table).
pub fn workspace_dependency_version(root: &Table, name: &str) -> Result<Option<String>> {
    let pin = at(root, &["workspace", "dependencies", name])
        .and_then(|d| d.as_str().or_else(|| d.get("version")?.as_str()));
    Ok(pin.map(str::to_string))
}

/// The version `Cargo.lock` records for the package `name` (the first `[[package]]` of that
/// name: a workspace crate appears once).
pub fn locked_version(lock: &Table, name: &str) -> Result<Option<String>> {
    let packages = lock.get("package").and_then(Value::as_array);
    let package = packages
        .into_iter()
        .flatten()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name));
    Ok(package
        .and_then(|p| p.get("version")?.as_str())
        .map(str::to_string))
}

/// Where a crate's manifest (`path`, for messages) takes its version from.
pub fn package_version(manifest: &Table, path: &str) -> Result<VersionSource> {
    match at(manifest, &["package", "version"]) {
        Some(Value::String(v)) => Ok(VersionSource::Own(v.clone())),
        // `version.workspace = true` and `version = { workspace = true }` are the same table.
        Some(v) if v.get("workspace").and_then(Value::as_bool) == Some(true) => {
            Ok(VersionSource::Workspace)
        }
        _ => bail!("{path}: no `version` in [package] (a string or `version.workspace = true`)"),
    }
}

/// `text`, the contents of the TOML file `path` (for messages), parsed.
pub fn parse(text: &str, path: &str) -> Result<Table> {
    text.parse()
        .with_context(|| format!("{path} is not valid TOML"))
}

/// The value below `table` at the path `keys`.
fn at<'a>(table: &'a Table, keys: &[&str]) -> Option<&'a Value> {
    let (first, rest) = keys.split_first()?;
    rest.iter()
        .try_fold(table.get(*first)?, |value, key| value.get(key))
}
