//! Our names for the provider's operations and schemas (`openapi/names.yaml`).
//!
//! The provider renames schemas between releases while the wire stays the same. A Rust type
//! named after a provider schema would break every user at each such rename, so each name is
//! ours, pinned to something the provider does not rename:
//! - an operation, by its HTTP method and path (`GET /v1/files/{}`; parameter names in the path
//!   do not matter);
//! - a schema, by where it is used: `<our operation> response <status> [fields]`,
//!   `<our operation> param <name> [fields]` or `<our operation> body [fields]`, where `fields`
//!   walks into the schema (`.data[]` is "each item of the field `data`", `.data[].purpose` the
//!   `purpose` field of those items).
//!
//! [`crate::import`] resolves every pin against the provider's document and writes the vendored
//! spec with our names, so nothing downstream ever sees the provider's. A schema no pin reaches
//! keeps the provider's name (the documented rule) and is reported with the pin to add.

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::doc::{entries, escape_pointer, items, schema_ref, METHODS};

/// The names file, relative to the workspace root.
pub const NAMES: &str = "openapi/names.yaml";

/// The parsed names file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NameMap {
    /// Our operation name -> its method and path.
    pub operations: BTreeMap<String, OperationKey>,
    /// Our schema name -> where the schema is used.
    pub schemas: BTreeMap<String, Location>,
    /// Our operation name -> its path template with our path parameter names
    /// (`/v1/files/{file_id}`): import renames the provider's path parameters to these.
    pub paths: BTreeMap<String, String>,
}

/// An operation as the provider cannot rename it: method and path template.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OperationKey {
    /// Lowercase HTTP method.
    pub method: String,
    /// Path template with every `{parameter}` written `{}`.
    pub path: String,
}

impl OperationKey {
    /// Builds a key from a method and a path template as a document writes them.
    pub fn new(method: &str, path: &str) -> Self {
        Self {
            method: method.to_ascii_lowercase(),
            path: erase_path_params(path),
        }
    }
}

impl fmt::Display for OperationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method.to_ascii_uppercase(), self.path)
    }
}

/// Where in an operation a schema is used.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    /// The schema of a response, by status code.
    Response(String),
    /// The schema of a parameter, by name.
    Param(String),
    /// The schema of the request body.
    Body,
}

/// One step into a schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// A property, by name.
    Field(String),
    /// The items of an array.
    Items,
}

/// A place where a schema is used, e.g. `list_files response 200 .data[]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Our operation name.
    pub operation: String,
    /// The part of the operation.
    pub part: Part,
    /// The steps into the part's schema.
    pub steps: Vec<Step>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.operation)?;
        match &self.part {
            Part::Response(status) => write!(f, "response {status}")?,
            Part::Param(name) => write!(f, "param {name}")?,
            Part::Body => write!(f, "body")?,
        }
        if !self.steps.is_empty() {
            f.write_str(" ")?;
        }
        self.steps.iter().try_for_each(|step| match step {
            Step::Field(name) => write!(f, ".{name}"),
            Step::Items => f.write_str("[]"),
        })
    }
}

impl std::str::FromStr for Location {
    type Err = anyhow::Error;

    fn from_str(text: &str) -> Result<Self> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let (operation, part, rest) = match words.as_slice() {
            [] => bail!("empty location"),
            [op, "response", status, rest @ ..] => (op, Part::Response(status.to_string()), rest),
            [op, "param", name, rest @ ..] => (op, Part::Param(name.to_string()), rest),
            [op, "body", rest @ ..] => (op, Part::Body, rest),
            [_, "response"] => bail!("`response` needs a status"),
            [_, "param"] => bail!("`param` needs a name"),
            [_, other @ ..] => bail!(
                "expected `response`, `param` or `body`, found {:?}",
                other.first()
            ),
        };
        let steps = rest.first().map(|path| parse_steps(path)).transpose()?;
        if let Some(extra) = rest.get(1) {
            bail!("unexpected {extra:?} after the field path");
        }
        Ok(Location {
            operation: operation.to_string(),
            part,
            steps: steps.unwrap_or_default(),
        })
    }
}

fn parse_steps(path: &str) -> Result<Vec<Step>> {
    let mut steps = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("[]") {
            steps.push(Step::Items);
            rest = after;
        } else if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            if end == 0 {
                bail!("empty field name in {path:?}");
            }
            steps.push(Step::Field(after[..end].to_string()));
            rest = &after[end..];
        } else {
            bail!("field paths are written `.name` and `[]`, found {rest:?} in {path:?}");
        }
    }
    Ok(steps)
}

/// `/v1/files/{file_id}/url` -> `/v1/files/{}/url`.
pub fn erase_path_params(path: &str) -> String {
    let mut in_param = false;
    path.chars()
        .filter(|&c| {
            match c {
                '{' => in_param = true,
                '}' => in_param = false,
                _ => return !in_param,
            }
            true
        })
        .collect()
}

/// The names file as written: our name -> `METHOD /path`, and our name -> location.
#[derive(Deserialize)]
struct File {
    #[serde(default)]
    operations: BTreeMap<String, String>,
    #[serde(default)]
    schemas: BTreeMap<String, String>,
}

impl NameMap {
    /// Parses the names file.
    pub fn parse(text: &str) -> Result<Self> {
        let file: File = serde_yaml_ng::from_str(text).context("parsing the names file")?;
        let mut map = NameMap::default();
        for (name, key) in file.operations {
            let (method, path) = key
                .split_once(' ')
                .ok_or_else(|| anyhow!("operation {name}: write `METHOD /path`, found {key:?}"))?;
            if !METHODS.contains(&method.to_ascii_lowercase().as_str()) {
                bail!("operation {name}: unknown method {method:?}");
            }
            let key = OperationKey::new(method, path.trim());
            if let Some((other, _)) = map.operations.iter().find(|(_, k)| **k == key) {
                bail!("operations {other} and {name} both name {key}");
            }
            map.paths.insert(name.clone(), path.trim().to_string());
            map.operations.insert(name, key);
        }
        for (name, text) in file.schemas {
            let location: Location = text
                .parse()
                .with_context(|| format!("schema {name}: location {text:?}"))?;
            if !map.operations.contains_key(&location.operation) {
                bail!(
                    "schema {name}: operation {:?} is not in `operations`",
                    location.operation
                );
            }
            map.schemas.insert(name, location);
        }
        Ok(map)
    }

    /// Reads the names file below `root`.
    pub fn read(root: &std::path::Path) -> Result<Self> {
        let path = root.join(NAMES);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Our name of the operation at `key`, if pinned.
    pub fn operation_name(&self, key: &OperationKey) -> Option<&str> {
        self.operations
            .iter()
            .find(|(_, k)| *k == key)
            .map(|(n, _)| n.as_str())
    }
}

/// A document's operations, by key, with a pointer to each.
pub fn operations(doc: &Value) -> BTreeMap<OperationKey, String> {
    let pointer = |path, method| format!("/paths/{}/{method}", escape_pointer(path));
    entries(&doc["paths"])
        .flat_map(|(path, item)| entries(item).map(move |(method, _)| (path, method)))
        .filter(|(_, method)| METHODS.contains(&method.as_str()))
        .map(|(path, method)| (OperationKey::new(method, path), pointer(path, method)))
        .collect()
}

/// Finds the component schema used at `location`, in a document whose operations are found by
/// `op_pointer` (our operation name -> JSON pointer of the operation).
///
/// `Ok(None)` when the place holds an inline schema rather than a named one.
pub fn resolve(
    doc: &Value,
    op_pointer: &BTreeMap<String, String>,
    location: &Location,
) -> Result<Option<String>> {
    let pointer = op_pointer
        .get(&location.operation)
        .ok_or_else(|| anyhow!("the document has no operation {}", location.operation))?;
    let op = doc
        .pointer(pointer)
        .expect("pointer from the same document");
    let mut node = part_schema(op, &location.part)
        .ok_or_else(|| anyhow!("{location}: the operation has no such {:?}", location.part))?;
    for step in &location.steps {
        let inner = unwrap(doc, node);
        node = match step {
            Step::Field(name) => inner.pointer(&format!("/properties/{}", escape_pointer(name))),
            Step::Items => inner.get("items"),
        }
        .ok_or_else(|| anyhow!("{location}: no {step:?} there"))?;
    }
    Ok(schema_ref(single_branch(node)).map(str::to_string))
}

/// The schema of one part of an operation.
pub fn part_schema<'a>(op: &'a Value, part: &Part) -> Option<&'a Value> {
    match part {
        Part::Response(status) => first_media_schema(op.get("responses")?.get(status)?),
        Part::Param(name) => op
            .get("parameters")?
            .as_array()?
            .iter()
            .find(|p| p["name"] == *name)?
            .get("schema"),
        Part::Body => first_media_schema(op.get("requestBody")?),
    }
}

fn first_media_schema(holder: &Value) -> Option<&Value> {
    let content = holder.get("content")?.as_object()?;
    content
        .get("application/json")
        .or_else(|| content.values().next())?
        .get("schema")
}

/// Follows `$ref`s and single-branch `anyOf`/`oneOf`/`allOf` wrappers (a nullable value is
/// `anyOf: [X, null]`) down to the schema that has properties or items.
fn unwrap<'a>(doc: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..32 {
        let inner = single_branch(node);
        match schema_ref(inner).and_then(|name| doc["components"]["schemas"].get(name)) {
            Some(target) => node = target,
            None => return inner,
        }
    }
    node
}

/// The one non-null branch of an `anyOf`/`oneOf`/`allOf`, or the node itself.
fn single_branch(node: &Value) -> &Value {
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(branches) = node.get(key).and_then(Value::as_array) {
            let mut non_null = branches.iter().filter(|b| b["type"] != "null");
            if let (Some(only), None) = (non_null.next(), non_null.next()) {
                return single_branch(only);
            }
        }
    }
    node
}

/// The first place each component schema is used, walking operations in name order and, in
/// each, responses, parameters, then the body, depth first. Used to suggest a pin for a schema
/// that has none.
pub fn first_locations(
    doc: &Value,
    op_pointer: &BTreeMap<String, String>,
) -> BTreeMap<String, Location> {
    let mut found = BTreeMap::new();
    for (op_name, pointer) in op_pointer {
        let Some(op) = doc.pointer(pointer) else {
            continue;
        };
        let responses = entries(&op["responses"]).map(|(s, _)| Part::Response(s.clone()));
        let params = items(&op["parameters"]).filter_map(|p| p["name"].as_str());
        let params = params.map(|n| Part::Param(n.to_string()));
        for part in responses.chain(params).chain([Part::Body]) {
            if let Some(schema) = part_schema(op, &part) {
                let here = Location {
                    operation: op_name.clone(),
                    part,
                    steps: Vec::new(),
                };
                walk_refs(doc, schema, &here, &mut found, &mut BTreeSet::new());
            }
        }
    }
    found
}

fn walk_refs(
    doc: &Value,
    node: &Value,
    here: &Location,
    found: &mut BTreeMap<String, Location>,
    visiting: &mut BTreeSet<String>,
) {
    if let Some(name) = schema_ref(node) {
        found
            .entry(name.to_string())
            .or_insert_with(|| here.clone());
        if !visiting.insert(name.to_string()) {
            return;
        }
        if let Some(target) = doc["components"]["schemas"].get(name) {
            walk_refs(doc, target, here, found, visiting);
        }
        visiting.remove(name);
        return;
    }
    for branch in ["anyOf", "oneOf", "allOf"].map(|key| items(&node[key])) {
        branch.for_each(|b| walk_refs(doc, b, here, found, visiting));
    }
    let props = entries(&node["properties"]).map(|(name, p)| (Step::Field(name.clone()), p));
    for (step, child) in props.chain(node.get("items").map(|items| (Step::Items, items))) {
        let mut next = here.clone();
        next.steps.push(step);
        walk_refs(doc, child, &next, found, visiting);
    }
}
