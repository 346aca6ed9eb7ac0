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
//! - A rate limit, off by default ([`EmulatorBuilder::rate_limit`], `mistral-files serve
//!   --rate-limit N/s`): N requests per second per API key (one bucket for all without auth), in
//!   a burst of N/10 at most (at least 1); a `/v1/...` request past it (after the 401 check;
//!   signed-URL downloads are not limited) is not handled and gets the service's
//!   `429 {"object":"error","message":"Requests rate limit exceeded","type":"rate_limited",
//!   "param":null,"code":"1300"}` with `Retry-After` (whole seconds, at least 1).
//!   [`RunningEmulator::stats`] counts the requests received and those refused.
//! - Each connection buffers at most 64 KiB of what it reads, so memory stays flat however many
//!   uploads arrive at once (their content goes to disk through a bounded pool of buffers).
//! - Shutdowns are graceful ([`RunningEmulator::shutdown_within`], [`RunningEmulator::run_until`]):
//!   no new connections, requests in flight may finish within the grace period, then those still
//!   running end: an unfinished upload leaves no row and no temp file.
//! - Bad ids, enum values, integers and booleans get FastAPI's 422 shape
//!   `{"detail":[{"type":"uuid_parsing","loc":["path","file_id"],"msg":..,"input":..,"ctx":..}]}`.
//!   An id that is not a UUID never reaches the filesystem; names are stored verbatim in the
//!   database and never used as paths.

#![warn(missing_docs)]

// In dependency order, each module using only modules listed after it (its docs say which):
// running (the started emulator); seed; router; upload (handler, form, sink, format);
// handlers (signed_url, content, files);
// middleware; state; buffer_pool; download, wire; store, validation; dir_lock; error;
// error_body; validation_error; key_order; faults (over fault_plan); and the leaves clock,
// exposure, fault_plan, rate_limit, record, signed, stats. Beside them, serve_conn serves the
// router on the listener.
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
mod rate_limit;
mod record;
mod router;
mod running;
mod seed;
mod serve_conn;
mod signed;
mod state;
mod stats;
mod store;
mod upload;
mod validation;
mod validation_error;
mod wire;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{oneshot, watch};

pub use error::EmulatorError;
pub use exposure::Exposure;
pub use fault_plan::Fault;
pub use faults::{FailSpec, FailSpecParseError, FaultConfig, Faults};
pub use record::{FormPart, RecordedRequest};
pub use running::{RunningEmulator, SHUTDOWN_GRACE};
pub use seed::SeedFile;
pub use stats::Stats;

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
    rate_limit: Option<u32>,
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
            rate_limit: None,
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

    /// Limits each API key to `per_second` requests per second (default: no limit; `0` also
    /// means none), as the service does. A token bucket per key (found by a hash of the key,
    /// never the key itself; one bucket shared by all without auth, see
    /// [`no_auth`](Self::no_auth)) refills at `per_second` tokens a second and holds a burst of
    /// a tenth of a second's worth, at least 1: a client going over the limit finds out within
    /// a few requests.
    ///
    /// It applies to the `/v1/...` requests that passed auth (a 401 takes no token; signed-URL
    /// downloads are not limited). A request over the limit is not handled (nothing is stored
    /// or deleted): it is answered `429` with the service's body
    /// `{"object":"error","message":"Requests rate limit exceeded","type":"rate_limited","param":null,"code":"1300"}`
    /// and `Retry-After`, the wait until a token is back in whole seconds (at least 1), its body
    /// drained first as for every early refusal (an answer, not a reset). Counted in
    /// [`Stats::rate_limited`].
    pub fn rate_limit(mut self, per_second: u32) -> Self {
        self.rate_limit = (per_second > 0).then_some(per_second);
        self
    }

    /// The data directory to use, and the temporary directory that holds it when none was
    /// given (removed when dropped).
    fn data_dir_to_use(&self) -> Result<(Option<tempfile::TempDir>, PathBuf), EmulatorError> {
        if let Some(d) = &self.data_dir {
            return Ok((None, d.clone()));
        }
        // Stores of emulators that were killed before they could remove theirs.
        dir_lock::sweep_stale(&std::env::temp_dir(), TEMP_STORE_PREFIX);
        let t = tempfile::Builder::new()
            .prefix(TEMP_STORE_PREFIX)
            .tempdir()
            .map_err(|e| EmulatorError::io("creating a temporary data directory", e))?;
        let p = t.path().to_path_buf();
        Ok((Some(t), p))
    }

    /// The listener, the address it is bound to, and the URL that reaches it (`127.0.0.1`
    /// standing for an unspecified address).
    async fn listen(&self) -> Result<(tokio::net::TcpListener, SocketAddr, String), EmulatorError> {
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
        Ok((listener, addr, format!("http://{url_addr}")))
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
        let (temp_dir, data_dir) = self.data_dir_to_use()?;
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
        let (listener, addr, url) = self.listen().await?;
        let faults = Arc::new(Faults::default());
        faults.apply(&self.faults);
        let recorder = Arc::new(record::Recorder::new(self.record_limit));
        let counters = Arc::new(stats::Counters::default());
        let (ending_tx, ending) = watch::channel(false);
        let state = Arc::new(state::AppInner {
            store: store.clone(),
            faults: faults.clone(),
            recorder: recorder.clone(),
            counters: counters.clone(),
            rate_limit: self.rate_limit.map(rate_limit::RateLimiter::new),
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
        let join = tokio::spawn(serve_conn::serve(listener, app, async move {
            let _ = rx.await;
        }));
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
            counters,
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

/// Starts an emulator from `builder`, logs where it listens, and serves until Ctrl-C (then
/// shuts down gracefully).
pub async fn serve(builder: EmulatorBuilder) -> Result<(), EmulatorError> {
    let emu = builder.start().await?;
    tracing::info!(url = %emu.url(), "serving the Files API emulator; Ctrl-C stops it");
    emu.run_until_ctrl_c().await
}
