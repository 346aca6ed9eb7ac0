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
            let impact = why.as_ref().map_or(Impact::Additive, |_| Impact::Breaking);
            lines.push(ApiLine {
                added: true,
                line: l.clone(),
                impact,
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
        let rest = item.strip_prefix("#[non_exhaustive] ");
        let (marked, rest) = (rest.is_some(), rest.unwrap_or(item));
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
