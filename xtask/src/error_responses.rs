//! One error schema per operation, for progenitor.
//!
//! progenitor 0.15 gives each operation one error type and panics when the error responses of
//! an operation declare several schemas (`response_types.len() <= 1`). The provider documents
//! FastAPI's 422 `HTTPValidationError` on most of its operations, and our overlay declares the
//! permissive `ErrorBody` for every `4XX` and `5XX`; both on one operation is the ordinary case.
//!
//! **The rule**: when an operation's error responses (`4xx`, `5xx`, the `4XX`/`5XX` ranges and
//! `default`) carry more than one distinct `content`, every one of them gets the content of the
//! catch-all client-error response: `4XX` if declared, else `default`, else the first error
//! response in status order. The other schemas stay in `components` (their types are still
//! generated, and the committed normalized document keeps each response as declared); only
//! the copy progenitor reads is changed, and each merge is reported as a note. `ErrorBody` is
//! written to decode every error shape the service sends (a 422 validation list included), so
//! nothing is lost.
//!
//! Then a status that a range (`4XX`, `5XX`) of the same body covers is dropped from that copy:
//! progenitor matches ranges before single statuses, so the single one would be an unreachable
//! match arm (a warning, an error under `-D warnings`), and it decodes the same either way.

use serde_json::Value;

/// Merges the error responses of every operation of `doc` (the copy progenitor reads) by the
/// rule above; returns one note per operation changed.
pub fn merge(doc: &mut Value) -> Vec<String> {
    let mut notes = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return notes;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            let name = op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("{} {path}", method.to_uppercase()));
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            if let Some(note) = merge_operation(&name, responses) {
                notes.push(note);
            }
            drop_covered(responses);
        }
    }
    notes
}

fn is_error(status: &str) -> bool {
    status == "default" || status.starts_with('4') || status.starts_with('5')
}

fn merge_operation(name: &str, responses: &mut serde_json::Map<String, Value>) -> Option<String> {
    let content = |r: &Value| r.get("content").cloned().unwrap_or(Value::Null);
    let mut errors: Vec<String> = responses.keys().filter(|s| is_error(s)).cloned().collect();
    errors.sort();
    let mut distinct: Vec<Value> = Vec::new();
    for status in &errors {
        let c = content(&responses[status.as_str()]);
        if !distinct.contains(&c) {
            distinct.push(c);
        }
    }
    if distinct.len() <= 1 {
        return None;
    }
    let chosen = ["4XX", "default"]
        .into_iter()
        .find(|s| responses.contains_key(*s))
        .map(str::to_string)
        .unwrap_or_else(|| errors[0].clone());
    let winner = content(&responses[chosen.as_str()]);
    let mut merged = Vec::new();
    for status in &errors {
        let response = responses.get_mut(status.as_str()).expect("listed above");
        if content(response) != winner {
            merged.push(format!("{status} ({})", describe(&content(response))));
            if let Some(r) = response.as_object_mut() {
                match &winner {
                    Value::Null => r.shift_remove("content"),
                    w => r.insert("content".into(), w.clone()),
                };
            }
        }
    }
    Some(format!(
        "operation {name}: its error responses declare {} different bodies; the generated client decodes {} as the {chosen} body ({}), by the rule of xtask/src/error_responses.rs",
        distinct.len(),
        merged.join(", "),
        describe(&winner)
    ))
}

/// Removes each single status whose range (`422` -> `4XX`) is declared with the same body.
fn drop_covered(responses: &mut serde_json::Map<String, Value>) {
    let covered: Vec<String> = responses
        .keys()
        .filter(|status| status.len() == 3 && status.chars().all(|c| c.is_ascii_digit()))
        .filter(|status| {
            let range = format!("{}XX", &status[..1]);
            responses
                .get(&range)
                .is_some_and(|r| r.get("content") == responses[status.as_str()].get("content"))
        })
        .cloned()
        .collect();
    for status in covered {
        responses.shift_remove(&status);
    }
}

/// `ErrorBody`, `application/json: object`, or `no body`.
fn describe(content: &Value) -> String {
    let Some(map) = content.as_object() else {
        return "no body".into();
    };
    let parts: Vec<String> = map
        .iter()
        .map(|(media, m)| {
            let schema = m.get("schema").unwrap_or(&Value::Null);
            crate::doc::schema_ref(schema)
                .map(str::to_string)
                .unwrap_or_else(|| format!("{media}: {}", crate::changes::schema::ty(schema)))
        })
        .collect();
    parts.join(", ")
}
