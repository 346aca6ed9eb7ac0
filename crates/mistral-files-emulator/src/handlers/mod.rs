//! The JSON and download endpoints other than upload (which has its own module, `upload`, for
//! its size). One file per resource: `files` (list, retrieve, delete), `content` (download),
//! `signed_url` (handing out and serving signed URLs).
//!
//! Handlers use `state`, `validation`, `error`, `wire`, `store`, `download` and `signed`;
//! nothing but the router uses them.

pub(crate) mod content;
pub(crate) mod files;
pub(crate) mod signed_url;
