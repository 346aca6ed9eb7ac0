//! Errors as the command line reports them: a message, hints on what to do, and an exit code.

use mistral_files::Error;

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

/// An error to report: message, hints, exit code.
#[derive(Debug)]
pub struct CliError {
    /// The main message (one line).
    pub message: String,
    /// What to do about it.
    pub hints: Vec<String>,
    /// The exit code.
    pub code: Exit,
    /// stdout was closed by the reader (e.g. `| head`): exit quietly.
    broken_pipe: bool,
}

impl CliError {
    /// An API or I/O failure (exit 1).
    pub fn failure(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            hints: Vec::new(),
            code: Exit::Failure,
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

    /// Adds a hint line.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
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

    /// Prints `error: …` and `hint: …` lines on stderr.
    pub fn print(&self) {
        eprintln!("error: {}", self.message);
        for h in &self.hints {
            eprintln!("  hint: {h}");
        }
    }

    /// Converts a library error, with hints for the command line. `what` names the operation
    /// (e.g. "upload data.jsonl") and is put before the message.
    pub fn from_api(err: Error, what: &str) -> Self {
        let prefix = |m: String| {
            if what.is_empty() {
                m
            } else {
                format!("{what}: {m}")
            }
        };
        match &err {
            Error::MissingApiKey => {
                return CliError::usage(prefix("no API key".into()))
                    .hint("set MISTRAL_API_KEY or pass --api-key (or try `mistral-files demo`, which needs none)")
            }
            Error::InvalidFileId { .. }
            | Error::InvalidFileName { .. }
            | Error::InvalidInput { .. } => {
                let mut e = CliError::usage(prefix(with_causes(&err)));
                if let Error::InvalidInput { what: "base URL", .. } = &err {
                    e = e.hint("pass --base-url (or set MISTRAL_BASE_URL) to a URL such as https://api.mistral.ai or http://127.0.0.1:8080");
                }
                return e;
            }
            Error::FineTuneRequiresJsonl { name } => {
                return CliError::usage(prefix(format!(
                    "fine-tuning accepts only .jsonl files, got {name:?}"
                )))
                .hint("rename the file, pass --name NAME.jsonl, or choose another --purpose (batch, ocr)")
            }
            _ => {}
        }
        let mut e = CliError::failure(prefix(with_causes(&err)));
        match err.status().map(|s| s.as_u16()) {
            Some(401) => {
                e = e.hint("check the API key (MISTRAL_API_KEY or --api-key): it was refused")
            }
            Some(403) => e = e.hint("the key is not allowed to do this; check its workspace"),
            Some(404) => {
                e = e.hint("check the id with `mistral-files ls` (the file may have been deleted or expired), and the --base-url")
            }
            Some(429) => e = e.hint("rate limited: wait a little and try again"),
            Some(s) if s >= 500 => e = e.hint("the server had a problem; try again later"),
            _ => {}
        }
        match &err {
            Error::Transport(t) if t.is_connect() => {
                e = e.hint(
                    "is the server running? check --base-url / MISTRAL_BASE_URL and your network",
                )
            }
            Error::TargetExists { .. } => {
                e = e.hint("pass --force to replace it, or -o PATH to write elsewhere")
            }
            Error::InvalidJsonl { .. } => {
                e = e.hint("fix the line, or upload without --validate to let the server judge")
            }
            Error::FileTooLarge { .. } => {
                e = e.hint("the API takes files of at most 512 MiB; split the file")
            }
            _ => {}
        }
        e
    }
}

/// The error's message followed by its causes (`source()` chain), `: `-separated; a cause whose
/// text is already in the line is skipped. The library's messages do not repeat their causes.
fn with_causes(err: &dyn std::error::Error) -> String {
    let mut line = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !text.is_empty() && !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        cause = c.source();
    }
    line
}
