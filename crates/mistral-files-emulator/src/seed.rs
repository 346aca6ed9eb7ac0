//! Files stored directly, without an upload: [`SeedFile`] and [`RunningEmulator::seed_file`],
//! for tests that need what an upload cannot make, such as the output files of a batch job
//! (`sample_type` `batch_result`, `source` `mistral`) or files created days ago.
//!
//! Uses store (the same commit as an upload's) and clock.

use std::io::Write;
use std::time::Duration;

use mistral_files_raw::open_enums::{FilePurpose, SampleType, Source};
use uuid::Uuid;

use crate::error::EmulatorError;
use crate::store::{CommitError, FileRow};
use crate::RunningEmulator;

/// A file to store directly (see [`RunningEmulator::seed_file`]). By default: purpose `batch`,
/// sample type `batch_result`, source `mistral` (a batch job's results), created now.
///
/// ```
/// use std::time::Duration;
/// let seed = mistral_files_emulator::SeedFile::new("results.jsonl", b"{}\n".to_vec())
///     .sample_type("batch_error")
///     .age(Duration::from_secs(2 * 86_400));
/// assert_eq!(seed.filename(), "results.jsonl");
/// ```
#[derive(Debug, Clone)]
pub struct SeedFile {
    filename: String,
    content: Vec<u8>,
    purpose: String,
    sample_type: String,
    source: String,
    age: Duration,
}

impl SeedFile {
    /// A file named `filename` holding `content`, with the defaults above.
    pub fn new(filename: impl Into<String>, content: Vec<u8>) -> Self {
        SeedFile {
            filename: filename.into(),
            content,
            purpose: FilePurpose::Batch.to_string(),
            sample_type: SampleType::BatchResult.to_string(),
            source: Source::Mistral.to_string(),
            age: Duration::ZERO,
        }
    }

    /// Its name.
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// Its purpose, as on the wire (`batch`, `fine-tune`, ...), stored as given.
    pub fn purpose(mut self, purpose: impl Into<String>) -> Self {
        self.purpose = purpose.into();
        self
    }

    /// Its sample type, as on the wire (`batch_result`, `instruct`, ...), stored as given.
    pub fn sample_type(mut self, sample_type: impl Into<String>) -> Self {
        self.sample_type = sample_type.into();
        self
    }

    /// Its source, as on the wire (`mistral`, `upload`, ...), stored as given.
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    /// How long ago it was created, by the emulator's clock (its `created_at` is now minus this).
    pub fn age(mut self, age: Duration) -> Self {
        self.age = age;
        self
    }
}

impl RunningEmulator {
    /// Stores `seed` as a file, the way an upload commits one (content, then its row), and
    /// returns its id. Not an API of the service: a test's way to have files an upload cannot
    /// create.
    pub async fn seed_file(&self, seed: SeedFile) -> Result<Uuid, EmulatorError> {
        let age = i64::try_from(seed.age.as_secs()).unwrap_or(i64::MAX);
        let row = FileRow {
            id: Uuid::new_v4(),
            bytes: i64::try_from(seed.content.len()).unwrap_or(i64::MAX),
            created_at: self.clock.now().saturating_sub(age),
            filename: seed.filename,
            purpose: seed.purpose,
            sample_type: seed.sample_type,
            source: seed.source,
            num_lines: Some(seed.content.iter().filter(|&&b| b == b'\n').count() as i64),
            mimetype: Some("application/jsonl".into()),
            signature: None,
            expires_at: None,
            visibility: None,
        };
        let store = self.store.clone();
        let content = seed.content;
        let id = row.id;
        tokio::task::spawn_blocking(move || {
            let seeding = |e| EmulatorError::io("seeding a file", e);
            let mut temp = store.new_temp().map_err(seeding)?;
            if let Some(f) = temp.file.as_mut() {
                f.write_all(&content).map_err(seeding)?;
            }
            store.commit(temp, &row).map_err(|e| match e {
                CommitError::Io(e) => seeding(e),
                CommitError::Db(e) => EmulatorError::Database(e),
            })
        })
        .await
        .map_err(|e| EmulatorError::Server(e.to_string()))??;
        Ok(id)
    }
}
