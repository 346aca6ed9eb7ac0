//! JSON key order for bodies serialized from `mistral-files-raw`'s types.
//!
//! The generated structs serialize their fields in declaration order (alphabetical); the
//! provider and FastAPI write them in another order. Parsers do not care, but people reading
//! `curl` output and fixtures compared byte for byte do, so every body is put back in the order
//! the service writes it.
//!
//! A leaf: used by the modules that serialize raw types (`wire`, `error_body`,
//! `validation_error`), it uses nothing of the crate.

use serde_json::{Map, Value};

/// `value` with the keys of `order` first, in that order, then any other key in the order it had
/// (a field the spec adds later still reaches the client).
pub(crate) fn in_key_order(value: Value, order: &[&str]) -> Value {
    let Value::Object(mut map) = value else {
        return value;
    };
    let mut ordered = Map::new();
    for key in order {
        // `shift_remove`: the keys left over keep their relative order
        if let Some(v) = map.shift_remove(*key) {
            ordered.insert((*key).to_string(), v);
        }
    }
    ordered.extend(map);
    Value::Object(ordered)
}

#[cfg(test)]
mod tests {
    use super::in_key_order;
    use serde_json::json;

    #[test]
    fn listed_keys_first_then_the_others_in_their_order() {
        let v = json!({"a": 1, "z": 2, "m": 3, "b": 4});
        let got = serde_json::to_string(&in_key_order(v, &["m", "a", "absent"])).unwrap();
        assert_eq!(got, r#"{"m":3,"a":1,"z":2,"b":4}"#);
        assert_eq!(in_key_order(json!([1]), &["a"]), json!([1]));
    }
}
