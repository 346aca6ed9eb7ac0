//! FastAPI / pydantic v2 validation items (`{"type","loc","msg","input","ctx"?}`): one builder per
//! pydantic error `type` the emulator reports, worded as pydantic words them.
//!
//! A leaf: it depends on nothing else in the crate, so both the request rules and the error
//! answers can use it.

use serde_json::{json, Value};

fn loc(parts: &[Value]) -> Value {
    Value::Array(parts.to_vec())
}

pub(crate) fn missing(loc_parts: &[Value]) -> Value {
    json!({"type": "missing", "loc": loc(loc_parts), "msg": "Field required", "input": null})
}

pub(crate) fn uuid_parsing(loc_parts: &[Value], input: &str, error: &str) -> Value {
    json!({
        "type": "uuid_parsing",
        "loc": loc(loc_parts),
        "msg": format!("Input should be a valid UUID, {error}"),
        "input": input,
        "ctx": {"error": error},
    })
}

pub(crate) fn int_parsing(loc_parts: &[Value], input: &str) -> Value {
    json!({
        "type": "int_parsing",
        "loc": loc(loc_parts),
        "msg": "Input should be a valid integer, unable to parse string as an integer",
        "input": input,
    })
}

pub(crate) fn bool_parsing(loc_parts: &[Value], input: &str) -> Value {
    json!({
        "type": "bool_parsing",
        "loc": loc(loc_parts),
        "msg": "Input should be a valid boolean, unable to interpret input",
        "input": input,
    })
}

pub(crate) fn greater_than_equal(loc_parts: &[Value], input: &str, ge: i64) -> Value {
    json!({
        "type": "greater_than_equal",
        "loc": loc(loc_parts),
        "msg": format!("Input should be greater than or equal to {ge}"),
        "input": input,
        "ctx": {"ge": ge},
    })
}

pub(crate) fn less_than_equal(loc_parts: &[Value], input: &str, le: i64) -> Value {
    json!({
        "type": "less_than_equal",
        "loc": loc(loc_parts),
        "msg": format!("Input should be less than or equal to {le}"),
        "input": input,
        "ctx": {"le": le},
    })
}

pub(crate) fn string_too_long(loc_parts: &[Value], input: &str, max: usize) -> Value {
    let shown: String = input.chars().take(64).collect();
    json!({
        "type": "string_too_long",
        "loc": loc(loc_parts),
        "msg": format!("String should have at most {max} characters"),
        "input": shown,
        "ctx": {"max_length": max},
    })
}

pub(crate) fn value_error(loc_parts: &[Value], input: Value, msg: &str) -> Value {
    json!({
        "type": "value_error",
        "loc": loc(loc_parts),
        "msg": format!("Value error, {msg}"),
        "input": input,
        "ctx": {"error": {}},
    })
}

/// `'a', 'b' or 'c'` as pydantic writes the expected values of an enum.
pub(crate) fn expected_list(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

pub(crate) fn enum_error(loc_parts: &[Value], input: &str, values: &[&str]) -> Value {
    let expected = expected_list(values);
    json!({
        "type": "enum",
        "loc": loc(loc_parts),
        "msg": format!("Input should be {expected}"),
        "input": input,
        "ctx": {"expected": expected},
    })
}
