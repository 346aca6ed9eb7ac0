//! `POST /v1/files`: a multipart upload streamed to a temp file in 256 KiB writes (hashing and
//! line counting on the way), then committed atomically. Nothing of a file is ever held whole in
//! memory; a body cut off mid-way leaves nothing behind (the temp file is removed when the
//! handler ends or is dropped). The buffers come from the emulator's shared `BufferPool`, so
//! their memory is bounded whatever the number of concurrent uploads.
//!
//! In dependency order, each file using only those after it: `handler` (the HTTP handler and
//! FastAPI's rules), `form` (the form's fields and parts), `sink` (streaming the file part to
//! storage), `multipart` (reading the multipart body, which it owns so that a refusal can drain
//! it), `format` (mimetypes, sample types, formats per purpose), `jsonl` (the fine-tuning check
//! of the content). This file only names them.

mod form;
mod format;
mod handler;
mod jsonl;
mod multipart;
mod sink;

pub(crate) use form::FORM_OVERHEAD;
pub(crate) use handler::upload;
