//! Our names for the imported document: operations by method and path, schemas by where they
//! are used (see [`crate::names`]); the provider's names are kept as `x-provider-*`.

use crate::doc::{entries, schema_ref, SCHEMA_REF_PREFIX};
use crate::names::{self, NameMap, NAMES};
use anyhow::{bail, Result};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Gives operations and schemas our names; returns notes for the maintainer.
///
/// Operations are matched by method and path, schemas by the place they are used (see
/// [`crate::names`]). An operation or schema that no entry reaches keeps the provider's name,
/// and a note gives the entry to add.
pub fn rename(doc: &mut Value, names: &NameMap) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    rename_path_params(doc, names);
    let op_pointer = rename_operations(doc, names, &mut notes);
    let renames = schema_renames(doc, names, &op_pointer, &mut notes)?;

    let schemas = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .map(std::mem::take)
        .unwrap_or_default();
    let mut renamed = Map::new();
    for (provider, mut schema) in schemas {
        let ours = renames.get(&provider).unwrap_or(&provider).clone();
        if ours != provider && schema.is_object() {
            if schema["title"] == provider {
                schema["title"] = ours.clone().into();
            }
            schema["x-provider-name"] = provider.into();
        }
        renamed.insert(ours, schema);
    }
    if doc["components"].is_object() {
        doc["components"]["schemas"] = renamed.into();
    }
    rewrite_refs(doc, &renames);

    for (schema, location) in names::first_locations(doc, &op_pointer) {
        if !names.schemas.contains_key(&schema) {
            notes.push(format!(
                "schema {schema} is not pinned (it keeps the provider's name); pin it in {NAMES}: `{schema}: {location}`"
            ));
        }
    }
    Ok(notes)
}

/// Gives path parameters our names (those of the paths in the names file), by position.
///
/// A path parameter's name never travels on the wire, but progenitor names the builder method
/// after it (`.file_id(...)`): a provider rename of `{file_id}` would otherwise reach users.
/// The provider's name is kept as the parameter's `x-provider-name`.
fn rename_path_params(doc: &mut Value, names: &NameMap) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, mut item) in std::mem::take(paths) {
        let erased = names::erase_path_params(&path);
        let ours = names
            .paths
            .values()
            .find(|t| names::erase_path_params(t) == erased && **t != path);
        if let Some(ours) = ours {
            let mapping: BTreeMap<String, String> = path_params(&path)
                .into_iter()
                .zip(path_params(ours))
                .filter(|(theirs, ours)| theirs != ours)
                .collect();
            rename_in_item(&mut item, &mapping);
        }
        paths.insert(ours.unwrap_or(&path).clone(), item);
    }
}

/// `/a/{x}/b/{y}` -> `["x", "y"]`.
fn path_params(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

/// Renames the `in: path` parameters of a path item (its own and its operations').
fn rename_in_item(item: &mut Value, mapping: &BTreeMap<String, String>) {
    let Some(item) = item.as_object_mut() else {
        return;
    };
    for (key, value) in item.iter_mut() {
        let params = if key == "parameters" {
            value.as_array_mut()
        } else {
            value.get_mut("parameters").and_then(Value::as_array_mut)
        };
        for p in params.into_iter().flatten() {
            let theirs = p["name"].as_str().unwrap_or_default().to_string();
            if let (Some("path"), Some(ours)) = (p["in"].as_str(), mapping.get(&theirs)) {
                p["name"] = ours.clone().into();
                p["x-provider-name"] = theirs.into();
            }
        }
    }
}

/// Sets each operation's `operationId` to our name; returns our name -> JSON pointer.
fn rename_operations(
    doc: &mut Value,
    names: &NameMap,
    notes: &mut Vec<String>,
) -> BTreeMap<String, String> {
    let mut op_pointer = BTreeMap::new();
    for (key, pointer) in names::operations(doc) {
        let op = doc
            .pointer_mut(&pointer)
            .expect("pointer from this document");
        let provider = op["operationId"].as_str().unwrap_or("").to_string();
        let ours = match names.operation_name(&key) {
            Some(ours) => ours.to_string(),
            None => {
                notes.push(format!(
                    "operation {key} ({provider}) is not pinned (it keeps the provider's operationId); pin it in {NAMES}: `{provider}: {key}`"
                ));
                provider.clone()
            }
        };
        if ours != provider && !provider.is_empty() {
            op["x-provider-operation-id"] = Value::String(provider);
        }
        op["operationId"] = Value::String(ours.clone());
        op_pointer.insert(ours, pointer);
    }
    for (ours, key) in &names.operations {
        if !op_pointer.contains_key(ours) {
            notes.push(format!(
                "operation {ours} ({key}) is pinned in {NAMES} but the document has no such operation"
            ));
        }
    }
    op_pointer
}

/// Provider schema name -> our name, from the pins that resolve in this document.
fn schema_renames(
    doc: &Value,
    names: &NameMap,
    op_pointer: &BTreeMap<String, String>,
    notes: &mut Vec<String>,
) -> Result<BTreeMap<String, String>> {
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    for (ours, location) in &names.schemas {
        if !op_pointer.contains_key(&location.operation) {
            continue; // already noted: the operation is gone
        }
        match names::resolve(doc, op_pointer, location) {
            Ok(Some(provider)) => {
                if let Some(other) = renames.insert(provider.clone(), ours.clone()) {
                    bail!(
                        "{NAMES}: {other} and {ours} both pin the provider's schema {provider}; one type cannot have two names (point one of them elsewhere)"
                    );
                }
            }
            Ok(None) => notes.push(format!(
                "{ours}: {location} holds an inline schema now, not a named one; the type keeps no name of ours"
            )),
            Err(e) => notes.push(format!("{ours}: pin {location} does not resolve: {e:#}")),
        }
    }
    let all = entries(&doc["components"]["schemas"]).map(|(name, _)| name);
    for provider in all.filter(|p| !renames.contains_key(*p)) {
        if let Some((holder, _)) = renames.iter().find(|(_, ours)| *ours == provider) {
            bail!(
                "the provider's unpinned schema {provider} has the name we give to its {holder}; pin {provider} under another name in {NAMES}"
            );
        }
    }
    Ok(renames)
}

/// Points every `$ref` to a renamed schema at its new name.
fn rewrite_refs(value: &mut Value, renames: &BTreeMap<String, String>) {
    let new = schema_ref(value).and_then(|name| renames.get(name));
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k != "$ref" {
                    rewrite_refs(v, renames);
                } else if let Some(new) = new {
                    *v = format!("{SCHEMA_REF_PREFIX}{new}").into();
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, renames)),
        _ => {}
    }
}
