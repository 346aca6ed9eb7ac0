//! Prose: what `import` leaves out of the provider's document, and what `codegen` puts back
//! from our own words (`openapi/docs.yaml`).
//!
//! The vendored spec holds the provider's structure only, so re-importing never churns doc
//! text, and the generated code's documentation is ours. Docs are keyed by our names (which
//! `openapi/names.yaml` keeps stable), so a provider rename never orphans them.

use anyhow::{anyhow, bail, Result};
use serde_json::{Map, Value};

use crate::doc::entries;

/// Our doc text, relative to the workspace root.
pub const DOCS: &str = "openapi/docs.yaml";

/// Keywords that carry prose or sample data rather than structure.
const PROSE_KEYS: &[&str] = &[
    "description",
    "summary",
    "examples",
    "example",
    "x-displayName",
    "termsOfService",
    "contact",
    "license",
    "externalDocs",
];

/// Maps whose keys are names chosen by the author, not OpenAPI keywords: a property called
/// `description` is structure and stays.
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "paths",
    "schemas",
    "responses",
    "content",
    "securitySchemes",
    "headers",
    "encoding",
    "links",
    "callbacks",
    "requestBodies",
    "variables",
    "$defs",
];

/// Removes every prose keyword from a document, in keyword positions only. Responses keep a
/// `description` (OpenAPI requires one): the status's reason phrase, which is not prose.
pub fn strip(doc: &mut Value) {
    strip_keywords(doc);
    let responses = doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut().filter_map(Value::as_object_mut))
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("responses")?.as_object_mut());
    for (status, response) in responses.flatten() {
        if response.is_object() {
            response["description"] = reason(status).into();
        }
    }
}

fn strip_keywords(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for key in PROSE_KEYS {
                map.shift_remove(*key);
            }
            for (key, child) in map.iter_mut() {
                match (key.as_str(), child) {
                    (key, Value::Object(names)) if NAME_MAPS.contains(&key) => {
                        names.values_mut().for_each(strip_keywords)
                    }
                    // Data, not OpenAPI: leave as written.
                    ("default" | "enum" | "const", _) => {}
                    (_, child) => strip_keywords(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_keywords),
        _ => {}
    }
}

fn reason(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted",
        "204" => "No Content",
        s if s.starts_with('2') => "Success",
        s if s.starts_with('4') => "Client error",
        s if s.starts_with('5') => "Server error",
        _ => "Response",
    }
}

/// Applies our doc text (`openapi/docs.yaml`) to a document that carries our names.
///
/// The file has three sections: `info` (`title`, `description`), `operations` (by our
/// operation name: `summary`, `description`, `parameters` by name, `responses` by status) and
/// `schemas` (by our schema name: `description`, `properties` by name).
///
/// An entry for something the document does not have (a typo, or a field the provider removed)
/// is returned as a note naming the nearest name that exists, rather than failing: the change
/// report must still be produced. The workspace's tests require no such note, so doc text never
/// silently stops applying.
pub fn apply_docs(doc: &mut Value, docs: &Value) -> Result<Vec<String>> {
    let mut stale = Vec::new();
    if let Some(info) = docs.get("info").and_then(Value::as_object) {
        let target = doc
            .as_object_mut()
            .ok_or_else(|| anyhow!("the document is not a map"))?
            .entry("info")
            .or_insert_with(|| Value::Object(Map::new()));
        for (k, v) in info {
            target[k.as_str()] = v.clone();
        }
    }
    // Every entry is applied on its own: one stale entry costs its own text, never that of
    // the entries after it.
    type Apply = fn(&mut Value, &str, &Value) -> Vec<String>;
    for (key, apply) in [
        ("operations", apply_operation as Apply),
        ("schemas", apply_schema),
    ] {
        if docs.get(key).is_some_and(|section| !section.is_object()) {
            bail!("{DOCS}: `{key}` must be a map");
        }
        for (name, entry) in entries(&docs[key]) {
            let misses = apply(doc, name, entry).into_iter();
            stale.extend(
                misses.map(|miss| format!("{DOCS}: {key}.{name}: {miss}; fix or remove the entry")),
            );
        }
    }
    Ok(stale)
}

/// Applies one operation's entry; returns what it names that does not exist.
fn apply_operation(doc: &mut Value, name: &str, entry: &Value) -> Vec<String> {
    let ops = operation_pointers(doc);
    let Some((_, pointer)) = ops.iter().find(|(n, _)| n == name) else {
        let hint = nearest_hint(name, ops.iter().map(|(n, _)| n.as_str()));
        return vec![format!("no operation {name:?}{hint}")];
    };
    let op = doc.pointer_mut(pointer).expect("pointer just found");
    copy_text(op, entry, &["summary", "description"]);
    let mut misses = Vec::new();
    for (pname, text) in entries(&entry["parameters"]) {
        let list = op.get_mut("parameters").and_then(Value::as_array_mut);
        let Some(list) = list else {
            misses.push(format!("no parameter {pname:?} (the operation has none)"));
            continue;
        };
        match list.iter_mut().find(|p| p["name"] == **pname) {
            Some(param) => param["description"] = text.clone(),
            None => {
                let hint = nearest_hint(pname, list.iter().filter_map(|p| p["name"].as_str()));
                misses.push(format!("no parameter {pname:?}{hint}"));
            }
        }
    }
    for (status, text) in entries(&entry["responses"]) {
        match op.pointer_mut(&format!("/responses/{status}")) {
            Some(r) => r["description"] = text.clone(),
            None => misses.push(format!("no response {status:?}")),
        }
    }
    misses
}

/// Applies one schema's entry; returns what it names that does not exist.
fn apply_schema(doc: &mut Value, name: &str, entry: &Value) -> Vec<String> {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return vec!["the document has no component schemas".into()];
    };
    if !schemas.contains_key(name) {
        let hint = nearest_hint(name, schemas.keys().map(String::as_str));
        return vec![format!("no schema {name:?}{hint}")];
    }
    let schema = &mut schemas[name];
    copy_text(schema, entry, &["description"]);
    let mut misses = Vec::new();
    for (prop, text) in entries(&entry["properties"]) {
        let Some(existing) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            misses.push(format!("no property {prop:?} (the schema has none)"));
            continue;
        };
        match existing.get_mut(prop.as_str()) {
            Some(target) => target["description"] = text.clone(),
            None => {
                let hint = nearest_hint(prop, existing.keys().map(String::as_str));
                misses.push(format!("no property {prop:?}{hint}"));
            }
        }
    }
    misses
}

fn copy_text(target: &mut Value, entry: &Value, keys: &[&str]) {
    for key in keys {
        if let Some(text) = entry.get(*key) {
            target[*key] = text.clone();
        }
    }
}

/// Our operation names (operationIds) and their JSON pointers, in document order.
fn operation_pointers(doc: &Value) -> Vec<(String, String)> {
    let pointers = crate::names::operations(doc).into_values();
    pointers
        .filter_map(|p| Some((doc.pointer(&p)?["operationId"].as_str()?.to_string(), p)))
        .collect()
}

/// `; the nearest is "x"` for the known name closest to `name`, or nothing.
pub fn nearest_hint<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    let distance = |k: &str| strsim::levenshtein(&name.to_lowercase(), &k.to_lowercase());
    let nearest = known.into_iter().min_by_key(|k| (distance(k), *k));
    nearest
        .map(|k| format!("; the nearest existing name is {k:?}"))
        .unwrap_or_default()
}
