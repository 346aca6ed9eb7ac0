//! One value's schema, as the change report compares it: its base type, nullability, bounds,
//! default, deprecation and (for parameters) serialization style, each a facet of its own so
//! that each can be classified by its own rule (see the `rules` module).

use serde_json::Value;
use std::cmp::Ordering;
use std::fmt;

/// A schema's facets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schema {
    /// The type without nullability or bounds: `FileObject` (a reference, by name), `integer`,
    /// `string(uuid)`, `array<SampleType>`, `anyOf<string | integer>`.
    pub base: String,
    /// Whether `null` is a value.
    pub nullable: bool,
    /// The accepted range.
    pub bounds: Bounds,
    /// The default, as JSON text.
    pub default: Option<String>,
    /// Whether it is marked deprecated.
    pub deprecated: bool,
    /// How a parameter travels when it is not the default for its place (`form, explode`
    /// for a query array is the default and is left out).
    pub style: Option<String>,
}

/// The bounds a schema declares. Numbers are kept as written (JSON text) and compared as
/// numbers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bounds {
    /// `minimum`, and whether it is exclusive.
    pub minimum: Option<(String, bool)>,
    /// `maximum`, and whether it is exclusive.
    pub maximum: Option<(String, bool)>,
    /// `minLength`, `maxLength`.
    pub length: (Option<String>, Option<String>),
    /// `minItems`, `maxItems`.
    pub items: (Option<String>, Option<String>),
    /// `pattern`.
    pub pattern: Option<String>,
}

/// How the accepted set of values moved between two bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// The same values.
    Same,
    /// Every old value and more.
    Wider,
    /// A part of the old values only.
    Narrower,
    /// Some values added and some taken away (or a pattern changed: not comparable).
    Different,
}

impl Schema {
    /// The facets of a (normalized) schema.
    pub fn of(schema: &Value) -> Schema {
        let inner = single(schema);
        Schema {
            base: base_ty(schema),
            nullable: is_true(schema, "nullable") || is_true(inner, "nullable"),
            bounds: Bounds::of(schema).or(Bounds::of(inner)),
            default: schema
                .get("default")
                .or_else(|| inner.get("default"))
                .map(Value::to_string),
            deprecated: is_true(schema, "deprecated"),
            style: None,
        }
    }
}

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.base, self.bounds)?;
        if self.nullable {
            f.write_str("?")?;
        }
        if let Some(d) = &self.default {
            write!(f, " = {d}")?;
        }
        if let Some(s) = &self.style {
            write!(f, " ({s})")?;
        }
        if self.deprecated {
            f.write_str(" deprecated")?;
        }
        Ok(())
    }
}

/// Whether `key` is `true` in `v` (absent means `false`, as for every OpenAPI flag).
pub(super) fn is_true(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool) == Some(true)
}

/// The one branch of a single-branch `allOf`/`anyOf`/`oneOf`, or the schema itself.
pub fn single(schema: &Value) -> &Value {
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some([only]) = schema.get(key).and_then(Value::as_array).map(Vec::as_slice) {
            return single(only);
        }
    }
    schema
}

/// A parameter's `style`/`explode` when they differ from the defaults of its place
/// (`form` + explode for query and cookie, `simple` for path and header).
pub fn param_style(param: &Value, place: &str) -> Option<String> {
    let default_style = if matches!(place, "query" | "cookie") {
        "form"
    } else {
        "simple"
    };
    let style = param
        .get("style")
        .and_then(Value::as_str)
        .unwrap_or(default_style);
    let explode = param
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style == "form");
    let default = style == default_style && explode == (style == "form");
    (!default).then(|| format!("style {style}, explode {explode}"))
}

impl Bounds {
    fn of(schema: &Value) -> Bounds {
        let num = |k: &str| {
            schema
                .get(k)
                .filter(|v| v.is_number())
                .map(|v| v.to_string())
        };
        Bounds {
            minimum: num("minimum").map(|v| (v, is_true(schema, "exclusiveMinimum"))),
            maximum: num("maximum").map(|v| (v, is_true(schema, "exclusiveMaximum"))),
            length: (num("minLength"), num("maxLength")),
            items: (num("minItems"), num("maxItems")),
            pattern: schema
                .get("pattern")
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }

    fn or(self, other: Bounds) -> Bounds {
        if self == Bounds::default() {
            other
        } else {
            self
        }
    }

    /// How the accepted set moved from `old` to `self`.
    pub fn compared_to(&self, old: &Bounds) -> Range {
        // A lower bound moving up (or appearing, or turning exclusive) narrows, down widens;
        // an upper bound the other way round.
        let (lower, upper) = (Ordering::Greater, Ordering::Less);
        let facets = [
            bound(&old.minimum, &self.minimum, lower),
            bound(&old.maximum, &self.maximum, upper),
            bound(&flag(&old.length.0), &flag(&self.length.0), lower),
            bound(&flag(&old.length.1), &flag(&self.length.1), upper),
            bound(&flag(&old.items.0), &flag(&self.items.0), lower),
            bound(&flag(&old.items.1), &flag(&self.items.1), upper),
            pattern(&old.pattern, &self.pattern),
        ];
        facets.into_iter().fold(Range::Same, combine)
    }
}

fn flag(v: &Option<String>) -> Option<(String, bool)> {
    v.clone().map(|v| (v, false))
}

fn combine(a: Range, b: Range) -> Range {
    match (a, b) {
        (Range::Same, x) | (x, Range::Same) => x,
        (x, y) if x == y => x,
        _ => Range::Different,
    }
}

/// One bound moving; `tighter` is the direction in which a new value takes values away.
fn bound(old: &Option<(String, bool)>, new: &Option<(String, bool)>, tighter: Ordering) -> Range {
    let number = |text: &str| text.parse().unwrap_or(f64::NAN);
    match (old, new) {
        (None, None) => Range::Same,
        (None, Some(_)) => Range::Narrower,
        (Some(_), None) => Range::Wider,
        (Some((o, oe)), Some((n, ne))) => match number(n).partial_cmp(&number(o)) {
            Some(Ordering::Equal) if oe == ne => Range::Same,
            Some(Ordering::Equal) if *ne => Range::Narrower,
            Some(Ordering::Equal) => Range::Wider,
            Some(moved) if moved == tighter => Range::Narrower,
            Some(_) => Range::Wider,
            None => Range::Different,
        },
    }
}

fn pattern(old: &Option<String>, new: &Option<String>) -> Range {
    match (old, new) {
        (a, b) if a == b => Range::Same,
        (None, Some(_)) => Range::Narrower,
        (Some(_), None) => Range::Wider,
        _ => Range::Different,
    }
}

impl fmt::Display for Bounds {
    /// `[min..max]` for numbers (parentheses for exclusive ends), `len[..]`, `items[..]` and
    /// `/pattern/`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.minimum.is_some() || self.maximum.is_some() {
            let (lo, lo_ex) = self.minimum.clone().unwrap_or_default();
            let (hi, hi_ex) = self.maximum.clone().unwrap_or_default();
            let open = if lo_ex { "(" } else { "[" };
            let close = if hi_ex { ")" } else { "]" };
            write!(f, "{open}{lo}..{hi}{close}")?;
        }
        for (name, (lo, hi)) in [("len", &self.length), ("items", &self.items)] {
            if lo.is_some() || hi.is_some() {
                let lo = lo.clone().unwrap_or_default();
                let hi = hi.clone().unwrap_or_default();
                write!(f, " {name}[{lo}..{hi}]")?;
            }
        }
        if let Some(p) = &self.pattern {
            write!(f, " /{p}/")?;
        }
        Ok(())
    }
}

/// A schema's type, written compactly (see [`Schema::base`]), `?` marking nullable, bounds
/// left out: what a response or a type's shape is described by.
pub fn ty(schema: &Value) -> String {
    let base = base_ty(schema);
    if is_true(schema, "nullable") {
        format!("{base}?")
    } else {
        base
    }
}

fn base_ty(schema: &Value) -> String {
    if let Some(name) = crate::doc::schema_ref(schema) {
        return name.to_string();
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            if let [only] = branches.as_slice() {
                return base_ty(only);
            }
            let parts: Vec<String> = branches.iter().map(ty).collect();
            return format!("{key}<{}>", parts.join(" | "));
        }
    }
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("any");
    match kind {
        "array" => format!("array<{}>", ty(schema.get("items").unwrap_or(&Value::Null))),
        "object" if schema.get("properties").is_none() => {
            match schema.get("additionalProperties") {
                Some(Value::Object(v)) => format!("map<{}>", ty(&Value::Object(v.clone()))),
                _ => "object".into(),
            }
        }
        _ => match schema.get("format").and_then(Value::as_str) {
            Some(f) => format!("{kind}({f})"),
            None => kind.into(),
        },
    }
}
