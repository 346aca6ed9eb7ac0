//! OpenAPI 3.1 -> the OpenAPI 3.0.3 dialect that progenitor (through `openapiv3`) reads.
//!
//! Rules, applied everywhere in the document:
//! - `anyOf`/`oneOf` `[X, {type: 'null'}]` -> `X` + `nullable: true`; when `X` is a `$ref`,
//!   `allOf: [X]` + `nullable: true` (3.0 ignores siblings of a bare `$ref`). With several
//!   non-null branches the null branch is dropped and `nullable: true` added.
//! - `type: [X, 'null']` -> `type: X` + `nullable: true`; several types -> `anyOf` of each.
//! - `examples: [a, ...]` in a schema -> `example: a` (media-type `examples` maps are 3.0 already).
//! - a `$ref` with sibling keywords -> `allOf: [{$ref}]` plus the siblings.
//! - `const: v` -> `enum: [v]`.
//! - numeric `exclusiveMinimum`/`exclusiveMaximum` -> `minimum`/`maximum` + boolean flag.
//! - `info` (with `title` and `version`) added when missing; `openapi` set to `3.0.3`.
//!
//! Maps of author-chosen names (`properties`, `schemas`, `paths`, ...) are never rewritten
//! themselves, so a property called `const` or `type` stays a property.

use serde_json::{json, Map, Value};

/// Normalizes a 3.1 document into 3.0.3. Documents already in 3.0 pass through unchanged
/// apart from the same rewrites, which are no-ops on valid 3.0.
pub fn normalize(doc: &Value) -> Value {
    let mut out = doc.clone();
    // Document-level additions first, so that the rewrite below sees the final document
    // (and a second normalization finds nothing left to do).
    if let Some(map) = out.as_object_mut() {
        map.insert("openapi".into(), json!("3.0.3"));
        if let Some(info) = map.entry("info").or_insert(json!({})).as_object_mut() {
            info.entry("title").or_insert(json!("API"));
            info.entry("version").or_insert(json!("0.0.0"));
        }
    }
    match out.as_object_mut() {
        // The document itself is not a schema: only what it contains is rewritten.
        Some(map) => walk_children(map),
        None => normalize_schema(&mut out),
    }
    out
}

fn is_null_schema(v: &Value) -> bool {
    v["type"] == "null"
}

/// Keys whose value maps names chosen by the author to objects: only the values are rewritten.
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "dependentSchemas",
    "$defs",
    "definitions",
    "schemas",
    "paths",
    "responses",
    "content",
    "headers",
    "securitySchemes",
    "requestBodies",
    "examples",
    "links",
    "callbacks",
    "encoding",
    "variables",
    "parameters",
];

/// Rewrites one schema (and every schema inside it) from 3.1 into 3.0.3, in place.
pub fn normalize_schema(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(normalize_schema),
        Value::Object(map) => {
            walk_children(map);
            rewrite_schema(map);
        }
        _ => {}
    }
}

fn walk_children(map: &mut Map<String, Value>) {
    for (key, v) in map.iter_mut() {
        match v {
            Value::Object(names) if NAME_MAPS.contains(&key.as_str()) => {
                names.values_mut().for_each(normalize_schema)
            }
            _ => normalize_schema(v),
        }
    }
}

/// Rewrites one object if it is a schema using 3.1-only constructs. Children are
/// already normalized when this runs.
fn rewrite_schema(map: &mut Map<String, Value>) {
    type_array_to_nullable(map);
    null_branch_to_nullable(map);
    // examples: [..] -> example (schemas only: media types hold a map here)
    if let Some(Value::Array(examples)) = map.get("examples") {
        let first = examples.first().cloned();
        map.remove("examples");
        if let Some(first) = first {
            map.entry("example").or_insert(first);
        }
    }
    // const -> enum
    if let Some(c) = map.remove("const") {
        map.insert("enum".into(), Value::Array(vec![c]));
    }
    // exclusive bounds: numbers in 3.1, flags in 3.0
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n @ Value::Number(_)) = map.get(exclusive).cloned() {
            map.insert(bound.into(), n);
            map.insert(exclusive.into(), Value::Bool(true));
        }
    }
    // $ref with siblings -> allOf [$ref]
    if map.get("$ref").is_some_and(Value::is_string) && map.len() > 1 {
        let reference = map.remove("$ref").expect("checked above");
        map.insert("allOf".into(), json!([{ "$ref": reference }]));
    }
}

/// `type: [X, 'null']` -> `type: X` + `nullable` (only arrays of type names; anything else is
/// left for validation).
fn type_array_to_nullable(map: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = map.get("type") else {
        return;
    };
    if !types.iter().all(Value::is_string) {
        return;
    }
    let non_null: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
    let had_null = non_null.len() != types.len();
    match non_null.as_slice() {
        [] => {
            // Only null: 3.0 has no null type; a nullable schema allowing only null.
            map.remove("type");
            map.insert("enum".into(), json!([null]));
        }
        [only] => {
            map.insert("type".into(), only.clone());
        }
        several => {
            map.remove("type");
            let branches: Vec<Value> = several.iter().map(|t| json!({ "type": t })).collect();
            map.entry("anyOf").or_insert(Value::Array(branches));
        }
    }
    if had_null {
        map.insert("nullable".into(), Value::Bool(true));
    }
}

/// `anyOf`/`oneOf` with a null branch -> the other branches + `nullable` (a lone `$ref` goes
/// under `allOf`, since 3.0 ignores a bare `$ref`'s siblings).
fn null_branch_to_nullable(map: &mut Map<String, Value>) {
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(branches)) = map.get(key) else {
            continue;
        };
        if !branches.iter().any(is_null_schema) {
            continue;
        }
        let rest = branches.iter().filter(|b| !is_null_schema(b));
        let rest: Vec<Value> = rest.cloned().collect();
        map.remove(key);
        map.insert("nullable".into(), Value::Bool(true));
        match rest.as_slice() {
            [] => {}
            [only] if only.get("$ref").is_some() => {
                map.insert("allOf".into(), Value::Array(vec![only.clone()]));
            }
            [Value::Object(inner)] => {
                for (k, v) in inner {
                    // The outer schema's own keywords (title, description...) win.
                    map.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            [_] => {}
            _ => {
                map.insert(key.into(), Value::Array(rest));
            }
        }
    }
}
