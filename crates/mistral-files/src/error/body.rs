//! The body of an API error response, parsed into whichever of the service's shapes it has.
//!
//! The service answers errors in several JSON shapes (and proxies in front of it answer with
//! HTML or plain text); callers should not have to guess which. This file only knows bytes and
//! JSON, not HTTP or the crate's [`Error`](crate::Error), so it can be tested on its own.

use serde::{Deserialize, Serialize};

/// The body of an API error response, parsed into whichever of the service's shapes it has.
///
/// ```
/// use mistral_files::ApiErrorBody;
/// let b = ApiErrorBody::parse(br#"{"detail":"Unauthorized"}"#);
/// assert!(matches!(b, ApiErrorBody::Detail { ref detail, .. } if detail == "Unauthorized"));
/// let b = ApiErrorBody::parse(b"<html>Bad gateway</html>");
/// assert!(matches!(b, ApiErrorBody::Text(_)));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ApiErrorBody {
    /// `{"detail": "…"}`, optionally with a `message` (e.g. an invalid file format), or with a
    /// `description` and `errors` (a JSONL file's bad lines, one entry each).
    Detail {
        /// The `detail` string.
        detail: String,
        /// The `message`, if present.
        message: Option<String>,
        /// The `description`, if present (e.g. `Found 2 errors in this file. …`).
        description: Option<String>,
        /// The `errors` list of a refused JSONL file: each bad line's number and what is wrong
        /// with it (empty when the body has none).
        errors: Vec<LineError>,
    },
    /// `{"detail": [{"type", "loc", "msg", "input"}, …]}`: request validation failed (422).
    Validation(Vec<ValidationItem>),
    /// `{"object": "error", "message", "type", "param", "code"}`.
    Message {
        /// The message.
        message: String,
        /// The `type` field.
        error_type: Option<String>,
        /// The `code` field (a string or number, kept as text).
        code: Option<String>,
        /// The `param` field, if not null.
        param: Option<serde_json::Value>,
    },
    /// Any other JSON value.
    Json(serde_json::Value),
    /// A non-JSON body (plain text, or an HTML page from a proxy), truncated to a few KiB.
    Text(String),
    /// No body at all.
    Empty,
}

/// One item of a validation error list (`{"detail": [ … ]}`).
///
/// ```
/// use mistral_files::{ApiErrorBody, ValidationItem};
/// let b = ApiErrorBody::parse(br#"{"detail":[{"type":"missing","loc":["body","file"],"msg":"Field required","input":null}]}"#);
/// let ApiErrorBody::Validation(items) = b else { panic!() };
/// assert_eq!(items[0].loc_string(), "body.file");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationItem {
    /// The error kind, e.g. `missing`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Where: e.g. `["body", "file"]` (strings and indexes).
    #[serde(default)]
    pub loc: Vec<serde_json::Value>,
    /// The human-readable message.
    #[serde(default)]
    pub msg: String,
    /// The offending input, if echoed.
    #[serde(default)]
    pub input: Option<serde_json::Value>,
}

impl ValidationItem {
    /// `loc` joined with dots, e.g. `body.file`.
    ///
    /// ```
    /// let item = mistral_files::ValidationItem { kind: "missing".into(), loc: vec!["query".into(), 0.into()], msg: "x".into(), input: None };
    /// assert_eq!(item.loc_string(), "query.0");
    /// ```
    pub fn loc_string(&self) -> String {
        self.loc
            .iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// One bad line of an uploaded JSONL file, as the service lists it in a 422's `errors`.
///
/// ```
/// use mistral_files::ApiErrorBody;
/// let b = ApiErrorBody::parse(br#"{"detail":"Invalid file format.","description":"Found 1 error in this file.","errors":[{"message":"line contains invalid json: EOF","line_number":3}]}"#);
/// let ApiErrorBody::Detail { errors, .. } = b else { panic!() };
/// assert_eq!(errors[0].line_number, Some(3));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    /// What is wrong with the line.
    pub message: String,
    /// The line's number, from 1 (when the service gave one).
    pub line_number: Option<u64>,
}

const MAX_TEXT: usize = 4096;
/// Most line errors kept from one body.
const MAX_LINE_ERRORS: usize = 1000;

impl ApiErrorBody {
    /// Parse an error body. Never fails: anything unrecognised is kept as [`ApiErrorBody::Json`] or
    /// [`ApiErrorBody::Text`].
    ///
    /// ```
    /// use mistral_files::ApiErrorBody;
    /// let b = ApiErrorBody::parse(br#"{"object":"error","message":"Rate limit","type":"rate_limited","param":null,"code":"1300"}"#);
    /// assert!(matches!(b, ApiErrorBody::Message { ref message, .. } if message == "Rate limit"));
    /// ```
    pub fn parse(raw: &[u8]) -> Self {
        if raw.iter().all(|b| b.is_ascii_whitespace()) {
            return ApiErrorBody::Empty;
        }
        let value: serde_json::Value = match serde_json::from_slice(raw) {
            Ok(v) => v,
            Err(_) => {
                let end = raw.len().min(MAX_TEXT);
                let mut text = String::from_utf8_lossy(&raw[..end]).into_owned();
                if raw.len() > MAX_TEXT {
                    text.push('…');
                }
                return ApiErrorBody::Text(text);
            }
        };
        let obj = match value.as_object() {
            Some(o) => o,
            None => return ApiErrorBody::Json(value),
        };
        let message = obj
            .get("message")
            .and_then(|m| m.as_str())
            .map(str::to_owned);
        match obj.get("detail") {
            Some(serde_json::Value::String(d)) => {
                return ApiErrorBody::Detail {
                    detail: d.clone(),
                    message,
                    description: obj
                        .get("description")
                        .and_then(|m| m.as_str())
                        .map(str::to_owned),
                    errors: line_errors(obj.get("errors")),
                };
            }
            Some(serde_json::Value::Array(items)) => {
                let parsed: Option<Vec<ValidationItem>> = items
                    .iter()
                    .map(|i| serde_json::from_value(i.clone()).ok())
                    .collect();
                if let Some(items) = parsed {
                    return ApiErrorBody::Validation(items);
                }
            }
            _ => {}
        }
        if let Some(message) = message {
            let text = |k: &str| match obj.get(k) {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Null) | None => None,
                Some(other) => Some(other.to_string()),
            };
            return ApiErrorBody::Message {
                message,
                error_type: text("type"),
                code: text("code"),
                param: obj.get("param").filter(|p| !p.is_null()).cloned(),
            };
        }
        ApiErrorBody::Json(value)
    }

    /// The bad lines of a refused JSONL file, when the body lists them (empty otherwise).
    ///
    /// ```
    /// let b = mistral_files::ApiErrorBody::parse(br#"{"detail":"Invalid file format.","errors":[{"message":"line is empty","line_number":2}]}"#);
    /// assert_eq!(b.line_errors()[0].message, "line is empty");
    /// ```
    pub fn line_errors(&self) -> &[LineError] {
        match self {
            ApiErrorBody::Detail { errors, .. } => errors,
            _ => &[],
        }
    }

    /// A one-line summary of the body, for messages.
    ///
    /// ```
    /// let b = mistral_files::ApiErrorBody::parse(br#"{"detail":"Unauthorized"}"#);
    /// assert_eq!(b.summary(), "Unauthorized");
    /// ```
    pub fn summary(&self) -> String {
        match self {
            ApiErrorBody::Detail {
                detail,
                message,
                description,
                errors,
            } => {
                let mut s = detail.clone();
                for extra in [message, description].into_iter().flatten() {
                    s.push(' ');
                    s.push_str(extra);
                }
                const SHOWN: usize = 3;
                let lines: Vec<String> = errors
                    .iter()
                    .take(SHOWN)
                    .map(|e| match e.line_number {
                        Some(n) => format!("line {n}: {}", e.message),
                        None => e.message.clone(),
                    })
                    .collect();
                if !lines.is_empty() {
                    s.push_str(" (");
                    s.push_str(&lines.join("; "));
                    if errors.len() > SHOWN {
                        s.push_str(&format!("; {} more", errors.len() - SHOWN));
                    }
                    s.push(')');
                }
                s
            }
            ApiErrorBody::Validation(items) => items
                .iter()
                .map(|i| format!("{}: {}", i.loc_string(), i.msg))
                .collect::<Vec<_>>()
                .join("; "),
            ApiErrorBody::Message { message, code, .. } => match code {
                Some(c) => format!("{message} (code {c})"),
                None => message.clone(),
            },
            ApiErrorBody::Json(v) => {
                let s = v.to_string();
                if s.len() > 300 {
                    let mut cut = 300;
                    while !s.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    format!("{}…", &s[..cut])
                } else {
                    s
                }
            }
            ApiErrorBody::Text(t) => {
                let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
                if t.chars().count() > 200 {
                    format!("{}…", t.chars().take(200).collect::<String>())
                } else {
                    t
                }
            }
            ApiErrorBody::Empty => String::new(),
        }
    }
}

/// The `errors` list of a JSONL error body, read leniently (a message that is not a string is
/// kept as its JSON text; a missing or odd line number is `None`), at most
/// [`MAX_LINE_ERRORS`] entries.
fn line_errors(value: Option<&serde_json::Value>) -> Vec<LineError> {
    let Some(serde_json::Value::Array(items)) = value else {
        return Vec::new();
    };
    items
        .iter()
        .take(MAX_LINE_ERRORS)
        .map(|item| LineError {
            message: match item.get("message") {
                Some(serde_json::Value::String(m)) => m.clone(),
                Some(serde_json::Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            },
            line_number: item.get("line_number").and_then(serde_json::Value::as_u64),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_shapes() {
        assert_eq!(
            ApiErrorBody::parse(br#"{"detail": "Invalid file format.", "message": "Received file with mimetype application/zip"}"#),
            ApiErrorBody::Detail {
                detail: "Invalid file format.".into(),
                message: Some("Received file with mimetype application/zip".into()),
                description: None,
                errors: Vec::new(),
            }
        );
        let jsonl = ApiErrorBody::parse(
            br#"{"detail": "Invalid file format.", "description": "Found 2 errors in this file.", "errors": [{"message": "line contains invalid json: x", "line_number": 1}, {"message": 7, "line_number": "two"}]}"#,
        );
        assert_eq!(
            jsonl,
            ApiErrorBody::Detail {
                detail: "Invalid file format.".into(),
                message: None,
                description: Some("Found 2 errors in this file.".into()),
                errors: vec![
                    LineError {
                        message: "line contains invalid json: x".into(),
                        line_number: Some(1)
                    },
                    LineError {
                        message: "7".into(),
                        line_number: None
                    },
                ],
            }
        );
        assert_eq!(
            jsonl.summary(),
            "Invalid file format. Found 2 errors in this file. (line 1: line contains invalid json: x; 7)"
        );
        let v = ApiErrorBody::parse(
            br#"{"detail":[{"type":"int_parsing","loc":["query","page",0],"msg":"bad","input":"x"}]}"#,
        );
        match v {
            ApiErrorBody::Validation(items) => {
                assert_eq!(items[0].kind, "int_parsing");
                assert_eq!(items[0].loc_string(), "query.page.0");
            }
            other => panic!("{other:?}"),
        }
        let m = ApiErrorBody::parse(
            br#"{"object":"error","message":"m","type":"t","param":null,"code":3000}"#,
        );
        assert_eq!(
            m,
            ApiErrorBody::Message {
                message: "m".into(),
                error_type: Some("t".into()),
                code: Some("3000".into()),
                param: None
            }
        );
        assert_eq!(ApiErrorBody::parse(b""), ApiErrorBody::Empty);
        assert!(matches!(
            ApiErrorBody::parse(b"[1,2]"),
            ApiErrorBody::Json(_)
        ));
        assert!(matches!(
            ApiErrorBody::parse(b"upstream connect error"),
            ApiErrorBody::Text(_)
        ));
        let long = vec![b'x'; 100_000];
        match ApiErrorBody::parse(&long) {
            ApiErrorBody::Text(t) => assert!(t.len() < 5000),
            other => panic!("{other:?}"),
        }
    }
}
