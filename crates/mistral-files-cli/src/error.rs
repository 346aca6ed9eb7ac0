//! Errors as the command line reports them: one message, the details the server gave, at most one
//! hint, and an exit code; as text, or as one `{"error": {...}}` JSON document in JSON modes.
//!
//! How a library error becomes one of these is in `explain.rs`.

use serde_json::{json, Value};

use crate::mode::Mode;

/// The process exit codes (documented in `--help` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Success = 0,
    /// The API refused, the network failed, or a local file could not be read or written.
    Failure = 1,
    /// The command line was wrong (bad option value, bad id, missing key): nothing was sent.
    Usage = 2,
    /// Interrupted by Ctrl-C (128 + SIGINT, as shells do).
    Interrupted = 130,
}

/// An error to report.
#[derive(Debug)]
pub struct CliError {
    /// The main message (one line).
    pub message: String,
    /// What to do about it: one line, or none when the message says it all.
    pub hint: Option<String>,
    /// The exit code.
    pub code: Exit,
    /// What only some errors have (boxed: errors travel in every `Result` of the CLI).
    pub more: Box<More>,
    /// stdout was closed by the reader (e.g. `| head`): exit quietly.
    broken_pipe: bool,
}

/// The parts of an error that only some errors have.
#[derive(Debug, Default)]
pub struct More {
    /// What the server said, one item a line (e.g. each field a 422 refused).
    pub details: Vec<String>,
    /// The HTTP status, for API errors (in the JSON form).
    pub status: Option<u16>,
    /// The request id the server gave, to quote to support.
    pub request_id: Option<String>,
    /// The per-item errors of a multi-item command (in the JSON form).
    pub failures: Vec<CliError>,
}

impl CliError {
    /// An API or I/O failure (exit 1).
    pub fn failure(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            hint: None,
            code: Exit::Failure,
            more: Box::default(),
            broken_pipe: false,
        }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            code: Exit::Usage,
            ..CliError::failure(message)
        }
    }

    /// Ctrl-C (exit 130).
    pub fn interrupted() -> Self {
        CliError {
            code: Exit::Interrupted,
            ..CliError::failure("interrupted")
        }
    }

    /// Sets the hint (replacing any: one hint at most, the most specific one set last).
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// An error writing to stdout.
    pub fn stdout(e: std::io::Error) -> Self {
        let broken = e.kind() == std::io::ErrorKind::BrokenPipe;
        CliError {
            broken_pipe: broken,
            ..CliError::failure(format!("could not write to stdout: {e}"))
        }
    }

    /// Whether this is a closed stdout (the reader went away, e.g. `| head`): exit quietly with 0.
    pub fn is_broken_pipe(&self) -> bool {
        self.broken_pipe
    }

    /// The process exit code.
    pub fn exit_code(&self) -> Exit {
        if self.broken_pipe {
            Exit::Success
        } else {
            self.code
        }
    }

    /// Prints the error on stderr: `error: …`, the details indented, `hint: …`; in the JSON
    /// modes one `{"error": {...}}` document on one line instead, so that stderr parses too.
    pub fn print(&self, mode: Mode) {
        if mode.is_json() {
            let doc = json!({ "error": self.to_json() });
            crate::progress::eprint_line(&doc.to_string());
            return;
        }
        crate::progress::eprint_line(&self.to_text());
    }

    /// The human form (several lines, no trailing newline).
    pub fn to_text(&self) -> String {
        let mut s = format!("error: {}", self.message);
        for d in &self.more.details {
            s.push_str("\n  - ");
            s.push_str(d);
        }
        if let Some(h) = &self.hint {
            s.push_str("\n  hint: ");
            s.push_str(h);
        }
        s
    }

    /// The JSON form: `message`, `exit_code`, and `hint`, `status`, `request_id`, `details`,
    /// `failures` when there are any.
    pub fn to_json(&self) -> Value {
        let mut v = json!({ "message": self.message, "exit_code": self.code as i32 });
        let obj = v.as_object_mut().expect("a JSON object");
        if let Some(h) = &self.hint {
            obj.insert("hint".into(), json!(h));
        }
        let more = &self.more;
        if let Some(s) = more.status {
            obj.insert("status".into(), json!(s));
        }
        if let Some(r) = &more.request_id {
            obj.insert("request_id".into(), json!(r));
        }
        if !more.details.is_empty() {
            obj.insert("details".into(), json!(more.details));
        }
        if !more.failures.is_empty() {
            let f: Vec<Value> = more.failures.iter().map(CliError::to_json).collect();
            obj.insert("failures".into(), Value::Array(f));
        }
        v
    }
}

/// Collects per-item failures of a multi-item command and turns them into one final error.
pub struct Failures {
    mode: Mode,
    items: Vec<CliError>,
}

impl Failures {
    /// No failures yet, for output in `mode`.
    pub fn new(mode: Mode) -> Self {
        Failures {
            mode,
            items: Vec::new(),
        }
    }

    /// One item failed: said at once in human mode; kept for the final error in JSON modes
    /// (stderr holds one JSON document).
    pub fn push(&mut self, e: CliError) {
        if !self.mode.is_json() {
            e.print(self.mode);
        }
        self.items.push(e);
    }

    /// `Ok` if nothing failed; else a summary error. Its exit code is 2 (usage, nothing was sent)
    /// only when every item was refused locally as a usage error; otherwise 1, since something
    /// was sent or an API or I/O error happened.
    pub fn finish(self, total: usize, what: &str) -> Result<(), CliError> {
        if self.items.is_empty() {
            return Ok(());
        }
        let count = self.items.len();
        let all_usage = self.items.iter().all(|e| e.code == Exit::Usage);
        let mut e = CliError::failure(format!("{count} of {total} {what} failed"));
        if all_usage && count == total {
            e.code = Exit::Usage;
        }
        if self.mode.is_json() {
            e.more.failures = self.items;
        }
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_has_one_hint_and_details() {
        let mut e = CliError::failure("get x: refused")
            .hint("first")
            .hint("second");
        e.more.details.push("query.expiry: too big".into());
        assert_eq!(
            e.to_text(),
            "error: get x: refused\n  - query.expiry: too big\n  hint: second"
        );
        let j = e.to_json();
        assert_eq!(j["exit_code"], 1);
        assert_eq!(j["details"][0], "query.expiry: too big");
        assert!(j.get("status").is_none());
    }
}
