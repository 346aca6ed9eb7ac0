//! Response bodies, built from `mistral-files-raw`'s types so that the emulator and the client
//! cannot disagree on the wire. Optional fields are always present (as `null` when unset), as the
//! provider writes them.

use mistral_files_raw::types;
use serde::Serialize;
use serde_json::{Map, Value};

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
    let mut ordered = Map::new();
    for key in KEY_ORDER {
        if let Some(v) = map.remove(key) {
            ordered.insert(key.to_string(), v);
        }
    }
    ordered.extend(map);
    Value::Object(ordered)
}

macro_rules! file_object {
    ($ty:ty, $row:expr $(, $extra:ident : $val:expr)*) => {{
        let row: &FileRow = $row;
        <$ty>::from(FileFields::from(row) $(.with(stringify!($extra), $val))*)
    }};
}

/// The fields shared by every file object, built once from a row.
struct FileFields(Map<String, Value>);

impl From<&FileRow> for FileFields {
    fn from(row: &FileRow) -> Self {
        let mut m = Map::new();
        m.insert("id".into(), Value::String(row.id.hyphenated().to_string()));
        m.insert("object".into(), Value::String("file".into()));
        m.insert("bytes".into(), Value::from(row.bytes));
        m.insert("created_at".into(), Value::from(row.created_at));
        m.insert("filename".into(), Value::String(row.filename.clone()));
        m.insert("purpose".into(), Value::String(row.purpose.clone()));
        m.insert("sample_type".into(), Value::String(row.sample_type.clone()));
        m.insert("source".into(), Value::String(row.source.clone()));
        m.insert(
            "num_lines".into(),
            row.num_lines.map(Value::from).unwrap_or(Value::Null),
        );
        m.insert(
            "mimetype".into(),
            row.mimetype
                .clone()
                .map(Value::String)
                .unwrap_or(Value::Null),
        );
        m.insert(
            "signature".into(),
            row.signature
                .clone()
                .map(Value::String)
                .unwrap_or(Value::Null),
        );
        m.insert(
            "expires_at".into(),
            row.expires_at.map(Value::from).unwrap_or(Value::Null),
        );
        m.insert(
            "visibility".into(),
            row.visibility
                .clone()
                .map(Value::String)
                .unwrap_or(Value::Null),
        );
        FileFields(m)
    }
}

impl FileFields {
    fn with(mut self, key: &str, value: Value) -> Self {
        self.0.insert(key.to_string(), value);
        self
    }

    /// Decodes the fields into a raw type: a mismatch with the generated types is a bug here.
    fn into_typed<T: serde::de::DeserializeOwned>(self) -> T {
        serde_json::from_value(Value::Object(self.0))
            .expect("emulator file object must match mistral-files-raw's types")
    }
}

impl From<FileFields> for types::UploadFileOut {
    fn from(f: FileFields) -> Self {
        f.into_typed()
    }
}

impl From<FileFields> for types::RetrieveFileOut {
    fn from(f: FileFields) -> Self {
        f.into_typed()
    }
}

impl From<FileFields> for types::FileSchema {
    fn from(f: FileFields) -> Self {
        f.into_typed()
    }
}

/// `UploadFileOut` for a new file.
pub(crate) fn upload_out(row: &FileRow) -> Value {
    let out: types::UploadFileOut = file_object!(types::UploadFileOut, row);
    to_object(&out, &OPTIONAL_FILE_FIELDS)
}

/// `RetrieveFileOut` (`deleted` is always false: deleted files are not found).
pub(crate) fn retrieve_out(row: &FileRow) -> Value {
    let out: types::RetrieveFileOut =
        file_object!(types::RetrieveFileOut, row, deleted: Value::Bool(false));
    to_object(&out, &OPTIONAL_FILE_FIELDS)
}

/// `ListFilesOut`; `total` is `null` when not asked for.
pub(crate) fn list_out(rows: &[FileRow], total: Option<i64>) -> Value {
    let data: Vec<types::FileSchema> = rows
        .iter()
        .map(|r| file_object!(types::FileSchema, r))
        .collect();
    let out = types::ListFilesOut {
        data,
        object: "list".to_string(),
        total,
    };
    let mut value = to_object(&out, &["total"]);
    if let Some(Value::Array(items)) = value.get_mut("data") {
        for item in items.iter_mut() {
            *item = to_object(item, &OPTIONAL_FILE_FIELDS);
        }
    }
    value
}

/// `DeleteFileOut`.
pub(crate) fn delete_out(id: uuid::Uuid) -> Value {
    let out = types::DeleteFileOut {
        id,
        object: "file".to_string(),
        deleted: true,
    };
    to_object(&out, &[])
}

/// `FileSignedURL`.
pub(crate) fn signed_url_out(url: String) -> Value {
    let out = types::FileSignedUrl { url };
    to_object(&out, &[])
}
