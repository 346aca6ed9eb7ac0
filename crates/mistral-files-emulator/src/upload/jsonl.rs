//! The service's check of fine-tuning data (also of a file sent without a purpose): the file
//! must be UTF-8, and every line a JSON object. Fed the content as it streams (on the upload's
//! writer thread), so it needs no second pass over the file and bounded memory: a line is held
//! up to [`MAX_LINE`] bytes, the bad lines listed up to [`MAX_LISTED`].
//!
//! Rules (the library's `validate_jsonl` follows the same): a line ends at `\n` (a `\r` before it
//! is dropped); blank lines at the end of the file are fine, a blank line followed by more data
//! is an error; a line must parse as JSON and be an object.
//!
//! A leaf: uses nothing of the crate.

/// The longest line checked (the service's limit, which the client's `validate_jsonl` uses too);
/// a longer one is an error of its own.
const MAX_LINE: usize = mistral_files_raw::rules::JSONL_MAX_LINE_BYTES;
/// Most bad lines listed in the answer (all of them are counted).
pub(super) const MAX_LISTED: usize = 100;

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Every line is a JSON object.
    Valid,
    /// The file is not UTF-8.
    NotUtf8,
    /// Some lines are bad: how many, and the first [`MAX_LISTED`] (line number, message).
    BadLines {
        count: u64,
        listed: Vec<(u64, String)>,
    },
}

/// The check, fed the content in order.
#[derive(Debug, Default)]
pub(super) struct JsonlCheck {
    /// The current line (up to [`MAX_LINE`] bytes).
    line: Vec<u8>,
    /// The current line went over [`MAX_LINE`].
    line_too_long: bool,
    /// Number of the current line, from 1.
    number: u64,
    /// The first blank line of a run of blank lines not yet followed by data.
    pending_blank: Option<u64>,
    /// Up to 3 bytes of a UTF-8 sequence cut by the end of a chunk.
    carry: Vec<u8>,
    not_utf8: bool,
    count: u64,
    listed: Vec<(u64, String)>,
}

impl JsonlCheck {
    /// Checks the next bytes of the file.
    pub(super) fn feed(&mut self, mut data: &[u8]) {
        self.check_utf8(data);
        if self.not_utf8 {
            return;
        }
        while let Some(nl) = memchr::memchr(b'\n', data) {
            self.push(&data[..nl]);
            self.end_line();
            data = &data[nl + 1..];
        }
        self.push(data);
    }

    /// The verdict over everything fed.
    pub(super) fn finish(mut self) -> Verdict {
        if !self.carry.is_empty() {
            self.not_utf8 = true;
        }
        if self.not_utf8 {
            return Verdict::NotUtf8;
        }
        if !self.line.is_empty() || self.line_too_long {
            self.end_line();
        }
        if self.count == 0 {
            Verdict::Valid
        } else {
            Verdict::BadLines {
                count: self.count,
                listed: self.listed,
            }
        }
    }

    fn check_utf8(&mut self, data: &[u8]) {
        if self.not_utf8 {
            return;
        }
        let mut data = data;
        if !self.carry.is_empty() {
            // complete the cut sequence with at most 3 more bytes
            let take = data.len().min(4 - self.carry.len());
            self.carry.extend_from_slice(&data[..take]);
            match std::str::from_utf8(&self.carry) {
                Ok(_) => {
                    data = &data[take..];
                    self.carry.clear();
                }
                Err(e) if e.valid_up_to() > 0 => {
                    let used = e.valid_up_to() - (self.carry.len() - take);
                    data = &data[used..];
                    self.carry.clear();
                }
                Err(e) if e.error_len().is_none() && take == data.len() => return,
                Err(_) => {
                    self.not_utf8 = true;
                    return;
                }
            }
        }
        if let Err(e) = std::str::from_utf8(data) {
            if e.error_len().is_some() {
                self.not_utf8 = true;
            } else {
                self.carry.extend_from_slice(&data[e.valid_up_to()..]);
            }
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        if self.line_too_long {
            return;
        }
        if self.line.len() + bytes.len() > MAX_LINE {
            self.line_too_long = true;
            self.line = Vec::new();
        } else {
            self.line.extend_from_slice(bytes);
        }
    }

    fn end_line(&mut self) {
        self.number += 1;
        let n = self.number;
        let too_long = std::mem::take(&mut self.line_too_long);
        let line = std::mem::take(&mut self.line);
        let content = line.strip_suffix(b"\r").unwrap_or(&line);
        if !too_long && content.iter().all(u8::is_ascii_whitespace) {
            self.pending_blank.get_or_insert(n);
            return;
        }
        if let Some(blank) = self.pending_blank.take() {
            self.bad(blank, "line is empty".to_string());
        }
        if too_long {
            self.bad(n, format!("line is longer than {} MiB", MAX_LINE >> 20));
            return;
        }
        match serde_json::from_slice::<serde_json::Value>(content) {
            Ok(serde_json::Value::Object(_)) => {}
            Ok(_) => self.bad(n, "line is not a JSON object".to_string()),
            Err(e) => self.bad(n, format!("line contains invalid json: {e}")),
        }
        // keep the allocation for the next line
        self.line = line;
        self.line.clear();
    }

    fn bad(&mut self, line: u64, message: String) {
        self.count += 1;
        if self.listed.len() < MAX_LISTED {
            self.listed.push((line, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(data: &[u8], piece: usize) -> Verdict {
        let mut c = JsonlCheck::default();
        for p in data.chunks(piece.max(1)) {
            c.feed(p);
        }
        c.finish()
    }

    #[test]
    fn lines_are_json_objects() {
        for piece in [1, 2, 3, 7, 1000] {
            assert_eq!(check(b"{\"a\":1}\n{\"b\":[1]}\r\n", piece), Verdict::Valid);
            assert_eq!(check(b"{\"a\":1}\n\n\n", piece), Verdict::Valid);
            assert_eq!(check("{\"é\":\"日本\"}".as_bytes(), piece), Verdict::Valid);
            assert_eq!(check(b"", piece), Verdict::Valid);
            let Verdict::BadLines { count, listed } =
                check(b"{}\nnot json\n\n{}\n[1]\n{\"a\":", piece)
            else {
                panic!()
            };
            assert_eq!(count, 4);
            let lines: Vec<u64> = listed.iter().map(|(n, _)| *n).collect();
            assert_eq!(lines, [2, 3, 5, 6]);
            assert!(listed[0].1.starts_with("line contains invalid json: "));
            assert_eq!(listed[1].1, "line is empty");
            assert_eq!(listed[2].1, "line is not a JSON object");
            assert_eq!(check(b"{}\n\xff\xfe\n", piece), Verdict::NotUtf8);
            assert_eq!(check(b"{\"a\":\"\xc3\"}", piece), Verdict::NotUtf8);
            assert_eq!(check(b"{\"a\":\"\xe6\x97", piece), Verdict::NotUtf8);
        }
    }

    #[test]
    fn bad_lines_are_counted_but_listed_up_to_the_cap() {
        let data = "x\n".repeat(250);
        let Verdict::BadLines { count, listed } = check(data.as_bytes(), 4096) else {
            panic!()
        };
        assert_eq!((count, listed.len()), (250, MAX_LISTED));
    }
}
