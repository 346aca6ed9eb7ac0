//! What goes to stderr besides results and errors: retries as one plain line, and with `-v` one
//! line per request.
//!
//! The library reports both through `tracing` (a `mistral_files.request` span per attempt with
//! `method`, `path`, `attempt` and `status`; a WARN event with `delay_ms` when it retries, one with
//! `offset` when it resumes a download). A layer here turns them into lines for people, so the
//! library needs no callback of its own, and the log records themselves are kept out of the
//! default output. Levels: `-v` the request lines; `-vv` the library's debug records; `-vvv`
//! everything, the HTTP stack included. `RUST_LOG` overrides the records' filter.

use std::io::IsTerminal;
use std::time::Instant;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::filter::{filter_fn, FilterExt, Targets};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::explain::origin;
use crate::format::size;
use crate::progress::eprint_line;

/// What the lines depend on.
pub struct Settings {
    /// The `-v` count.
    pub verbose: u8,
    /// The retries allowed (`--retries`), the denominator of `(2/3)`.
    pub retries: u32,
    /// JSON output: stderr is for the one `{"error": …}` document, so no retry lines.
    pub json: bool,
    /// The API base URL, to name the address of a failed connection.
    pub base: String,
}

/// Installs the subscriber: the records' formatter (filtered by verbosity or `RUST_LOG`) and the
/// layer that writes the request and retry lines.
pub fn init(settings: Settings) {
    let level = match settings.verbose {
        0 => "warn",
        // `-v`: the client's request lines (written by `Lines`), and `serve`'s log of each
        // request it answers (with its Range, for example)
        1 => "warn,mistral_files_emulator=info",
        2 => "warn,mistral_files=debug,mistral_files_cli=debug,mistral_files_emulator=debug",
        _ => "trace",
    };
    let records = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_target(settings.verbose >= 2)
        .with_filter(records.and(filter_fn(|m| !is_told_as_a_line(m))));
    let lines =
        Lines(settings).with_filter(Targets::new().with_target("mistral_files", Level::DEBUG));
    let _ = tracing_subscriber::registry()
        .with(fmt)
        .with(lines)
        .try_init();
}

/// The library's retry and resume events: written as plain lines by [`Lines`], not as records;
/// and the emulator's warning about an address reachable from the network, which `serve` writes
/// as a `warning:` line of its own.
fn is_told_as_a_line(m: &Metadata<'_>) -> bool {
    m.is_event()
        && m.target().starts_with("mistral_files")
        && (m.fields().field("delay_ms").is_some()
            || m.fields().field("offset").is_some()
            || m.fields().field("insecure_exposure").is_some())
}

/// The layer writing request and retry lines.
struct Lines(Settings);

/// One attempt's span: what the request line says.
struct Attempt {
    method: String,
    path: String,
    attempt: u64,
    status: Option<u64>,
    request_id: Option<String>,
    start: Instant,
}

impl Visit for Attempt {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "method" => self.method = value.to_string(),
            "path" => self.path = value.to_string(),
            "request_id" => self.request_id = Some(value.to_string()),
            _ => {}
        }
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "attempt" => self.attempt = value,
            "status" => self.status = Some(value),
            _ => {}
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.record_u64(field, u64::try_from(value).unwrap_or_default());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.record_str(field, &format!("{value:?}"));
    }
}

/// The fields of a retry or resume event.
#[derive(Default)]
struct Told {
    error: String,
    delay_ms: Option<u64>,
    offset: Option<u64>,
    attempt: Option<u64>,
}

impl Visit for Told {
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "delay_ms" => self.delay_ms = Some(value),
            "offset" => self.offset = Some(value),
            "attempt" => self.attempt = Some(value),
            _ => {}
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.record_u64(field, u64::try_from(value).unwrap_or_default());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "error" {
            self.error = format!("{value:?}");
        }
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Lines {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "mistral_files.request" {
            return;
        }
        let mut a = Attempt {
            method: String::new(),
            path: String::new(),
            attempt: 1,
            status: None,
            request_id: None,
            start: Instant::now(),
        };
        attrs.record(&mut a);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(a);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(a) = span.extensions_mut().get_mut::<Attempt>() {
                values.record(a);
            }
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if self.0.verbose == 0 {
            return;
        }
        if let Some(span) = ctx.span(&id) {
            if let Some(a) = span.extensions().get::<Attempt>() {
                eprint_line(&request_line(a));
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if self.0.json || !is_told_as_a_line(event.metadata()) {
            return;
        }
        let mut told = Told::default();
        event.record(&mut told);
        let span = ctx.event_span(event);
        let ext = span.as_ref().map(|s| s.extensions());
        let attempt = ext.as_ref().and_then(|e| e.get::<Attempt>());
        let path = attempt.map(|a| a.path.as_str()).unwrap_or_default();
        let status = attempt.and_then(|a| a.status);
        let reason = reason(&told.error, status, path, &self.0.base);
        let of = self.0.retries;
        if let Some(ms) = told.delay_ms {
            let n = attempt.map_or(1, |a| a.attempt);
            let secs = ms as f64 / 1000.0;
            eprint_line(&format!("retrying in {secs:.1} s ({n}/{of}): {reason}"));
        } else if let Some(offset) = told.offset {
            let n = told.attempt.unwrap_or(1);
            let done = size(Some(offset));
            eprint_line(&format!(
                "download interrupted after {done}; resuming ({n}/{of}): {reason}"
            ));
        }
    }
}

/// `GET /v1/files → 200 in 12 ms`, with the attempt when not the first and the request id when
/// the server gave one.
fn request_line(a: &Attempt) -> String {
    let ms = a.start.elapsed().as_millis();
    let status = a
        .status
        .map_or_else(|| "no response".to_string(), |s| s.to_string());
    let mut line = format!("{} {} → {status} in {ms} ms", a.method, a.path);
    if a.attempt > 1 {
        line.push_str(&format!(" (attempt {})", a.attempt));
    }
    if let Some(id) = &a.request_id {
        line.push_str(&format!(" [request id {id}]"));
    }
    line
}

/// Why an attempt failed, in a few words, from the library's message: the status with its
/// reason phrase, or what happened to the connection and to which address.
fn reason(error: &str, status: Option<u64>, path: &str, base: &str) -> String {
    if let Some(rest) = error.strip_prefix("the API answered ") {
        let end = rest.find([':', '(']).unwrap_or(rest.len());
        return rest[..end].trim().to_string();
    }
    if let Some(s) = status {
        return format!("HTTP {s}");
    }
    let at = if path.starts_with("http") {
        origin(path)
    } else {
        origin(base)
    };
    if error.starts_with("could not connect") {
        format!("could not connect to {at}")
    } else if error.contains("timed out") {
        format!("{at} did not answer in time")
    } else if error.contains("transferring the body") {
        format!("the connection to {at} broke")
    } else {
        match error.split(" (").next().unwrap_or(error).trim() {
            // An event that names no error: say what is known, never an empty reason.
            "" => format!("the connection to {at} broke"),
            said => said.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_never_empty() {
        assert_eq!(
            reason("", None, "/v1/files/x/content", "http://127.0.0.1:9"),
            "the connection to http://127.0.0.1:9 broke"
        );
    }

    #[test]
    fn reasons_are_short_and_name_the_address() {
        let base = "http://127.0.0.1:9";
        assert_eq!(
            reason(
                "the API answered HTTP 503 Service Unavailable: down (the service had a problem)",
                Some(503),
                "/v1/files",
                base
            ),
            "HTTP 503 Service Unavailable"
        );
        assert_eq!(
            reason(
                "could not connect to the API (check the base URL): client error (Connect)",
                None,
                "/v1/files",
                base
            ),
            "could not connect to http://127.0.0.1:9"
        );
        assert_eq!(
            reason("could not connect", None, "https://blob.example/x", base),
            "could not connect to https://blob.example:443"
        );
    }
}
