//! The multipart framing around an upload's content: the text fields and the file part's
//! headers before it, the closing boundary after it.
//!
//! Made once per upload and reused by every attempt; only the content between them is read
//! again. Knowing both parts up front gives the request its exact `Content-Length`.

use bytes::{Bytes, BytesMut};

/// The form around the content of one upload.
pub(super) struct Form {
    /// The text fields and the file part's headers.
    pub(super) head: Bytes,
    /// The closing boundary.
    pub(super) tail: Bytes,
    /// The request's `Content-Type`, naming the boundary.
    pub(super) content_type: String,
}

impl Form {
    /// The form for a file stored as `name` with type `mime`: the text `fields` that have a
    /// value first, in order, the file last.
    pub(super) fn new(fields: &[(&str, Option<&str>)], name: &str, mime: &str) -> Form {
        let boundary = format!("mistral-files-{:032x}", fastrand::u128(..));
        let mut head = BytesMut::new();
        for (n, v) in fields {
            if let Some(v) = v {
                head.extend_from_slice(
                    format!(
                        "--{boundary}\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n"
                    )
                    .as_bytes(),
                );
            }
        }
        head.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; {}\r\nContent-Type: {mime}\r\n\r\n",
                filename_params(name)
            )
            .as_bytes(),
        );
        Form {
            head: head.freeze(),
            tail: Bytes::from(format!("\r\n--{boundary}--\r\n")),
            content_type: format!("multipart/form-data; boundary={boundary}"),
        }
    }

    /// The length of the whole body around `content` bytes.
    pub(super) fn total_len(&self, content: u64) -> u64 {
        self.head.len() as u64 + content + self.tail.len() as u64
    }
}

/// The `filename` parameters of the file part. Plain names go as `filename="name"`. Others get
/// both forms: `filename="…"` encoded as RFC 7578 §4.2 and browsers do (for servers that only
/// read that one), then `filename*=UTF-8''…` (RFC 5987), which python-multipart (the parser behind
/// the service) prefers and which carries quotes, CR/LF and non-ASCII characters exactly.
fn filename_params(name: &str) -> String {
    let plain = name
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'%');
    if plain {
        return format!("filename=\"{name}\"");
    }
    let mut ext = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            ext.push(b as char);
        } else {
            ext.push_str(&format!("%{b:02X}"));
        }
    }
    format!(
        "filename=\"{}\"; filename*=UTF-8''{ext}",
        encode_filename(name)
    )
}

/// Encode a file name for a `filename="…"` parameter the way RFC 7578 (§4.2) and browsers do:
/// `"` as `%22`, CR as `%0D`, LF as `%0A` (and other control characters likewise); everything
/// else, non-ASCII included, is sent as UTF-8.
fn encode_filename(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '"' => out.push_str("%22"),
            c if c.is_ascii_control() => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filename_encoding() {
        assert_eq!(encode_filename("a\"b\r\nc.jsonl"), "a%22b%0D%0Ac.jsonl");
        assert_eq!(encode_filename("données.jsonl"), "données.jsonl");
        assert_eq!(filename_params("a b.jsonl"), "filename=\"a b.jsonl\"");
        assert_eq!(
            filename_params("é\".jsonl"),
            "filename=\"é%22.jsonl\"; filename*=UTF-8''%C3%A9%22.jsonl"
        );
    }
}
