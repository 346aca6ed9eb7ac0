//! The `ls` table, fitted to a width: rows that wrap in the terminal are unreadable.
//!
//! The width is `COLUMNS` when set, else the terminal's; piped with no `COLUMNS` (or with
//! `--wide`) nothing is shortened, so scripts and `grep` see whole names. To fit, the name is
//! shortened first (with `…`), down to a few characters; then the date loses its seconds, then its
//! time. The id is never shortened: it is what users copy.

use mistral_files::FileObject;
use unicode_width::UnicodeWidthStr;

use crate::format::{display_name, size, truncate, utc_time};

/// Spaces between columns.
const GAP: usize = 2;

/// The width to fit the table to: `None` for no limit (`--wide`, or stdout not a terminal and no
/// `COLUMNS`).
pub fn table_width(wide: bool) -> Option<usize> {
    if wide {
        return None;
    }
    let columns = std::env::var("COLUMNS").ok();
    if let Some(c) = columns.and_then(|v| v.trim().parse::<usize>().ok()) {
        return (c > 0).then_some(c);
    }
    console::Term::stdout()
        .size_checked()
        .map(|(_rows, cols)| usize::from(cols))
}

/// One way of laying the table out: how the date is written, and the narrowest name allowed.
struct Plan {
    /// Characters of `YYYY-MM-DD HH:MM:SS UTC` kept (23 all, 16 to the minute, 10 the date).
    date_chars: usize,
    /// The narrowest the name column may get in this plan.
    min_name: usize,
}

const PLANS: [Plan; 3] = [
    Plan {
        date_chars: 23,
        min_name: 16,
    },
    Plan {
        date_chars: 16,
        min_name: 12,
    },
    Plan {
        date_chars: 10,
        min_name: 6,
    },
];

/// A table of files (id, name, size, purpose, created) at most `width` columns wide when that is
/// possible at all (`None`: no limit).
pub fn file_table(files: &[FileObject], width: Option<usize>) -> String {
    let names: Vec<String> = files.iter().map(|f| display_name(&f.filename)).collect();
    let sizes: Vec<String> = files.iter().map(|f| size(f.bytes)).collect();
    let purposes: Vec<String> = files.iter().map(|f| f.purpose.to_string()).collect();
    let dates: Vec<String> = files.iter().map(|f| utc_time(f.created_at)).collect();
    let w = |header: &str, cells: &[String]| {
        cells
            .iter()
            .map(|c| c.width())
            .chain([header.width()])
            .max()
            .unwrap_or(0)
    };
    let id_w = 36;
    let name_full = w("NAME", &names);
    let fixed = id_w + w("SIZE", &sizes) + w("PURPOSE", &purposes) + 4 * GAP;
    let (date_chars, name_w) = choose(fixed, name_full, width);
    let header = header_for(date_chars);
    let dates: Vec<String> = dates
        .iter()
        .map(|d| d.chars().take(date_chars).collect())
        .collect();
    let widths = [
        id_w,
        name_w,
        w("SIZE", &sizes),
        w("PURPOSE", &purposes),
        w(header, &dates),
    ];
    let mut lines = vec![row(
        ["ID", "NAME", "SIZE", "PURPOSE", header].map(String::from),
        &widths,
    )];
    for (i, f) in files.iter().enumerate() {
        let cells = [
            f.id.to_string(),
            truncate(&names[i], name_w),
            sizes[i].clone(),
            purposes[i].clone(),
            dates[i].clone(),
        ];
        lines.push(row(cells, &widths));
    }
    lines.join("\n")
}

/// The date column's header: the minute form says its zone (the whole form ends in `UTC`); the
/// date alone is too narrow to spare the room.
fn header_for(date_chars: usize) -> &'static str {
    if date_chars == 16 {
        "CREATED (UTC)"
    } else {
        "CREATED"
    }
}

/// The date form and the name width: the first plan whose narrowest name fits in `width`, the
/// name as wide as the rest allows (whole when it can be); the last plan when none fits.
fn choose(fixed: usize, name_full: usize, width: Option<usize>) -> (usize, usize) {
    let Some(width) = width else {
        return (23, name_full);
    };
    for plan in &PLANS {
        let used = fixed + plan.date_chars.max(header_for(plan.date_chars).len());
        let room = width.saturating_sub(used);
        if room >= name_full {
            return (plan.date_chars, name_full);
        }
        if room >= plan.min_name {
            return (plan.date_chars, room);
        }
    }
    let last = &PLANS[PLANS.len() - 1];
    (last.date_chars, last.min_name.min(name_full))
}

/// One line: cells padded to their column (the size right-aligned), trailing spaces trimmed.
fn row(cells: [String; 5], widths: &[usize; 5]) -> String {
    let mut line = String::new();
    for (i, (cell, &w)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            line.push_str(&" ".repeat(GAP));
        }
        let pad = " ".repeat(w.saturating_sub(cell.width()));
        if i == 2 {
            line.push_str(&pad);
            line.push_str(cell);
        } else {
            line.push_str(cell);
            line.push_str(&pad);
        }
    }
    line.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_shorten_the_name_then_the_date() {
        // room for everything
        assert_eq!(choose(50, 10, Some(200)), (23, 10));
        // the name shortened, the date whole
        assert_eq!(choose(50, 40, Some(100)), (23, 27));
        // the date to the minute
        assert_eq!(choose(50, 40, Some(80)), (16, 14));
        // the date alone
        assert_eq!(choose(58, 72, Some(80)), (10, 12));
        // the narrowest name: still too wide, never cut below it
        assert_eq!(choose(70, 40, Some(80)), (10, 6));
        assert_eq!(choose(50, 40, None), (23, 40));
    }
}
