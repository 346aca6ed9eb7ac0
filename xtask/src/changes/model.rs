//! The wire contract as a flat list of entries, one per thing a user of the API can depend on:
//! each operation's method, path, security and deprecation; its parameters, request bodies and
//! form fields, responses; each type's fields and enum values; the security schemes. Built from
//! a normalized document, so it needs no build of the generated code, and it covers the
//! operations written by hand (the multipart upload form, the raw download) as much as the
//! generated ones.
//!
//! Keys read as sentences (`type FilePage .data`, `operation upload_file form .purpose`) and
//! sort so that an entry's parent (`type FilePage`) comes before it. Every entry also records
//! the JSON pointer it was read from, so that the report can tell which overlay action covers
//! it.

pub use super::directions::Direction;
use super::directions::{media_schemas, operations, INPUT, OUTPUT};
use super::schema::{self, is_true, single, Schema};
use crate::doc::{entries, escape_pointer as escape};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What an entry describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// An operation: its method and path, and whether it is deprecated.
    Operation { route: String, deprecated: bool },
    /// The security an operation requires: its alternatives, each a set of scheme names
    /// (`ApiKey`, `ApiKey+Org`), or `none`.
    Security(BTreeSet<String>),
    /// A security scheme, described as it reaches the wire (`http bearer`, `apiKey header X`).
    Scheme(String),
    /// A parameter, a request body or a request form field.
    Input { schema: Schema, required: bool },
    /// A field of a named type.
    Field { schema: Schema, required: bool },
    /// A response's body type (`empty` when it has none).
    Response(String),
    /// A named type's shape (`object`, `string enum`, ...).
    Type(String),
    /// The values of an enum.
    Values(BTreeSet<String>),
    /// The provider's name for one of ours (changes here are absorbed renames).
    ProviderName(String),
}

impl Kind {
    /// A short description of the entry's shape, the same for two entries a rename could turn
    /// into one another.
    pub fn describe(&self) -> String {
        match self {
            Kind::Operation { route, .. } => route.clone(),
            Kind::Security(alts) => alternatives(alts),
            Kind::Scheme(s) | Kind::Response(s) | Kind::Type(s) | Kind::ProviderName(s) => {
                s.clone()
            }
            Kind::Input { schema, required } | Kind::Field { schema, required } => {
                format!("{}{}", schema, if *required { ", required" } else { "" })
            }
            Kind::Values(v) => super::list(v.iter()),
        }
    }

    /// The variant's name, for pairing a removed and an added entry of the same kind.
    pub fn variant(&self) -> &'static str {
        match self {
            Kind::Operation { .. } => "operation",
            Kind::Security(_) => "security",
            Kind::Scheme(_) => "scheme",
            Kind::Input { .. } => "input",
            Kind::Field { .. } => "field",
            Kind::Response(_) => "response",
            Kind::Type(_) => "type",
            Kind::Values(_) => "values",
            Kind::ProviderName(_) => "provider-name",
        }
    }
}

/// `ApiKey | ApiKey+Org`, or `none`.
pub fn alternatives(alts: &BTreeSet<String>) -> String {
    if alts.is_empty() {
        "none".into()
    } else {
        join(alts, " | ")
    }
}

fn join(set: &BTreeSet<String>, separator: &str) -> String {
    set.iter().cloned().collect::<Vec<_>>().join(separator)
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
    /// Where in the document it was read (a JSON pointer).
    pub pointer: String,
}

/// The whole contract, by key.
pub type Model = BTreeMap<String, Entry>;

/// Builds the contract of a normalized (OpenAPI 3.0) document.
pub fn build(doc: &Value) -> Model {
    let mut b = Builder::default();
    let dirs = super::directions::of_types(doc);
    let global_security = doc.get("security");
    for (path, method, op) in operations(doc) {
        b.operation(&path, method, op, global_security);
    }
    for (name, scheme) in entries(&doc["components"]["securitySchemes"]) {
        let pointer = format!("/components/securitySchemes/{}", escape(name));
        let (key, kind) = (format!("security scheme {name}"), describe_scheme(scheme));
        b.insert(&key, None, &pointer, INPUT, Kind::Scheme(kind));
    }
    for (name, schema) in entries(&doc["components"]["schemas"]) {
        let key = format!("type {name}");
        let pointer = format!("/components/schemas/{}", escape(name));
        // A type no operation reaches still becomes a Rust type: treat it as received.
        let dir = dirs.get(name).copied().unwrap_or(OUTPUT);
        let kind = Kind::Type(shape_of(schema));
        b.insert(&key, None, &pointer, dir, kind).doc = doc_of(schema);
        b.provider_name(&key, schema.get("x-provider-name"), dir, &pointer);
        b.members(&key, schema, dir, false, &pointer);
    }
    b.model
}

/// A scheme as it reaches the wire: `http bearer`, `apiKey header X-Api-Key`, `oauth2`, ...
fn describe_scheme(scheme: &Value) -> String {
    let field = |k: &str| scheme.get(k).and_then(Value::as_str).unwrap_or("");
    match field("type") {
        "http" => format!("http {}", field("scheme").to_ascii_lowercase()),
        "apiKey" => format!("apiKey {} {}", field("in"), field("name")),
        other => other.to_string(),
    }
}

fn op_name(op: &Value, path: &str, method: &str) -> String {
    op.get("operationId")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("{} {path}", method.to_uppercase()))
}

#[derive(Default)]
struct Builder {
    model: Model,
}

impl Builder {
    /// Adds an entry without doc text, and returns it for the callers that have some.
    fn insert(
        &mut self,
        key: &str,
        parent: Option<&str>,
        pointer: &str,
        dir: Direction,
        kind: Kind,
    ) -> &mut Entry {
        let entry = Entry {
            kind,
            dir,
            doc: None,
            parent: parent.map(str::to_string),
            pointer: pointer.to_string(),
        };
        self.model.insert(key.to_string(), entry);
        self.model.get_mut(key).expect("just inserted")
    }

    /// `<key> provider-name`, when the document records the provider's name for ours.
    fn provider_name(&mut self, key: &str, name: Option<&Value>, dir: Direction, pointer: &str) {
        if let Some(name) = name.and_then(Value::as_str) {
            let k = format!("{key} provider-name");
            let kind = Kind::ProviderName(name.into());
            self.insert(&k, Some(key), pointer, dir, kind);
        }
    }

    fn operation(&mut self, path: &str, method: &str, op: &Value, global_security: Option<&Value>) {
        let key = format!("operation {}", op_name(op, path, method));
        let pointer = format!("/paths/{}/{method}", escape(path));
        let doc = [op.get("summary"), op.get("description")]
            .iter()
            .flatten()
            .filter_map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let kind = Kind::Operation {
            route: format!("{} {path}", method.to_uppercase()),
            deprecated: is_true(op, "deprecated"),
        };
        self.insert(&key, None, &pointer, INPUT, kind).doc = (!doc.is_empty()).then_some(doc);
        let provider_id = op.get("x-provider-operation-id");
        self.provider_name(&key, provider_id, INPUT, &pointer);
        // An operation's own `security` replaces the document's (OpenAPI 3.0, 4.8.10).
        let security = Kind::Security(requirements(op.get("security").or(global_security)));
        let (k, p) = (format!("{key} security"), format!("{pointer}/security"));
        self.insert(&k, Some(&key), &p, INPUT, security);
        self.parameters(&key, op, &pointer);
        self.body(&key, op, &pointer);
        self.responses(&key, op, &pointer);
    }

    /// `operation X <in> <name>`: each parameter's schema and required-ness.
    fn parameters(&mut self, key: &str, op: &Value, op_pointer: &str) {
        let params = op.get("parameters").and_then(Value::as_array);
        for (i, p) in params.into_iter().flatten().enumerate() {
            let (Some(name), Some(place)) = (p["name"].as_str(), p["in"].as_str()) else {
                continue;
            };
            let k = format!("{key} {place} {name}");
            let pointer = format!("{op_pointer}/parameters/{i}");
            let schema_json = p.get("schema").unwrap_or(&Value::Null);
            let mut schema = Schema::of(schema_json);
            schema.deprecated |= is_true(p, "deprecated");
            schema.style = schema::param_style(p, place);
            let required = is_true(p, "required");
            let kind = Kind::Input { schema, required };
            self.insert(&k, Some(key), &pointer, INPUT, kind).doc = doc_of(p);
            self.provider_name(&k, p.get("x-provider-name"), INPUT, &pointer);
            self.inline(&k, schema_json, INPUT, true, &format!("{pointer}/schema"));
        }
    }

    /// `operation X body <media type>` and, for an inline object (a form), each of its fields.
    fn body(&mut self, key: &str, op: &Value, op_pointer: &str) {
        let body = op.get("requestBody");
        let required = body.is_some_and(|b| is_true(b, "required"));
        for (media, schema_json) in media_schemas(body) {
            let k = format!("{key} body {media}");
            let pointer = format!("{op_pointer}/requestBody/content/{}/schema", escape(&media));
            let schema = Schema::of(schema_json);
            self.insert(
                &k,
                Some(key),
                &pointer,
                INPUT,
                Kind::Input { schema, required },
            );
            self.members(&k, single(schema_json), INPUT, true, &pointer);
        }
    }

    /// `operation X response <status> <media type>`: each response's body type.
    fn responses(&mut self, key: &str, op: &Value, op_pointer: &str) {
        let responses = op.get("responses").and_then(Value::as_object);
        for (status, response) in responses.into_iter().flatten() {
            let pointer = format!("{op_pointer}/responses/{}", escape(status));
            // A response without a body is one entry, `empty`; otherwise one per media type.
            let media: Vec<(String, String)> = match media_schemas(Some(response)) {
                m if m.is_empty() => vec![(String::new(), "empty".into())],
                m => m
                    .into_iter()
                    .map(|(media, schema)| (format!(" {media}"), schema::ty(schema)))
                    .collect(),
            };
            for (media, ty) in media {
                let k = format!("{key} response {status}{media}");
                let kind = Kind::Response(ty);
                self.insert(&k, Some(key), &pointer, OUTPUT, kind).doc = doc_of(response);
            }
        }
    }

    /// Adds the fields of an object schema (inline objects flattened, `.a.b`) and enum values.
    fn members(&mut self, key: &str, schema: &Value, dir: Direction, input: bool, pointer: &str) {
        self.values(key, schema, dir, pointer);
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let props = schema.get("properties").and_then(Value::as_object);
        for (field, prop) in props.into_iter().flatten() {
            let k = format!("{key} .{field}");
            let p = format!("{pointer}/properties/{}", escape(field));
            let required = required.contains(field.as_str());
            let schema = Schema::of(prop);
            let kind = if input {
                Kind::Input { schema, required }
            } else {
                Kind::Field { schema, required }
            };
            self.insert(&k, Some(key), &p, dir, kind).doc = doc_of(prop);
            self.inline(&k, prop, dir, input, &p);
        }
    }

    /// Inline objects and enums inside a field or parameter get entries of their own.
    fn inline(&mut self, key: &str, schema: &Value, dir: Direction, input: bool, pointer: &str) {
        let inner = single(schema);
        if inner.get("$ref").is_none() {
            self.members(key, inner, dir, input, pointer);
        }
    }

    fn values(&mut self, key: &str, schema: &Value, dir: Direction, pointer: &str) {
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            let values = values
                .iter()
                .map(|v| v.as_str().map(str::to_string).unwrap_or(v.to_string()));
            let (k, p) = (format!("{key} values"), format!("{pointer}/enum"));
            self.insert(&k, Some(key), &p, dir, Kind::Values(values.collect()));
        }
    }
}

/// The alternatives of a security requirement list: `[{A: []}, {A: [], B: []}]` -> `A`, `A+B`.
fn requirements(security: Option<&Value>) -> BTreeSet<String> {
    let list = security.and_then(Value::as_array);
    list.into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|alt| {
            if alt.is_empty() {
                "anonymous".to_string()
            } else {
                alt.keys().cloned().collect::<Vec<_>>().join("+")
            }
        })
        .collect()
}

fn doc_of(v: &Value) -> Option<String> {
    v.get("description")
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn shape_of(schema: &Value) -> String {
    let base = schema::ty(schema);
    if schema.get("enum").is_some() {
        format!("{base} enum")
    } else {
        base
    }
}

/// The contract as text, one entry a line, without doc text: the wire snapshot.
pub fn render(model: &Model) -> String {
    let mut out = String::new();
    for (key, entry) in model {
        let line = match &entry.kind {
            Kind::Operation { route, deprecated } => {
                let dep = if *deprecated { "  deprecated" } else { "" };
                format!("\n{key}: {route}{dep}")
            }
            Kind::Input { schema, required } | Kind::Field { schema, required } => {
                let req = if *required { "  required" } else { "" };
                format!("{key}: {schema}{req}")
            }
            Kind::Security(alts) => format!("{key}: {}", alternatives(alts)),
            Kind::Scheme(s) | Kind::Response(s) => format!("{key}: {s}"),
            Kind::Type(shape) => {
                let dir = match (entry.dir.input, entry.dir.output) {
                    (true, true) => "  (in, out)",
                    (true, false) => "  (in)",
                    (false, true) => "  (out)",
                    (false, false) => "",
                };
                format!("\n{key}: {shape}{dir}")
            }
            Kind::Values(values) => format!("{key}: {}", join(values, ", ")),
            // The provider's names are not ours: a rename the name map absorbs leaves the
            // snapshot as it was (the change report mentions it).
            Kind::ProviderName(_) => continue,
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.trim_start().to_string()
}
