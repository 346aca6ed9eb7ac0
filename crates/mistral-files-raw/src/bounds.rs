//! Bounds the spec declares (in `openapi/overlay.yaml`) that the generated types cannot carry,
//! as constants the client, the CLI and the emulator share. A workspace test
//! (`tests/spec_bounds.rs`) checks them against the normalized spec, so they cannot drift.

/// The shortest signed-URL lifetime the service accepts, in hours (`expiry` of
/// `GET /v1/files/{file_id}/url`).
pub const SIGNED_URL_MIN_EXPIRY_HOURS: u64 = 1;

/// The longest signed-URL lifetime the service accepts, in hours: 168, one week.
pub const SIGNED_URL_MAX_EXPIRY_HOURS: u64 = 168;
