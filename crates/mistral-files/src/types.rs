//! The file objects the API returns, and the open enums they use.
//!
//! Kept apart from the generated types (which they are converted from) so that the public
//! types can be lenient where the service is (`null` sizes, unknown enum values, fields not
//! modelled yet) and keep a stable shape of their own.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::id::FileId;

pub use mistral_files_raw::open_enums::{FilePurpose, FileVisibility, SampleType, Source};
use mistral_files_raw::types as raw;

/// A stored file, as returned by upload, list and retrieve.
///
/// Lenient where the service is: `bytes` may be `null` (the service's own examples show it), and enum
/// fields keep values this crate does not know as `Unknown(..)` instead of failing. A field this type
/// does not model yet (one the service or a newer spec adds) is kept, not dropped: see
/// [`unmodelled_field`](Self::unmodelled_field).
///
/// ```
/// let json = r#"{"id":"3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e","object":"file","bytes":null,
///   "created_at":1700000000,"filename":"a.jsonl","purpose":"audio","sample_type":"instruct","source":"upload"}"#;
/// let f: mistral_files::FileObject = serde_json::from_str(json)?;
/// assert_eq!(f.bytes, None);
/// assert_eq!(f.purpose.as_str(), "audio");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FileObject {
    /// The file's id.
    pub id: FileId,
    /// Always `"file"`.
    #[serde(default = "file_object")]
    pub object: String,
    /// Size in bytes, when the service says (it sometimes answers `null`).
    #[serde(default)]
    pub bytes: Option<u64>,
    /// Creation time, UNIX seconds.
    pub created_at: i64,
    /// The stored file name.
    pub filename: String,
    /// What the file is for.
    pub purpose: FilePurpose,
    /// The kind of samples it holds.
    pub sample_type: SampleType,
    /// Where it came from.
    pub source: Source,
    /// Number of lines, for JSONL files.
    #[serde(default)]
    pub num_lines: Option<u64>,
    /// The MIME type the service detected.
    #[serde(default)]
    pub mimetype: Option<String>,
    /// A content signature, if the service computed one.
    #[serde(default)]
    pub signature: Option<String>,
    /// Expiry time, UNIX seconds, if the file expires.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// Who can see the file.
    #[serde(default)]
    pub visibility: Option<FileVisibility>,
    /// Whether the file is deleted (only `retrieve` reports it; `false` elsewhere).
    #[serde(default)]
    pub deleted: bool,
    /// Every field of the answer that the fields above do not model, by name.
    #[serde(flatten)]
    unmodelled: BTreeMap<String, serde_json::Value>,
}

impl FileObject {
    /// The names of the fields the answer carried that this type does not model (yet), sorted.
    ///
    /// ```
    /// let json = r#"{"id":"3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e","object":"file","bytes":1,
    ///   "created_at":1,"filename":"a","purpose":"batch","sample_type":"batch_request",
    ///   "source":"upload","labels":["eval"]}"#;
    /// let f: mistral_files::FileObject = serde_json::from_str(json)?;
    /// assert_eq!(f.unmodelled_fields().collect::<Vec<_>>(), ["labels"]);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn unmodelled_fields(&self) -> impl Iterator<Item = &str> {
        self.unmodelled.keys().map(String::as_str)
    }

    /// Decodes a field this type does not model (yet) into any type: `None` when the answer
    /// had no such field, `Some(Err(..))` when it does not decode as `T`.
    ///
    /// ```
    /// let json = r#"{"id":"3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e","object":"file","bytes":1,
    ///   "created_at":1,"filename":"a","purpose":"batch","sample_type":"batch_request",
    ///   "source":"upload","labels":["eval"]}"#;
    /// let f: mistral_files::FileObject = serde_json::from_str(json)?;
    /// let labels: Vec<String> = f.unmodelled_field("labels").unwrap().unwrap();
    /// assert_eq!(labels, ["eval"]);
    /// assert!(f.unmodelled_field::<u32>("labels").unwrap().is_err());
    /// assert!(f.unmodelled_field::<u32>("nope").is_none());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn unmodelled_field<T: DeserializeOwned>(&self, name: &str) -> Option<crate::Result<T>> {
        let value = self.unmodelled.get(name)?;
        Some(T::deserialize(value).map_err(|source| {
            crate::Error::Decode(crate::error::DecodeError::new(
                "FileObject::unmodelled_field",
                reqwest::StatusCode::OK,
                bytes::Bytes::from(value.to_string()),
                source,
            ))
        }))
    }
}

/// The wire names of the fields [`FileObject`] models (the rest is kept as unmodelled).
const MODELLED_FILE_FIELDS: [&str; 14] = [
    "id",
    "object",
    "bytes",
    "created_at",
    "filename",
    "purpose",
    "sample_type",
    "source",
    "num_lines",
    "mimetype",
    "signature",
    "expires_at",
    "visibility",
    "deleted",
];

/// The fields of a raw file object that [`FileObject`] does not model: what a newer spec
/// added to the generated type reaches users through [`FileObject::unmodelled_field`].
fn unmodelled_of<T: Serialize>(raw: &T) -> BTreeMap<String, serde_json::Value> {
    match serde_json::to_value(raw) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .filter(|(k, _)| !MODELLED_FILE_FIELDS.contains(&k.as_str()))
            .collect(),
        _ => BTreeMap::new(),
    }
}

fn non_negative(v: Option<i64>) -> Option<u64> {
    v.and_then(|n| u64::try_from(n).ok())
}

macro_rules! from_raw_file {
    ($t:ty, $deleted:expr) => {
        impl From<$t> for FileObject {
            fn from(f: $t) -> Self {
                let deleted: fn(&$t) -> bool = $deleted;
                FileObject {
                    deleted: deleted(&f),
                    unmodelled: unmodelled_of(&f),
                    id: FileId::from_uuid(f.id),
                    object: f.object,
                    bytes: non_negative(f.bytes),
                    created_at: f.created_at,
                    filename: f.filename,
                    purpose: f.purpose,
                    sample_type: f.sample_type,
                    source: f.source,
                    num_lines: non_negative(f.num_lines),
                    mimetype: f.mimetype,
                    signature: f.signature,
                    expires_at: f.expires_at,
                    visibility: f.visibility,
                }
            }
        }
    };
}
from_raw_file!(raw::FileObject, |_| false);
from_raw_file!(raw::UploadedFile, |_| false);
from_raw_file!(raw::RetrievedFile, |f| f.deleted);

impl From<raw::DeletedFile> for DeletedFile {
    fn from(d: raw::DeletedFile) -> Self {
        DeletedFile {
            id: FileId::from_uuid(d.id),
            object: d.object,
            deleted: d.deleted,
        }
    }
}

fn file_object() -> String {
    "file".to_string()
}

/// One page of a listing.
///
/// ```
/// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
/// let page = client.list().page_size(10).send().await?;
/// println!("{} of {:?}", page.data.len(), page.total);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FilePage {
    /// The files on this page.
    pub data: Vec<FileObject>,
    /// The total number of matching files, when the service reports it.
    pub total: Option<u64>,
    /// The page number that was asked for (0-based).
    pub page: u32,
    /// The page size that was asked for.
    pub page_size: u32,
}

/// The answer to a delete.
///
/// ```
/// # async fn f(client: mistral_files::Client, id: mistral_files::FileId) -> mistral_files::Result<()> {
/// let d = client.delete(&id).await?;
/// assert!(d.deleted);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeletedFile {
    /// The deleted file's id.
    pub id: FileId,
    /// The object type the service reported.
    pub object: String,
    /// Whether the file was deleted.
    pub deleted: bool,
}

/// A signed URL: a time-limited link to the file's content on another host (a blob store).
///
/// It carries a credential, in its query string (a blob store's SAS token) or in its path (the
/// emulator's token). Its `Debug` form, the one that ends up in logs, shows the scheme and host
/// only and redacts everything after. It has no `Display`: `println!("{url}")` does not compile,
/// so that printing a URL is always a choice between the whole URL, credential included
/// ([`as_str`](Self::as_str), [`into_string`](Self::into_string), `AsRef<str>`: for handing it
/// over) and the redacted form ([`redacted`](Self::redacted): for messages and logs).
/// Fetch it with [`Client::fetch_signed_url`](crate::Client::fetch_signed_url), which never
/// sends the API key.
///
/// ```
/// let url = mistral_files::SignedUrl::new("https://blob.example/c/f.jsonl?sig=SECRET");
/// // The URL to hand to someone (it carries the credential):
/// println!("{}", url.as_str());
/// assert_eq!(url.as_str(), "https://blob.example/c/f.jsonl?sig=SECRET");
/// // What to log:
/// assert_eq!(url.redacted(), "https://blob.example/<redacted>");
/// assert_eq!(format!("{url:?}"), "SignedUrl(https://blob.example/<redacted>)");
/// let emulator = mistral_files::SignedUrl::new("http://127.0.0.1:8080/signed/TOKEN-IN-THE-PATH");
/// assert!(!format!("{} {emulator:?}", emulator.redacted()).contains("TOKEN"));
/// ```
///
/// ```compile_fail
/// let url = mistral_files::SignedUrl::new("https://blob.example/f?sig=SECRET");
/// println!("{url}"); // no Display: say which one, `url.as_str()` or `url.redacted()`
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SignedUrl(String);

impl SignedUrl {
    /// Wrap a URL string.
    ///
    /// ```
    /// let u = mistral_files::SignedUrl::new("https://blob.example/f");
    /// assert_eq!(u.as_str(), "https://blob.example/f");
    /// ```
    pub fn new(url: impl Into<String>) -> Self {
        SignedUrl(url.into())
    }

    /// The full URL, credential included.
    ///
    /// ```
    /// assert_eq!(mistral_files::SignedUrl::new("u").as_str(), "u");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The full URL, credential included.
    ///
    /// ```
    /// assert_eq!(mistral_files::SignedUrl::new("u").into_string(), "u");
    /// ```
    pub fn into_string(self) -> String {
        self.0
    }

    /// `scheme://host/<redacted>`: the URL without its credential, safe for logs and messages.
    ///
    /// ```
    /// let u = mistral_files::SignedUrl::new("https://blob.example/f?sig=SECRET");
    /// assert_eq!(u.redacted(), "https://blob.example/<redacted>");
    /// ```
    pub fn redacted(&self) -> String {
        redact_after_host(&self.0)
    }
}

/// `SignedUrl(scheme://host/<redacted>)`.
impl fmt::Debug for SignedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignedUrl({})", redact_after_host(&self.0))
    }
}

/// A URL with everything after its host (user info, path, query, fragment) replaced by
/// `<redacted>`: `https://host:port/<redacted>`; a bare `https://host/` or `https://host` is
/// shown as it is; something that is not `scheme://...` is `<redacted>` whole.
pub(crate) fn redact_after_host(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<redacted>".to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match &rest[end..] {
        "" | "/" => format!("{scheme}://{host}{}", &rest[end..]),
        _ => format!("{scheme}://{host}/<redacted>"),
    }
}

impl AsRef<str> for SignedUrl {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted_after_the_host() {
        for (url, shown) in [
            (
                "https://b.example/c/f?sig=TOK",
                "https://b.example/<redacted>",
            ),
            (
                "http://127.0.0.1:8080/signed/TOK",
                "http://127.0.0.1:8080/<redacted>",
            ),
            (
                "https://user:TOK@b.example/x",
                "https://b.example/<redacted>",
            ),
            ("https://b.example?sig=TOK", "https://b.example/<redacted>"),
            ("https://b.example#TOK", "https://b.example/<redacted>"),
            ("https://b.example/", "https://b.example/"),
            ("https://b.example", "https://b.example"),
            ("TOK-not-a-url", "<redacted>"),
        ] {
            assert_eq!(redact_after_host(url), shown, "{url}");
            let u = SignedUrl::new(url);
            assert!(
                !format!("{} {u:?} {u:#?}", u.redacted()).contains("TOK"),
                "{url}"
            );
        }
    }

    #[test]
    fn lenient_decoding() {
        let json = r#"{"id":"3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e","object":"file","bytes":null,"created_at":1,
          "filename":"a","purpose":"brand-new","sample_type":"x","source":"y","visibility":"team","extra":1}"#;
        let f: FileObject = serde_json::from_str(json).unwrap();
        assert_eq!(f.purpose, FilePurpose::Unknown("brand-new".into()));
        assert_eq!(f.visibility, Some(FileVisibility::Unknown("team".into())));
        assert!(!f.deleted);
        assert_eq!(f.unmodelled_fields().collect::<Vec<_>>(), ["extra"]);
    }

    #[test]
    fn unmodelled_fields_survive_a_round_trip() {
        let json = r#"{"id":"3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e","object":"file","bytes":1,"created_at":1,
          "filename":"a","purpose":"batch","sample_type":"batch_request","source":"upload","labels":{"k":"v"}}"#;
        let f: FileObject = serde_json::from_str(json).unwrap();
        let again: FileObject = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(f, again);
        let labels: BTreeMap<String, String> = again.unmodelled_field("labels").unwrap().unwrap();
        assert_eq!(labels["k"], "v");
    }

    #[test]
    fn a_raw_file_object_leaves_nothing_unmodelled_today() {
        // Every field the spec declares is modelled; one added by a newer spec lands in
        // `unmodelled` (exercised by the spec-change drill, `cargo xtask drill`).
        let raw: raw::FileObject = serde_json::from_str(
            r#"{"id":"3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e","object":"file","bytes":null,"created_at":1,
              "filename":"a","purpose":"batch","sample_type":"batch_request","source":"upload",
              "num_lines":1,"mimetype":"m","signature":"s","expires_at":2,"visibility":"user"}"#,
        )
        .unwrap();
        let f = FileObject::from(raw);
        assert_eq!(f.unmodelled_fields().count(), 0);
    }
}
