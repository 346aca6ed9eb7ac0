//! The API client the commands share: built from the client options and the environment, with
//! the base URL it talks to for messages, and the checks on a base URL the library leaves to
//! its callers.
//!
//! A module of its own so that every command module (`commands`, `transfer`, `bulk`) can use it
//! without using each other. Uses args, error, explain.

use mistral_files::{Client, RetryPolicy, DEFAULT_BASE_URL};

use crate::args::ClientArgs;
use crate::error::CliError;
use crate::explain::{explain, About, Ctx};

/// The client, and the base URL it talks to (for messages).
pub struct Api {
    /// The library's client.
    pub client: Client,
    /// The base URL in use, validated (no credentials, no query).
    pub base: String,
}

impl Api {
    /// A `map_err` function turning a library error into the CLI's, for `what` about `about`.
    pub fn err<'a>(
        &'a self,
        what: &'a str,
        about: About<'a>,
    ) -> impl Fn(mistral_files::Error) -> CliError + 'a {
        move |e| {
            explain(
                e,
                &Ctx {
                    what,
                    base: &self.base,
                    about,
                },
            )
        }
    }
}

/// The base URL from `--base-url`, else `MISTRAL_BASE_URL`, else the provider's.
pub fn base_url(args: &ClientArgs) -> Result<String, CliError> {
    match &args.base_url {
        Some(u) => Ok(u.clone()),
        None => {
            env_var("MISTRAL_BASE_URL").map(|v| v.unwrap_or_else(|| DEFAULT_BASE_URL.to_string()))
        }
    }
}

/// An environment variable: `None` when unset; a usage error when it is not UTF-8.
fn env_var(name: &str) -> Result<Option<String>, CliError> {
    match std::env::var(name) {
        Ok(v) => Ok(Some(v)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(CliError::usage(format!("{name} is not valid UTF-8"))
                .hint(format!("set {name} again, or unset it")))
        }
    }
}

/// Builds the API client from the client options and the environment. Without a key it fails
/// (a usage error), unless `key_required` is false: fetching signed URLs sends no key, so a
/// placeholder that is never sent is used then.
pub fn client(args: &ClientArgs, key_required: bool) -> Result<Api, CliError> {
    let key = match &args.api_key {
        Some(k) => Some(k.clone()),
        None => env_var("MISTRAL_API_KEY")?,
    };
    let key = key.map(|k| k.trim().to_string()).filter(|k| !k.is_empty());
    let key = match key {
        Some(k) => k,
        None if !key_required => "unused: signed URLs are fetched without a key".to_string(),
        None => return Err(explain_local(mistral_files::Error::MissingApiKey)),
    };
    let base = check_base_url(&base_url(args)?)?;
    let client = Client::builder()
        .api_key(key)
        .base_url(&base)
        .user_agent(concat!("mistral-files-cli/", env!("CARGO_PKG_VERSION")))
        .retry_policy(RetryPolicy::default().with_max_attempts(args.retries + 1))
        .build()
        .map_err(explain_local)?;
    Ok(Api { client, base })
}

/// An error found before any request (no base URL needed in its message).
fn explain_local(e: mistral_files::Error) -> CliError {
    explain(
        e,
        &Ctx {
            what: "",
            base: "",
            about: About::Files,
        },
    )
}

/// The checks on a base URL the library leaves to its callers: blank, credentials (never echoed),
/// and a trailing `/v1`, which the client adds itself (every request would 404 on `/v1/v1/…`).
fn check_base_url(url: &str) -> Result<String, CliError> {
    let trimmed = url.trim().trim_end_matches('/');
    let hint = "pass --base-url (or set MISTRAL_BASE_URL) to a URL such as https://api.mistral.ai, or unset it";
    if trimmed.is_empty() {
        return Err(CliError::usage("the base URL is empty").hint(hint));
    }
    let rest = trimmed.split_once("://").map_or(trimmed, |(_, r)| r);
    if rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .contains('@')
    {
        return Err(
            CliError::usage("the base URL must not carry credentials (user:password@)").hint(hint),
        );
    }
    if let Some(root) = trimmed.strip_suffix("/v1") {
        if root.contains("://") && !root.ends_with('/') && !root.ends_with(':') {
            return Err(CliError::usage(format!(
                "the base URL {trimmed} ends in /v1, which the client adds itself (requests would go to {trimmed}/v1/files)"
            ))
            .hint(format!("use --base-url {root} (or set MISTRAL_BASE_URL to it)")));
        }
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_ending_in_v1_are_refused_with_the_root() {
        let e = check_base_url("http://127.0.0.1:8080/v1/").unwrap_err();
        assert!(e.message.contains("ends in /v1"), "{}", e.message);
        assert_eq!(
            e.hint.as_deref(),
            Some("use --base-url http://127.0.0.1:8080 (or set MISTRAL_BASE_URL to it)")
        );
        assert_eq!(
            check_base_url("https://api.mistral.ai/").unwrap(),
            "https://api.mistral.ai"
        );
        assert!(check_base_url("http://proxy/v1x").is_ok());
        let e = check_base_url("http://user:S3CR3T@h/").unwrap_err();
        assert!(!e.message.contains("S3CR3T"));
    }
}
