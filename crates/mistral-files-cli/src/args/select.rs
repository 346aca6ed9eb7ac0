//! Selecting files by filter, for `rm` and `download` without ids: the listing's filters, the
//! file's age (`--older-than 7d`) and a name glob, or `--all`. Every filter is in the clap group
//! `filter`: ids conflict with it, and without ids one of them is required, so that no filter at
//! all never means every file by accident.

use std::time::Duration;

use clap::Args;
use mistral_files::{Client, Concurrency, FilePurpose, ListRequest, SampleType, Selection, Source};

use super::wire_enum;

/// The listing's filters: what `ls` lists, and the start of a selection. They form the clap
/// group `filter`, which a selection's other filters join.
#[derive(Debug, Clone, Args)]
#[group(id = "filter", multiple = true)]
pub struct ListFilters {
    /// Only files with this purpose.
    #[arg(long, value_parser = wire_enum::<FilePurpose>())]
    pub purpose: Option<FilePurpose>,
    /// Only files with one of these sample types (repeatable).
    #[arg(long = "sample-type", value_parser = wire_enum::<SampleType>(), value_name = "T")]
    pub sample_types: Vec<SampleType>,
    /// Only files from one of these sources (repeatable).
    // `source_kinds`, not `sources`: the clap id `sources` is `download`'s ids and URLs.
    #[arg(long = "source", value_parser = wire_enum::<Source>(), value_name = "S")]
    pub source_kinds: Vec<Source>,
    /// Only files whose name contains this text.
    #[arg(long, value_name = "Q")]
    pub search: Option<String>,
    /// Only files with one of these MIME types (repeatable).
    #[arg(long = "mimetype", value_name = "M")]
    pub mimetypes: Vec<String>,
}

impl ListFilters {
    /// The library's listing of these filters.
    pub fn request(&self, client: &Client) -> ListRequest {
        let mut list = client
            .list()
            .sample_types(self.sample_types.iter().cloned())
            .sources(self.source_kinds.iter().cloned())
            .mimetypes(self.mimetypes.iter().cloned());
        if let Some(p) = &self.purpose {
            list = list.purpose(p.clone());
        }
        if let Some(q) = &self.search {
            list = list.search(q);
        }
        list
    }
}

/// The filters that select files: the listing's, the file's age and a name glob, or `--all`
/// (all in the clap group `filter`).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Selection (instead of ids)")]
pub struct SelectArgs {
    /// The listing's filters.
    #[command(flatten)]
    pub list: ListFilters,
    /// Only files created at least this long ago: 30m, 12h, 7d, 2w, 1d12h.
    #[arg(long, value_name = "AGE", value_parser = parse_age, group = "filter")]
    pub older_than: Option<Duration>,
    /// Only files created less than this long ago (same units as --older-than).
    #[arg(long, value_name = "AGE", value_parser = parse_age, group = "filter")]
    pub newer_than: Option<Duration>,
    /// Only files whose whole name matches this pattern (* any text, ? one character).
    #[arg(long, value_name = "GLOB", group = "filter")]
    pub name: Option<String>,
    /// Every file (required to select all of them: no filter never means all).
    #[arg(long, group = "filter", conflicts_with_all = ["purpose", "sample_types", "source_kinds",
          "search", "mimetypes", "older_than", "newer_than", "name"])]
    pub all: bool,
}

/// How a selection is acted on (only with filters).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Selection (instead of ids)")]
pub struct BulkArgs {
    /// Print what would be done (one line per file: id, name, size, age) and a total; change
    /// nothing.
    #[arg(long, requires = "filter")]
    pub dry_run: bool,
    /// The most requests in flight; fewer while the service slows down or refuses (429, 503).
    #[arg(long, value_name = "N", default_value_t = 32, requires = "filter",
          allow_negative_numbers = true, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallel: u16,
}

impl SelectArgs {
    /// The library's selection of these filters, acted on `bulk.parallel` requests at most at
    /// once.
    pub fn selection(&self, client: &Client, bulk: &BulkArgs) -> Selection {
        let mut sel = self
            .list
            .request(client)
            .select()
            .concurrency(Concurrency::adaptive(usize::from(bulk.parallel)));
        if let Some(age) = self.older_than {
            sel = sel.older_than(age);
        }
        if let Some(age) = self.newer_than {
            sel = sel.newer_than(age);
        }
        if let Some(glob) = &self.name {
            sel = sel.name(glob);
        }
        sel
    }
}

/// Parses an age: one or more numbers each followed by a unit, `s`, `m`, `h`, `d` or `w`
/// (`90s`, `30m`, `12h`, `7d`, `2w`, `1d12h`).
pub fn parse_age(s: &str) -> Result<Duration, String> {
    let bad = |why: &str| format!("{why} in {s:?}; use a number and a unit: 30m, 12h, 7d, 2w");
    if s.trim().is_empty() {
        return Err(bad("no age"));
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in s.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(bad(&format!("unknown unit {c:?}"))),
        };
        let n: u64 = digits.parse().map_err(|_| bad("a unit without a number"))?;
        digits.clear();
        total = n
            .checked_mul(unit)
            .and_then(|secs| total.checked_add(secs))
            .ok_or_else(|| bad("too long"))?;
    }
    if !digits.is_empty() {
        return Err(bad("a number without a unit"));
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_parse_with_units() {
        let secs = |s: &str| parse_age(s).map(|d| d.as_secs());
        assert_eq!(secs("7d"), Ok(7 * 86_400));
        assert_eq!(secs("12h"), Ok(12 * 3600));
        assert_eq!(secs("30m"), Ok(1800));
        assert_eq!(secs("90s"), Ok(90));
        assert_eq!(secs("2w"), Ok(14 * 86_400));
        assert_eq!(secs("1d12h"), Ok(86_400 + 12 * 3600));
        assert_eq!(secs("0d"), Ok(0));
        for bad in ["", "7", "d", "7x", "-1d", "1.5d", "99999999999999999999d"] {
            assert!(parse_age(bad).is_err(), "{bad}");
        }
        assert!(parse_age("7")
            .unwrap_err()
            .contains("a number without a unit"));
    }
}
