//! A started emulator: its address, faults, records and counts, and its graceful shutdown
//! (stop accepting, let the requests in flight finish within a grace period, end the rest, clear
//! what they left in `tmp/`).
//!
//! Made only by `EmulatorBuilder::start` (in the crate root), which fills its fields; uses the
//! leaves it holds (`faults`, `record`, `stats`, `clock`, `store`, `dir_lock`, `exposure`).

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::{clock, dir_lock, record, stats, store};
use crate::{EmulatorError, Exposure, Faults, RecordedRequest, Stats};

/// A started emulator. Dropping it stops the server (and removes a temporary data directory).
#[derive(Debug)]
pub struct RunningEmulator {
    pub(crate) addr: SocketAddr,
    pub(crate) exposure: Exposure,
    pub(crate) warnings: Vec<String>,
    pub(crate) url: String,
    pub(crate) data_dir: PathBuf,
    pub(crate) faults: Arc<Faults>,
    pub(crate) recorder: Arc<record::Recorder>,
    pub(crate) counters: Arc<stats::Counters>,
    pub(crate) clock: clock::Clock,
    pub(crate) shutdown: Option<oneshot::Sender<()>>,
    pub(crate) join: Option<JoinHandle<()>>,
    /// Set when a shutdown's grace period is over.
    pub(crate) ending: watch::Sender<bool>,
    pub(crate) store: Arc<store::Store>,
    /// The data directory's lock, held while this emulator lives (declared before the temporary
    /// directory: released before it is removed).
    pub(crate) _lock: dir_lock::DirLock,
    pub(crate) _temp_dir: Option<tempfile::TempDir>,
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
    /// [`EmulatorBuilder::insecure_default_key`](crate::EmulatorBuilder::insecure_default_key), or no key at all, on an address other machines
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
    /// [`EmulatorBuilder::record_limit`](crate::EmulatorBuilder::record_limit)).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.recorder.snapshot()
    }

    /// What was received since the start: requests, API requests, refusals of the rate limit
    /// (see [`Stats`]). Cheap (a few atomic loads); not reset by
    /// [`clear_requests`](Self::clear_requests).
    pub fn stats(&self) -> Stats {
        self.counters.snapshot()
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
