//! The change report's units: the classification of whole documents (the report module),
//! a schema's bounds, the raw crate's API listing, and the overlay actions' effects.

mod report {
    use serde_json::{json, Value};
    use xtask::changes::{compare, Impact, Report};

    fn doc(file_props: Value, required: Value, purposes: Value, params: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "paths": {"/v1/files": {"get": {
                "operationId": "list_files",
                "parameters": params,
                "responses": {"200": {"description": "OK", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/FileObject"}}}}}
            }}},
            "components": {"schemas": {
                "FileObject": {"type": "object", "properties": file_props, "required": required},
                "FilePurpose": {"type": "string", "enum": purposes}
            }}
        })
    }

    fn base() -> Value {
        doc(
            json!({"id": {"type": "string"}, "purpose": {"$ref": "#/components/schemas/FilePurpose"}}),
            json!(["id"]),
            json!(["batch", "ocr"]),
            json!([{"name": "page", "in": "query", "required": false, "schema": {"type": "integer"}}]),
        )
    }

    fn impact_of(new: &Value) -> (Impact, String) {
        let report = compare(&base(), new);
        (report.impact(), report.to_text())
    }

    #[test]
    fn nothing_changed_is_none() {
        let (impact, text) = impact_of(&base());
        assert_eq!(impact, Impact::None);
        assert_eq!(text, "impact: none\n");
    }

    #[test]
    fn new_optional_field_and_enum_value_are_additive() {
        let mut new = base();
        new["components"]["schemas"]["FileObject"]["properties"]["labels"] =
            json!({"type": "string"});
        new["components"]["schemas"]["FilePurpose"]["enum"] = json!(["batch", "ocr", "speech"]);
        let (impact, text) = impact_of(&new);
        assert_eq!(impact, Impact::Additive, "{text}");
        assert!(
            text.contains("additive: type FileObject .labels: new field (string)"),
            "{text}"
        );
        assert!(
            text.contains("additive: type FilePurpose: new enum values: `speech`"),
            "{text}"
        );
        assert!(text.ends_with("impact: additive\n"), "{text}");
    }

    #[test]
    fn removals_renames_and_type_changes_are_breaking() {
        let mut new = base();
        new["components"]["schemas"]["FileObject"]["properties"]
            .as_object_mut()
            .unwrap()
            .shift_remove("purpose");
        new["paths"]["/v1/files"]["get"]["parameters"][0]["name"] = json!("page_number");
        new["components"]["schemas"]["FilePurpose"]["enum"] = json!(["batch"]);
        let (impact, text) = impact_of(&new);
        assert_eq!(impact, Impact::Breaking, "{text}");
        for line in [
            "breaking: type FileObject .purpose: removed",
            "breaking: operation list_files query page: renamed to `query page_number`? (removed, and an entry of the same shape added: integer)",
            "breaking: type FilePurpose: enum values removed: `ocr`",
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
    }

    #[test]
    fn a_new_required_parameter_is_breaking_and_a_field_turning_optional_too() {
        let mut new = base();
        new["paths"]["/v1/files"]["get"]["parameters"][0]["required"] = json!(true);
        new["components"]["schemas"]["FileObject"]["required"] = json!([]);
        let (impact, text) = impact_of(&new);
        assert_eq!(impact, Impact::Breaking);
        assert!(
            text.contains("operation list_files query page: now required"),
            "{text}"
        );
        assert!(text.contains("type FileObject .id: now optional"), "{text}");
    }

    #[test]
    fn doc_text_is_docs_and_provider_renames_are_none() {
        let mut new = base();
        new["components"]["schemas"]["FileObject"]["description"] = json!("A file.");
        let (impact, _) = impact_of(&new);
        assert_eq!(impact, Impact::Docs);

        let mut old = base();
        old["components"]["schemas"]["FileObject"]["x-provider-name"] = json!("FileSchema");
        let mut new = base();
        new["components"]["schemas"]["FileObject"]["x-provider-name"] = json!("FileResponse");
        let report = compare(&old, &new);
        assert_eq!(report.impact(), Impact::None);
        assert!(report
            .to_text()
            .contains("renamed FileSchema -> FileResponse"));
    }

    #[test]
    fn children_of_a_removed_type_are_not_listed_again() {
        let mut new = base();
        new["components"]["schemas"]
            .as_object_mut()
            .unwrap()
            .shift_remove("FilePurpose");
        new["components"]["schemas"]["FileObject"]["properties"]
            .as_object_mut()
            .unwrap()
            .shift_remove("purpose");
        let report = compare(&base(), &new);
        let text = report.to_text();
        assert!(
            text.contains("breaking: type FilePurpose: removed"),
            "{text}"
        );
        assert!(!text.contains("enum values"), "{text}");
    }

    #[test]
    fn a_new_bound_on_an_input_is_breaking() {
        let mut new = base();
        new["paths"]["/v1/files"]["get"]["parameters"][0]["schema"]["maximum"] = json!(168);
        new["paths"]["/v1/files"]["get"]["parameters"][0]["schema"]["minimum"] = json!(1);
        let (impact, text) = impact_of(&new);
        assert_eq!(impact, Impact::Breaking, "{text}");
        assert!(
            text.contains(
                "breaking: operation list_files query page: bounds narrowed from none to [1..168]"
            ),
            "{text}"
        );
    }

    /// One field of a type used one way or both ways: the same change is additive or breaking by
    /// direction.
    fn field_change(used_as_input: bool, used_as_output: bool, old: Value, new: Value) -> Report {
        let doc = |field: Value| {
            let mut ops = serde_json::Map::new();
            let schema = json!({"$ref": "#/components/schemas/T"});
            if used_as_input {
                ops.insert(
                    "post".into(),
                    json!({"operationId": "send",
                    "requestBody": {"content": {"application/json": {"schema": schema}}},
                    "responses": {"200": {"description": "OK"}}}),
                );
            }
            if used_as_output {
                ops.insert("get".into(), json!({"operationId": "read",
                    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}}));
            }
            json!({"paths": {"/t": ops}, "components": {"schemas": {"T": {"type": "object",
                "properties": {"f": field}, "required": ["f"]}}}})
        };
        compare(&doc(old), &doc(new))
    }

    #[test]
    fn the_same_change_is_judged_by_the_direction_its_value_travels() {
        let widened = (
            json!({"type": "integer", "maximum": 10}),
            json!({"type": "integer", "maximum": 20}),
        );
        let nullable = (
            json!({"type": "integer"}),
            json!({"type": "integer", "nullable": true}),
        );
        for ((old, new), input, output, expected) in [
            (widened.clone(), true, false, Impact::Additive),
            (widened.clone(), false, true, Impact::Breaking),
            (widened.clone(), true, true, Impact::Breaking),
            (
                (widened.1.clone(), widened.0.clone()),
                true,
                false,
                Impact::Breaking,
            ),
            (
                (widened.1.clone(), widened.0.clone()),
                false,
                true,
                Impact::Additive,
            ),
            // Null accepted (input) is wider; null possible (output) is wider, and the field's Rust
            // type turns into Option<T> either way.
            (nullable.clone(), false, true, Impact::Breaking),
            (
                (nullable.1.clone(), nullable.0.clone()),
                false,
                true,
                Impact::Breaking,
            ),
        ] {
            let report = field_change(input, output, old, new);
            assert_eq!(
                report.impact(),
                expected,
                "input {input}, output {output}:\n{}",
                report.to_text()
            );
        }
        let text = field_change(true, false, nullable.0.clone(), nullable.1.clone()).to_text();
        assert!(
            text.contains("additive: type T .f: now nullable: null is accepted"),
            "{text}"
        );
        assert!(
            text.contains(
                "breaking: type T .f: Rust API: the field's type changes from T to Option<T>"
            ),
            "{text}"
        );
    }
}

mod schema {
    use serde_json::json;
    use serde_json::Value;
    use xtask::changes::schema::{Range, Schema};

    fn range(old: Value, new: Value) -> Range {
        Schema::of(&new)
            .bounds
            .compared_to(&Schema::of(&old).bounds)
    }

    /// An integer schema with the keywords of `extra`.
    fn int(extra: Value) -> Value {
        let mut s = json!({"type": "integer"});
        s.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        s
    }

    #[test]
    fn bounds_move_by_the_set_of_values_they_accept() {
        assert_eq!(range(int(json!({})), int(json!({}))), Range::Same);
        assert_eq!(
            range(int(json!({})), int(json!({"minimum": 1}))),
            Range::Narrower
        );
        assert_eq!(
            range(int(json!({"minimum": 1})), int(json!({}))),
            Range::Wider
        );
        assert_eq!(
            range(int(json!({"maximum": 10})), int(json!({"maximum": 20}))),
            Range::Wider
        );
        assert_eq!(
            range(int(json!({"maximum": 20})), int(json!({"maximum": 10}))),
            Range::Narrower
        );
        assert_eq!(
            range(int(json!({"minimum": 1})), int(json!({"minimum": 0}))),
            Range::Wider
        );
        // Same value, turned exclusive: narrower at either end.
        let excl = |k: &str, flag: &str| int(json!({k: 5, flag: true}));
        assert_eq!(
            range(
                int(json!({"minimum": 5})),
                excl("minimum", "exclusiveMinimum")
            ),
            Range::Narrower
        );
        assert_eq!(
            range(
                int(json!({"maximum": 5})),
                excl("maximum", "exclusiveMaximum")
            ),
            Range::Narrower
        );
        assert_eq!(
            range(
                excl("maximum", "exclusiveMaximum"),
                int(json!({"maximum": 5}))
            ),
            Range::Wider
        );
        // One end up, the other up too: some values in, some out.
        assert_eq!(
            range(
                int(json!({"minimum": 1, "maximum": 10})),
                int(json!({"minimum": 2, "maximum": 20}))
            ),
            Range::Different
        );
    }

    #[test]
    fn string_bounds_move_by_the_set_of_values_they_accept() {
        let s = |p: Value| {
            json!({"type": "string"})
                .as_object()
                .unwrap()
                .clone()
                .into_iter()
                .chain(p.as_object().unwrap().clone())
                .collect::<serde_json::Map<_, _>>()
        };
        assert_eq!(
            range(
                Value::Object(s(json!({"maxLength": 3}))),
                Value::Object(s(json!({"maxLength": 4})))
            ),
            Range::Wider
        );
        assert_eq!(
            range(
                Value::Object(s(json!({"pattern": "a"}))),
                Value::Object(s(json!({"pattern": "b"})))
            ),
            Range::Different
        );
    }

    #[test]
    fn a_nullable_branch_and_its_default_are_facets_of_one_schema() {
        let s = Schema::of(
            &json!({"allOf": [{"$ref": "#/components/schemas/X"}], "nullable": true, "default": "a"}),
        );
        assert_eq!(s.base, "X");
        assert!(s.nullable);
        assert_eq!(s.to_string(), "X? = \"a\"");
    }
}

mod rust_api {
    use xtask::changes::rust_api::{all_changes, changes, key, scope_of};
    use xtask::changes::{Change, Impact};

    #[test]
    fn items_are_keyed_by_their_path_and_scoped_by_owner() {
        let cases = [
            (
                "pub mistral_files_raw::types::FileObject::num_lines: Option<i64>",
                "pub mistral_files_raw::types::FileObject::num_lines",
                "type FileObject",
            ),
            (
                "pub fn mistral_files_raw::builder::ListFiles<'a>::page<V>(self, value: V) -> Self where V: std::convert::TryInto<i64>",
                "pub fn mistral_files_raw::builder::ListFiles::page",
                "operation list_files",
            ),
            (
                "#[non_exhaustive] pub struct mistral_files_raw::types::Search",
                "pub struct mistral_files_raw::types::Search",
                "type Search",
            ),
            (
                "pub fn mistral_files_raw::Client::list_files(&self) -> builder::ListFiles<'_>",
                "pub fn mistral_files_raw::Client::list_files",
                "operation list_files",
            ),
        ];
        for (line, k, scope) in cases {
            assert_eq!(key(line), k);
            assert_eq!(scope_of(&key(line)), scope, "{line}");
        }
    }

    #[test]
    fn a_changed_item_is_one_line_unless_its_scope_already_breaks() {
        let old = "# header\npub mistral_files_raw::types::FileObject::num_lines: Option<i64>\n";
        let new = "# header\npub mistral_files_raw::types::FileObject::num_lines: Option<u64>\n";
        let lines = changes(old, new, &[]);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].what.contains(
            "becomes `pub mistral_files_raw::types::FileObject::num_lines: Option<u64>`"
        ));
        let contract = [Change {
            impact: Impact::Breaking,
            subject: "type FileObject .x".into(),
            what: "removed".into(),
        }];
        assert!(changes(old, new, &contract).is_empty());
        assert_eq!(all_changes(old, old), Vec::new());
    }
}

mod overlays {
    use serde_json::json;
    use serde_json::Value;
    use xtask::changes::overlays::{effects, Effect};

    fn spec(purposes: Value, expiry: Value) -> Value {
        json!({"openapi": "3.1.0", "paths": {"/f/{id}": {"get": {"operationId": "get_signed_url",
            "parameters": [{"name": "expiry", "in": "query", "schema": expiry}],
            "responses": {"200": {"description": "OK"}}}}},
            "components": {"schemas": {"FilePurpose": {"type": "string", "enum": purposes}}}})
    }

    fn ours() -> Value {
        json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": [
            {"target": "$.components.schemas.FilePurpose.enum", "update": "audio",
             "description": "Name audio. More."},
            {"target": "$.paths.*[?@.operationId == 'get_signed_url'].parameters[?@.name == 'expiry'].schema",
             "update": {"minimum": 1, "maximum": 168}}
        ]})
    }

    #[test]
    fn an_action_the_provider_caught_up_with_is_redundant() {
        let caught_up = spec(
            json!(["batch", "audio"]),
            json!({"type": "integer", "minimum": 1, "maximum": 168}),
        );
        let effects = effects(&caught_up, &ours()).unwrap();
        assert!(effects.iter().all(Effect::redundant), "{effects:?}");
        assert_eq!(
            effects[0].note().unwrap(),
            "overlay action 0: \"Name audio.\": the provider now says this; remove it from openapi/overlay.yaml"
        );
    }

    #[test]
    fn a_live_action_names_what_it_changes() {
        let behind = spec(json!(["batch"]), json!({"type": "integer"}));
        let effects = effects(&behind, &ours()).unwrap();
        assert!(effects[0].covers("type FilePurpose"), "{effects:?}");
        assert!(
            effects[1].covers("operation get_signed_url query expiry"),
            "{effects:?}"
        );
        assert!(!effects[1].covers("type FilePurpose"));
    }
}
