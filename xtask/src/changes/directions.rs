//! Which way each named type travels: sent (reachable from a parameter or a request body),
//! received (reachable from a response), or both. The rules of the change report depend on it.

use super::model::{media_schemas, operations, Direction};
use serde_json::Value;
use std::collections::BTreeMap;

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
