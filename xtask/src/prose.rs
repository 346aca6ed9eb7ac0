//! Prose: what `import` leaves out of the provider's document, and what `codegen` puts back
//! from our own words (`openapi/docs.yaml`).
//!
//! The vendored spec holds the provider's structure only, so re-importing never churns doc
//! text, and the generated code's documentation is ours. Docs are keyed by our names (which
//! `openapi/names.yaml` keeps stable), so a provider rename never orphans them.

use anyhow::{anyhow, bail, Result};
use serde_json::{Map, Value};

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
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for op in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
    {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        for (status, response) in responses.iter_mut() {
            if let Some(r) = response.as_object_mut() {
                r.insert("description".into(), Value::String(reason(status).into()));
            }
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
                if NAME_MAPS.contains(&key.as_str()) {
                    if let Value::Object(names) = child {
                        names.values_mut().for_each(strip_keywords);
                        continue;
                    }
                }
                // Data, not OpenAPI: leave as written.
                if matches!(key.as_str(), "default" | "enum" | "const") {
                    continue;
                }
                strip_keywords(child);
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
    for (name, entry) in section(docs, "operations")? {
        for miss in apply_operation(doc, name, entry) {
            stale.push(format!(
                "{DOCS}: operations.{name}: {miss}; fix or remove the entry"
            ));
        }
    }
    for (name, entry) in section(docs, "schemas")? {
        for miss in apply_schema(doc, name, entry) {
            stale.push(format!(
                "{DOCS}: schemas.{name}: {miss}; fix or remove the entry"
            ));
        }
    }
    Ok(stale)
}

fn section<'a>(docs: &'a Value, key: &str) -> Result<Vec<(&'a String, &'a Value)>> {
    match docs.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Object(map)) => Ok(map.iter().collect()),
        Some(_) => bail!("{DOCS}: `{key}` must be a map"),
    }
}

/// Applies one operation's entry; returns what it names that does not exist.
fn apply_operation(doc: &mut Value, name: &str, entry: &Value) -> Vec<String> {
    let ops = operation_pointers(doc);
    let pointer = ops.iter().find(|(n, _)| n == name).map(|(_, p)| p.clone());
    let Some(pointer) = pointer else {
        let names: Vec<&str> = ops.iter().map(|(n, _)| n.as_str()).collect();
        return vec![format!(
            "no operation {name:?}{}",
            nearest_hint(name, &names)
        )];
    };
    let op = doc.pointer_mut(&pointer).expect("pointer just found");
    copy_text(op, entry, &["summary", "description"]);
    let mut misses = Vec::new();
    let params = entry.get("parameters").and_then(Value::as_object);
    for (pname, text) in params.into_iter().flatten() {
        let list = op.get_mut("parameters").and_then(Value::as_array_mut);
        let Some(list) = list else {
            misses.push(format!("no parameter {pname:?} (the operation has none)"));
            continue;
        };
        match list.iter_mut().find(|p| p["name"] == **pname) {
            Some(param) => param["description"] = text.clone(),
            None => {
                let known: Vec<&str> = list.iter().filter_map(|p| p["name"].as_str()).collect();
                misses.push(format!(
                    "no parameter {pname:?}{}",
                    nearest_hint(pname, &known)
                ));
            }
        }
    }
    let responses = entry.get("responses").and_then(Value::as_object);
    for (status, text) in responses.into_iter().flatten() {
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
    let known: Vec<String> = schemas.keys().cloned().collect();
    let Some(schema) = schemas.get_mut(name) else {
        let known: Vec<&str> = known.iter().map(String::as_str).collect();
        return vec![format!("no schema {name:?}{}", nearest_hint(name, &known))];
    };
    copy_text(schema, entry, &["description"]);
    let mut misses = Vec::new();
    let props = entry.get("properties").and_then(Value::as_object);
    for (prop, text) in props.into_iter().flatten() {
        match schema.get_mut("properties").and_then(Value::as_object_mut) {
            Some(existing) => match existing.get_mut(prop.as_str()) {
                Some(target) => target["description"] = text.clone(),
                None => {
                    let known: Vec<&str> = existing.keys().map(String::as_str).collect();
                    misses.push(format!(
                        "no property {prop:?}{}",
                        nearest_hint(prop, &known)
                    ));
                }
            },
            None => misses.push(format!("no property {prop:?} (the schema has none)")),
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
    let mut out = Vec::new();
    for pointer in crate::names::operations(doc).into_values() {
        if let Some(id) = doc
            .pointer(&pointer)
            .and_then(|op| op.get("operationId"))
            .and_then(Value::as_str)
        {
            out.push((id.to_string(), pointer));
        }
    }
    out
}

/// `; the nearest is "x"` for the known name closest to `name`, or nothing.
pub fn nearest_hint(name: &str, known: &[&str]) -> String {
    known
        .iter()
        .map(|k| {
            (
                strsim::levenshtein(&name.to_lowercase(), &k.to_lowercase()),
                *k,
            )
        })
        .min()
        .map(|(_, k)| format!("; the nearest existing name is {k:?}"))
        .unwrap_or_default()
}
