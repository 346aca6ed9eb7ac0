//! [`FileId`]: a validated file id.
//!
//! Every call that takes an id goes through this type, so a bad id fails in one place, before
//! any request, and no id can change the URL path it is put in.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// The id of a stored file: a UUID, validated when parsed, so that a bad id is a typed error before any
/// request is made (and can never smuggle `/`, `..` or `%2F` into a URL path).
///
/// ```
/// use mistral_files::FileId;
/// let id: FileId = "3B6D2A3E-5C43-4F47-9D5E-1F1A2B3C4D5E".parse()?;
/// assert_eq!(id.to_string(), "3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e");
/// assert!("".parse::<FileId>().is_err());
/// assert!("../x".parse::<FileId>().is_err());
/// # Ok::<(), mistral_files::Error>(())
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct FileId(uuid::Uuid);

impl FileId {
    /// Wrap a UUID.
    ///
    /// ```
    /// let id = mistral_files::FileId::from_uuid(uuid::Uuid::nil());
    /// assert_eq!(id.as_uuid(), &uuid::Uuid::nil());
    /// ```
    pub fn from_uuid(uuid: uuid::Uuid) -> Self {
        FileId(uuid)
    }

    /// The UUID.
    ///
    /// ```
    /// let id: mistral_files::FileId = "00000000-0000-0000-0000-000000000000".parse().unwrap();
    /// assert!(id.as_uuid().is_nil());
    /// ```
    pub fn as_uuid(&self) -> &uuid::Uuid {
        &self.0
    }

    /// Parse a file id, with a specific reason on failure.
    ///
    /// ```
    /// assert!(mistral_files::FileId::parse("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").is_ok());
    /// ```
    pub fn parse(input: &str) -> Result<Self, Error> {
        let reason = if input.is_empty() {
            "the id is empty"
        } else if input.trim() != input {
            "the id has leading or trailing whitespace"
        } else if input.contains('/') || input.contains('\\') || input.contains("..") {
            "the id contains path characters"
        } else if input.contains('%') {
            "the id contains URL-encoded characters"
        } else if input.len() != 36 {
            "the id does not have the 36 characters of a hyphenated UUID"
        } else {
            match uuid::Uuid::try_parse(input) {
                Ok(u) => return Ok(FileId(u)),
                Err(_) => "the id is not a UUID",
            }
        };
        let mut shown: String = input.chars().take(64).collect();
        if input.chars().count() > 64 {
            shown.push('…');
        }
        Err(Error::InvalidFileId {
            input: shown,
            reason,
        })
    }
}

impl FromStr for FileId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        FileId::parse(s)
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl fmt::Debug for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileId({})", self.0.hyphenated())
    }
}

impl From<uuid::Uuid> for FileId {
    fn from(u: uuid::Uuid) -> Self {
        FileId(u)
    }
}

impl From<FileId> for uuid::Uuid {
    fn from(id: FileId) -> Self {
        id.0
    }
}

/// Anything that names a file: a [`FileId`], or a string parsed as one (a bad string is a typed error,
/// and no request is made).
///
/// ```
/// # async fn f(client: mistral_files::Client) -> mistral_files::Result<()> {
/// client.retrieve("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e").await?;
/// # Ok(()) }
/// ```
pub trait IntoFileId {
    /// Convert, validating.
    ///
    /// ```
    /// use mistral_files::IntoFileId;
    /// assert!("nope".into_file_id().is_err());
    /// ```
    fn into_file_id(self) -> Result<FileId, Error>;
}

impl IntoFileId for FileId {
    fn into_file_id(self) -> Result<FileId, Error> {
        Ok(self)
    }
}
impl IntoFileId for &FileId {
    fn into_file_id(self) -> Result<FileId, Error> {
        Ok(*self)
    }
}
impl IntoFileId for uuid::Uuid {
    fn into_file_id(self) -> Result<FileId, Error> {
        Ok(FileId(self))
    }
}
impl IntoFileId for &str {
    fn into_file_id(self) -> Result<FileId, Error> {
        FileId::parse(self)
    }
}
impl IntoFileId for String {
    fn into_file_id(self) -> Result<FileId, Error> {
        FileId::parse(&self)
    }
}
impl IntoFileId for &String {
    fn into_file_id(self) -> Result<FileId, Error> {
        FileId::parse(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_ids() {
        for bad in [
            "",
            " ",
            "not-a-uuid",
            "../etc/passwd",
            "..%2F..%2Fetc",
            "%2e%2e",
            "3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e/content",
            "3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e ",
            "3b6d2a3e5c434f479d5e1f1a2b3c4d5e",
            "urn:uuid:3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e",
            "3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5g",
            "3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e\n",
        ] {
            match FileId::parse(bad) {
                Err(Error::InvalidFileId { .. }) => {}
                other => panic!("{bad:?} -> {other:?}"),
            }
        }
        let long = "a".repeat(10_000);
        let msg = FileId::parse(&long).unwrap_err().to_string();
        assert!(msg.len() < 400, "{msg}");
    }

    #[test]
    fn normalizes() {
        let id = FileId::parse("3B6D2A3E-5C43-4F47-9D5E-1F1A2B3C4D5E").unwrap();
        assert_eq!(id.to_string(), "3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e");
        let j = serde_json::to_string(&id).unwrap();
        assert_eq!(j, "\"3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e\"");
    }
}
