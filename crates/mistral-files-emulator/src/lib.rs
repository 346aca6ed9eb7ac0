//! A faithful local emulator of the Mistral AI Files API, for tests, demos and benchmarks.
//!
//! ```no_run
//! # async fn demo() -> Result<(), mistral_files_emulator::EmulatorError> {
//! let emu = mistral_files_emulator::Emulator::builder()
//!     .api_key("test-key")
//!     .start()
//!     .await?;
//! println!("Files API at {}/v1/files", emu.url());
//! emu.faults().fail_next(1, 429, Some(std::time::Duration::from_secs(1)));
//! emu.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Behaviour
//! - Every `/v1/...` request needs `Authorization: Bearer <key>`, else
//!   `401 {"detail":"Unauthorized"}` (unless built with [`EmulatorBuilder::no_auth`]).
//! - `POST /v1/files` streams the multipart `file` part to `<data>/tmp`, fsyncs it, renames it to
//!   `<data>/content/<uuid>` and only then inserts the row in `<data>/files.sqlite3`: a body cut off
//!   mid-way leaves no file and no row. Fields: `purpose` (any value the spec lists, i.e.
//!   `mistral_files_raw::open_enums::FilePurpose::KNOWN`: `fine-tune`, `batch`, `ocr`, `audio`;
//!   none: recorded as `fine-tune`), `expiry` (hours, >= 1), `visibility` (default `workspace`;
//!   any value of `FileVisibility::KNOWN`). List filters likewise accept the spec's values.
//!   The file object gets `bytes`, `num_lines` (JSONL only, else `null`), `mimetype` (from the
//!   extension, `.jsonl` -> `application/jsonl`, else the part's own `Content-Type`),
//!   `sample_type` (`fine-tune` -> `instruct`,
//!   `batch` -> `batch_request`, `ocr`/`audio` and any purpose without a rule of its own ->
//!   `pretrain`), `source: upload`, `created_at`,
//!   `expires_at` (`created_at + expiry * 3600`, or `null`), `visibility`, and `signature` (the
//!   first 32 hex digits of the content's SHA-256).
//! - The form is read as python-multipart reads it: any byte but CR and LF in a part header
//!   (control characters in a name or file name are stored as sent), `filename*` (RFC 5987)
//!   winning over `filename`. A header it cannot parse is `400 {"detail":"There was an error
//!   parsing the body"}`.
//! - Formats (on by default, see [`EmulatorBuilder::check_file_formats`]): `fine-tune` and `batch`
//!   take `.jsonl` only, `ocr` the service's documents (PDF, DOCX, PPTX, EPUB, RTF, ODT, LaTeX,
//!   BibTeX, Jupyter, ...) and any `image/*`, `audio` audio (a purpose without a rule of its own,
//!   such as one the spec adds later, takes any format); others get
//!   `422 {"detail":"Invalid file format.","message":"Received file with mimetype ..."}`.
//!   `fine-tune` content, and that of a file sent **without a purpose** (checked as fine-tuning
//!   data, content first, so a PDF is refused as bad JSONL), must be UTF-8
//!   (`422 {"detail":"Failed to decode data, please encode your file using UTF-8."}`) with a JSON
//!   object on every line: `422 {"detail":"Invalid file format.","description":"Found N errors
//!   in this file. ...","errors":[{"message":..,"line_number":..}]}` (the first 100 bad lines).
//! - Size: a file larger than the limit (512 MiB, [`MAX_UPLOAD_BYTES`]) gets
//!   **`413 {"detail":"File too large: ..."}`** (413 rather than 422: the request is refused for
//!   its size, not its content; a declared `Content-Length` over the limit is refused before the
//!   body is read). Non-file fields are limited to 64 KiB, forms to 64 parts.
//! - Every refusal is an answer: a request refused before or during its body (auth, a canned
//!   failure, a size limit, a bad part header) has the rest of its body read and discarded, up
//!   to 8 MiB and 5 s, before the answer, so a client that keeps sending reads it; past that
//!   bound the connection is closed after the answer.
//! - Integers in queries and forms are read as pydantic reads them in lax mode: `10`, ` 10 `,
//!   `10.0`, `1_0` are 10; `10.5`, `1__0`, `1e1` are `int_parsing` errors.
//! - `GET /v1/files` filters by `purpose`, repeated `sample_type`, `source`, `mimetypes`, and
//!   `search` (case-insensitive substring of the name); pages with `page`/`page_size` (>= 0, >= 1),
//!   newest first; `total` is `null` when `include_total=false`.
//! - Retrieve, delete (then `404 {"detail":"File not found"}`), download (streamed, 256 KiB reads,
//!   `Content-Length`, `Accept-Ranges: bytes`, one `Range` -> 206 + `Content-Range`,
//!   unsatisfiable -> 416 with `Content-Range: bytes */LEN`; malformed or multiple ranges are
//!   ignored as RFC 9110 allows; a strong `ETag` (the signature) and `If-Range` honoured: a
//!   range only while it matches, else the whole file; each download is logged at `info` with
//!   its `Range`).
//! - `GET /v1/files/{id}/url?expiry=H` (H from 1 to 168, the spec's bounds, shared with the
//!   client as `mistral_files_raw::SIGNED_URL_MAX_EXPIRY_HOURS`) ->
//!   `{"url":"<emulator>/signed/<token>"}`, the token an
//!   HMAC-SHA256 over (id, expiry time); served without auth; invalid or expired -> 403, deleted
//!   file -> 404 (blob-store style XML bodies).
//! - On an address other machines can reach (not loopback: `0.0.0.0`, `::`, or an interface's
//!   address; see [`Exposure`]), the well-known default key [`DEFAULT_API_KEY`] (or an empty key)
//!   is refused: [`EmulatorBuilder::start`] fails with [`EmulatorError::WellKnownKeyOnNetwork`]
//!   before anything is created or bound, unless allowed with
//!   [`EmulatorBuilder::insecure_default_key`]. Serving it that way, or with
//!   [`EmulatorBuilder::no_auth`], is logged at `warn` at every start and listed by
//!   [`RunningEmulator::warnings`].
//! - The signed URLs' HMAC key is 32 random bytes from the operating system, made when a data
//!   directory is first used and kept in its database (so the URLs of a store survive its
//!   restarts, and a store never accepts another's); it is never logged or shown by `Debug`.
//! - One emulator per data directory: it holds `<data>/lock` (std's `File::try_lock`, with its pid in it) while it
//!   runs; another one on the same directory fails at once with
//!   [`EmulatorError::DataDirInUse`] naming that pid.
//! - Shutdowns are graceful ([`RunningEmulator::shutdown_within`], [`RunningEmulator::run_until`]):
//!   no new connections, requests in flight may finish within the grace period, then those still
//!   running end: an unfinished upload leaves no row and no temp file.
//! - Bad ids, enum values, integers and booleans get FastAPI's 422 shape
//!   `{"detail":[{"type":"uuid_parsing","loc":["path","file_id"],"msg":..,"input":..,"ctx":..}]}`.
//!   An id that is not a UUID never reaches the filesystem; names are stored verbatim in the
//!   database and never used as paths.

#![warn(missing_docs)]

// In dependency order, each module using only modules listed after it (its docs say which):
// seed; router; upload (handler, form, sink, format); handlers (signed_url, content, files);
// middleware; state; buffer_pool; download, wire; store, validation; dir_lock; error;
// error_body; validation_error; key_order; and the leaves clock, exposure, faults (with
// fault_plan), record, signed.
mod buffer_pool;
mod clock;
mod dir_lock;
mod download;
mod error;
mod error_body;
mod exposure;
mod fault_plan;
mod faults;
mod handlers;
mod key_order;
mod middleware;
mod record;
mod router;
mod seed;
mod signed;
mod state;
mod store;
mod upload;
mod validation;
mod validation_error;
mod wire;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::serve::ListenerExt;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

pub use error::EmulatorError;
pub use exposure::Exposure;
pub use fault_plan::Fault;
pub use faults::{FailSpec, FailSpecParseError, FaultConfig, Faults};
pub use record::{FormPart, RecordedRequest};
pub use seed::SeedFile;

/// The provider's limit on one file: 512 MiB.
pub const MAX_UPLOAD_BYTES: u64 = mistral_files_raw::rules::MAX_FILE_BYTES;

/// The API key the emulator expects unless told otherwise. Documented, so anyone may know it:
/// refused on an address other machines can reach (see [`EmulatorBuilder::insecure_default_key`]).
pub const DEFAULT_API_KEY: &str = "test-key";

/// Default bound on the number of recorded requests kept (oldest dropped first).
pub const DEFAULT_RECORD_LIMIT: usize = 10_000;

/// Entry point: `Emulator::builder()`.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// A builder with the defaults: key `"test-key"`, a fresh temporary data directory,
    /// `127.0.0.1:0`, 512 MiB files, format checks on, durable (fsynced) writes.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }
}

/// Configures and starts an emulator. Every setter consumes and returns the builder, and is
/// named after the setting it sets (`api_key`, `bind`, `data_dir`; `no_auth` turns the default
/// key off): the rule `mistral-files`' `ClientBuilder` documents for every builder. Its `Debug`
/// shows the key as `<redacted>`.
#[derive(Clone, Debug)]
pub struct EmulatorBuilder {
    api_key: Option<exposure::Key>,
    insecure_default_key: bool,
    data_dir: Option<PathBuf>,
    bind: SocketAddr,
    max_upload_bytes: u64,
    public_url: Option<String>,
    faults: FaultConfig,
    sync_writes: bool,
    check_formats: bool,
    record_limit: usize,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            api_key: Some(exposure::Key::new(DEFAULT_API_KEY.to_string())),
            insecure_default_key: false,
            data_dir: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            max_upload_bytes: MAX_UPLOAD_BYTES,
            public_url: None,
            faults: FaultConfig::default(),
            sync_writes: true,
            check_formats: true,
            record_limit: DEFAULT_RECORD_LIMIT,
        }
    }
}

impl EmulatorBuilder {
    /// The bearer key every `/v1` request must carry (default [`DEFAULT_API_KEY`], which is
    /// refused on an address other machines can reach; so is an empty key).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(exposure::Key::new(key.into()));
        self
    }

    /// Accept `/v1` requests without any `Authorization`. Allowed on any address (it is asked
    /// for by name), but on one other machines can reach it is warned about at every start.
    pub fn no_auth(mut self) -> Self {
        self.api_key = None;
        self
    }

    /// Whether the well-known default key (or an empty one) may be served on an address other
    /// machines can reach (default `false`: [`start`](Self::start) fails with
    /// [`EmulatorError::WellKnownKeyOnNetwork`]). When allowed, every start logs a warning at
    /// `warn` and lists it in [`RunningEmulator::warnings`]. No effect on loopback, or with a
    /// key of your own.
    pub fn insecure_default_key(mut self, allow: bool) -> Self {
        self.insecure_default_key = allow;
        self
    }

    /// Keep files in `dir` (created if missing), so they survive a restart. Without it, a fresh
    /// temporary directory is used and removed when the emulator is dropped.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Address to listen on (default `127.0.0.1:0`, a free port). An address that is not
    /// loopback (`0.0.0.0`, `::`, an interface's) is reachable from the network: it needs a key of
    /// your own (see [`insecure_default_key`](Self::insecure_default_key)), and clients on other
    /// machines need a [`public_url`](Self::public_url) for the signed URLs.
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Largest file accepted, in bytes (default [`MAX_UPLOAD_BYTES`]); for tests of the limit.
    pub fn max_upload_bytes(mut self, bytes: u64) -> Self {
        self.max_upload_bytes = bytes;
        self
    }

    /// Base of the signed URLs handed out (default: `http://<bound address>`, with
    /// `127.0.0.1` standing for an unspecified address). No trailing slash needed.
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into().trim_end_matches('/').to_string());
        self
    }

    /// Faults installed at start (e.g. from CLI flags); [`RunningEmulator::faults`] changes them later.
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }

    /// Whether uploads are fsynced before they are acknowledged (default `true`). Turning it
    /// off trades durability across power loss for speed (e.g. seeding thousands of files);
    /// atomicity (no half file, no dangling row) is kept either way.
    pub fn sync_writes(mut self, sync: bool) -> Self {
        self.sync_writes = sync;
        self
    }

    /// Whether uploads are checked against their purpose's formats (default `true`).
    pub fn check_file_formats(mut self, check: bool) -> Self {
        self.check_formats = check;
        self
    }

    /// How many recorded requests to keep (default [`DEFAULT_RECORD_LIMIT`]).
    pub fn record_limit(mut self, limit: usize) -> Self {
        self.record_limit = limit;
        self
    }

    /// Opens the store (cleaning up after any crash), binds, and serves in the background.
    ///
    /// Fails with [`EmulatorError::WellKnownKeyOnNetwork`], before creating or binding anything,
    /// when the default key would be served on an address other machines can reach (see
    /// [`insecure_default_key`](Self::insecure_default_key)).
    pub async fn start(self) -> Result<RunningEmulator, EmulatorError> {
        let key = exposure::KeyKind::of(
            self.api_key.as_ref().map(exposure::Key::expose),
            DEFAULT_API_KEY,
        );
        let warning = exposure::check(self.bind, key, self.insecure_default_key).map_err(|r| {
            EmulatorError::WellKnownKeyOnNetwork {
                addr: self.bind,
                exposure: r.exposure,
            }
        })?;
        let clock = clock::Clock::default();
        let (temp_dir, data_dir) = match &self.data_dir {
            Some(d) => (None, d.clone()),
            None => {
                // Stores of emulators that were killed before they could remove theirs.
                dir_lock::sweep_stale(&std::env::temp_dir(), TEMP_STORE_PREFIX);
                let t = tempfile::Builder::new()
                    .prefix(TEMP_STORE_PREFIX)
                    .tempdir()
                    .map_err(|e| EmulatorError::io("creating a temporary data directory", e))?;
                let p = t.path().to_path_buf();
                (Some(t), p)
            }
        };
        let (dir, sync, now) = (data_dir.clone(), self.sync_writes, clock.now());
        // The lock first: opening the store cleans up `tmp/`, which must never happen under
        // another emulator's feet.
        let (lock, store) = tokio::task::spawn_blocking(move || {
            let lock = dir_lock::DirLock::acquire(&dir)?;
            Ok::<_, EmulatorError>((lock, store::Store::open(&dir, sync, now)?))
        })
        .await
        .map_err(|e| EmulatorError::Server(e.to_string()))??;
        let store = Arc::new(store);
        let listener = tokio::net::TcpListener::bind(self.bind)
            .await
            .map_err(|e| EmulatorError::io(format!("binding {}", self.bind), e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| EmulatorError::io("reading the bound address", e))?;
        let url_addr = if addr.ip().is_unspecified() {
            SocketAddr::from(([127, 0, 0, 1], addr.port()))
        } else {
            addr
        };
        let url = format!("http://{url_addr}");
        let faults = Arc::new(Faults::default());
        faults.apply(&self.faults);
        let recorder = Arc::new(record::Recorder::new(self.record_limit));
        let (ending_tx, ending) = watch::channel(false);
        let state = Arc::new(state::AppInner {
            store: store.clone(),
            faults: faults.clone(),
            recorder: recorder.clone(),
            clock: clock.clone(),
            api_key: self.api_key.clone(),
            public_url: self.public_url.clone().unwrap_or_else(|| url.clone()),
            max_upload: self.max_upload_bytes,
            check_formats: self.check_formats,
            sync_writes: self.sync_writes,
            upload_buffers: buffer_pool::BufferPool::new(buffer_pool::POOL_BUFFERS),
            ending,
        });
        let app = router::router(state);
        let (tx, rx) = oneshot::channel::<()>();
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let server = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = rx.await;
        });
        let join = tokio::spawn(async move {
            if let Err(e) = server.await {
                tracing::error!(error = %e, "emulator server stopped");
            }
        });
        let exposure = Exposure::of(addr.ip());
        tracing::info!(%url, bound = %addr, %exposure, data_dir = %data_dir.display(), "emulator listening");
        let warnings: Vec<String> = warning.map(|w| w.describe(addr)).into_iter().collect();
        for w in &warnings {
            // the field marks it for the CLI, which prints it as a line of its own
            tracing::warn!(insecure_exposure = %exposure, "{w}");
        }
        Ok(RunningEmulator {
            addr,
            exposure,
            warnings,
            url,
            data_dir,
            faults,
            recorder,
            clock,
            shutdown: Some(tx),
            join: Some(join),
            ending: ending_tx,
            store,
            _lock: lock,
            _temp_dir: temp_dir,
        })
    }
}

/// The name prefix of a temporary store (in the system's temporary directory).
const TEMP_STORE_PREFIX: &str = "mistral-files-emulator-";

/// A started emulator. Dropping it stops the server (and removes a temporary data directory).
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    exposure: Exposure,
    warnings: Vec<String>,
    url: String,
    data_dir: PathBuf,
    faults: Arc<Faults>,
    recorder: Arc<record::Recorder>,
    clock: clock::Clock,
    shutdown: Option<oneshot::Sender<()>>,
    join: Option<JoinHandle<()>>,
    /// Set when a shutdown's grace period is over.
    ending: watch::Sender<bool>,
    store: Arc<store::Store>,
    /// The data directory's lock, held while this emulator lives (declared before the temporary
    /// directory: released before it is removed).
    _lock: dir_lock::DirLock,
    _temp_dir: Option<tempfile::TempDir>,
}

/// How long [`RunningEmulator::shutdown`] waits for open connections before giving up on them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How long the requests still running at the end of a grace period get to wind down once told
/// to (an upload removes its temp file, a response is flushed).
const WIND_DOWN: Duration = Duration::from_millis(500);

impl RunningEmulator {
    /// `http://127.0.0.1:PORT`, no trailing slash; the API is under `/v1/files`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bound address (with the port chosen, when `0` was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Who can reach the bound address: loopback only, all interfaces, or one interface.
    pub fn exposure(&self) -> Exposure {
        self.exposure
    }

    /// What was warned about at start (also logged at `warn`): the default key allowed with
    /// [`EmulatorBuilder::insecure_default_key`], or no key at all, on an address other machines
    /// can reach. Empty otherwise.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The data directory in use (temporary unless one was given).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Runtime fault injection, shared with the server.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Every request received so far, in arrival order (bounded, see
    /// [`EmulatorBuilder::record_limit`]).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.recorder.snapshot()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.recorder.clear();
    }

    /// Moves the emulator's clock forward (signed-URL and file expiry, `created_at`): lets tests
    /// see expiry without waiting.
    pub fn advance_clock(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// Stops accepting connections and waits (up to 5 s, [`SHUTDOWN_GRACE`]) for open ones to
    /// finish; see [`shutdown_within`](Self::shutdown_within).
    pub async fn shutdown(self) {
        self.shutdown_within(SHUTDOWN_GRACE).await;
    }

    /// Shuts down gracefully: stops accepting connections, lets the requests in flight finish
    /// for up to `grace`, then ends those still running. An upload ended that way leaves
    /// nothing: no row, and its temp file removed (as is any other in `tmp/`); an upload whose
    /// content had all arrived is committed whole or not at all.
    pub async fn shutdown_within(mut self, grace: Duration) {
        self.stop(grace).await;
    }

    /// Serves until Ctrl-C (SIGINT), then shuts down gracefully (up to [`SHUTDOWN_GRACE`]).
    pub async fn run_until_ctrl_c(self) -> Result<(), EmulatorError> {
        self.run_until(tokio::signal::ctrl_c(), SHUTDOWN_GRACE)
            .await?
            .map_err(|e| EmulatorError::io("waiting for Ctrl-C", e))
    }

    /// Serves until `stop` completes (e.g. a signal), then shuts down gracefully as
    /// [`shutdown_within`](Self::shutdown_within)`(grace)` does; returns what `stop` gave.
    /// The CLI's `serve` command runs this with SIGINT, SIGTERM and SIGHUP.
    pub async fn run_until<F: Future>(
        mut self,
        stop: F,
        grace: Duration,
    ) -> Result<F::Output, EmulatorError> {
        let join = self
            .join
            .as_mut()
            .expect("server task present until shutdown");
        tokio::select! {
            out = stop => {
                tracing::info!(?grace, "stopping: no new connections; requests in flight may finish");
                self.stop(grace).await;
                Ok(out)
            }
            ended = join => {
                self.join = None;
                ended.map_err(|e| EmulatorError::Server(e.to_string()))?;
                Err(EmulatorError::Server("the server stopped unexpectedly".to_string()))
            }
        }
    }

    async fn stop(&mut self, grace: Duration) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(mut join) = self.join.take() {
            let abort = join.abort_handle();
            if tokio::time::timeout(grace, &mut join).await.is_err() {
                tracing::warn!(
                    ?grace,
                    "grace period over: ending the requests still running"
                );
                let _ = self.ending.send(true);
                if tokio::time::timeout(WIND_DOWN, &mut join).await.is_err() {
                    abort.abort();
                }
            }
        }
        // what the uploads ended above (or cut off earlier) left behind
        let store = self.store.clone();
        let _ = tokio::task::spawn_blocking(move || store.clear_tmp()).await;
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.ending.send(true);
        if let Some(join) = self.join.take() {
            join.abort();
        }
    }
}

/// Starts an emulator from `builder`, logs where it listens, and serves until Ctrl-C (then
/// shuts down gracefully).
pub async fn serve(builder: EmulatorBuilder) -> Result<(), EmulatorError> {
    let emu = builder.start().await?;
    tracing::info!(url = %emu.url(), "serving the Files API emulator; Ctrl-C stops it");
    emu.run_until_ctrl_c().await
}
