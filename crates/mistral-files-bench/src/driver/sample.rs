//! One measured run of one client, [`Sample`]: what the clients produce and the report reads,
//! in a leaf of its own so that neither of them needs the other for it.

/// One run of one client.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The operation's own time, seconds (as the client measures it; curl: `time_total`).
    pub secs: f64,
    /// The client process's wall time, seconds (start-up included).
    pub wall: f64,
    /// The client process's peak RSS, KiB.
    pub rss_kib: Option<u64>,
    /// The server's peak RSS during the run, KiB.
    pub server_rss_kib: Option<u64>,
}
