//! What a selection adds to the listing's filters: the age of a file (by its `created_at`,
//! against the local clock) and a glob on its name. The service filters nothing of the kind, so
//! these are applied to the listed files here.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::types::FileObject;

/// The filters applied to each listed file.
#[derive(Debug, Clone, Default)]
pub(super) struct Filter {
    pub(super) older_than: Option<Duration>,
    pub(super) newer_than: Option<Duration>,
    pub(super) name: Option<String>,
}

impl Filter {
    /// The filter at the instant `now`, ready to test files: the age bounds as `created_at`
    /// cut-offs, taken once so that every file of one run is judged against the same instant.
    pub(super) fn at(&self, now: SystemTime) -> Matcher {
        let now = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let cutoff =
            |d: Duration| now.saturating_sub(i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Matcher {
            created_by: self.older_than.map(cutoff),
            created_after: self.newer_than.map(cutoff),
            name: self.name.as_ref().map(|p| p.chars().collect()),
        }
    }
}

/// A [`Filter`] at one instant.
#[derive(Debug, Clone)]
pub(super) struct Matcher {
    /// `older_than`: created at or before this (UNIX seconds).
    created_by: Option<i64>,
    /// `newer_than`: created after this.
    created_after: Option<i64>,
    /// The name glob, as characters.
    name: Option<Vec<char>>,
}

impl Matcher {
    /// Whether `file` is selected.
    pub(super) fn matches(&self, file: &FileObject) -> bool {
        self.created_by.is_none_or(|t| file.created_at <= t)
            && self.created_after.is_none_or(|t| file.created_at > t)
            && self.name.as_ref().is_none_or(|p| glob(p, &file.filename))
    }
}

/// Whether `name` matches `pattern`: `*` any run of characters (`/` included: a file name has
/// no directories), `?` any one character, anything else itself; the whole name must match.
/// Linear in practice: on a mismatch it backtracks only to the last `*`.
fn glob(pattern: &[char], name: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(&c) if c == '?' || c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                // let the last `*` take one more character
                Some((sp, sn)) => {
                    star = Some((sp, sn + 1));
                    p = sp + 1;
                    n = sn + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(p: &str, n: &str) -> bool {
        glob(&p.chars().collect::<Vec<_>>(), n)
    }

    #[test]
    fn globs() {
        assert!(g("out.jsonl", "out.jsonl"));
        assert!(!g("out.jsonl", "out.jsonl2"));
        assert!(!g("out", "out.jsonl"));
        assert!(g("*.jsonl", "a.jsonl"));
        assert!(g("*.jsonl", ".jsonl"));
        assert!(!g("*.jsonl", "a.json"));
        assert!(g("batch_?.jsonl", "batch_1.jsonl"));
        assert!(!g("batch_?.jsonl", "batch_12.jsonl"));
        assert!(g("*a*b*", "xxaxxbxx"));
        assert!(!g("*a*b*", "xxbxxaxx"));
        assert!(g("*", ""));
        assert!(g("", ""));
        assert!(!g("", "a"));
        assert!(g("é*", "été"));
        assert!(g("**x", "abx"));
    }

    fn file(name: &str, created_at: i64) -> FileObject {
        serde_json::from_value(serde_json::json!({
            "id": "aaaaaaaa-0000-4000-8000-000000000001", "object": "file", "bytes": 1,
            "created_at": created_at, "filename": name, "purpose": "batch",
            "sample_type": "batch", "source": "upload",
        }))
        .unwrap()
    }

    #[test]
    fn ages_against_one_instant() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let day = Duration::from_secs(86_400);
        let older = Filter {
            older_than: Some(day),
            ..Filter::default()
        }
        .at(now);
        assert!(older.matches(&file("a", 1_000_000 - 86_400)));
        assert!(!older.matches(&file("a", 1_000_000 - 86_399)));
        let newer = Filter {
            newer_than: Some(day),
            name: Some("*.jsonl".into()),
            ..Filter::default()
        }
        .at(now);
        assert!(newer.matches(&file("a.jsonl", 1_000_000 - 86_399)));
        assert!(!newer.matches(&file("a.jsonl", 1_000_000 - 86_400)));
        assert!(!newer.matches(&file("a.txt", 1_000_000)));
        // an age beyond any date matches nothing, without overflowing
        let all = Filter {
            older_than: Some(Duration::MAX),
            ..Filter::default()
        }
        .at(now);
        assert!(!all.matches(&file("a", 0)));
    }
}
