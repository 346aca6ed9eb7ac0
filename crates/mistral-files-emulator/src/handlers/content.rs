//! `GET /v1/files/{id}/content`, and the lookup it shares with the signed-URL downloads.
//!
//! Depends on `state`, `store`, `download`, `validation` and `error`; `signed_url` uses
//! [`open_content`].

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use uuid::Uuid;

use crate::download;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::FileRow;
use crate::validation::file_id_from_path;

pub(crate) async fn download_content(
    State(app): State<AppState>,
    file_id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = file_id_from_path(file_id)?;
    let (row, file) = open_content(&app, id)
        .await?
        .ok_or(ApiError::NotFound("File not found"))?;
    download::respond(&row, file, &headers, app.faults.take_download_fault())
}

/// Looks a live file up and opens its content; `None` when there is no such file.
pub(crate) async fn open_content(
    app: &AppState,
    id: Uuid,
) -> Result<Option<(FileRow, std::fs::File)>, ApiError> {
    let (store, now) = (app.store.clone(), app.clock.now());
    let found = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let Some(row) = store.get(&id, now)? else {
            return Ok(None);
        };
        match std::fs::File::open(store.content_path(&id)) {
            Ok(f) => Ok(Some((row, f))),
            // deleted between the lookup and the open: as if never found
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    })
    .await??;
    Ok(found)
}
