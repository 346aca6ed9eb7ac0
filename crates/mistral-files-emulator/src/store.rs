//! Durable storage: metadata in SQLite, content as one file per id in `<data>/content/`.
//!
//! Invariants:
//! - content is written to `<data>/tmp/upload-<random>.part`, fsynced, then renamed to
//!   `<data>/content/<uuid>`, the directory fsynced, and only then is the row inserted;
//! - file names given by clients are stored in the database only, never used in a path:
//!   every path is built from a parsed [`Uuid`];
//! - at open, stray temp files, content files without a row (a crash between rename and insert),
//!   and expired files are removed.
//!
//! Depends only on `error` (for [`EmulatorError`]): no HTTP, no state.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use uuid::Uuid;

use crate::error::EmulatorError;

/// A stored file's metadata, as in the database.
#[derive(Clone, Debug)]
pub(crate) struct FileRow {
    pub(crate) id: Uuid,
    pub(crate) bytes: i64,
    pub(crate) created_at: i64,
    pub(crate) filename: String,
    pub(crate) purpose: String,
    pub(crate) sample_type: String,
    pub(crate) source: String,
    pub(crate) num_lines: Option<i64>,
    pub(crate) mimetype: Option<String>,
    pub(crate) signature: Option<String>,
    pub(crate) expires_at: Option<i64>,
    pub(crate) visibility: Option<String>,
}

/// Filters and paging of a list call.
#[derive(Clone, Debug, Default)]
pub(crate) struct ListQuery {
    pub(crate) page: i64,
    pub(crate) page_size: i64,
    pub(crate) include_total: bool,
    pub(crate) purpose: Option<String>,
    pub(crate) sample_types: Vec<String>,
    pub(crate) sources: Vec<String>,
    pub(crate) search: Option<String>,
    pub(crate) mimetypes: Vec<String>,
}

/// A temp file that removes itself on drop unless committed.
#[derive(Debug)]
pub(crate) struct TempFile {
    pub(crate) path: PathBuf,
    pub(crate) file: Option<File>,
    committed: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.committed {
            self.file.take();
            let _ = fs::remove_file(&self.path);
        }
    }
}

pub(crate) struct Store {
    content_dir: PathBuf,
    tmp_dir: PathBuf,
    conn: Mutex<Connection>,
    sync: bool,
    /// The signed URLs' HMAC key: random, made when the store is created, kept in its `meta`
    /// table; left out of `Debug`.
    signing_key: [u8; 32],
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("content_dir", &self.content_dir)
            .field("sync", &self.sync)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, bytes, created_at, filename, purpose, sample_type, source, num_lines, \
                       mimetype, signature, expires_at, visibility";

fn row_to_file(r: &rusqlite::Row<'_>) -> rusqlite::Result<FileRow> {
    let id: String = r.get(0)?;
    let id = Uuid::parse_str(&id).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(FileRow {
        id,
        bytes: r.get(1)?,
        created_at: r.get(2)?,
        filename: r.get(3)?,
        purpose: r.get(4)?,
        sample_type: r.get(5)?,
        source: r.get(6)?,
        num_lines: r.get(7)?,
        mimetype: r.get(8)?,
        signature: r.get(9)?,
        expires_at: r.get(10)?,
        visibility: r.get(11)?,
    })
}

fn mkdir(p: &Path) -> Result<(), EmulatorError> {
    fs::create_dir_all(p).map_err(|e| EmulatorError::io(format!("creating {}", p.display()), e))
}

impl Store {
    /// Opens (creating if needed) the store in `dir` and cleans up after any crash.
    pub(crate) fn open(dir: &Path, sync: bool, now: i64) -> Result<Store, EmulatorError> {
        let content_dir = dir.join("content");
        let tmp_dir = dir.join("tmp");
        mkdir(dir)?;
        mkdir(&content_dir)?;
        mkdir(&tmp_dir)?;
        let conn = Connection::open(dir.join("files.sqlite3"))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", if sync { "FULL" } else { "OFF" })?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS files (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                bytes INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                filename TEXT NOT NULL,
                purpose TEXT NOT NULL,
                sample_type TEXT NOT NULL,
                source TEXT NOT NULL,
                num_lines INTEGER,
                mimetype TEXT,
                signature TEXT,
                expires_at INTEGER,
                visibility TEXT
            );
            -- Listing pages newest first and skips expired rows: with `expires_at` in the
            -- index, OFFSET and COUNT(*) walk the index alone, never the table.
            DROP INDEX IF EXISTS files_by_created;
            CREATE INDEX IF NOT EXISTS files_by_created_live
                ON files (created_at DESC, seq DESC, expires_at);
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);",
        )?;
        let key: Option<Vec<u8>> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'signing_key'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let signing_key: [u8; 32] = match key.and_then(|k| <[u8; 32]>::try_from(k).ok()) {
            Some(k) => k,
            None => {
                // 256 bits from the operating system's generator, made once per store
                let mut k = [0u8; 32];
                getrandom::fill(&mut k).map_err(|e| {
                    EmulatorError::io(
                        "making the signing key",
                        std::io::Error::other(e.to_string()),
                    )
                })?;
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('signing_key', ?1)",
                    params![k.to_vec()],
                )?;
                k
            }
        };
        let store = Store {
            content_dir,
            tmp_dir,
            conn: Mutex::new(conn),
            sync,
            signing_key,
        };
        store.recover(now)?;
        Ok(store)
    }

    /// Removes the temp files of uploads that did not finish (at the end of a shutdown).
    pub(crate) fn clear_tmp(&self) {
        if let Ok(entries) = fs::read_dir(&self.tmp_dir) {
            for entry in entries.flatten() {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// Removes temp files, expired files, and content files that have no row.
    fn recover(&self, now: i64) -> Result<(), EmulatorError> {
        let read = |p: &Path| {
            fs::read_dir(p).map_err(|e| EmulatorError::io(format!("reading {}", p.display()), e))
        };
        for entry in read(&self.tmp_dir)?.flatten() {
            let _ = fs::remove_file(entry.path());
        }
        let expired: Vec<Uuid> = {
            let conn = self.lock();
            let mut stmt = conn.prepare(
                "SELECT id FROM files WHERE expires_at IS NOT NULL AND expires_at <= ?1",
            )?;
            let ids = stmt
                .query_map(params![now], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            ids.iter().filter_map(|s| Uuid::parse_str(s).ok()).collect()
        };
        for id in expired {
            self.delete(&id)?;
        }
        let known: HashSet<String> = {
            let conn = self.lock();
            let mut stmt = conn.prepare("SELECT id FROM files")?;
            let ids = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<HashSet<_>, _>>()?;
            ids
        };
        for entry in read(&self.content_dir)?.flatten() {
            let name = entry.file_name();
            let keep = name
                .to_str()
                .and_then(|n| {
                    Uuid::parse_str(n)
                        .ok()
                        .filter(|u| u.hyphenated().to_string() == n)
                })
                .is_some_and(|u| known.contains(&u.hyphenated().to_string()));
            if !keep {
                tracing::warn!(path = %entry.path().display(), "removing orphaned content file");
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn signing_key(&self) -> &[u8; 32] {
        &self.signing_key
    }

    /// Path of a file's content: built from the id only.
    pub(crate) fn content_path(&self, id: &Uuid) -> PathBuf {
        self.content_dir.join(id.hyphenated().to_string())
    }

    /// Creates a new, empty temp file for an upload.
    pub(crate) fn new_temp(&self) -> std::io::Result<TempFile> {
        let path = self
            .tmp_dir
            .join(format!("upload-{}.part", Uuid::new_v4().simple()));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(TempFile {
            path,
            file: Some(file),
            committed: false,
        })
    }

    /// Makes an upload durable and visible: fsync, rename into place, fsync dir, insert row.
    pub(crate) fn commit(&self, mut temp: TempFile, row: &FileRow) -> Result<(), CommitError> {
        if let Some(file) = temp.file.take() {
            if self.sync {
                file.sync_all().map_err(CommitError::Io)?;
            }
        }
        let dest = self.content_path(&row.id);
        fs::rename(&temp.path, &dest).map_err(CommitError::Io)?;
        temp.committed = true;
        if self.sync {
            if let Ok(d) = File::open(&self.content_dir) {
                let _ = d.sync_all();
            }
        }
        let inserted = self.lock().execute(
            &format!("INSERT INTO files ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
            params![
                row.id.hyphenated().to_string(),
                row.bytes,
                row.created_at,
                row.filename,
                row.purpose,
                row.sample_type,
                row.source,
                row.num_lines,
                row.mimetype,
                row.signature,
                row.expires_at,
                row.visibility,
            ],
        );
        if let Err(e) = inserted {
            let _ = fs::remove_file(&dest);
            return Err(CommitError::Db(e));
        }
        Ok(())
    }

    /// A live (not expired) file's row.
    pub(crate) fn get(&self, id: &Uuid, now: i64) -> rusqlite::Result<Option<FileRow>> {
        self.lock()
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM files WHERE id = ?1 AND (expires_at IS NULL OR expires_at > ?2)"
                ),
                params![id.hyphenated().to_string(), now],
                row_to_file,
            )
            .optional()
    }

    /// Deletes a file's row then its content; `false` if there was no such row.
    pub(crate) fn delete(&self, id: &Uuid) -> rusqlite::Result<bool> {
        let n = self.lock().execute(
            "DELETE FROM files WHERE id = ?1",
            params![id.hyphenated().to_string()],
        )?;
        let _ = fs::remove_file(self.content_path(id));
        Ok(n > 0)
    }

    /// One page of live files, newest first, and the total count when asked for.
    pub(crate) fn list(
        &self,
        q: &ListQuery,
        now: i64,
    ) -> rusqlite::Result<(Vec<FileRow>, Option<i64>)> {
        let mut clauses = vec!["(expires_at IS NULL OR expires_at > ?)".to_string()];
        let mut args: Vec<SqlValue> = vec![SqlValue::Integer(now)];
        let mut any_of = |col: &str, values: &[String], args: &mut Vec<SqlValue>| {
            if !values.is_empty() {
                let marks = vec!["?"; values.len()].join(", ");
                clauses.push(format!("{col} IN ({marks})"));
                args.extend(values.iter().cloned().map(SqlValue::Text));
            }
        };
        if let Some(p) = &q.purpose {
            any_of("purpose", std::slice::from_ref(p), &mut args);
        }
        any_of("sample_type", &q.sample_types, &mut args);
        any_of("source", &q.sources, &mut args);
        any_of("mimetype", &q.mimetypes, &mut args);
        if let Some(s) = &q.search {
            clauses.push("instr(lower(filename), lower(?)) > 0".to_string());
            args.push(SqlValue::Text(s.clone()));
        }
        let where_sql = clauses.join(" AND ");
        let conn = self.lock();
        let total = if q.include_total {
            Some(
                conn.prepare_cached(&format!("SELECT COUNT(*) FROM files WHERE {where_sql}"))?
                    .query_row(params_from_iter(args.iter()), |r| r.get::<_, i64>(0))?,
            )
        } else {
            None
        };
        let rows = match q.page.checked_mul(q.page_size) {
            Some(offset) if q.page_size > 0 => {
                let mut page_args = args.clone();
                page_args.push(SqlValue::Integer(q.page_size));
                page_args.push(SqlValue::Integer(offset));
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM files WHERE {where_sql} \
                     ORDER BY created_at DESC, seq DESC LIMIT ? OFFSET ?"
                ))?;
                let rows = stmt
                    .query_map(params_from_iter(page_args.iter()), row_to_file)?
                    .collect::<Result<Vec<_>, _>>()?;
                rows
            }
            _ => Vec::new(),
        };
        Ok((rows, total))
    }
}

/// Why an upload could not be committed.
#[derive(Debug)]
pub(crate) enum CommitError {
    Io(std::io::Error),
    Db(rusqlite::Error),
}
