//! [`UploadData`]: what [`Client::upload_bytes`](crate::Client::upload_bytes) accepts, so that
//! the forms a caller writes (a byte-string literal, a `&str`, a `Vec<u8>`, [`Bytes`]) all work.

use bytes::Bytes;

/// The content of an in-memory upload. Built with `.into()` (or implicitly, by
/// [`Client::upload_bytes`](crate::Client::upload_bytes)) from [`Bytes`], `Vec<u8>`, `String`,
/// and, copied, from a borrowed `&[u8]`, `&[u8; N]` (a byte-string literal) or `&str`.
///
/// ```
/// use mistral_files::UploadData;
/// let literal: UploadData = b"{}\n".into();
/// let text: UploadData = "{}\n".into();
/// let owned: UploadData = vec![b'{', b'}', b'\n'].into();
/// assert_eq!(literal.len(), 3);
/// assert_eq!(literal, text);
/// assert_eq!(text, owned);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadData(pub(crate) Bytes);

impl UploadData {
    /// The content's length in bytes.
    ///
    /// ```
    /// assert_eq!(mistral_files::UploadData::from("ab").len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the content is empty (the service refuses empty files).
    ///
    /// ```
    /// assert!(mistral_files::UploadData::from("").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Bytes> for UploadData {
    fn from(b: Bytes) -> Self {
        UploadData(b)
    }
}

impl From<Vec<u8>> for UploadData {
    fn from(v: Vec<u8>) -> Self {
        UploadData(Bytes::from(v))
    }
}

impl From<String> for UploadData {
    fn from(s: String) -> Self {
        UploadData(Bytes::from(s))
    }
}

impl From<&[u8]> for UploadData {
    fn from(s: &[u8]) -> Self {
        UploadData(Bytes::copy_from_slice(s))
    }
}

impl<const N: usize> From<&[u8; N]> for UploadData {
    fn from(s: &[u8; N]) -> Self {
        UploadData(Bytes::copy_from_slice(s))
    }
}

impl From<&str> for UploadData {
    fn from(s: &str) -> Self {
        UploadData(Bytes::copy_from_slice(s.as_bytes()))
    }
}

impl From<&String> for UploadData {
    fn from(s: &String) -> Self {
        UploadData(Bytes::copy_from_slice(s.as_bytes()))
    }
}

impl From<&Vec<u8>> for UploadData {
    fn from(v: &Vec<u8>) -> Self {
        UploadData(Bytes::copy_from_slice(v))
    }
}
