//! Resuming a download: the state a [`Download`](crate::Download) stream keeps between chunks,
//! and the reconnection when a body fails mid-way.
//!
//! A failed body is not the end of a download: the transfer asks again for the rest (with
//! `Range` and `If-Range` when the server supports them, or from the start, dropping what was
//! already delivered) and checks that the file did not change. Kept apart from the public
//! stream type so that the rules of resumption can be read in one place.

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt};
use reqwest::header::{
    HeaderValue, ACCEPT_RANGES, CONTENT_RANGE, ETAG, IF_RANGE, LAST_MODIFIED, RANGE,
};
use reqwest::StatusCode;

use super::partial::ResumeFrom;
use super::target::Target;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::exec::{Call, Deadline};
use crate::progress::{Progress, ProgressFn};
use crate::retry::RetryClass;

/// One download across its reconnections: where it is, and what the server said about the file.
pub(super) struct Transfer {
    client: Client,
    target: Target,
    /// The body being read.
    resp: Option<BoxStream<'static, reqwest::Result<Bytes>>>,
    /// Content bytes delivered so far.
    offset: u64,
    /// Bytes to drop from the start of the current response (a restart without `Range`).
    skip: u64,
    /// The file's length, once a response announced it.
    total: Option<u64>,
    /// Whether the server said it accepts `Range` (first response).
    ranges: bool,
    /// A strong `ETag` or `Last-Modified`, sent as `If-Range` so that a resumed body is from the
    /// same version of the file (first response).
    validator: Option<HeaderValue>,
    /// Reconnections so far, counted against the policy's attempts.
    resumes: u32,
    /// Where the first response starts: 0, or the offset of a partial copy that it continues.
    start: u64,
    progress: Option<ProgressFn>,
    /// Set at the end and after an error: the stream yields nothing more.
    finished: bool,
    /// The total timeout's deadline of the attempt that opened the current body.
    deadline: Option<Deadline>,
}

impl Transfer {
    /// Send the first request and take its response: the transfer is ready to stream.
    /// Returns the response's `Content-Type` too, which only the first response gives.
    ///
    /// With `resume`, the first request asks for the rest of a partial copy (`Range` from its
    /// length, `If-Range` with its validator): a `206` continues it ([`start`](Self::start) is
    /// its length); any other answer is the whole file, from 0 (the copy no longer matches, or
    /// the server ignores ranges).
    pub(super) async fn start(
        client: Client,
        target: Target,
        progress: Option<ProgressFn>,
        resume: Option<ResumeFrom>,
    ) -> Result<(Self, Option<String>)> {
        let mut st = Transfer {
            client,
            target,
            resp: None,
            offset: 0,
            skip: 0,
            total: None,
            ranges: false,
            validator: None,
            resumes: 0,
            start: 0,
            progress,
            finished: false,
            deadline: None,
        };
        if let Some(r) = resume {
            st.offset = r.offset;
            st.ranges = true;
            st.validator = Some(r.validator);
            st.total = r.total;
        }
        let first = st.open().await?;
        if st.offset > 0 && first.status() != StatusCode::PARTIAL_CONTENT {
            // the partial copy is not continued: this is the whole file
            st.offset = 0;
            st.total = None;
            st.ranges = false;
            st.validator = None;
        }
        st.start = st.offset;
        let content_type = first
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        st.accept(first)?;
        if let Some(cb) = &st.progress {
            cb(Progress {
                bytes_done: st.offset,
                total: st.total,
            });
        }
        Ok((st, content_type))
    }

    /// Where the content of this transfer starts in the file: 0, or the length of the partial
    /// copy it continues.
    pub(super) fn start_offset(&self) -> u64 {
        self.start
    }

    /// The validator the file was served with (a strong `ETag`, else `Last-Modified`).
    pub(super) fn validator(&self) -> Option<&HeaderValue> {
        self.validator.as_ref()
    }

    /// The file's length, when the server announced it.
    pub(super) fn total(&self) -> Option<u64> {
        self.total
    }

    /// Request the rest of the file (all of it the first time), with retries.
    async fn open(&mut self) -> Result<reqwest::Response> {
        let client = self.client.clone();
        let target = &self.target;
        let range = (self.offset > 0 && self.ranges).then(|| format!("bytes={}-", self.offset));
        let validator = &self.validator;
        let path = target.log_path();
        let call = Call {
            operation: "download",
            method: "GET",
            path: &path,
            class: RetryClass::Idempotent,
            host: target.host(),
        };
        let (response, deadline) = client
            .call(call, |attempt| {
                let range = range.clone();
                async move {
                    let raw = attempt.raw();
                    let mut rb = match target {
                        Target::Api(id) => {
                            raw.request(reqwest::Method::GET, &format!("/v1/files/{id}/content"))
                        }
                        Target::Signed(url) => raw.reqwest_client().get(url),
                    };
                    if let Some(r) = range {
                        rb = rb.header(RANGE, r);
                        if let Some(v) = validator {
                            rb = rb.header(IF_RANGE, v.clone());
                        }
                    }
                    let response = raw.execute(rb.build()?, "download_file").await?;
                    crate::exec::record_status(response.status());
                    Ok((response, attempt.deadline()))
                }
            })
            .await?;
        self.deadline = deadline;
        Ok(response)
    }

    /// The next chunk of the current body (`None` at its end), read within the deadline of
    /// the attempt that opened it; `None` when there is no body.
    async fn next_chunk(&mut self) -> Option<Option<Result<Bytes>>> {
        let body = self.resp.as_mut()?;
        Some(match Deadline::limit(self.deadline, body.next()).await {
            Ok(chunk) => chunk.map(|c| c.map_err(Error::from)),
            Err(timeout) => Some(Err(timeout)),
        })
    }

    /// Take a response as the current body, working out where it starts.
    fn accept(&mut self, resp: reqwest::Response) -> Result<()> {
        let status = resp.status();
        let headers = resp.headers();
        if self.offset == 0 {
            self.ranges = headers
                .get(ACCEPT_RANGES)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("bytes"));
            self.validator = headers
                .get(ETAG)
                .filter(|v| !v.as_bytes().starts_with(b"W/"))
                .or_else(|| headers.get(LAST_MODIFIED))
                .cloned();
        }
        if status == StatusCode::PARTIAL_CONTENT {
            let (start, total) = headers
                .get(CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_content_range)
                .ok_or_else(|| {
                    Error::invalid(
                        "server response",
                        "a 206 response without a usable Content-Range",
                    )
                })?;
            if start > self.offset {
                return Err(Error::invalid(
                    "server response",
                    "the server resumed past the requested offset",
                ));
            }
            self.skip = self.offset - start;
            if let (Some(t), Some(known)) = (total, self.total) {
                if t != known {
                    return Err(Error::invalid(
                        "server response",
                        "the file changed while downloading",
                    ));
                }
            }
            if self.total.is_none() {
                self.total = total;
            }
        } else {
            // A full body: drop what was already delivered.
            self.skip = self.offset;
            let len = resp.content_length();
            if self.offset == 0 {
                self.total = len;
            } else if let (Some(l), Some(t)) = (len, self.total) {
                if l != t {
                    return Err(Error::invalid(
                        "server response",
                        "the file changed while downloading",
                    ));
                }
            }
        }
        self.resp = Some(resp.bytes_stream().boxed());
        Ok(())
    }

    /// The next chunk of the file, reconnecting if the body fails; `None` at the end, and after
    /// an error.
    pub(super) async fn next(&mut self) -> Option<Result<Bytes>> {
        if self.finished {
            return None;
        }
        loop {
            let err: Error = match self.next_chunk().await? {
                Some(Ok(chunk)) => match self.deliver(chunk) {
                    Some(chunk) => return Some(Ok(chunk)),
                    None => continue,
                },
                None => match self.total {
                    Some(t) if self.offset < t => Error::LengthMismatch {
                        expected: t,
                        actual: self.offset,
                    },
                    _ => {
                        self.finished = true;
                        return None;
                    }
                },
                Some(Err(e)) => {
                    if self
                        .total
                        .is_some_and(|t| self.offset >= t && self.skip == 0)
                    {
                        // Everything arrived; the connection only failed on the way out.
                        self.finished = true;
                        return None;
                    }
                    e
                }
            };
            if let Err(e) = self.reconnect(err).await {
                self.finished = true;
                return Some(Err(e));
            }
        }
    }

    /// Drop what was already delivered from the start of a chunk (after a restart without
    /// `Range`), count and report the rest; `None` if nothing is left of it.
    fn deliver(&mut self, mut chunk: Bytes) -> Option<Bytes> {
        if self.skip > 0 {
            let drop = (self.skip).min(chunk.len() as u64);
            self.skip -= drop;
            chunk = chunk.slice(drop as usize..);
            if chunk.is_empty() {
                return None;
            }
        }
        self.offset += chunk.len() as u64;
        if let Some(cb) = &self.progress {
            cb(Progress {
                bytes_done: self.offset,
                total: self.total,
            });
        }
        Some(chunk)
    }

    /// The body failed with `err`: reconnect and continue where it stopped, if the policy
    /// allows another attempt; otherwise (or if reconnecting fails) the error to end with.
    async fn reconnect(&mut self, err: Error) -> Result<()> {
        let policy = &self.client.inner.retry;
        self.resumes += 1;
        if self.resumes >= policy.max_attempts() {
            return Err(err);
        }
        tracing::warn!(error = %err, offset = self.offset, attempt = self.resumes + 1, "download interrupted; resuming");
        tokio::time::sleep(policy.delay(self.resumes, None)).await;
        let resp = self.open().await?;
        self.accept(resp)
    }
}

/// Parse `bytes START-END/TOTAL` (TOTAL may be `*`).
fn parse_content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, _end) = range.split_once('-')?;
    let total = if total == "*" {
        None
    } else {
        Some(total.parse().ok()?)
    };
    Some((start.parse().ok()?, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range() {
        assert_eq!(
            parse_content_range("bytes 10-99/100"),
            Some((10, Some(100)))
        );
        assert_eq!(parse_content_range("bytes 0-0/*"), Some((0, None)));
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }
}
