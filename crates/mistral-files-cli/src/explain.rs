//! Library errors as the command line tells them: one message naming what the user can act on
//! (the address that refused the connection, the field the server refused, the signed URL that
//! expired), the server's details, and at most one hint.
//!
//! The library's own messages carry advice for library users (and, for API errors, a hint of their
//! own); the CLI builds its messages from the error's fields instead, so that advice is given once
//! and in command-line terms.

use std::time::Duration;

use mistral_files::{ApiErrorBody, Error};

use crate::error::CliError;

/// What was being done, and to what: the context a message needs.
pub struct Ctx<'a> {
    /// The operation, e.g. `get 3b6d…` (put before the message; empty for none).
    pub what: &'a str,
    /// The API base URL in use (validated: no credentials, no query).
    pub base: &'a str,
    /// What the request addressed.
    pub about: About<'a>,
}

/// What a failed request addressed, which decides what a 403 or 404 means.
#[derive(Clone, Copy)]
pub enum About<'a> {
    /// One file, by its id: a 404 means no such file.
    File,
    /// The files collection (list, upload): a 404 means a wrong base URL.
    Files,
    /// A signed URL: no key was sent, so a 403 means the URL expired or was altered.
    Signed(&'a str),
}

/// Turns a library error into the error the command line reports.
pub fn explain(err: Error, ctx: &Ctx<'_>) -> CliError {
    let what = |m: String| prefixed(ctx.what, m);
    match &err {
        Error::Api(api_err) => {
            let status = api_err.status();
            let mut e = api(
                status.as_u16(),
                &status.to_string(),
                api_err.body(),
                api_err.retry_after(),
                ctx,
            );
            e.more.status = Some(status.as_u16());
            if let Some(id) = api_err.request_id() {
                e.message.push_str(&format!(" [request id {id}]"));
                e.more.request_id = Some(id.to_string());
            }
            e
        }
        Error::Transport(source) => {
            let origin = match ctx.about {
                About::Signed(url) => origin(url),
                _ => origin(ctx.base),
            };
            let cause = root_cause(source).unwrap_or_else(|| err.to_string());
            if source.is_connect() {
                let e = CliError::failure(what(format!("could not connect to {origin}: {cause}")));
                return e.hint(connect_hint(&cause, matches!(ctx.about, About::Signed(_))));
            }
            if source.is_timeout() {
                return CliError::failure(what(format!(
                    "{origin} did not answer in time: {cause}"
                )))
                .hint("check your network and try again");
            }
            CliError::failure(what(format!("the connection to {origin} failed: {cause}")))
        }
        _ => local(err, ctx),
    }
}

/// The hint for a file whose type the purpose does not take (the service goes by the name's
/// extension).
fn format_hint(purpose: &mistral_files::FilePurpose) -> &'static str {
    use mistral_files::FilePurpose;
    match purpose {
        FilePurpose::Batch | FilePurpose::FineTune => {
            "batch and fine-tune files are JSONL: name the file NAME.jsonl (--name) if it is one"
        }
        FilePurpose::Ocr => {
            "OCR reads documents and images: give the file its type's extension (--name NAME.pdf), or choose the --purpose it is for"
        }
        _ => "give the file its type's extension (--name), or choose the --purpose it is for",
    }
}

/// The hint for a connection that failed, by its cause (as [`root_cause`] words it): only a
/// refused connection means nothing listens there.
fn connect_hint(cause: &str, signed: bool) -> &'static str {
    let lower = cause.to_ascii_lowercase();
    if lower.contains("could not resolve") {
        return if signed {
            "the signed URL's host name did not resolve: check your network and DNS"
        } else {
            "the host name did not resolve: check its spelling in --base-url / MISTRAL_BASE_URL, and your network and DNS"
        };
    }
    if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        return "the TLS handshake failed: check the URL's scheme (http:// for a local server) and the server's certificate";
    }
    if lower.contains("timed out") {
        return "the host did not answer: check your network and try again";
    }
    if lower.contains("refused") {
        return if signed {
            "nothing answers at the signed URL's host: check your network, or fetch a new URL"
        } else {
            "is the server running? `mistral-files serve` starts a local one; or check --base-url / MISTRAL_BASE_URL"
        };
    }
    "check your network and --base-url / MISTRAL_BASE_URL"
}

/// The errors found before or after the exchange (input, files): most are usage errors.
fn local(err: Error, ctx: &Ctx<'_>) -> CliError {
    let what = |m: String| prefixed(ctx.what, m);
    match &err {
        Error::MissingApiKey => CliError::usage(what("no API key".into()))
            .hint("set MISTRAL_API_KEY or pass --api-key (or try `mistral-files demo`, which needs none)"),
        Error::InvalidInput { what: "base URL", .. } => CliError::usage(what(err.to_string()))
            .hint("pass --base-url (or set MISTRAL_BASE_URL) to a URL such as https://api.mistral.ai or http://127.0.0.1:8080"),
        Error::InvalidFileId { .. } | Error::InvalidFileName { .. } | Error::InvalidInput { .. } => {
            CliError::usage(what(err.to_string()))
        }
        Error::FineTuneRequiresJsonl { name } => CliError::usage(what(format!(
            "fine-tuning accepts only .jsonl files, got {name:?}"
        )))
        .hint("rename the file, pass --name NAME.jsonl, or choose the --purpose it is for (ocr: documents and images, audio: audio)"),
        Error::UnsupportedFormat {
            name,
            purpose,
            mimetype,
            supported,
        } => CliError::usage(what(format!(
            "invalid file format for --purpose {purpose}: {name:?} is {mimetype}, only {supported} are currently supported"
        )))
        .hint(format_hint(purpose)),
        Error::TargetExists { path } => CliError::failure(what(format!(
            "{} already exists (overwrite is off)",
            crate::format::display_name(&path.display().to_string())
        )))
        .hint("pass --force to replace it, or -o PATH to write elsewhere"),
        Error::InvalidJsonl { .. } => CliError::failure(what(err.to_string()))
            .hint("fix the line, or upload without --validate to let the server judge"),
        Error::FileTooLarge { name, size, limit } => CliError::failure(what(format!(
            "{name} is {}, over the upload limit of {}",
            crate::format::size(Some(*size)),
            crate::format::size(Some(*limit))
        )))
        .hint("split the file into smaller ones"),
        _ => CliError::failure(what(err.to_string())),
    }
}

/// An HTTP error status: what it means for this request, the server's words, one hint.
fn api(
    code: u16,
    status: &str,
    body: &ApiErrorBody,
    retry_after: Option<Duration>,
    ctx: &Ctx<'_>,
) -> CliError {
    let summary = body.summary();
    let said = |m: &str| {
        let m = if summary.is_empty() {
            format!("{m} (HTTP {status})")
        } else {
            format!("{m} (HTTP {status}: {summary})")
        };
        CliError::failure(prefixed(ctx.what, m))
    };
    let signed = matches!(ctx.about, About::Signed(_));
    match code {
        401 => said("the API key was refused")
            .hint("check the API key (MISTRAL_API_KEY or --api-key)"),
        403 if signed => CliError::failure(prefixed(
            ctx.what,
            format!("the signed URL expired or is invalid (HTTP {status})"),
        ))
        .hint("get a new one with `mistral-files url ID`"),
        403 => said("the API key is not allowed to do this")
            .hint("check the key's workspace and permissions"),
        404 if signed => said("the file behind the signed URL is gone"),
        404 if matches!(ctx.about, About::File) => said("no such file").hint(
            "check the id with `mistral-files ls` (the file may have been deleted or have expired)",
        ),
        404 => said(&format!("nothing answers at {}/v1/files", ctx.base)).hint(
            "check --base-url / MISTRAL_BASE_URL: it should be the API's root, such as https://api.mistral.ai",
        ),
        422 => {
            let mut e = CliError::failure(prefixed(
                ctx.what,
                format!("the server refused the request (HTTP {status})"),
            ));
            e.more.details = details(body);
            e
        }
        429 => said("rate limited").hint(match retry_after {
            Some(d) => format!("the server asks to wait {} s; try again then", d.as_secs().max(1)),
            None => "wait a little and try again".to_string(),
        }),
        500..=599 => said("the server failed").hint("try again later"),
        _ => said("the request was refused"),
    }
}

/// The server's explanation of a 422, one item a line.
fn details(body: &ApiErrorBody) -> Vec<String> {
    match body {
        ApiErrorBody::Validation(items) => items
            .iter()
            .map(|i| match i.loc_string() {
                loc if loc.is_empty() => i.msg.clone(),
                loc => format!("{loc}: {}", i.msg),
            })
            .collect(),
        ApiErrorBody::Detail {
            detail,
            message,
            description,
            errors,
        } => std::iter::once(detail.clone())
            .chain(message.clone())
            .chain(description.clone())
            .chain(errors.iter().map(|e| match e.line_number {
                Some(n) => format!("line {n}: {}", e.message),
                None => e.message.clone(),
            }))
            .collect(),
        other => {
            let s = other.summary();
            if s.is_empty() {
                Vec::new()
            } else {
                vec![s]
            }
        }
    }
}

/// `what: message`, or the message alone.
fn prefixed(what: &str, m: String) -> String {
    if what.is_empty() {
        m
    } else {
        format!("{what}: {m}")
    }
}

/// The innermost cause of a transport error in a few words: the OS error of the connection when
/// there is one (`connection refused`), a DNS failure, or the deepest source's text.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    use std::io::ErrorKind;
    let mut deepest = None;
    let mut cur = err.source();
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return Some(match io.kind() {
                ErrorKind::ConnectionRefused => "connection refused".into(),
                ErrorKind::ConnectionReset => "connection reset".into(),
                ErrorKind::ConnectionAborted => "connection aborted".into(),
                ErrorKind::TimedOut => "timed out".into(),
                ErrorKind::UnexpectedEof => "the connection closed early".into(),
                _ => io.to_string(),
            });
        }
        let text = e.to_string();
        if text.contains("dns error") {
            return Some("could not resolve the host name".into());
        }
        deepest = Some(text);
        cur = e.source();
    }
    deepest
}

/// `scheme://host:port` of a URL, the port explicit (what refused a connection is a port): no
/// credentials, path or query (a signed URL's query is its credential).
pub fn origin(url: &str) -> String {
    let (scheme, rest) = url.trim().split_once("://").unwrap_or(("https", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let has_port = match host_port.rfind(']') {
        Some(end) => host_port[end..].contains(':'),
        None => host_port.contains(':'),
    };
    if has_port {
        format!("{scheme}://{host_port}")
    } else {
        let port = if scheme.eq_ignore_ascii_case("http") {
            80
        } else {
            443
        };
        format!("{scheme}://{host_port}:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_name_the_port_and_nothing_secret() {
        assert_eq!(
            origin("https://api.mistral.ai"),
            "https://api.mistral.ai:443"
        );
        assert_eq!(origin("http://127.0.0.1:9/prefix"), "http://127.0.0.1:9");
        assert_eq!(origin("http://[::1]/x"), "http://[::1]:80");
        assert_eq!(origin("http://[::1]:8080"), "http://[::1]:8080");
        assert_eq!(
            origin("https://blob.example/signed/abc?sig=SECRET"),
            "https://blob.example:443"
        );
        assert_eq!(origin("http://u:pw@h:1/"), "http://h:1");
    }

    #[test]
    fn validation_details_are_one_per_field() {
        let body = ApiErrorBody::parse(
            br#"{"detail":[{"type":"x","loc":["query","expiry"],"msg":"too big","input":1}]}"#,
        );
        assert_eq!(details(&body), ["query.expiry: too big"]);
        let body = ApiErrorBody::parse(br#"{"detail":"Invalid file format.","message":"zip"}"#);
        assert_eq!(details(&body), ["Invalid file format.", "zip"]);
    }
}
