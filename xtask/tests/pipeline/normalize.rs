use serde_json::{json, Value};
use xtask::normalize::*;

fn norm(v: Value) -> Value {
    let mut v = v;
    normalize_schema(&mut v);
    v
}

#[test]
fn nullable_scalar() {
    assert_eq!(
        norm(json!({"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "N"})),
        json!({"title": "N", "nullable": true, "type": "integer"})
    );
}

#[test]
fn nullable_ref_becomes_all_of() {
    assert_eq!(
        norm(json!({"anyOf": [{"$ref": "#/x"}, {"type": "null"}]})),
        json!({"nullable": true, "allOf": [{"$ref": "#/x"}]})
    );
}

#[test]
fn null_first_is_handled_too() {
    assert_eq!(
        norm(json!({"oneOf": [{"type": "null"}, {"type": "string"}]})),
        json!({"nullable": true, "type": "string"})
    );
}

#[test]
fn several_branches_keep_any_of() {
    assert_eq!(
        norm(json!({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]})),
        json!({"nullable": true, "anyOf": [{"type": "string"}, {"type": "integer"}]})
    );
}

#[test]
fn type_array_with_null() {
    assert_eq!(
        norm(json!({"type": ["integer", "null"]})),
        json!({"type": "integer", "nullable": true})
    );
}

#[test]
fn examples_array_to_example_but_media_maps_stay() {
    assert_eq!(
        norm(json!({"type": "string", "examples": ["a", "b"]})),
        json!({"type": "string", "example": "a"})
    );
    let media = json!({"examples": {"userExample": {"value": 1}}});
    assert_eq!(norm(media.clone()), media);
}

#[test]
fn ref_siblings_and_const_and_bounds() {
    assert_eq!(
        norm(json!({"$ref": "#/x", "description": "d"})),
        json!({"description": "d", "allOf": [{"$ref": "#/x"}]})
    );
    assert_eq!(norm(json!({"const": "file"})), json!({"enum": ["file"]}));
    assert_eq!(
        norm(json!({"type": "integer", "exclusiveMinimum": 0})),
        json!({"type": "integer", "exclusiveMinimum": true, "minimum": 0})
    );
}

#[test]
fn document_level() {
    let out = normalize(&json!({"openapi": "3.1.0", "paths": {}}));
    assert_eq!(out["openapi"], "3.0.3");
    assert_eq!(out["info"]["title"], "API");
    assert_eq!(out["info"]["version"], "0.0.0");
}
