//! How values are written for people: sizes, dates, file names (for the terminal and for the
//! local file system), one file's details, text cut to a width. A leaf: pure functions.

use indicatif::HumanBytes;
use mistral_files::FileObject;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// A size for people: `1.50 KiB`, or `?` when the service did not say.
pub fn size(bytes: Option<u64>) -> String {
    match bytes {
        Some(b) => HumanBytes(b).to_string(),
        None => "?".to_string(),
    }
}

/// A UNIX time as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn utc_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// How long ago `created_at` (UNIX seconds) was at `now`, in the largest whole unit: `45s`,
/// `12m`, `5h`, `3d`; a time in the future is `0s`.
pub fn age(created_at: i64, now: i64) -> String {
    let secs = now.saturating_sub(created_at).max(0);
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// A file name shown in a terminal: control characters replaced, so a name cannot move the
/// cursor or fake lines.
pub fn display_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { '�' } else { c })
        .collect()
}

/// The human view of one file: `key: value` lines.
pub fn file_details(f: &FileObject) -> Vec<String> {
    let mut lines = vec![
        format!("id:          {}", f.id),
        format!("filename:    {}", display_name(&f.filename)),
        format!(
            "bytes:       {}{}",
            f.bytes.map(|b| b.to_string()).unwrap_or_else(|| "?".into()),
            f.bytes
                .map(|b| format!(" ({})", HumanBytes(b)))
                .unwrap_or_default()
        ),
        format!("purpose:     {}", f.purpose),
        format!("sample_type: {}", f.sample_type),
        format!("source:      {}", f.source),
        format!("created:     {}", utc_time(f.created_at)),
    ];
    if let Some(n) = f.num_lines {
        lines.push(format!("num_lines:   {n}"));
    }
    if let Some(m) = &f.mimetype {
        lines.push(format!("mimetype:    {m}"));
    }
    if let Some(v) = &f.visibility {
        lines.push(format!("visibility:  {v}"));
    }
    if let Some(e) = f.expires_at {
        lines.push(format!("expires:     {}", utc_time(e)));
    }
    if let Some(s) = &f.signature {
        lines.push(format!("signature:   {s}"));
    }
    if f.deleted {
        lines.push("deleted:     true".to_string());
    }
    lines
}

/// `s` cut to at most `max` display columns, in the middle (`evaluation-…-part-03.jsonl`): the
/// end of a name (a part number, the extension) is what tells similar names apart, so it is
/// kept, with a little more room than the start.
pub fn truncate(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let room = max - 1; // the `…`
    let head_room = room * 9 / 20;
    let mut head = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > head_room {
            break;
        }
        head.push(c);
        used += cw;
    }
    let tail_room = room - used;
    let mut tail: Vec<char> = Vec::new();
    let mut tail_used = 0;
    for c in s.chars().rev() {
        let cw = c.width().unwrap_or(0);
        if tail_used + cw > tail_room {
            break;
        }
        tail.push(c);
        tail_used += cw;
    }
    head.push('…');
    head.extend(tail.iter().rev());
    head
}

/// `n` and the noun, singular for one: `1 line`, `2 lines`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc_time(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_time(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(utc_time(951_782_400), "2000-02-29 00:00:00 UTC");
    }

    #[test]
    fn truncates_by_display_width() {
        assert_eq!(truncate("abcdef", 10), "abcdef");
        assert_eq!(truncate("abcdef", 4), "a…ef");
        assert_eq!(truncate("日本語のファイル", 5), "…イル");
        assert_eq!(truncate("abc", 0), "");
        let names = [
            "evaluation-set-with-a-long-name-part-01.jsonl",
            "evaluation-set-with-a-long-name-part-02.jsonl",
            "evaluation-set-with-a-long-name-part-03.jsonl",
        ];
        let shown: Vec<String> = names.iter().map(|n| truncate(n, 26)).collect();
        assert_eq!(shown[2], "evaluation-…-part-03.jsonl");
        assert!(shown.iter().all(|s| s.width() <= 26));
        assert!(shown[0] != shown[1] && shown[1] != shown[2], "{shown:?}");
    }

    #[test]
    fn ages_in_the_largest_whole_unit() {
        assert_eq!(age(100, 100), "0s");
        assert_eq!(age(200, 100), "0s");
        assert_eq!(age(0, 59), "59s");
        assert_eq!(age(0, 3599), "59m");
        assert_eq!(age(0, 86_399), "23h");
        assert_eq!(age(0, 3 * 86_400 + 5), "3d");
        assert_eq!(age(i64::MIN, i64::MAX), format!("{}d", i64::MAX / 86_400));
    }

    #[test]
    fn plurals() {
        assert_eq!(count(1, "line", "lines"), "1 line");
        assert_eq!(count(0, "line", "lines"), "0 lines");
        assert_eq!(count(2, "file", "files"), "2 files");
    }
}
