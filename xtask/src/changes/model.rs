//! The wire contract as a flat list of entries, one per thing a user of the API can depend on:
//! each operation's method and path, parameters, request form fields and responses; each
//! type's fields and enum values. Built from the normalized document, so it needs no build of
//! the generated code, and it covers the operations written by hand (the multipart upload form,
//! the raw download) as much as the generated ones.
//!
//! Keys read as sentences (`type FilePage .data`, `operation upload_file form .purpose`) and
//! sort so that an entry's parent (`type FilePage`) comes before it.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Which way a type's values travel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Direction {
    /// Sent by the client (parameters, request bodies).
    pub input: bool,
    /// Received by the client (responses).
    pub output: bool,
}

/// What an entry describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// An operation: its method and path.
    Operation(String),
    /// A parameter or a request form field: its type and whether it is required.
    Input { ty: String, required: bool },
    /// A field of a type: its type and whether it is required.
    Field { ty: String, required: bool },
    /// A response's body type.
    Response(String),
    /// A named type's shape (`object`, `string`, ...).
    Type(String),
    /// The values of an enum.
    Values(BTreeSet<String>),
    /// The provider's name for one of ours (changes here are absorbed renames).
    ProviderName(String),
}

/// One entry of the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// What it is.
    pub kind: Kind,
    /// Which way it travels (for fields: the direction of the type that holds them).
    pub dir: Direction,
    /// Its doc text (description, summary), compared separately from structure.
    pub doc: Option<String>,
    /// The key of the entry this one belongs to, if any.
    pub parent: Option<String>,
}

/// The whole contract, by key.
pub type Model = BTreeMap<String, Entry>;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// Builds the contract of a normalized (OpenAPI 3.0) document.
pub fn build(doc: &Value) -> Model {
    let mut model = Model::new();
    let dirs = type_directions(doc);
    for (path, method, op) in operations(doc) {
        add_operation(&mut model, &path, method, op);
    }
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    for (name, schema) in schemas.into_iter().flatten() {
        let key = format!("type {name}");
        let dir = dirs.get(name).copied().unwrap_or_default();
        let shape = shape_of(schema);
        insert(
            &mut model,
            &key,
            Kind::Type(shape),
            dir,
            doc_of(schema),
            None,
        );
        if let Some(p) = schema.get("x-provider-name").and_then(Value::as_str) {
            let k = format!("{key} provider-name");
            insert(
                &mut model,
                &k,
                Kind::ProviderName(p.into()),
                dir,
                None,
                Some(&key),
            );
        }
        add_members(&mut model, &key, schema, dir, false);
    }
    model
}

fn operations(doc: &Value) -> Vec<(String, &'static str, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for method in METHODS {
            if let Some(op) = item.get(*method) {
                out.push((path.clone(), *method, op));
            }
        }
    }
    out
}

fn op_name(op: &Value, path: &str, method: &str) -> String {
    op.get("operationId")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("{} {path}", method.to_uppercase()))
}

const INPUT: Direction = Direction {
    input: true,
    output: false,
};
const OUTPUT: Direction = Direction {
    input: false,
    output: true,
};

fn add_operation(model: &mut Model, path: &str, method: &str, op: &Value) {
    let key = format!("operation {}", op_name(op, path, method));
    let doc = [op.get("summary"), op.get("description")]
        .iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let kind = Kind::Operation(format!("{} {path}", method.to_uppercase()));
    let doc = (!doc.is_empty()).then_some(doc);
    insert(model, &key, kind, INPUT, doc, None);
    if let Some(id) = op.get("x-provider-operation-id").and_then(Value::as_str) {
        let k = format!("{key} provider-name");
        let kind = Kind::ProviderName(id.into());
        insert(model, &k, kind, INPUT, None, Some(&key));
    }
    add_parameters(model, &key, op);
    add_body(model, &key, op);
    add_responses(model, &key, op);
}

/// `operation X <in> <name>`: each parameter's type and required-ness.
fn add_parameters(model: &mut Model, key: &str, op: &Value) {
    let params = op.get("parameters").and_then(Value::as_array);
    for p in params.into_iter().flatten() {
        let (Some(name), Some(place)) = (p["name"].as_str(), p["in"].as_str()) else {
            continue;
        };
        let k = format!("{key} {place} {name}");
        let schema = p.get("schema").unwrap_or(&Value::Null);
        let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
        let kind = Kind::Input {
            ty: ty(schema),
            required,
        };
        insert(model, &k, kind, INPUT, doc_of(p), Some(key));
        add_inline(model, &k, schema, INPUT, true);
    }
}

/// `operation X body <media type>` and, for an inline object (a form), each of its fields.
fn add_body(model: &mut Model, key: &str, op: &Value) {
    let body = op.get("requestBody");
    let required = body
        .and_then(|b| b.get("required"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    for (media, schema) in media_schemas(body) {
        let k = format!("{key} body {media}");
        let kind = Kind::Input {
            ty: ty(schema),
            required,
        };
        insert(model, &k, kind, INPUT, None, Some(key));
        add_members(model, &k, single(schema), INPUT, true);
    }
}

/// `operation X response <status> <media type>`: each response's body type.
fn add_responses(model: &mut Model, key: &str, op: &Value) {
    let responses = op.get("responses").and_then(Value::as_object);
    for (status, response) in responses.into_iter().flatten() {
        let media = media_schemas(Some(response));
        if media.is_empty() {
            let k = format!("{key} response {status}");
            let kind = Kind::Response("empty".into());
            insert(model, &k, kind, OUTPUT, doc_of(response), Some(key));
        }
        for (m, schema) in media {
            let k = format!("{key} response {status} {m}");
            let kind = Kind::Response(ty(schema));
            insert(model, &k, kind, OUTPUT, doc_of(response), Some(key));
        }
    }
}

fn media_schemas(holder: Option<&Value>) -> Vec<(String, &Value)> {
    holder
        .and_then(|h| h.get("content"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(m, v)| (m.clone(), v.get("schema").unwrap_or(&Value::Null)))
        .collect()
}

/// Adds the fields of an object schema (inline objects flattened, `.a.b`) and enum values.
fn add_members(model: &mut Model, key: &str, schema: &Value, dir: Direction, input: bool) {
    add_values(model, key, schema, dir);
    let required: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (field, prop) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let k = format!("{key} .{field}");
        let required = required.contains(field.as_str());
        let kind = if input {
            Kind::Input {
                ty: ty(prop),
                required,
            }
        } else {
            Kind::Field {
                ty: ty(prop),
                required,
            }
        };
        insert(model, &k, kind, dir, doc_of(prop), Some(key));
        add_inline(model, &k, prop, dir, input);
    }
}

/// Inline objects and enums inside a field or parameter get entries of their own.
fn add_inline(model: &mut Model, key: &str, schema: &Value, dir: Direction, input: bool) {
    let inner = single(schema);
    if inner.get("$ref").is_none() {
        add_members(model, key, inner, dir, input);
    }
}

fn add_values(model: &mut Model, key: &str, schema: &Value, dir: Direction) {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values = values
            .iter()
            .map(|v| v.as_str().map(str::to_string).unwrap_or(v.to_string()));
        let k = format!("{key} values");
        insert(
            model,
            &k,
            Kind::Values(values.collect()),
            dir,
            None,
            Some(key),
        );
    }
}

fn insert(
    model: &mut Model,
    key: &str,
    kind: Kind,
    dir: Direction,
    doc: Option<String>,
    parent: Option<&str>,
) {
    let parent = parent.map(str::to_string);
    model.insert(
        key.to_string(),
        Entry {
            kind,
            dir,
            doc,
            parent,
        },
    );
}

fn doc_of(v: &Value) -> Option<String> {
    v.get("description")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The one branch of a single-branch `allOf`/`anyOf`/`oneOf`, or the schema itself.
fn single(schema: &Value) -> &Value {
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some([only]) = schema.get(key).and_then(Value::as_array).map(Vec::as_slice) {
            return single(only);
        }
    }
    schema
}

fn shape_of(schema: &Value) -> String {
    let base = ty(schema);
    if schema.get("enum").is_some() {
        format!("{base} enum")
    } else {
        base
    }
}

/// A schema's type, written compactly: `FileObject` (a reference, by name), `integer`,
/// `string(uuid)`, `array<SampleType>`, `anyOf<string | integer>`; `?` marks nullable.
pub fn ty(schema: &Value) -> String {
    let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
    let base = format!("{}{}", base_ty(schema), bounds(schema));
    if nullable {
        format!("{base}?")
    } else {
        base
    }
}

/// A schema's bounds, written `[min..max]` (numbers, string lengths, item counts) and
/// `/pattern/`: a bound that appears or narrows is a changed type, so it is reported (breaking
/// for an input, as oasdiff has it).
fn bounds(schema: &Value) -> String {
    let num = |k: &str| {
        schema
            .get(k)
            .filter(|v| v.is_number())
            .map(|v| v.to_string())
    };
    let exclusive = |k: &str| schema.get(k).and_then(Value::as_bool) == Some(true);
    let mut out = String::new();
    for (min, max, excl_min, excl_max) in [
        ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"),
        ("minLength", "maxLength", "", ""),
        ("minItems", "maxItems", "", ""),
    ] {
        let (lo, hi) = (num(min), num(max));
        if lo.is_some() || hi.is_some() {
            let open = if exclusive(excl_min) { "(" } else { "[" };
            let close = if exclusive(excl_max) { ")" } else { "]" };
            let (lo, hi) = (lo.unwrap_or_default(), hi.unwrap_or_default());
            out.push_str(&format!("{open}{lo}..{hi}{close}"));
        }
    }
    if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
        out.push_str(&format!("/{p}/"));
    }
    out
}

fn base_ty(schema: &Value) -> String {
    if let Some(name) = crate::names::ref_name(schema) {
        return name;
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            if let [only] = branches.as_slice() {
                return ty(only);
            }
            let parts: Vec<String> = branches.iter().map(ty).collect();
            return format!("{key}<{}>", parts.join(" | "));
        }
    }
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("any");
    match kind {
        "array" => format!("array<{}>", ty(schema.get("items").unwrap_or(&Value::Null))),
        "object" if schema.get("properties").is_none() => {
            match schema.get("additionalProperties") {
                Some(Value::Object(v)) => format!("map<{}>", ty(&Value::Object(v.clone()))),
                _ => "object".into(),
            }
        }
        _ => match schema.get("format").and_then(Value::as_str) {
            Some(f) => format!("{kind}({f})"),
            None => kind.into(),
        },
    }
}

/// Which way each named type travels, following references from every operation.
fn type_directions(doc: &Value) -> BTreeMap<String, Direction> {
    let mut dirs: BTreeMap<String, Direction> = BTreeMap::new();
    for (_, _, op) in operations(doc) {
        let mut inputs: Vec<&Value> = op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        inputs.extend(
            media_schemas(op.get("requestBody"))
                .into_iter()
                .map(|(_, s)| s),
        );
        for schema in inputs {
            mark(doc, schema, true, &mut dirs);
        }
        for response in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            for (_, schema) in media_schemas(Some(response.1)) {
                mark(doc, schema, false, &mut dirs);
            }
        }
    }
    dirs
}

fn mark(doc: &Value, node: &Value, input: bool, dirs: &mut BTreeMap<String, Direction>) {
    match node {
        Value::Object(map) => {
            if let Some(name) = crate::names::ref_name(node) {
                let d = dirs.entry(name.clone()).or_default();
                let seen = if input { d.input } else { d.output };
                if input {
                    d.input = true
                } else {
                    d.output = true
                }
                let target = doc.pointer(&format!("/components/schemas/{name}"));
                if let (false, Some(target)) = (seen, target) {
                    mark(doc, target, input, dirs);
                }
                return;
            }
            map.values().for_each(|v| mark(doc, v, input, dirs));
        }
        Value::Array(items) => items.iter().for_each(|v| mark(doc, v, input, dirs)),
        _ => {}
    }
}

/// The contract as text, one entry a line, without doc text: the wire snapshot.
pub fn render(model: &Model) -> String {
    let mut out = String::new();
    for (key, entry) in model {
        let line = match &entry.kind {
            Kind::Operation(mp) => format!("{key}: {mp}"),
            Kind::Input { ty, required } | Kind::Field { ty, required } => {
                format!("{key}: {ty}{}", if *required { "  required" } else { "" })
            }
            Kind::Response(ty) => format!("{key}: {ty}"),
            Kind::Type(shape) => {
                let dir = match (entry.dir.input, entry.dir.output) {
                    (true, true) => "  (in, out)",
                    (true, false) => "  (in)",
                    (false, true) => "  (out)",
                    (false, false) => "",
                };
                format!("\n{key}: {shape}{dir}")
            }
            Kind::Values(values) => {
                format!(
                    "{key}: {}",
                    values.iter().cloned().collect::<Vec<_>>().join(", ")
                )
            }
            // The provider's names are not ours: a rename the name map absorbs leaves the
            // snapshot as it was (the change report mentions it).
            Kind::ProviderName(_) => continue,
        };
        if matches!(entry.kind, Kind::Operation(_)) {
            out.push('\n');
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.trim_start().to_string()
}
