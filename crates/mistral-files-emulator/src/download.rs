//! Streaming file content: `Content-Length`, `Accept-Ranges`, single `Range`s (with `If-Range`
//! against the `ETag`), and the download faults (cut, stall, throttle). Content is read in 256 KiB positional reads on the blocking pool,
//! so memory per download stays around one chunk whatever the file size.
//!
//! Depends on `store` (the row), `faults` (what to do to the download) and `error` /
//! `error_body` (the 416); the handlers that serve content use it.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::stream;

use crate::error::{json_response, ApiError};
use crate::error_body;
use crate::faults::DownloadFault;
use crate::store::FileRow;

/// Size of each read from disk and of the chunks handed to the HTTP layer.
pub(crate) const CHUNK: usize = 256 * 1024;

/// Pause before a fault-injected cut, so the bytes before it reach the socket.
const CUT_FLUSH_DELAY: Duration = Duration::from_millis(100);

/// The outcome of parsing a `Range` header against a length.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RangeSpec {
    /// No usable range: send everything (absent, malformed, or several ranges: RFC 9110 allows ignoring).
    Full,
    /// Send `start..=end`.
    Partial { start: u64, end: u64 },
    /// A well-formed range that the content cannot satisfy: 416.
    Unsatisfiable,
}

/// Parses a single `bytes=` range (`a-b`, `a-`, `-n`).
pub(crate) fn parse_range(value: Option<&str>, len: u64) -> RangeSpec {
    let Some(value) = value else {
        return RangeSpec::Full;
    };
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return RangeSpec::Full;
    };
    if spec.contains(',') {
        return RangeSpec::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeSpec::Full;
    };
    let (a, b) = (a.trim(), b.trim());
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if a.is_empty() {
        // suffix range: the last n bytes
        if !digits(b) {
            return RangeSpec::Full;
        }
        let n: u64 = b.parse().unwrap_or(u64::MAX);
        if n == 0 || len == 0 {
            return RangeSpec::Unsatisfiable;
        }
        let n = n.min(len);
        return RangeSpec::Partial {
            start: len - n,
            end: len - 1,
        };
    }
    if !digits(a) || !(b.is_empty() || digits(b)) {
        return RangeSpec::Full;
    }
    let start: u64 = match a.parse() {
        Ok(v) => v,
        Err(_) => return RangeSpec::Unsatisfiable,
    };
    let end: u64 = if b.is_empty() {
        u64::MAX
    } else {
        b.parse().unwrap_or(u64::MAX)
    };
    if end < start {
        return RangeSpec::Full;
    }
    if start >= len {
        return RangeSpec::Unsatisfiable;
    }
    RangeSpec::Partial {
        start,
        end: end.min(len - 1),
    }
}

/// Quotes a file name for `Content-Disposition` without ever letting it break the header:
/// an ASCII fallback with unsafe characters replaced, plus RFC 5987 `filename*`.
fn content_disposition(name: &str) -> HeaderValue {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let value = format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}");
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Builds the download response for a stored file whose content is open in `file`.
pub(crate) fn respond(
    row: &FileRow,
    file: File,
    request_headers: &HeaderMap,
    fault: DownloadFault,
) -> Result<Response, ApiError> {
    let len = file.metadata()?.len();
    let etag = row.signature.as_ref().map(|sig| format!("\"{sig}\""));
    let range_header = request_headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok());
    // `If-Range`: the range only if the file is still the one the client has (its strong
    // `ETag`); otherwise the whole file (RFC 9110 13.1.5). A date never matches: no
    // `Last-Modified` is sent.
    let if_range = request_headers
        .get(header::IF_RANGE)
        .map(|v| v.as_bytes().to_vec());
    let still_same = match (&if_range, &etag) {
        (None, _) => true,
        (Some(v), Some(tag)) => v.as_slice() == tag.as_bytes(),
        (Some(_), None) => false,
    };
    let range = if still_same {
        parse_range(range_header, len)
    } else {
        RangeSpec::Full
    };
    tracing::info!(
        id = %row.id,
        range = %range_header.unwrap_or("-"),
        if_range = if_range.is_some(),
        served = ?range,
        "download"
    );
    let (status, start, count) = match range {
        RangeSpec::Full => (StatusCode::OK, 0, len),
        RangeSpec::Partial { start, end } => (StatusCode::PARTIAL_CONTENT, start, end - start + 1),
        RangeSpec::Unsatisfiable => {
            let mut r = json_response(
                StatusCode::RANGE_NOT_SATISFIABLE,
                &error_body::detail("Requested range not satisfiable"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(r);
        }
    };
    let body = Body::from_stream(content_stream(Arc::new(file), start, count, fault));
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CONTENT_DISPOSITION,
        content_disposition(&row.filename),
    );
    if let Some(tag) = &etag {
        if let Ok(v) = HeaderValue::from_str(tag) {
            h.insert(header::ETAG, v);
        }
    }
    if status == StatusCode::PARTIAL_CONTENT {
        let end = start + count - 1;
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
            h.insert(header::CONTENT_RANGE, v);
        }
    }
    Ok(resp)
}

/// Where a download stands: the range left to read, the bytes read but not yet sent, and the
/// faults still to apply.
struct StreamState {
    file: Arc<File>,
    pos: u64,
    end: u64,
    pending: Bytes,
    sent: u64,
    fault: DownloadFault,
    done: bool,
}

/// Reads `count` bytes from `start`, applying the download faults.
fn content_stream(
    file: Arc<File>,
    start: u64,
    count: u64,
    fault: DownloadFault,
) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let state = StreamState {
        file,
        pos: start,
        end: start + count,
        pending: Bytes::new(),
        sent: 0,
        fault,
        done: false,
    };
    stream::unfold(state, |mut st| async move {
        if st.done {
            return None;
        }
        let piece = st.next_piece().await?;
        // an error ends the body: the HTTP layer drops the connection
        st.done = piece.is_err();
        Some((piece, st))
    })
}

impl StreamState {
    /// The next piece of the body; `None` once it is all sent.
    async fn next_piece(&mut self) -> Option<std::io::Result<Bytes>> {
        if let Some(cut) = self.cut_if_due().await {
            return Some(Err(cut));
        }
        if self.pending.is_empty() {
            if self.pos >= self.end {
                return None;
            }
            let n = ((self.end - self.pos) as usize).min(CHUNK);
            match read_chunk(self.file.clone(), self.pos, n).await {
                Ok(buf) => {
                    self.pos += buf.len() as u64;
                    self.pending = Bytes::from(buf);
                }
                Err(e) => return Some(Err(e)),
            }
        }
        let take = self.paced_take().await;
        if take == 0 {
            return Some(Err(std::io::Error::other("empty read")));
        }
        let out = self.pending.split_to(take as usize);
        self.sent += take;
        Some(Ok(out))
    }

    /// The cut fault, once its byte count is sent and more of the body remains.
    async fn cut_if_due(&self) -> Option<std::io::Error> {
        let k = self.fault.cut_after?;
        let remaining = (self.end - self.pos) + self.pending.len() as u64;
        if self.sent < k || remaining == 0 {
            return None;
        }
        tracing::info!(after = k, "fault: cutting download");
        // Let the HTTP layer flush the headers and the bytes sent so far: it writes out what
        // it has queued when the body is pending, but drops it on an error.
        tokio::time::sleep(CUT_FLUSH_DELAY).await;
        Some(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "fault injection: download cut",
        ))
    }

    /// How many pending bytes to send now: no further than a cut or a stall point, in small
    /// paced pieces when throttled; sleeps for the stall (once) and the throttle.
    async fn paced_take(&mut self) -> u64 {
        let mut take = self.pending.len() as u64;
        if let Some(k) = self.fault.cut_after {
            take = take.min(k.saturating_sub(self.sent));
        }
        if let Some((k, stall)) = self.fault.stall {
            if self.sent >= k {
                tracing::info!(after = k, ?stall, "fault: stalling download");
                tokio::time::sleep(stall).await;
                self.fault.stall = None;
            } else {
                take = take.min(k - self.sent);
            }
        }
        if let Some(bps) = self.fault.throttle {
            // pieces of about 1/20 s worth of data
            let piece = (bps / 20).clamp(1, CHUNK as u64);
            take = take.min(piece);
            tokio::time::sleep(Duration::from_secs_f64(take as f64 / bps as f64)).await;
        }
        take
    }
}

/// Reads exactly `n` bytes at `pos` on the blocking pool (positional reads: the file is shared).
async fn read_chunk(file: Arc<File>, pos: u64, n: usize) -> std::io::Result<Vec<u8>> {
    tokio::task::spawn_blocking(move || {
        let mut buf = vec![0u8; n];
        let mut filled = 0;
        while filled < n {
            match file.read_at(&mut buf[filled..], pos + filled as u64) {
                Ok(0) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "content shorter than expected",
                    ))
                }
                Ok(k) => filled += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(buf)
    })
    .await
    .map_err(std::io::Error::other)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        use RangeSpec::*;
        assert_eq!(parse_range(None, 10), Full);
        assert_eq!(
            parse_range(Some("bytes=0-4"), 10),
            Partial { start: 0, end: 4 }
        );
        assert_eq!(
            parse_range(Some("bytes=5-"), 10),
            Partial { start: 5, end: 9 }
        );
        assert_eq!(
            parse_range(Some("bytes=-3"), 10),
            Partial { start: 7, end: 9 }
        );
        assert_eq!(
            parse_range(Some("bytes=-30"), 10),
            Partial { start: 0, end: 9 }
        );
        assert_eq!(
            parse_range(Some("bytes=8-100"), 10),
            Partial { start: 8, end: 9 }
        );
        assert_eq!(parse_range(Some("bytes=10-"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-"), 0), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=5-2"), 10), Full);
        assert_eq!(parse_range(Some("bytes=0-1,3-4"), 10), Full);
        assert_eq!(parse_range(Some("items=0-1"), 10), Full);
        assert_eq!(parse_range(Some("bytes=a-b"), 10), Full);
    }

    #[test]
    fn disposition_never_breaks_header() {
        let v = content_disposition("a\"b\r\nSet-Cookie: x=1\u{e9}.jsonl");
        let s = v.to_str().unwrap();
        assert!(!s.contains('\r') && !s.contains('\n'));
        assert!(s.contains("filename*=UTF-8''a%22b%0D%0ASet-Cookie%3A%20x%3D1%C3%A9.jsonl"));
    }
}
