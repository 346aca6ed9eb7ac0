//! Response bodies, built as `mistral-files-raw`'s types (through their builders) so that the
//! emulator and the client cannot disagree on the wire. Optional fields are always present (as
//! `null` when unset), as the provider writes them.
//!
//! The raw types are `#[non_exhaustive]` (a field added upstream is additive for users), so they
//! are built with their builders: a required field the emulator does not fill is a
//! [`ConversionError`] at the first response, which every emulator test exercises, and is
//! answered as a 500, never a panic.
//!
//! Depends on `store` (the rows), `key_order` and `error`; the handlers use it.

use mistral_files_raw::open_enums::{FilePurpose, FileVisibility, SampleType, Source};
use mistral_files_raw::types::{self, error::ConversionError};
use serde::Serialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::key_order::in_key_order;
use crate::store::FileRow;

const OPTIONAL_FILE_FIELDS: [&str; 5] = [
    "num_lines",
    "mimetype",
    "signature",
    "expires_at",
    "visibility",
];

/// Key order of the provider's documentation (JSON order does not matter to parsers, but
/// keeps `curl` output readable and familiar).
const KEY_ORDER: [&str; 16] = [
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
    "data",
    "total",
];

impl From<ConversionError> for ApiError {
    fn from(e: ConversionError) -> Self {
        ApiError::Internal(format!(
            "response does not fit mistral-files-raw's types: {e}"
        ))
    }
}

/// Serializes a raw type, adds the `nullable` keys as `null` when the generated type skipped
/// them, and orders keys as the provider documents them.
fn to_object<T: Serialize>(v: &T, nullable: &[&str]) -> Value {
    let value = serde_json::to_value(v).unwrap_or(Value::Null);
    let Value::Object(mut map) = value else {
        return value;
    };
    for key in nullable {
        map.entry(key.to_string()).or_insert(Value::Null);
    }
    in_key_order(Value::Object(map), &KEY_ORDER)
}

/// Fills the fields every file object shares into one of the three generated builders
/// (`UploadedFile`, `FileObject`, `RetrievedFile` have the same fields, `deleted` aside).
macro_rules! file_fields {
    ($builder:expr, $row:expr) => {{
        let row: &FileRow = $row;
        $builder
            .id(row.id)
            .object("file")
            .bytes(Some(row.bytes))
            .created_at(row.created_at)
            .filename(row.filename.clone())
            .purpose(FilePurpose::from(row.purpose.as_str()))
            .sample_type(SampleType::from(row.sample_type.as_str()))
            .source(Source::from(row.source.as_str()))
            .num_lines(row.num_lines)
            .mimetype(row.mimetype.clone())
            .signature(row.signature.clone())
            .expires_at(row.expires_at)
            .visibility(row.visibility.as_deref().map(FileVisibility::from))
    }};
}

/// `UploadedFile` for a new file.
pub(crate) fn upload_out(row: &FileRow) -> Result<Value, ApiError> {
    let out: types::UploadedFile = file_fields!(types::UploadedFile::builder(), row).try_into()?;
    Ok(to_object(&out, &OPTIONAL_FILE_FIELDS))
}

/// `RetrievedFile` (`deleted` is always false: deleted files are not found).
pub(crate) fn retrieve_out(row: &FileRow) -> Result<Value, ApiError> {
    let out: types::RetrievedFile = file_fields!(types::RetrievedFile::builder(), row)
        .deleted(false)
        .try_into()?;
    Ok(to_object(&out, &OPTIONAL_FILE_FIELDS))
}

/// `FilePage`; `total` is `null` when not asked for.
pub(crate) fn list_out(rows: &[FileRow], total: Option<i64>) -> Result<Value, ApiError> {
    let data = rows
        .iter()
        .map(|r| file_fields!(types::FileObject::builder(), r).try_into())
        .collect::<Result<Vec<types::FileObject>, ConversionError>>()?;
    let out: types::FilePage = types::FilePage::builder()
        .data(data)
        .object("list")
        .total(total)
        .try_into()?;
    let mut value = to_object(&out, &["total"]);
    if let Some(Value::Array(items)) = value.get_mut("data") {
        for item in items.iter_mut() {
            *item = to_object(item, &OPTIONAL_FILE_FIELDS);
        }
    }
    Ok(value)
}

/// `DeletedFile`.
pub(crate) fn delete_out(id: uuid::Uuid) -> Result<Value, ApiError> {
    let out: types::DeletedFile = types::DeletedFile::builder()
        .id(id)
        .object("file")
        .deleted(true)
        .try_into()?;
    Ok(to_object(&out, &[]))
}

/// `SignedUrl`.
pub(crate) fn signed_url_out(url: String) -> Result<Value, ApiError> {
    let out: types::SignedUrl = types::SignedUrl::builder().url(url).try_into()?;
    Ok(to_object(&out, &[]))
}
