//! Applies an [OpenAPI Overlay 1.0](https://spec.openapis.org/overlay/v1.0.0.html) document.
//!
//! Our corrections to the provider's contract live in `openapi/overlay.yaml` rather than as
//! edits of the vendored spec, so that a re-import keeps them. Each action has a `target`
//! (an RFC 9535 JSONPath) and either `remove: true` or an `update`:
//! - target is an object: `update` (an object) is merged in recursively; scalars and arrays
//!   inside it replace what was there;
//! - target is an array: `update` is appended.
//!
//! An action whose target selects nothing is an error: a correction that silently stopped
//! applying (because the provider renamed something) must be noticed.

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use serde_json_path::JsonPath;

/// Applies every action of `overlay` to `doc`, in order.
pub fn apply(doc: &mut Value, overlay: &Value) -> Result<()> {
    let version = overlay.get("overlay").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("1.") {
        bail!("expected an Overlay 1.x document, found overlay: {version:?}");
    }
    let actions = overlay
        .get("actions")
        .and_then(Value::as_array)
        .ok_or_else(|| anyhow!("the overlay has no `actions` list"))?;
    for (i, action) in actions.iter().enumerate() {
        let target = action
            .get("target")
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("action {i} has no `target`"))?;
        apply_action(doc, action, target)
            .with_context(|| format!("overlay action {i} (target {target})"))?;
    }
    Ok(())
}

fn apply_action(doc: &mut Value, action: &Value, target: &str) -> Result<()> {
    let path = JsonPath::parse(target).map_err(|e| anyhow!("invalid JSONPath: {e}"))?;
    let pointers: Vec<String> = path
        .query_located(doc)
        .locations()
        .map(|p| p.to_json_pointer())
        .collect();
    if pointers.is_empty() {
        bail!("the target selects nothing; the spec may have changed under this correction");
    }
    let remove = action
        .get("remove")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if remove {
        // Remove deepest-last-first so earlier pointers stay valid.
        for pointer in pointers.iter().rev() {
            remove_at(doc, pointer)?;
        }
        return Ok(());
    }
    let update = action
        .get("update")
        .ok_or_else(|| anyhow!("the action has neither `update` nor `remove: true`"))?;
    for pointer in &pointers {
        let node = doc
            .pointer_mut(pointer)
            .ok_or_else(|| anyhow!("lost node {pointer}"))?;
        match node {
            Value::Array(items) => items.push(update.clone()),
            Value::Object(_) => merge(node, update),
            _ => bail!("target {pointer} is neither an object nor an array"),
        }
    }
    Ok(())
}

fn remove_at(doc: &mut Value, pointer: &str) -> Result<()> {
    let (parent, last) = pointer
        .rsplit_once('/')
        .ok_or_else(|| anyhow!("cannot remove the document root"))?;
    let key = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&key);
        }
        Some(Value::Array(items)) => {
            let i: usize = key.parse()?;
            items.remove(i);
        }
        _ => bail!("no parent container at {parent}"),
    }
    Ok(())
}

fn merge(into: &mut Value, update: &Value) {
    match (into, update) {
        (Value::Object(target), Value::Object(changes)) => {
            for (k, v) in changes {
                match target.get_mut(k) {
                    Some(existing @ Value::Object(_)) if v.is_object() => merge(existing, v),
                    _ => {
                        target.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (slot, value) => *slot = value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: Value) -> Value {
        json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions})
    }

    #[test]
    fn update_merges_and_replaces_scalars_in_place() {
        let mut doc =
            json!({"s": {"A": {"properties": {"x": {"type": "integer", "title": "X"}, "y": {}}}}});
        apply(
            &mut doc,
            &overlay(
                json!([{"target": "$.s.*.properties.x", "update": {"type": ["integer", "null"]}}]),
            ),
        )
        .unwrap();
        assert_eq!(
            doc["s"]["A"]["properties"]["x"],
            json!({"type": ["integer", "null"], "title": "X"})
        );
        // order of properties is kept
        let keys: Vec<_> = doc["s"]["A"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys, ["x", "y"]);
    }

    #[test]
    fn filters_remove_and_append() {
        let mut doc = json!({"s": {"A": {"p": {"b": 1}, "l": [1]}, "B": {"p": {}}}});
        apply(
            &mut doc,
            &overlay(json!([
                {"target": "$.s[?@.p.b].l", "update": 2},
                {"target": "$.s.B", "remove": true}
            ])),
        )
        .unwrap();
        assert_eq!(doc, json!({"s": {"A": {"p": {"b": 1}, "l": [1, 2]}}}));
    }

    #[test]
    fn a_target_that_matches_nothing_is_an_error() {
        let mut doc = json!({"a": 1});
        let err = apply(
            &mut doc,
            &overlay(json!([{"target": "$.nope", "update": {}}])),
        )
        .unwrap_err();
        assert!(format!("{err:#}").contains("selects nothing"), "{err:#}");
    }
}
