//! Where results go: [`Out`] writes human lines, one JSON document or JSON lines on stdout.
//! The output mode is `mode.rs`; how values are written for people is `format.rs`.

use std::io::Write;
use std::sync::Mutex;

use serde::Serialize;
use serde_json::Value;

use crate::error::CliError;
use crate::mode::Mode;

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
