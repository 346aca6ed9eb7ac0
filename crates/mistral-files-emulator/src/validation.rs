//! The request rules FastAPI and pydantic apply before a handler runs, so that the emulator
//! refuses what the service refuses, with the same 422 items: the query as Starlette decodes it,
//! UUID path parameters, lax booleans, bounded integers, and the spec's enums.
//!
//! Each rule pushes its [`Violation`] to a list rather than failing at once, because FastAPI
//! reports every bad parameter of a request together. Depends on `validation_error` (the items)
//! and `error` (a path id answers on its own); no handler or state.

use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use mistral_files_raw::open_enums::{FilePurpose, FileVisibility, SampleType, Source};
use mistral_files_raw::types::LocItem;
use uuid::Uuid;

use crate::error::ApiError;
use crate::validation_error::{self, Violation};

/// The raw crate's open enums as the emulator validates them: a value is accepted when the
/// spec lists it (`KNOWN`, generated from the spec), so a value added upstream is accepted as
/// soon as the spec is regenerated, and the 422 message lists exactly those values.
pub(crate) trait SpecEnum: for<'a> From<&'a str> + std::fmt::Display {
    /// The wire values the spec lists, in its order.
    const KNOWN: &'static [&'static str];
}

macro_rules! spec_enums {
    ($($t:ty),*) => {$(
        impl SpecEnum for $t {
            const KNOWN: &'static [&'static str] = <$t>::KNOWN;
        }
    )*};
}
spec_enums!(FilePurpose, SampleType, Source, FileVisibility);

/// Percent-decoded query pairs in order (`+` is a space, as in form encoding).
pub(crate) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(|q| {
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    })
    .unwrap_or_default()
}

/// Parses a path `file_id` as pydantic would, answering FastAPI's 422 shape when it is not a UUID.
/// Nothing that is not a UUID ever reaches the store.
pub(crate) fn file_id_from_path(
    raw: Result<Path<String>, PathRejection>,
) -> Result<Uuid, ApiError> {
    let loc = validation_error::loc(&["path", "file_id"]);
    let raw = match raw {
        Ok(Path(s)) => s,
        Err(_) => {
            return Err(ApiError::Validation(vec![validation_error::uuid_parsing(
                &loc,
                "",
                "invalid character in path segment",
            )]))
        }
    };
    Uuid::parse_str(&raw).map_err(|_| {
        ApiError::Validation(vec![validation_error::uuid_parsing(
            &loc,
            &raw,
            &uuid_error_text(&raw),
        )])
    })
}

/// The reason pydantic gives for a string that is not a UUID (it words the errors of the
/// `uuid` crate it is built on, in that crate's order: bad character, length, groups).
pub(crate) fn uuid_error_text(input: &str) -> String {
    let (s, offset) = if let Some(rest) = input.strip_prefix("urn:uuid:") {
        (rest, 9)
    } else if input.len() >= 2 && input.starts_with('{') && input.ends_with('}') {
        (&input[1..input.len() - 1], 1)
    } else {
        (input, 0)
    };
    let mut hyphens = 0;
    for (i, c) in s.char_indices() {
        if c == '-' {
            hyphens += 1;
        } else if !c.is_ascii_hexdigit() {
            return format!(
                "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `{c}` at {}",
                i + offset + 1
            );
        }
    }
    if hyphens == 0 {
        return format!(
            "invalid length: expected length 32 for simple format, found {}",
            s.len()
        );
    }
    let groups: Vec<&str> = s.split('-').collect();
    if groups.len() != 5 {
        return format!("invalid group count: expected 5, found {}", groups.len());
    }
    for (g, (part, expected)) in groups.iter().zip([8, 4, 4, 4, 12]).enumerate() {
        if part.len() != expected {
            return format!(
                "invalid group length in group {g}: expected {expected}, found {}",
                part.len()
            );
        }
    }
    "invalid format".to_string()
}

/// Parses one of pydantic's lax booleans (`true`, `yes`, `1`, `off`, ...), else pushes
/// `bool_parsing`.
pub(crate) fn parse_lax_bool(
    loc: &[LocItem],
    raw: &str,
    errors: &mut Vec<Violation>,
) -> Option<bool> {
    match raw.to_ascii_lowercase().as_str() {
        "1" | "on" | "t" | "true" | "y" | "yes" => Some(true),
        "0" | "off" | "f" | "false" | "n" | "no" => Some(false),
        _ => {
            errors.push(validation_error::bool_parsing(loc, raw));
            None
        }
    }
}

/// Parses an integer as pydantic 2 does in lax mode, the way Python's `int()` reads a string:
/// surrounding whitespace, a sign, single `_` between digits (`1_0`), and a fractional part of
/// zeros only (`10.0`, `10.`). `None` for anything else (`10.5`, `1__0`, `_1`, `1e3`, empty).
pub(crate) fn lax_int(raw: &str) -> Option<i64> {
    let s = raw.trim_matches(|c: char| c.is_whitespace());
    let s = match s.split_once('.') {
        Some((int, frac)) if frac.bytes().all(|b| b == b'0') => int,
        Some(_) => return None,
        None => s,
    };
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let b = digits.as_bytes();
    let well_formed = !b.is_empty()
        && b[0].is_ascii_digit()
        && b[b.len() - 1].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_digit() || *c == b'_')
        && !digits.contains("__");
    if !well_formed {
        return None;
    }
    let mut n: i64 = 0;
    for c in b.iter().filter(|c| c.is_ascii_digit()) {
        let d = i64::from(c - b'0');
        n = n.checked_mul(10).and_then(|n| {
            if negative {
                n.checked_sub(d)
            } else {
                n.checked_add(d)
            }
        })?;
    }
    Some(n)
}

/// Parses an integer in `ge..=le` (no upper bound without `le`) with [`lax_int`]'s rules, else
/// pushes `int_parsing`, `greater_than_equal` or `less_than_equal`.
pub(crate) fn parse_bounded_int(
    loc: &[LocItem],
    raw: &str,
    ge: i64,
    le: Option<i64>,
    errors: &mut Vec<Violation>,
) -> Option<i64> {
    let violation = match lax_int(raw).ok_or(()) {
        Err(()) => validation_error::int_parsing(loc, raw),
        Ok(n) if n < ge => validation_error::greater_than_equal(loc, raw, ge),
        Ok(n) => match le {
            Some(le) if n > le => validation_error::less_than_equal(loc, raw, le),
            _ => return Some(n),
        },
    };
    errors.push(violation);
    None
}

/// Parses an enum field: `Some` value when the spec lists it, else `None` and the pydantic
/// `enum` error (listing the spec's values) pushed to `errors`.
pub(crate) fn parse_spec_enum<E: SpecEnum>(
    loc: &[LocItem],
    raw: &str,
    errors: &mut Vec<Violation>,
) -> Option<E> {
    if E::KNOWN.contains(&raw) {
        Some(E::from(raw))
    } else {
        errors.push(validation_error::enum_error(loc, raw, E::KNOWN));
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(errors: &[Violation]) -> Vec<String> {
        errors
            .iter()
            .map(|v| v.item().type_.clone().unwrap_or_default())
            .collect()
    }

    #[test]
    fn bounded_integers_and_lax_booleans() {
        let loc = validation_error::loc(&["query", "n"]);
        let mut errors = Vec::new();
        assert_eq!(
            parse_bounded_int(&loc, " 5 ", 1, Some(5), &mut errors),
            Some(5)
        );
        assert_eq!(parse_bounded_int(&loc, "0", 0, None, &mut errors), Some(0));
        assert_eq!(parse_bounded_int(&loc, "x", 1, None, &mut errors), None);
        assert_eq!(parse_bounded_int(&loc, "0", 1, None, &mut errors), None);
        assert_eq!(parse_bounded_int(&loc, "6", 1, Some(5), &mut errors), None);
        assert_eq!(parse_lax_bool(&loc, "YES", &mut errors), Some(true));
        assert_eq!(parse_lax_bool(&loc, "off", &mut errors), Some(false));
        assert_eq!(parse_lax_bool(&loc, "maybe", &mut errors), None);
        assert_eq!(
            kinds(&errors),
            [
                "int_parsing",
                "greater_than_equal",
                "less_than_equal",
                "bool_parsing"
            ]
        );
    }

    #[test]
    fn integers_are_read_as_python_reads_them() {
        for (raw, n) in [
            ("10", 10),
            (" 10 ", 10),
            ("10.0", 10),
            ("10.", 10),
            ("10.000", 10),
            ("1_0", 10),
            ("1_000.0", 1000),
            ("+7", 7),
            ("-3", -3),
            ("-0.0", 0),
            ("007", 7),
        ] {
            assert_eq!(lax_int(raw), Some(n), "{raw:?}");
        }
        for raw in [
            "",
            " ",
            "10.5",
            "1__0",
            "_10",
            "10_",
            "1e3",
            "0x10",
            ".0",
            "1 0",
            "--1",
            "+",
            "99999999999999999999",
        ] {
            assert_eq!(lax_int(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn uuid_errors_are_worded_like_pydantic() {
        assert_eq!(
            uuid_error_text("abc"),
            "invalid length: expected length 32 for simple format, found 3"
        );
        assert_eq!(
            uuid_error_text("../.."),
            "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `.` at 1"
        );
        assert_eq!(
            uuid_error_text("1234-5678"),
            "invalid group count: expected 5, found 2"
        );
        assert_eq!(
            uuid_error_text("12345678-1234-1234-1234-1234567890a"),
            "invalid group length in group 4: expected 12, found 11"
        );
    }
}
