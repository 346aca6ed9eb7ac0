//! What a crate's public API listing (`crates/*/public-api.txt`, one item a line, sorted)
//! says about the release: each line removed or added between two revisions, classified.
//!
//! The rules, for users of the crate:
//! - a **removed** line is breaking: the item, member or impl is gone, or (a changed line is
//!   a removed line and an added one) its signature, type or `#[non_exhaustive]` changed;
//! - an **added** line is additive, except a variant of an enum, or a field of a struct or
//!   enum variant, that is not `#[non_exhaustive]`: exhaustive `match`es and struct literals
//!   that compiled before stop compiling, so it is breaking. (The listing does not show
//!   private fields, so a struct that cannot be built with a literal anyway is still counted:
//!   a bigger bump than needed is safe, a smaller one is not.)
//!
//! Comment lines (`#`, the listing's header) are not items.

use crate::changes::Impact;
use std::collections::BTreeSet;

/// One line that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiLine {
    /// `true`: the line is new; `false`: it is gone.
    pub added: bool,
    /// The listing's line.
    pub line: String,
    /// Its class.
    pub impact: Impact,
    /// Why, when the rule is not the plain one (an added line that is breaking).
    pub why: Option<String>,
}

/// The difference between two listings of one crate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiDiff {
    /// Changed lines, in listing order (a removed line before an added one of the same text).
    pub lines: Vec<ApiLine>,
}

impl ApiDiff {
    /// Classifies the difference from `old` to `new` (the listings' texts).
    pub fn between(old: &str, new: &str) -> ApiDiff {
        let items = |text: &str| -> BTreeSet<String> {
            text.lines()
                .map(str::trim_end)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string)
                .collect()
        };
        let (old_items, new_items) = (items(old), items(new));
        let mut lines: Vec<ApiLine> = old_items
            .difference(&new_items)
            .map(|l| ApiLine {
                added: false,
                line: l.clone(),
                impact: Impact::Breaking,
                why: None,
            })
            .collect();
        for l in new_items.difference(&old_items) {
            let why = exhaustive_member(l, &new_items);
            lines.push(ApiLine {
                added: true,
                line: l.clone(),
                impact: if why.is_some() {
                    Impact::Breaking
                } else {
                    Impact::Additive
                },
                why,
            });
        }
        lines.sort_by(|a, b| a.line.cmp(&b.line).then(a.added.cmp(&b.added)));
        ApiDiff { lines }
    }

    /// The highest impact of the lines; `none` when the listings agree.
    pub fn impact(&self) -> Impact {
        self.lines
            .iter()
            .map(|l| l.impact)
            .max()
            .unwrap_or(Impact::None)
    }

    /// How many lines were removed and added.
    pub fn counts(&self) -> (usize, usize) {
        let added = self.lines.iter().filter(|l| l.added).count();
        (self.lines.len() - added, added)
    }

    /// The lines as the body of a ```` ```diff ```` block (`-` removed, `+` added).
    pub fn to_diff(&self) -> String {
        self.lines
            .iter()
            .map(|l| format!("{} {}\n", if l.added { '+' } else { '-' }, l.line))
            .collect()
    }
}

/// For a new variant or field line, why it breaks users when its parent is exhaustive.
fn exhaustive_member(line: &str, items: &BTreeSet<String>) -> Option<String> {
    let path = member_path(line)?;
    let (parent, _) = path.rsplit_once("::")?;
    for item in items {
        let (marked, rest) = match item.strip_prefix("#[non_exhaustive] ") {
            Some(rest) => (true, rest),
            None => (false, item.as_str()),
        };
        let kind = ["pub enum ", "pub struct ", "pub union "]
            .iter()
            .find_map(|k| rest.strip_prefix(k).map(|p| (k.trim(), p)));
        if let Some((kind, declared)) = kind {
            let name = declared.split(['<', ' ']).next().unwrap_or_default();
            if name == parent {
                let what = if kind == "pub enum" {
                    "a new variant of an enum that is not #[non_exhaustive] (exhaustive matches stop compiling)"
                } else {
                    "a new public field of a struct that is not #[non_exhaustive] (struct literals and patterns stop compiling)"
                };
                return (!marked).then(|| what.to_string());
            }
        }
        // A field of a struct-like enum variant (`pub E::V { .. }`): variants cannot be
        // marked in the listing, so a new field breaks their literals and patterns.
        if rest.strip_prefix("pub ") == Some(&format!("{parent} {{ .. }}")) {
            return Some(
                "a new field of an enum variant (its literals and patterns stop compiling)".into(),
            );
        }
    }
    None
}

/// The path of a variant or field line (`pub a::E::V`, `pub a::E::V(String)`,
/// `pub a::E::V { .. }`, `pub a::S::field: T`); `None` for other items (`pub fn`, impls, ...).
fn member_path(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("pub ")?;
    let first = rest.split([' ', '(']).next()?;
    let first = first.strip_suffix(':').unwrap_or(first);
    // Items start with a keyword (`fn`, `struct`, `async`, `use`, ...), members with a path.
    first.contains("::").then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "# header\n\
        #[non_exhaustive] pub enum c::Open\n\
        #[non_exhaustive] pub struct c::Item\n\
        impl Clone for c::Item\n\
        pub c::Item::id: String\n\
        pub c::Open::A\n\
        pub c::Shut::A\n\
        pub c::Point::x: i64\n\
        pub c::Shape::Circle { .. }\n\
        pub c::Shape::Circle::r: f64\n\
        pub enum c::Shape\n\
        pub enum c::Shut\n\
        pub fn c::Item::name(&self) -> &str\n\
        pub struct c::Point\n";

    fn diff(new: &str) -> ApiDiff {
        ApiDiff::between(OLD, new)
    }

    fn with(extra: &[&str], without: &[&str]) -> String {
        let mut lines: Vec<&str> = OLD.lines().filter(|l| !without.contains(l)).collect();
        lines.extend(extra);
        lines.join("\n")
    }

    #[test]
    fn the_same_listing_is_no_change_and_comments_are_not_items() {
        let d = diff(&OLD.replace("# header", "# another header"));
        assert_eq!(d, ApiDiff::default());
        assert_eq!(d.impact(), Impact::None);
    }

    #[test]
    fn a_removed_or_changed_line_is_breaking() {
        let d = diff(&with(&[], &["impl Clone for c::Item"]));
        assert_eq!(d.impact(), Impact::Breaking);
        assert_eq!(d.counts(), (1, 0));
        let changed = with(
            &["pub fn c::Item::name(&self) -> String"],
            &["pub fn c::Item::name(&self) -> &str"],
        );
        let d = diff(&changed);
        assert_eq!(d.impact(), Impact::Breaking);
        assert_eq!(d.counts(), (1, 1));
        assert_eq!(
            d.to_diff(),
            "- pub fn c::Item::name(&self) -> &str\n+ pub fn c::Item::name(&self) -> String\n"
        );
        // Marking a type #[non_exhaustive] changes its line: breaking.
        let marked = with(
            &["#[non_exhaustive] pub struct c::Point"],
            &["pub struct c::Point"],
        );
        assert_eq!(diff(&marked).impact(), Impact::Breaking);
    }

    #[test]
    fn an_added_item_or_a_member_of_a_non_exhaustive_type_is_additive() {
        for extra in [
            "pub fn c::Item::size(&self) -> u64",
            "impl Debug for c::Item",
            "pub c::Open::B",
            "pub c::Item::size: u64",
            "pub struct c::New",
        ] {
            let d = diff(&with(&[extra], &[]));
            assert_eq!(d.impact(), Impact::Additive, "{extra}");
            assert_eq!(d.counts(), (0, 1));
        }
    }

    #[test]
    fn an_added_member_of_an_exhaustive_type_is_breaking() {
        for extra in [
            "pub c::Shut::B",
            "pub c::Shut::C(String)",
            "pub c::Point::y: i64",
            "pub c::Shape::Circle::centre: (f64, f64)",
        ] {
            let d = diff(&with(&[extra], &[]));
            assert_eq!(d.impact(), Impact::Breaking, "{extra}");
            assert!(d.lines[0].why.is_some(), "{extra}");
        }
    }
}
