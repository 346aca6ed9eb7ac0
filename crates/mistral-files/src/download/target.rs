//! What a download fetches: a file's content through the API, or a signed URL on another host.
//!
//! The two differ in one thing that matters for safety: only the first may carry the API key.
//! Every part of a download (the first request, each reconnection, the pre-check of the file's
//! size) decides by this one type.

use crate::exec::Host;
use crate::id::FileId;
use crate::types::redact_after_host;

/// What a download fetches.
#[derive(Clone)]
pub(super) enum Target {
    /// `/v1/files/{id}/content` on the API host, with the key.
    Api(FileId),
    /// A signed URL, which carries its own credential: never sent the key.
    Signed(String),
}

impl Target {
    /// The path for logs and spans; of a signed URL, only its scheme and host (its credential
    /// may be in the query or in the path).
    pub(super) fn log_path(&self) -> String {
        match self {
            Target::Api(id) => format!("/v1/files/{id}/content"),
            Target::Signed(u) => redact_after_host(u),
        }
    }

    /// Where the request goes: the API host (with the key) or another one (without).
    pub(super) fn host(&self) -> Host {
        match self {
            Target::Api(_) => Host::Api,
            Target::Signed(_) => Host::Foreign,
        }
    }
}
