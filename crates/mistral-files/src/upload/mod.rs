//! Uploads: [`UploadRequest`], sent as a `multipart/form-data` body built by hand and streamed.
//!
//! The generated client leaves the multipart upload out, so the body is built here: with a
//! known length, made again for each attempt, streamed from disk in bounded memory, and with the
//! file name encoded the way the service reads it. One file per concern, each used only by the
//! ones above it:
//!
//! - `request`: the public [`UploadRequest`] and the steps of [`UploadRequest::send`] (local
//!   checks, the form, sending with retries); uses all the others.
//! - `checks`: the rules an upload must pass before any request (name, size, purpose, JSONL,
//!   content type); uses `body` and `mime`.
//! - `mime`: the content type sent when the caller gives none, by extension; uses nothing else.
//! - `data`: [`UploadData`], the in-memory content `upload_bytes` takes; uses nothing else.
//! - `form`: the multipart framing around the content; uses nothing else here.
//! - `reconcile`: settling an attempt whose answer was lost (look for the stored file before
//!   sending again); uses the client's listing.
//! - `body`: where the content comes from (a path, bytes, a reader), the name it is stored
//!   under, and the content as a stream for one attempt.

mod body;
mod checks;
mod data;
mod form;
mod mime;
mod reconcile;
mod request;

pub use checks::MAX_FILE_NAME_BYTES;
pub use data::UploadData;
pub use request::UploadRequest;
