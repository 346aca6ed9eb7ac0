use serde_json::{json, Value};
use xtask::overlay::*;

fn overlay(actions: Value) -> Value {
    json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions})
}

#[test]
fn update_merges_and_replaces_scalars_in_place() {
    let mut doc =
        json!({"s": {"A": {"properties": {"x": {"type": "integer", "title": "X"}, "y": {}}}}});
    let missed = apply(
        &mut doc,
        &overlay(
            json!([{"target": "$.s.*.properties.x", "update": {"type": ["integer", "null"]}}]),
        ),
    )
    .unwrap();
    assert!(missed.is_empty());
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
fn a_target_that_matches_nothing_is_reported_not_applied() {
    let mut doc = json!({"a": 1});
    let missed = apply(
        &mut doc,
        &overlay(json!([{"target": "$.nope", "update": {}}])),
    )
    .unwrap();
    assert_eq!(doc, json!({"a": 1}));
    assert_eq!(missed.len(), 1);
    assert!(missed[0].contains("selects nothing"), "{missed:?}");
}

#[test]
fn a_miss_names_the_action_and_the_nearest_existing_name() {
    let mut doc = json!({"components": {"schemas": {"FilePurpose": {"enum": ["a"]}, "Other": {}}}});
    let missed = apply(
        &mut doc,
        &overlay(json!([{
                "target": "$.components.schemas.FilePurpse.enum",
            "description": "Name the audio purpose. It is documented elsewhere.",
            "update": "b"
        }])),
    )
    .unwrap();
    let text = missed.join("\n");
    assert!(text.contains("\"Name the audio purpose.\""), "{text}");
    assert!(
        text.contains("`$.components.schemas` has no member `FilePurpse`"),
        "{text}"
    );
    assert!(
        text.contains("the nearest existing name is \"FilePurpose\""),
        "{text}"
    );
}

#[test]
fn a_miss_in_bracket_or_filter_form_names_the_longest_prefix_that_exists() {
    let doc = json!({"components": {"schemas": {"FilePurpose": {"enum": ["a"]}}}});
    let miss = |target: &str| {
        let mut doc = doc.clone();
        let actions = overlay(json!([{"target": target, "update": "b"}]));
        apply(&mut doc, &actions).unwrap().join("\n")
    };
    let text = miss("$['components'][\"schemas\"]['FilePurpse'].enum");
    assert!(
        text.contains("`$['components'][\"schemas\"]` has no member `FilePurpse`; the nearest existing name is \"FilePurpose\""),
        "{text}"
    );
    let text = miss("$.components.schemas[?@.enum[?@ == 'x']].enum");
    assert!(
        text.contains(
            "(`$.components.schemas` exists, but nothing under it matches `[?@.enum[?@ == 'x']]`)"
        ),
        "{text}"
    );
    let text = miss("$..nope");
    assert!(text.ends_with("selects nothing"), "{text}");
}
