//! Output helpers: human lines or JSON documents on stdout, tables, sizes, dates, progress bars,
//! and the sanitizing of server-given file names before they touch the local filesystem.

use std::io::Write;

use indicatif::{HumanBytes, MultiProgress, ProgressBar, ProgressStyle};
use mistral_files::{FileObject, Progress};
use serde::Serialize;

use crate::error::CliError;

/// Where results go: stdout, as human text or one JSON document per result.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    /// `--json` was given.
    pub json: bool,
}

impl Out {
    /// An output in the given mode.
    pub fn new(json: bool) -> Self {
        Out { json }
    }

    /// Prints a human line (ignored in JSON mode).
    pub fn line(&self, text: impl AsRef<str>) -> Result<(), CliError> {
        if self.json {
            return Ok(());
        }
        write_stdout(text.as_ref())
    }

    /// Prints one JSON document on its own line (only in JSON mode).
    pub fn doc<T: Serialize + ?Sized>(&self, value: &T) -> Result<(), CliError> {
        if !self.json {
            return Ok(());
        }
        let text = serde_json::to_string(value)
            .map_err(|e| CliError::failure(format!("could not encode JSON output: {e}")))?;
        write_stdout(&text)
    }
}

/// Writes a line to stdout, flushing it (so that pipes see it at once).
fn write_stdout(text: &str) -> Result<(), CliError> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    writeln!(lock, "{text}")
        .and_then(|()| lock.flush())
        .map_err(CliError::stdout)
}

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

/// A file name shown in a terminal: control characters replaced, so a name cannot move the
/// cursor or fake lines.
pub fn display_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { '�' } else { c })
        .collect()
}

/// A server-given file name made safe as a local file name in the current directory: no path
/// separators, no control characters, no leading dots (no hidden files, no `..`), at most 255
/// bytes. Falls back to `fallback` (the id) when nothing usable is left.
pub fn sanitize_file_name(name: &str, fallback: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    s = s.trim().trim_start_matches('.').trim().to_string();
    while s.len() > 255 {
        s.pop();
    }
    if s.is_empty() || s.chars().all(|c| c == '_' || c == '.') {
        fallback.to_string()
    } else {
        s
    }
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

/// A table of files: id, name, size, purpose, created.
pub fn file_table(files: &[FileObject]) -> String {
    use comfy_table::{presets, CellAlignment, Table};
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_header(vec!["ID", "NAME", "SIZE", "PURPOSE", "CREATED"]);
    for f in files {
        t.add_row(vec![
            f.id.to_string(),
            display_name(&f.filename),
            size(f.bytes),
            f.purpose.to_string(),
            utc_time(f.created_at),
        ]);
    }
    if let Some(col) = t.column_mut(2) {
        col.set_cell_alignment(CellAlignment::Right);
    }
    t.to_string()
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Progress bars on stderr, only when stderr is a terminal.
#[derive(Clone)]
pub struct Bars {
    multi: Option<MultiProgress>,
}

impl Bars {
    /// Bars if `enabled` (stderr is a terminal), else none at all.
    pub fn new(enabled: bool) -> Self {
        Bars {
            multi: enabled.then(MultiProgress::new),
        }
    }

    /// A new byte-progress bar labelled `label`, and the callback that feeds it.
    pub fn bar(&self, label: &str) -> Option<ProgressBar> {
        let multi = self.multi.as_ref()?;
        let pb = multi.add(ProgressBar::new(0));
        let style = ProgressStyle::with_template(
            "{msg:20!} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        pb.set_style(style);
        pb.set_message(display_name(label));
        Some(pb)
    }
}

/// A progress callback updating `bar`.
pub fn feed(bar: ProgressBar) -> impl Fn(Progress) + Send + Sync + 'static {
    move |p: Progress| {
        if let Some(t) = p.total {
            bar.set_length(t);
        }
        bar.set_position(p.bytes_done);
    }
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
    fn sanitizes_names() {
        assert_eq!(sanitize_file_name("data.jsonl", "id"), "data.jsonl");
        assert_eq!(
            sanitize_file_name("../../etc/passwd", "id"),
            "_.._etc_passwd"
        );
        assert_eq!(sanitize_file_name("..", "id"), "id");
        assert_eq!(sanitize_file_name(".hidden", "id"), "hidden");
        assert_eq!(sanitize_file_name("a\r\nb.jsonl", "id"), "a__b.jsonl");
        assert_eq!(sanitize_file_name("", "id"), "id");
        assert_eq!(sanitize_file_name("///", "id"), "id");
        assert!(sanitize_file_name(&"é".repeat(300), "id").len() <= 255);
    }
}
