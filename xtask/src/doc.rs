//! Reading and writing OpenAPI documents (YAML or JSON) in one canonical form.
//!
//! Documents are held as `serde_json::Value` with insertion order preserved. The
//! canonical YAML form orders keys by `key_rank` so that the same content always
//! produces the same bytes, whatever order the provider happened to write it in.

use anyhow::{Context, Result};
use serde_json::{Map, Value};
use std::path::Path;

/// The HTTP methods a path item may hold an operation under.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// What every reference to a component schema starts with.
pub const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// Escapes one JSON pointer segment (`~` and `/`).
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The members of an object; none for anything else (`entries(&doc["paths"])` needs no check).
pub fn entries(value: &Value) -> impl Iterator<Item = (&String, &Value)> {
    value.as_object().into_iter().flatten()
}

/// The items of an array; none for anything else.
pub fn items(value: &Value) -> impl Iterator<Item = &Value> {
    value.as_array().into_iter().flatten()
}

/// The component schema a node's `$ref` names, if it names one.
pub fn schema_ref(node: &Value) -> Option<&str> {
    node.get("$ref")?.as_str()?.strip_prefix(SCHEMA_REF_PREFIX)
}

/// Parses a YAML or JSON document (JSON is YAML, so one parser serves both).
/// YAML merge keys (`<<`) are applied and anchors expanded.
pub fn parse(text: &str) -> Result<Value> {
    let mut yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text).context("the document is not valid YAML or JSON")?;
    yaml.apply_merge().context("applying YAML merge keys")?;
    serde_json::to_value(yaml).context("the document has values JSON cannot hold")
}

/// Reads and parses a document from disk.
pub fn read(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse(&text).with_context(|| format!("parsing {}", path.display()))
}

/// Serializes a document as YAML in canonical key order.
pub fn to_canonical_yaml(doc: &Value) -> Result<String> {
    Ok(serde_yaml_ng::to_string(&canonical(doc, &[]))?)
}

/// Serializes a document as pretty JSON (for the normalized, generated document).
pub fn to_pretty_json(doc: &Value) -> Result<String> {
    Ok(serde_json::to_string_pretty(doc)? + "\n")
}

/// Maps whose keys are names chosen by the API author rather than OpenAPI keywords.
/// Their order carries meaning (property order becomes field order) or is sorted
/// by name; see `canonical`.
fn is_name_map(path: &[&str]) -> bool {
    matches!(
        path,
        [.., "properties"]
            | [.., "paths"]
            | [.., "schemas"]
            | [.., "responses"]
            | [.., "content"]
            | [.., "securitySchemes"]
            | [.., "examples"]
            | [.., "headers"]
    )
}

/// Returns the document with every object's keys in canonical order:
/// - `properties` keep the author's order (it is the generated field order);
/// - `paths`, `schemas`, `responses` and other name maps are sorted by name;
/// - OpenAPI keywords follow `key_rank`, unknown keys after them alphabetically;
/// - `value`, `example`, `default`, `enum` and `const` hold data, not OpenAPI: kept as written.
fn canonical(value: &Value, path: &[&str]) -> Value {
    if matches!(
        path.last(),
        Some(&("value" | "example" | "default" | "enum" | "const"))
    ) {
        return value.clone();
    }
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            let is_keyword_map = !is_name_map(path);
            if is_keyword_map {
                keys.sort_by_key(|k| (key_rank(k, path), *k));
            } else if path.last() != Some(&"properties") {
                keys.sort();
            }
            let mut out = Map::new();
            for k in keys {
                // A name map's children are keyword maps again: mark the name level.
                let child = if is_keyword_map { k.as_str() } else { "<name>" };
                out.insert(k.clone(), canonical(&map[k], &[path, &[child]].concat()));
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let child_path = [path, &["<item>"]].concat();
            Value::Array(items.iter().map(|v| canonical(v, &child_path)).collect())
        }
        other => other.clone(),
    }
}

/// The position of an OpenAPI keyword in canonical output. The order is the one the
/// provider writes (e.g. `type, items, properties, examples, title, format, description,
/// default, enum, required` in a schema), with one exception for parameter objects,
/// whose `required` comes before `schema`.
fn key_rank(key: &str, path: &[&str]) -> usize {
    const PARAMETER: &[&str] = &["name", "in", "description", "required", "schema"];
    const ORDER: &[&str] = &[
        "scheme",
        "openapi",
        "info",
        "paths",
        "components",
        "post",
        "get",
        "put",
        "patch",
        "delete",
        "options",
        "head",
        "trace",
        "schemas",
        "securitySchemes",
        "name",
        "url",
        "in",
        "operationId",
        "summary",
        "type",
        "items",
        "properties",
        "anyOf",
        "allOf",
        "oneOf",
        "$ref",
        "schema",
        "value",
        "examples",
        "example",
        "title",
        "format",
        "x-displayName",
        "description",
        "version",
        "tags",
        "security",
        "servers",
        "parameters",
        "requestBody",
        "responses",
        "content",
        "default",
        "enum",
        "const",
        "required",
        "deprecated",
        "additionalProperties",
    ];
    let rank = ORDER.iter().position(|k| *k == key).unwrap_or(ORDER.len());
    if !matches!(path, [.., "parameters", "<item>"]) {
        return rank;
    }
    let in_parameter = PARAMETER.iter().position(|k| *k == key);
    in_parameter.unwrap_or(PARAMETER.len() + rank)
}
