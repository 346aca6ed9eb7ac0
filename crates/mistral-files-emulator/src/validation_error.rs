//! FastAPI / pydantic v2 validation failures, the items of a 422's `detail`: one builder per
//! pydantic error `type` the emulator reports, worded as pydantic words them.
//!
//! Each item is the raw crate's `ValidationErrorItem` (so the emulator cannot answer an item the
//! client does not decode), plus pydantic's `ctx`, which the spec does not model: see
//! [`Violation`].
//!
//! Depends only on `key_order` (a leaf), so that both the request rules (`validation`) and the
//! error answers (`error`, `error_body`) can use it.

use mistral_files_raw::types::{self, LocItem};
use serde_json::{json, Value};

use crate::key_order::in_key_order;

/// The order FastAPI writes an item's keys in (`ctx`, when present, comes last).
const ITEM_KEY_ORDER: [&str; 4] = ["type", "loc", "msg", "input"];

/// One failed request rule.
///
/// `ValidationErrorItem` has no `ctx` (the spec leaves it out; clients ignore it), so the `ctx`
/// pydantic adds to some types travels beside the item and is added when it is serialized.
#[derive(Clone, Debug)]
pub(crate) struct Violation {
    item: types::ValidationErrorItem,
    ctx: Option<Value>,
}

impl Violation {
    /// What a client decodes.
    pub(crate) fn item(&self) -> &types::ValidationErrorItem {
        &self.item
    }

    /// `serialized` (this violation's [`Self::item`] as JSON) in FastAPI's key order, with `ctx`.
    pub(crate) fn in_fastapi_form(&self, serialized: Value) -> Value {
        let mut value = in_key_order(serialized, &ITEM_KEY_ORDER);
        if let (Some(ctx), Value::Object(map)) = (&self.ctx, &mut value) {
            map.insert("ctx".to_string(), ctx.clone());
        }
        value
    }
}

/// Where a violation is: `["query", "page"]`, `["body", "file"]`, ...
pub(crate) fn loc(parts: &[&str]) -> Vec<LocItem> {
    parts
        .iter()
        .map(|p| LocItem::String(p.to_string()))
        .collect()
}

/// Where a violation is, in the `index`-th value of a repeated parameter:
/// `["query", "sample_type", 1]`.
pub(crate) fn loc_at(parts: &[&str], index: usize) -> Vec<LocItem> {
    let mut l = loc(parts);
    l.push(LocItem::Integer(i64::try_from(index).unwrap_or(i64::MAX)));
    l
}

fn violation(
    kind: &str,
    loc: &[LocItem],
    msg: String,
    input: Value,
    ctx: Option<Value>,
) -> Violation {
    let item = types::ValidationErrorItem::builder()
        .type_(kind.to_string())
        .loc(loc.to_vec())
        .msg(msg)
        .input(input)
        .try_into()
        .unwrap_or_else(|e| {
            // Every field is optional and set from a value of its own type: cannot happen.
            tracing::error!(error = %e, "validation item does not fit ValidationErrorItem");
            types::ValidationErrorItem::default()
        });
    Violation { item, ctx }
}

pub(crate) fn missing(loc: &[LocItem]) -> Violation {
    violation(
        "missing",
        loc,
        "Field required".to_string(),
        Value::Null,
        None,
    )
}

pub(crate) fn uuid_parsing(loc: &[LocItem], input: &str, error: &str) -> Violation {
    violation(
        "uuid_parsing",
        loc,
        format!("Input should be a valid UUID, {error}"),
        json!(input),
        Some(json!({"error": error})),
    )
}

pub(crate) fn int_parsing(loc: &[LocItem], input: &str) -> Violation {
    violation(
        "int_parsing",
        loc,
        "Input should be a valid integer, unable to parse string as an integer".to_string(),
        json!(input),
        None,
    )
}

pub(crate) fn bool_parsing(loc: &[LocItem], input: &str) -> Violation {
    violation(
        "bool_parsing",
        loc,
        "Input should be a valid boolean, unable to interpret input".to_string(),
        json!(input),
        None,
    )
}

pub(crate) fn greater_than_equal(loc: &[LocItem], input: &str, ge: i64) -> Violation {
    violation(
        "greater_than_equal",
        loc,
        format!("Input should be greater than or equal to {ge}"),
        json!(input),
        Some(json!({"ge": ge})),
    )
}

pub(crate) fn less_than_equal(loc: &[LocItem], input: &str, le: i64) -> Violation {
    violation(
        "less_than_equal",
        loc,
        format!("Input should be less than or equal to {le}"),
        json!(input),
        Some(json!({"le": le})),
    )
}

/// Only the first 64 characters of `input` are echoed (a name may be very long).
pub(crate) fn string_too_long(loc: &[LocItem], input: &str, max: usize) -> Violation {
    let shown: String = input.chars().take(64).collect();
    violation(
        "string_too_long",
        loc,
        format!("String should have at most {max} characters"),
        json!(shown),
        Some(json!({"max_length": max})),
    )
}

pub(crate) fn value_error(loc: &[LocItem], input: &str, msg: &str) -> Violation {
    violation(
        "value_error",
        loc,
        format!("Value error, {msg}"),
        json!(input),
        Some(json!({"error": {}})),
    )
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

pub(crate) fn enum_error(loc: &[LocItem], input: &str, values: &[&str]) -> Violation {
    let expected = expected_list(values);
    violation(
        "enum",
        loc,
        format!("Input should be {expected}"),
        json!(input),
        Some(json!({"expected": expected})),
    )
}
