//! `cargo xtask import`: cut the Files API out of the provider's whole document.
//!
//! 1. [`extract`]: keep the operations tagged `files`, the component schemas they reach
//!    (transitively), the security schemes they use and the `files` tag.
//! 2. [`crate::prose::strip`]: leave every description, summary, example and info text out;
//!    our own words live in `openapi/docs.yaml`.
//! 3. [`rename`]: give operations and schemas our names (`openapi/names.yaml`), recording the
//!    provider's as `x-provider-operation-id` / `x-provider-name`.
//!
//! The result is written in canonical form ([`crate::doc::to_canonical_yaml`]), so importing
//! the same content twice, in another key order, or re-importing the vendored spec, writes the
//! same bytes.

use anyhow::{bail, Result};
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, VecDeque};

use crate::doc::{entries, items, schema_ref, METHODS, SCHEMA_REF_PREFIX};
use crate::names::NameMap;

mod rename;
pub use rename::rename;

/// What an import produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The vendored spec, canonical YAML.
    pub yaml: String,
    /// What a maintainer should know: renames absorbed, names not pinned yet.
    pub notes: Vec<String>,
}

/// The tag that marks the operations of the Files API.
pub const FILES_TAG: &str = "files";

/// The `info.title` of the vendored spec (the provider's names its whole API).
pub const TITLE: &str = "Files API";

/// Extracts the Files API from a provider document, leaves its prose out, gives it our names
/// and returns it in canonical YAML.
pub fn import(provider: &Value, names: &NameMap) -> Result<Imported> {
    let mut doc = extract(provider)?;
    crate::prose::strip(&mut doc);
    if doc["info"].is_object() {
        doc["info"]["title"] = TITLE.into();
    }
    let notes = rename(&mut doc, names)?;
    Ok(Imported {
        yaml: crate::doc::to_canonical_yaml(&doc)?,
        notes,
    })
}

/// Extracts the Files API from a provider document.
pub fn extract(provider: &Value) -> Result<Value> {
    let version = provider["openapi"].as_str().unwrap_or("");
    if !version.starts_with("3.1") {
        bail!("expected an OpenAPI 3.1 document, found openapi: {version:?}");
    }
    let Some(paths) = provider.get("paths").and_then(Value::as_object) else {
        bail!("the document has no `paths`");
    };
    let kept_paths = files_paths(paths);
    if kept_paths.is_empty() {
        bail!("no operation is tagged `{FILES_TAG}`: is this the provider's API document?");
    }
    let schemas = reachable_schemas(provider, &kept_paths)?;
    let security_schemes = used_security_schemes(provider, &kept_paths);

    let mut out = json!({ "openapi": version });
    for key in ["info", "servers", "security"] {
        if let Some(value) = provider.get(key) {
            out[key] = value.clone();
        }
    }
    let tags = items(&provider["tags"]).filter(|t| t["name"] == FILES_TAG);
    let tags: Vec<Value> = tags.cloned().collect();
    if !tags.is_empty() {
        out["tags"] = tags.into();
    }
    out["paths"] = kept_paths.into();
    out["components"] = json!({ "schemas": schemas });
    if !security_schemes.is_empty() {
        out["components"]["securitySchemes"] = security_schemes.into();
    }
    Ok(out)
}

/// The path items with their operations tagged `files` (and the path-level parameters, which
/// apply to those operations too).
fn files_paths(paths: &Map<String, Value>) -> Map<String, Value> {
    let mut kept_paths = Map::new();
    for (path, item) in paths {
        let mut kept: Map<String, Value> = entries(item)
            .filter(|(key, op)| METHODS.contains(&key.as_str()) && is_files_operation(op))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if kept.is_empty() {
            continue;
        }
        if let Some(params) = item.get("parameters") {
            kept.insert("parameters".into(), params.clone());
        }
        kept_paths.insert(path.clone(), kept.into());
    }
    kept_paths
}

fn is_files_operation(op: &Value) -> bool {
    items(&op["tags"]).any(|t| t == FILES_TAG)
}

/// The component schemas the kept operations reach, following `$ref`s transitively.
fn reachable_schemas(
    provider: &Value,
    kept_paths: &Map<String, Value>,
) -> Result<Map<String, Value>> {
    let all_schemas = &provider["components"]["schemas"];
    let mut reached = BTreeSet::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    collect_schema_refs(&Value::Object(kept_paths.clone()), &mut queue);
    while let Some(name) = queue.pop_front() {
        if !reached.insert(name.clone()) {
            continue;
        }
        match all_schemas.get(&name) {
            Some(schema) => collect_schema_refs(schema, &mut queue),
            None => bail!("`{SCHEMA_REF_PREFIX}{name}` is referenced but not defined"),
        }
    }
    Ok(reached
        .iter()
        .map(|name| (name.clone(), all_schemas[name].clone()))
        .collect())
}

/// The security schemes that the global requirement and the kept operations name.
fn used_security_schemes(provider: &Value, kept_paths: &Map<String, Value>) -> Map<String, Value> {
    let operations = kept_paths
        .values()
        .flat_map(entries)
        .map(|(_, op)| &op["security"]);
    let requirements = std::iter::once(&provider["security"]).chain(operations);
    let used: BTreeSet<&String> = requirements
        .flat_map(items)
        .flat_map(|alt| entries(alt).map(|(name, _)| name))
        .collect();
    entries(&provider["components"]["securitySchemes"])
        .filter(|(name, _)| used.contains(name))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Queues the schema named by every `$ref` in `value`, in document order.
fn collect_schema_refs(value: &Value, out: &mut VecDeque<String>) {
    let schema = schema_ref(value);
    for (k, v) in entries(value) {
        if k != "$ref" {
            collect_schema_refs(v, out);
        } else if let Some(name) = schema {
            out.push_back(name.to_string());
        }
    }
    items(value).for_each(|v| collect_schema_refs(v, out));
}
