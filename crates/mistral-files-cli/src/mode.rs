//! The output mode, [`Mode`]: a leaf every printing file shares.

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
