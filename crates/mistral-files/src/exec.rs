//! The request executor: every request the crate makes, generated or built by hand, is sent by
//! [`Client::call`], so that all of them are authenticated, retried, timed out and turned into
//! [`Error`]s the same way.
//!
//! A call hands `call` a closure that makes one attempt with the [`Attempt`] it is given:
//! - the generated operations (list, retrieve, delete, signed URL) call their builder on
//!   [`Attempt::raw`] and `send()` it;
//! - the upload and downloads build their request with [`Attempt::raw`] too (its base URL and
//!   HTTP client) and send it with `mistral_files_raw::Client::execute`, which runs the very
//!   hooks the generated operations run.
//!
//! Either way the generated client's hooks add the `Authorization` and `User-Agent` headers,
//! and a failed status comes back as the same `Error::UnexpectedResponse`, body unread; `call`
//! then maps every failure with one function (`error::from_raw::map`, which reads at most
//! 64 KiB of an error body), bounds each attempt by the total timeout (`Error::Timeout`
//! whatever the operation) and retries by the request's [`RetryClass`]. When the client value
//! carries a concurrency gate (an operation of many requests made it, `Client::with_gate`),
//! each attempt waits for its permit first and reports its outcome to it (`retry.rs`); the
//! deadline starts once the permit is held, so waiting for a slot never eats into a timeout.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::client::Client;
use crate::error::from_raw::{self, RawError};
use crate::error::{Error, Result};
use crate::retry::RetryClass;

/// Why one attempt failed: an error of the generated client (mapped by [`Client::call`]), or
/// one of this crate.
pub(crate) enum Failure {
    /// The generated client's error, not yet mapped (boxed: it holds a whole response).
    Raw(Box<RawError>),
    /// This crate's error.
    Ours(Error),
}

impl From<RawError> for Failure {
    fn from(e: RawError) -> Self {
        Failure::Raw(Box::new(e))
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Ours(e)
    }
}

impl From<reqwest::Error> for Failure {
    fn from(e: reqwest::Error) -> Self {
        Failure::Ours(Error::from(e))
    }
}

/// Which host a request goes to, which decides whether it carries the API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Host {
    /// The API host: the key is sent.
    Api,
    /// Another host (a signed URL, which carries its own credential): the key is never sent.
    Foreign,
}

/// What a call is, for the executor: its name in errors, its method and path in the tracing
/// spans, how it may be retried, and where it goes.
pub(crate) struct Call<'a> {
    /// The operation's name, as [`DecodeError::operation`](crate::DecodeError::operation) gives it.
    pub(crate) operation: &'static str,
    /// The HTTP method, for the spans.
    pub(crate) method: &'static str,
    /// The path (of a signed URL, its scheme and host only), for the spans.
    pub(crate) path: &'a str,
    /// How a failed attempt may be retried.
    pub(crate) class: RetryClass,
    /// Where the request goes.
    pub(crate) host: Host,
}

impl<'a> Call<'a> {
    /// A call to the API host.
    pub(crate) fn api(
        operation: &'static str,
        method: &'static str,
        path: &'a str,
        class: RetryClass,
    ) -> Self {
        Call {
            operation,
            method,
            path,
            class,
            host: Host::Api,
        }
    }
}

/// The end of one attempt's total timeout ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout)).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    at: Instant,
    after: Duration,
}

impl Deadline {
    /// Run `fut` within `deadline`, if there is one: [`Error::Timeout`] when it passes first.
    pub(crate) async fn limit<F: Future>(deadline: Option<Self>, fut: F) -> Result<F::Output> {
        match deadline {
            Some(d) => tokio::time::timeout_at(d.at, fut)
                .await
                .map_err(|_| Error::Timeout { after: d.after }),
            None => Ok(fut.await),
        }
    }
}

/// One attempt of a call: the generated client to build and send its request with, and the
/// deadline it runs under.
pub(crate) struct Attempt {
    raw: mistral_files_raw::Client,
    deadline: Option<Deadline>,
}

impl Attempt {
    /// The generated client for this attempt: the client's HTTP client and base URL, and a
    /// context with the key (for [`Host::Api`]) and the user agent.
    pub(crate) fn raw(&self) -> &mistral_files_raw::Client {
        &self.raw
    }

    /// The attempt's deadline, for a body read after the call returns (a download's).
    pub(crate) fn deadline(&self) -> Option<Deadline> {
        self.deadline
    }
}

/// The value of a generated operation's answer, its status recorded on the attempt's span.
pub(crate) fn answered<T>(response: mistral_files_raw::ResponseValue<T>) -> T {
    record_status(response.status());
    response.into_inner()
}

/// Record a success status on the attempt's span (the retry loop records failures').
pub(crate) fn record_status(status: reqwest::StatusCode) {
    tracing::Span::current().record("status", status.as_u16());
}

impl Client {
    /// Make `call`, one `attempt` at a time, under the client's retry policy and total timeout;
    /// every failure is mapped into [`Error`] here.
    pub(crate) async fn call<T, F, Fut>(&self, call: Call<'_>, mut attempt: F) -> Result<T>
    where
        F: FnMut(Attempt) -> Fut,
        Fut: Future<Output = std::result::Result<T, Failure>>,
    {
        let operation = call.operation;
        let policy = &self.inner.retry;
        policy
            .run(
                call.method,
                call.path,
                call.class,
                self.gate.as_ref(),
                |_| {
                    let deadline = self.inner.timeout.map(|after| Deadline {
                        at: Instant::now() + after,
                        after,
                    });
                    let made = self
                        .raw(call.host)
                        .map(|raw| attempt(Attempt { raw, deadline }));
                    async move {
                        let outcome = async {
                            match made?.await {
                                Ok(value) => Ok(value),
                                Err(Failure::Ours(e)) => Err(e),
                                Err(Failure::Raw(e)) => Err(from_raw::map(operation, *e).await),
                            }
                        };
                        Deadline::limit(deadline, outcome).await?
                    }
                },
            )
            .await
    }

    /// The generated client for one attempt. Made per attempt rather than kept: its context
    /// holds an `Authorization` header, and a kept one would be a second long-lived copy of the
    /// key. Making one costs a few small allocations, nothing next to a request.
    fn raw(&self, host: Host) -> Result<mistral_files_raw::Client> {
        let context = match host {
            Host::Api => self.inner.key.raw_context()?,
            Host::Foreign => mistral_files_raw::ClientContext::anonymous(),
        };
        Ok(mistral_files_raw::Client::new_with_client(
            &self.inner.base_url,
            self.inner.http.clone(),
            context.user_agent(self.inner.user_agent.clone()),
        ))
    }
}
