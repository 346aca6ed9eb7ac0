//! Applies an [OpenAPI Overlay 1.0](https://spec.openapis.org/overlay/v1.0.0.html) document.
//!
//! Our corrections to the provider's contract live in `openapi/overlay.yaml` rather than as
//! edits of the vendored spec, so that a re-import keeps them. Each action has a `target`
//! (an RFC 9535 JSONPath) and either `remove: true` or an `update`:
//! - target is an object: `update` (an object) is merged in recursively; scalars and arrays
//!   inside it replace what was there;
//! - target is an array: `update` (a value, or an array of values) is appended, each value
//!   only if the array does not hold it yet.
//!
//! An action whose target selects nothing is returned, not applied: a correction that stopped
//! applying (because the provider changed something) must be noticed, in the change report's
//! notes (which the workspace's tests require to be empty), without blocking the report.

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use serde_json_path::JsonPath;

use crate::doc::entries;

/// Applies every action of `overlay` to `doc`, in order. Returns one line per action whose
/// target selected nothing (see [`apply_one`]).
pub fn apply(doc: &mut Value, overlay: &Value) -> Result<Vec<String>> {
    let mut missed = Vec::new();
    for (i, action) in actions(overlay)?.iter().enumerate() {
        if let Some(why) = apply_one(doc, i, action)? {
            missed.push(format!("overlay action {i}{}: {why}", about(action)));
        }
    }
    Ok(missed)
}

/// The actions of an overlay document, in order.
pub fn actions(overlay: &Value) -> Result<&Vec<Value>> {
    let version = overlay["overlay"].as_str().unwrap_or("");
    if !version.starts_with("1.") {
        bail!("expected an Overlay 1.x document, found overlay: {version:?}");
    }
    overlay
        .get("actions")
        .and_then(Value::as_array)
        .ok_or_else(|| anyhow!("the overlay has no `actions` list"))
}

/// Applies action number `i` (from 0) to `doc`; its errors name the action. A target that
/// selects nothing is returned with the nearest name that exists (see the module docs).
pub fn apply_one(doc: &mut Value, i: usize, action: &Value) -> Result<Option<String>> {
    let target = action["target"]
        .as_str()
        .ok_or_else(|| anyhow!("action {i} has no `target`"))?;
    apply_action(doc, action, target)
        .with_context(|| format!("overlay action {i}{} (target {target})", about(action)))
}

/// `: "<first sentence of the description>"`, or nothing.
pub fn about(action: &Value) -> String {
    action["description"]
        .as_str()
        .map(|d| format!(": \"{}\"", first_sentence(d)))
        .unwrap_or_default()
}

fn apply_action(doc: &mut Value, action: &Value, target: &str) -> Result<Option<String>> {
    let path = JsonPath::parse(target).map_err(|e| anyhow!("invalid JSONPath: {e}"))?;
    let pointers: Vec<String> = path
        .query_located(doc)
        .locations()
        .map(|p| p.to_json_pointer())
        .collect();
    if pointers.is_empty() {
        return Ok(Some(format!(
            "the target {target} selects nothing{}",
            nearest_miss(doc, target)
        )));
    }
    if action["remove"] == true {
        // Remove deepest-last-first so earlier pointers stay valid.
        for pointer in pointers.iter().rev() {
            remove_at(doc, pointer)?;
        }
        return Ok(None);
    }
    let update = action
        .get("update")
        .ok_or_else(|| anyhow!("the action has neither `update` nor `remove: true`"))?;
    for pointer in &pointers {
        let node = doc
            .pointer_mut(pointer)
            .ok_or_else(|| anyhow!("lost node {pointer}"))?;
        match node {
            // Appending what is already there would duplicate it (an enum value the provider
            // has since added itself): append only what is missing, so the action becomes
            // redundant (and reported so) rather than wrong.
            Value::Array(items) => {
                let new: Vec<Value> = match update {
                    Value::Array(values) => values.clone(),
                    one => vec![one.clone()],
                };
                for value in new {
                    if !items.contains(&value) {
                        items.push(value);
                    }
                }
            }
            Value::Object(_) => merge(node, update),
            _ => bail!("target {pointer} is neither an object nor an array"),
        }
    }
    Ok(None)
}

fn first_sentence(text: &str) -> &str {
    let text = text.trim();
    text.find(". ").map_or(text, |end| &text[..=end])
}

/// One step of a JSONPath as written: its text, and the member name it selects, if a plain one.
struct Segment<'a> {
    text: &'a str,
    name: Option<String>,
}

/// Splits `$.a.b['c'][?...]` into segments; `None` for forms it does not follow (`..`).
fn segments(target: &str) -> Option<Vec<Segment<'_>>> {
    let rest = target.strip_prefix('$')?;
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&first) = rest.as_bytes().get(i) {
        let start = i;
        match first {
            b'.' if rest[i + 1..].starts_with('.') => return None,
            b'.' => {
                i = rest[i + 1..]
                    .find(['.', '['])
                    .map_or(rest.len(), |n| i + 1 + n);
                let name = &rest[start + 1..i];
                out.push(Segment {
                    text: &rest[start..i],
                    name: (name != "*").then(|| name.to_string()),
                });
            }
            b'[' => {
                // Up to the `]` that closes this one, skipping brackets nested or quoted.
                let (mut depth, mut quote) = (0, None);
                let len = rest[i..].bytes().position(|b| {
                    match (b, quote) {
                        (q @ (b'\'' | b'"'), None) => quote = Some(q),
                        (q, Some(open)) if q == open => quote = None,
                        (b'[', None) => depth += 1,
                        (b']', None) => depth -= 1,
                        _ => return false,
                    }
                    b == b']' && depth == 0
                })?;
                i += len + 1;
                let text = &rest[start..i];
                let inner = text.trim_start_matches('[').trim_end_matches(']');
                let name = ['\'', '"']
                    .iter()
                    .find_map(|&q| inner.strip_prefix(q)?.strip_suffix(q));
                out.push(Segment {
                    text,
                    name: name.map(str::to_string),
                });
            }
            _ => return None,
        }
    }
    Some(out)
}

/// For a target that selects nothing: the longest prefix that does select something, and the
/// existing name nearest to the one that failed.
fn nearest_miss(doc: &Value, target: &str) -> String {
    let Some(segs) = segments(target) else {
        return String::new();
    };
    for cut in (0..segs.len()).rev() {
        let prefix: String = std::iter::once("$")
            .chain(segs[..cut].iter().map(|s| s.text))
            .collect();
        let Ok(path) = JsonPath::parse(&prefix) else {
            continue;
        };
        let found = path.query(doc).all();
        if found.is_empty() {
            continue;
        }
        let Some(missing) = &segs[cut].name else {
            return format!(
                " (`{prefix}` exists, but nothing under it matches `{}`)",
                segs[cut].text
            );
        };
        let keys = found
            .iter()
            .flat_map(|v| entries(v).map(|(k, _)| k.as_str()));
        let hint = crate::prose::nearest_hint(missing, keys);
        return format!(" (`{prefix}` has no member `{missing}`{hint})");
    }
    String::new()
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
