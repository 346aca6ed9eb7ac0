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
            crate::names::ref_name(schema)
                .unwrap_or_else(|| format!("{media}: {}", crate::changes::schema::ty(schema)))
        })
        .collect();
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(name: &str) -> Value {
        json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}})
    }

    #[test]
    fn several_error_bodies_become_the_catch_all_one() {
        let mut doc = json!({"paths": {"/a": {"get": {"operationId": "list_files", "responses": {
            "200": {"content": body("Page")},
            "422": {"content": body("HTTPValidationError")},
            "4XX": {"content": body("ErrorBody")},
            "5XX": {"content": body("ErrorBody")}
        }}}}});
        let notes = merge(&mut doc);
        let responses = &doc["paths"]["/a"]["get"]["responses"];
        // 422 now has the 4XX body, so the range covers it.
        assert!(responses.get("422").is_none(), "{responses}");
        assert_eq!(responses["4XX"]["content"], body("ErrorBody"));
        assert_eq!(responses["200"]["content"], body("Page"));
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains("operation list_files")
                && notes[0].contains("422 (HTTPValidationError)"),
            "{notes:?}"
        );
    }

    #[test]
    fn one_error_body_needs_no_merge_and_a_covered_status_goes() {
        let mut doc = json!({"paths": {"/a": {"get": {"responses": {
            "404": {"content": body("ErrorBody")},
            "4XX": {"content": body("ErrorBody")},
            "500": {"content": body("ErrorBody")}
        }}}}});
        assert!(merge(&mut doc).is_empty());
        let responses = &doc["paths"]["/a"]["get"]["responses"];
        assert!(responses.get("404").is_none(), "{responses}");
        // No 5XX range: the single status stays.
        assert_eq!(responses["500"]["content"], body("ErrorBody"));
    }

    #[test]
    fn without_a_catch_all_the_first_status_wins() {
        let mut doc = json!({"paths": {"/a": {"get": {"responses": {
            "422": {"content": body("HTTPValidationError")},
            "404": {"content": body("NotFound")}
        }}}}});
        merge(&mut doc);
        let responses = &doc["paths"]["/a"]["get"]["responses"];
        assert_eq!(responses["422"]["content"], body("NotFound"));
    }
}
