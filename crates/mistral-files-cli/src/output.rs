//! Output helpers: human lines or JSON on stdout, sizes, dates, one file's details, and the
//! sanitizing of server-given file names before they touch the local filesystem.

use std::io::Write;
use std::sync::Mutex;

use indicatif::HumanBytes;
use mistral_files::FileObject;
use serde::Serialize;
use serde_json::Value;

use crate::error::CliError;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Lines and tables for people.
    Human,
    /// Exactly one JSON document on stdout: an object, or an array for a list of results.
    Json,
    /// One JSON object per line, written as each result arrives.
    Jsonl,
}

impl Mode {
    /// Either JSON mode (errors are then JSON on stderr, and no progress bar is drawn).
    pub fn is_json(self) -> bool {
        self != Mode::Human
    }
}

/// Where results go: stdout, as human text, one JSON document, or JSON lines.
///
/// A command with a list of results calls [`item`](Out::item) for each and
/// [`end_list`](Out::end_list) once; in [`Mode::Json`] the items are kept and written as one
/// array at the end (`[]` when there are none), so that stdout always parses as one document.
#[derive(Debug)]
pub struct Out {
    /// The mode.
    pub mode: Mode,
    /// The list's items so far, `None` once the list was written.
    items: Mutex<Option<Vec<Value>>>,
}

impl Out {
    /// An output in the given mode.
    pub fn new(mode: Mode) -> Self {
        Out {
            mode,
            items: Mutex::new(Some(Vec::new())),
        }
    }

    /// Whether results are JSON.
    pub fn json(&self) -> bool {
        self.mode.is_json()
    }

    /// Prints a human line (ignored in JSON modes).
    pub fn line(&self, text: impl AsRef<str>) -> Result<(), CliError> {
        if self.json() {
            return Ok(());
        }
        write_stdout(text.as_ref())
    }

    /// Prints the one result of a single-result command as a JSON document (JSON modes only).
    pub fn doc<T: Serialize + ?Sized>(&self, value: &T) -> Result<(), CliError> {
        if !self.json() {
            return Ok(());
        }
        write_stdout(&encode(value)?)
    }

    /// One result of a list: a line at once in [`Mode::Jsonl`], kept for the array in
    /// [`Mode::Json`], nothing in human mode.
    pub fn item<T: Serialize + ?Sized>(&self, value: &T) -> Result<(), CliError> {
        match self.mode {
            Mode::Human => Ok(()),
            Mode::Jsonl => write_stdout(&encode(value)?),
            Mode::Json => {
                let v = serde_json::to_value(value).map_err(encode_error)?;
                let mut items = self.items.lock().unwrap_or_else(|p| p.into_inner());
                items.get_or_insert_with(Vec::new).push(v);
                Ok(())
            }
        }
    }

    /// The end of a list: writes the array in [`Mode::Json`], once (later calls do nothing).
    pub fn end_list(&self) -> Result<(), CliError> {
        if self.mode != Mode::Json {
            return Ok(());
        }
        let items = self.items.lock().unwrap_or_else(|p| p.into_inner()).take();
        match items {
            Some(items) => write_stdout(&encode(&items)?),
            None => Ok(()),
        }
    }
}

fn encode<T: Serialize + ?Sized>(value: &T) -> Result<String, CliError> {
    serde_json::to_string(value).map_err(encode_error)
}

fn encode_error(e: serde_json::Error) -> CliError {
    CliError::failure(format!("could not encode JSON output: {e}"))
}

/// Writes a line to stdout, flushing it (so that pipes see it at once).
/// Progress bars being drawn are cleared meanwhile, so a result line never lands inside one.
pub fn write_stdout(text: &str) -> Result<(), CliError> {
    crate::progress::suspended(|| {
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        writeln!(lock, "{text}")
            .and_then(|()| lock.flush())
            .map_err(CliError::stdout)
    })
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
