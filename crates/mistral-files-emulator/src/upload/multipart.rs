//! Reading a `multipart/form-data` body part by part, as python-multipart (Starlette's parser)
//! reads it: part headers may hold any byte but CR and LF (control characters in a name or a
//! file name are kept as sent, as the service keeps them), a quoted value may escape `"` with
//! `\`, and `filename*` (RFC 5987) wins over `filename`.
//!
//! The reader owns the request body, so that after a refusal the handler can read (and
//! discard) the rest of it, up to a bound, before answering: the client then reads the answer
//! instead of a reset connection.
//!
//! Depends on nothing of the crate but the drain bounds of `middleware`; `form` and `sink`
//! read parts through it.

use axum::body::{Body, BodyDataStream};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;

use crate::middleware::{DRAIN_CAP, DRAIN_TIME};

/// Longest header block of one part.
const MAX_PART_HEAD: usize = 16 * 1024;

/// Why a form could not be read.
#[derive(Debug)]
pub(super) enum FormError {
    /// The body is not a well-formed form (a bad part header, a missing boundary, a body that
    /// ends before the closing boundary).
    Malformed(&'static str),
    /// The body is larger than the form may be.
    TooLarge,
    /// Reading the body failed (the client went away).
    Body(axum::Error),
}

/// The headers of one part, as the handler needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PartHead {
    /// The `name` parameter of `Content-Disposition` (empty if absent).
    pub(super) name: String,
    /// `filename*` if present and decodable, else `filename`.
    pub(super) filename: Option<String>,
    /// The part's `Content-Type`.
    pub(super) content_type: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before the first delimiter.
    Preamble,
    /// Just after a delimiter: `--` ends the form, else a line break starts a part.
    AfterDelimiter,
    /// Reading a part's headers.
    Head,
    /// Reading a part's content.
    Data,
    /// After the closing delimiter.
    Done,
}

/// Most bytes moved from the body into the search buffer at a time (see `FormReader::fill`):
/// appending the HTTP stack's chunks whole would let each upload's buffer grow to the largest
/// chunk size the stack chooses; a fixed step bounds it (docs/BENCHMARKS.md has the figures).
const FILL_STEP: usize = 64 * 1024;

/// A form being read.
pub(super) struct FormReader {
    body: BodyDataStream,
    /// What the body gave and was not yet moved into `buf`.
    pending: Bytes,
    /// Where delimiters are looked for: at most [`FILL_STEP`] bytes and a partial delimiter.
    buf: BytesMut,
    /// `\r\n--BOUNDARY`.
    delimiter: Vec<u8>,
    finder: memchr::memmem::Finder<'static>,
    stage: Stage,
    /// The body ended.
    eof: bool,
    /// Bytes received from the body so far.
    received: u64,
    /// Most bytes the body may have.
    limit: u64,
}

/// The `boundary` parameter of a `multipart/form-data` content type.
pub(super) fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let b = params_of(params.as_bytes())
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))?
        .1;
    let b = String::from_utf8(b).ok()?;
    (!b.is_empty() && b.len() <= 200).then_some(b)
}

impl FormReader {
    /// A reader of `body`, a form delimited by `boundary`, of at most `limit` bytes.
    pub(super) fn new(body: Body, boundary: &str, limit: u64) -> FormReader {
        let delimiter = format!("\r\n--{boundary}").into_bytes();
        let finder = memchr::memmem::Finder::new(&delimiter).into_owned();
        let mut buf = BytesMut::with_capacity(FILL_STEP + 256);
        // The first delimiter may open the body: give it the line break it lacks.
        buf.extend_from_slice(b"\r\n");
        FormReader {
            body: body.into_data_stream(),
            pending: Bytes::new(),
            buf,
            delimiter,
            finder,
            stage: Stage::Preamble,
            eof: false,
            received: 0,
            limit,
        }
    }

    /// Reads more of the body into the buffer; `false` at its end.
    async fn fill(&mut self) -> Result<bool, FormError> {
        while self.pending.is_empty() {
            if self.eof {
                return Ok(false);
            }
            match self.body.next().await {
                Some(Ok(bytes)) => {
                    self.received += bytes.len() as u64;
                    if self.received > self.limit {
                        return Err(FormError::TooLarge);
                    }
                    self.pending = bytes;
                }
                Some(Err(e)) => return Err(FormError::Body(e)),
                None => self.eof = true,
            }
        }
        // A step at a time: `buf` then never grows past one step (the chunks handed out are
        // dropped before the next fill, so it reuses its allocation), instead of growing to
        // twice the HTTP stack's largest read for every upload in flight.
        let step = self.pending.split_to(self.pending.len().min(FILL_STEP));
        self.buf.extend_from_slice(&step);
        Ok(true)
    }

    /// The next part's headers (skipping what is left of the current part); `None` after the
    /// closing delimiter.
    pub(super) async fn next_part(&mut self) -> Result<Option<PartHead>, FormError> {
        loop {
            match self.stage {
                Stage::Done => return Ok(None),
                Stage::Data => while self.chunk().await?.is_some() {},
                Stage::Preamble => match self.finder.find(&self.buf) {
                    Some(at) => {
                        let _ = self.buf.split_to(at + self.delimiter.len());
                        self.stage = Stage::AfterDelimiter;
                    }
                    None => {
                        // keep what could be the start of the delimiter
                        let keep = self.delimiter.len() - 1;
                        if self.buf.len() > keep {
                            let _ = self.buf.split_to(self.buf.len() - keep);
                        }
                        if !self.fill().await? {
                            return Err(FormError::Malformed("no boundary in the body"));
                        }
                    }
                },
                Stage::AfterDelimiter => {
                    if self.buf.len() >= 2 && &self.buf[..2] == b"--" {
                        self.stage = Stage::Done;
                        return Ok(None);
                    }
                    // transport padding, then a line break
                    let pad = self
                        .buf
                        .iter()
                        .take_while(|b| **b == b' ' || **b == b'\t')
                        .count();
                    if self.buf.len() >= pad + 2 {
                        if &self.buf[pad..pad + 2] != b"\r\n" {
                            return Err(FormError::Malformed("no line break after a boundary"));
                        }
                        let _ = self.buf.split_to(pad + 2);
                        self.stage = Stage::Head;
                    } else if pad > MAX_PART_HEAD {
                        return Err(FormError::Malformed("padding after a boundary"));
                    } else if !self.fill().await? {
                        return Err(FormError::Malformed("the body ends after a boundary"));
                    }
                }
                Stage::Head => {
                    let end = if self.buf.starts_with(b"\r\n") {
                        Some((0, 2))
                    } else {
                        memchr::memmem::find(&self.buf, b"\r\n\r\n").map(|at| (at, at + 4))
                    };
                    match end {
                        Some((at, skip)) if at <= MAX_PART_HEAD => {
                            let head = self.buf.split_to(skip);
                            let head = parse_head(&head[..at])?;
                            self.stage = Stage::Data;
                            return Ok(Some(head));
                        }
                        Some(_) => return Err(FormError::Malformed("part header too large")),
                        None if self.buf.len() > MAX_PART_HEAD + 4 => {
                            return Err(FormError::Malformed("part header too large"))
                        }
                        None => {
                            if !self.fill().await? {
                                return Err(FormError::Malformed(
                                    "the body ends inside a part header",
                                ));
                            }
                        }
                    }
                }
            }
        }
    }

    /// The next piece of the current part's content; `None` at its end. Cancel-safe: nothing
    /// is lost when the future is dropped before it completes.
    pub(super) async fn chunk(&mut self) -> Result<Option<Bytes>, FormError> {
        if self.stage != Stage::Data {
            return Ok(None);
        }
        loop {
            if let Some(at) = self.finder.find(&self.buf) {
                if at > 0 {
                    return Ok(Some(self.buf.split_to(at).freeze()));
                }
                let _ = self.buf.split_to(self.delimiter.len());
                self.stage = Stage::AfterDelimiter;
                return Ok(None);
            }
            // Everything but a possible start of the delimiter is content.
            let safe = self.buf.len().saturating_sub(self.delimiter.len() - 1);
            if safe > 0 {
                return Ok(Some(self.buf.split_to(safe).freeze()));
            }
            if !self.fill().await? {
                return Err(FormError::Malformed("the body ends inside a part"));
            }
        }
    }

    /// Reads and discards the rest of the body, at most [`DRAIN_CAP`] bytes more and for at
    /// most [`DRAIN_TIME`], so that a refusal reaches a client that is still sending.
    /// Past either bound the connection is closed after the answer.
    pub(super) async fn drain(&mut self) {
        if self.eof {
            return;
        }
        let body = &mut self.body;
        let work = async {
            let mut seen = 0usize;
            while let Some(Ok(bytes)) = body.next().await {
                seen += bytes.len();
                if seen > DRAIN_CAP {
                    tracing::debug!("refused upload: the rest of the body is over the drain cap");
                    return;
                }
            }
        };
        let _ = tokio::time::timeout(DRAIN_TIME, work).await;
        self.buf.clear();
        self.pending = Bytes::new();
    }
}

/// The part's headers: `Content-Disposition` and `Content-Type` are used; any byte but CR and
/// LF is accepted in values. A line without `:` or with a bare CR is refused, as python-multipart
/// refuses it.
fn parse_head(block: &[u8]) -> Result<PartHead, FormError> {
    let mut disposition: Option<&[u8]> = None;
    let mut content_type: Option<&[u8]> = None;
    if !block.is_empty() {
        for line in block.split(|b| *b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                continue;
            }
            if line.contains(&b'\r') {
                return Err(FormError::Malformed("a bare CR in a part header"));
            }
            let colon = line
                .iter()
                .position(|b| *b == b':')
                .ok_or(FormError::Malformed("a part header line without ':'"))?;
            let name = trim(&line[..colon]);
            let value = trim(&line[colon + 1..]);
            if name.eq_ignore_ascii_case(b"content-disposition") {
                disposition = Some(value);
            } else if name.eq_ignore_ascii_case(b"content-type") {
                content_type = Some(value);
            }
        }
    }
    let mut head = PartHead {
        name: String::new(),
        filename: None,
        content_type: content_type.map(decode).filter(|t| !t.is_empty()),
    };
    let Some(disposition) = disposition else {
        return Ok(head);
    };
    // `form-data; name="..."; filename="..."`: the first token is the disposition type
    let params = match disposition.iter().position(|b| *b == b';') {
        Some(at) => &disposition[at + 1..],
        None => &[][..],
    };
    let mut extended = None;
    for (key, value) in params_of(params) {
        if key.eq_ignore_ascii_case("name") {
            head.name = decode(&value);
        } else if key.eq_ignore_ascii_case("filename") {
            head.filename = Some(decode(&value));
        } else if key.eq_ignore_ascii_case("filename*") {
            extended = decode_extended(&value);
        }
    }
    if extended.is_some() {
        head.filename = extended;
    }
    Ok(head)
}

/// `key=value` parameters separated by `;`, values quoted (with `\` escapes) or bare.
fn params_of(mut s: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    loop {
        while let [b' ' | b'\t' | b';', rest @ ..] = s {
            s = rest;
        }
        if s.is_empty() {
            return out;
        }
        let key_end = s
            .iter()
            .position(|b| *b == b'=' || *b == b';')
            .unwrap_or(s.len());
        let key = String::from_utf8_lossy(trim(&s[..key_end])).into_owned();
        s = &s[key_end..];
        if s.first() != Some(&b'=') {
            continue;
        }
        s = &s[1..];
        while let [b' ' | b'\t', rest @ ..] = s {
            s = rest;
        }
        let mut value = Vec::new();
        if s.first() == Some(&b'"') {
            let mut i = 1;
            while i < s.len() {
                match s[i] {
                    b'\\' if i + 1 < s.len() && matches!(s[i + 1], b'"' | b'\\') => {
                        value.push(s[i + 1]);
                        i += 2;
                    }
                    b'"' => {
                        i += 1;
                        break;
                    }
                    b => {
                        value.push(b);
                        i += 1;
                    }
                }
            }
            s = &s[i..];
            // anything up to the next `;` after a closing quote is ignored
            let next = s.iter().position(|b| *b == b';').unwrap_or(s.len());
            s = &s[next..];
        } else {
            let end = s.iter().position(|b| *b == b';').unwrap_or(s.len());
            value.extend_from_slice(trim(&s[..end]));
            s = &s[end..];
        }
        out.push((key, value));
    }
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// A header value as text: UTF-8 when it is, else ISO-8859-1 (as Starlette decodes it).
fn decode(value: &[u8]) -> String {
    match std::str::from_utf8(value) {
        Ok(s) => s.to_string(),
        Err(_) => value.iter().map(|b| char::from(*b)).collect(),
    }
}

/// The RFC 5987 / RFC 2231 `charset'lang'percent-encoded` value of `filename*`, decoded
/// (UTF-8 or ISO-8859-1), as python-multipart reads it. This is how a name with CR/LF travels.
fn decode_extended(value: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(value).ok()?;
    let mut pieces = text.splitn(3, '\'');
    let (charset, _lang, encoded) = (pieces.next()?, pieces.next()?, pieces.next()?);
    let mut bytes = Vec::with_capacity(encoded.len());
    let raw = encoded.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' {
            let h = std::str::from_utf8(raw.get(i + 1..i + 3)?).ok()?;
            bytes.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Some(bytes.into_iter().map(char::from).collect())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parts(body: &'static [u8]) -> Result<Vec<(PartHead, Vec<u8>)>, FormError> {
        // split the body in small pieces so that delimiters straddle chunks
        let pieces: Vec<Result<Bytes, std::io::Error>> = body
            .chunks(3)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let body = Body::from_stream(futures_util::stream::iter(pieces));
        let mut r = FormReader::new(body, "XyZ", 1 << 20);
        let mut out = Vec::new();
        while let Some(head) = r.next_part().await? {
            let mut data = Vec::new();
            while let Some(c) = r.chunk().await? {
                data.extend_from_slice(&c);
            }
            out.push((head, data));
        }
        Ok(out)
    }

    #[tokio::test]
    async fn reads_parts_with_control_characters_and_escapes() {
        let got = parts(
            b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"a\x01b\"\r\n\r\nv1\r\n--XyZ  \r\ncontent-disposition: form-data; name=file; filename=\"x\x1b\\\"y;z.jsonl\"\r\nContent-Type: text/plain\r\n\r\n{}\r\n--X\r\n--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"plain\"; filename*=UTF-8''a%0Ab\r\n\r\n\r\n--XyZ--\r\nepilogue",
        )
        .await
        .unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].0.name, "a\u{1}b");
        assert_eq!(got[0].0.filename, None);
        assert_eq!(got[0].1, b"v1");
        assert_eq!(got[1].0.name, "file");
        assert_eq!(got[1].0.filename.as_deref(), Some("x\u{1b}\"y;z.jsonl"));
        assert_eq!(got[1].0.content_type.as_deref(), Some("text/plain"));
        assert_eq!(got[1].1, b"{}\r\n--X");
        assert_eq!(got[2].0.filename.as_deref(), Some("a\nb"));
        assert_eq!(got[2].1, b"");
    }

    #[tokio::test]
    async fn malformed_forms_are_refused() {
        assert!(matches!(
            parts(b"--XyZ\r\nno colon here\r\n\r\nx\r\n--XyZ--").await,
            Err(FormError::Malformed(_))
        ));
        assert!(matches!(
            parts(b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nnever closed").await,
            Err(FormError::Malformed(_))
        ));
        assert!(matches!(
            parts(b"no boundary at all").await,
            Err(FormError::Malformed(_))
        ));
    }

    #[test]
    fn boundaries() {
        assert_eq!(
            boundary("multipart/form-data; boundary=abc").as_deref(),
            Some("abc")
        );
        assert_eq!(
            boundary("Multipart/Form-Data; charset=x; boundary=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(boundary("multipart/form-data"), None);
        assert_eq!(boundary("text/plain; boundary=abc"), None);
    }
}
