//! `GET /v1/files` (list), `GET /v1/files/{id}` (retrieve), `DELETE /v1/files/{id}`.
//!
//! Depends on `state`, `store`, `validation` / `validation_error`, `wire` and `error`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use mistral_files_raw::open_enums::{FilePurpose, SampleType, Source};

use crate::error::{json_response, ApiError};
use crate::state::AppState;
use crate::store::ListQuery;
use crate::validation::{
    file_id_from_path, parse_bounded_int, parse_lax_bool, parse_spec_enum, query_pairs,
};
use crate::validation_error;
use crate::wire;

pub(crate) async fn list(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = list_query(raw.as_deref())?;
    let now = app.clock.now();
    let store = app.store.clone();
    let (rows, total) = tokio::task::spawn_blocking(move || store.list(&q, now)).await??;
    Ok(json_response(
        StatusCode::OK,
        &wire::list_out(&rows, total)?,
    ))
}

/// The list call's filters and paging, with the service's defaults; every bad parameter is
/// reported at once. Repeated `sample_type` / `source` values are located by their index.
fn list_query(raw: Option<&str>) -> Result<ListQuery, ApiError> {
    let mut q = ListQuery {
        page: 0,
        page_size: 100,
        include_total: true,
        ..ListQuery::default()
    };
    let mut errors = Vec::new();
    let (mut i_sample, mut i_source) = (0usize, 0usize);
    for (key, value) in query_pairs(raw) {
        let loc = validation_error::loc(&["query", &key]);
        match key.as_str() {
            "page" => q.page = parse_bounded_int(&loc, &value, 0, None, &mut errors).unwrap_or(0),
            "page_size" => {
                q.page_size = parse_bounded_int(&loc, &value, 1, None, &mut errors).unwrap_or(100)
            }
            "include_total" => {
                if let Some(b) = parse_lax_bool(&loc, &value, &mut errors) {
                    q.include_total = b;
                }
            }
            "purpose" => {
                q.purpose =
                    parse_spec_enum::<FilePurpose>(&loc, &value, &mut errors).map(|p| p.to_string())
            }
            "search" => q.search = Some(value),
            "sample_type" => {
                let loc = validation_error::loc_at(&["query", &key], i_sample);
                i_sample += 1;
                if let Some(s) = parse_spec_enum::<SampleType>(&loc, &value, &mut errors) {
                    q.sample_types.push(s.to_string());
                }
            }
            "source" => {
                let loc = validation_error::loc_at(&["query", &key], i_source);
                i_source += 1;
                if let Some(s) = parse_spec_enum::<Source>(&loc, &value, &mut errors) {
                    q.sources.push(s.to_string());
                }
            }
            "mimetypes" => q.mimetypes.push(value),
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(q)
    } else {
        Err(ApiError::Validation(errors))
    }
}

pub(crate) async fn retrieve(
    State(app): State<AppState>,
    file_id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = file_id_from_path(file_id)?;
    let (store, now) = (app.store.clone(), app.clock.now());
    let row = tokio::task::spawn_blocking(move || store.get(&id, now))
        .await??
        .ok_or(ApiError::NotFound("File not found"))?;
    Ok(json_response(StatusCode::OK, &wire::retrieve_out(&row)?))
}

pub(crate) async fn delete(
    State(app): State<AppState>,
    file_id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = file_id_from_path(file_id)?;
    let (store, now) = (app.store.clone(), app.clock.now());
    let deleted = tokio::task::spawn_blocking(move || -> rusqlite::Result<bool> {
        // an expired file is gone already, even if its row is still there
        if store.get(&id, now)?.is_none() {
            return Ok(false);
        }
        store.delete(&id)
    })
    .await??;
    if !deleted {
        return Err(ApiError::NotFound("File not found"));
    }
    Ok(json_response(StatusCode::OK, &wire::delete_out(id)?))
}
