//! Which way each named type travels: sent (reachable from a parameter or a request body),
//! received (reachable from a response), or both. The rules of the change report depend on it.

use crate::doc::METHODS;
use serde_json::Value;
use std::collections::BTreeMap;

/// Which way a type's values travel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Direction {
    /// Sent by the client (parameters, request bodies).
    pub input: bool,
    /// Received by the client (responses).
    pub output: bool,
}

pub(super) const INPUT: Direction = Direction {
    input: true,
    output: false,
};
pub(super) const OUTPUT: Direction = Direction {
    input: false,
    output: true,
};

/// Every operation of a document: its path, method and object.
pub(super) fn operations(doc: &Value) -> Vec<(String, &'static str, &Value)> {
    let mut out = Vec::new();
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for method in METHODS {
            if let Some(op) = item.get(*method) {
                out.push((path.clone(), *method, op));
            }
        }
    }
    out
}

/// The schemas of a request body's or response's media types.
pub(super) fn media_schemas(holder: Option<&Value>) -> Vec<(String, &Value)> {
    holder
        .and_then(|h| h.get("content"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(m, v)| (m.clone(), v.get("schema").unwrap_or(&Value::Null)))
        .collect()
}

/// Which way each named type travels, following references from every operation.
pub fn of_types(doc: &Value) -> BTreeMap<String, Direction> {
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
        let responses = op.get("responses").and_then(Value::as_object);
        for (_, response) in responses.into_iter().flatten() {
            for (_, schema) in media_schemas(Some(response)) {
                mark(doc, schema, false, &mut dirs);
            }
        }
    }
    dirs
}

fn mark(doc: &Value, node: &Value, input: bool, dirs: &mut BTreeMap<String, Direction>) {
    match node {
        Value::Object(map) => {
            if let Some(name) = crate::doc::schema_ref(node) {
                let d = dirs.entry(name.to_string()).or_default();
                let seen =
                    std::mem::replace(if input { &mut d.input } else { &mut d.output }, true);
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
