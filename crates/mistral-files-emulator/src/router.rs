//! The routes: which handler answers which method and path, the front middleware around them,
//! and FastAPI's answers for an unknown route or method.
//!
//! The top of the request side: uses `handlers`, `upload`, `middleware` and `state`; only the
//! crate root uses it.

use axum::http::StatusCode;
use axum::middleware;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::error::json_response;
use crate::error_body;
use crate::handlers::{content, files, signed_url};
use crate::middleware::front;
use crate::state::AppState;
use crate::upload;

pub(crate) fn router(state: AppState) -> Router {
    // axum's own limit must let a maximal file and its form through: the upload handler
    // enforces the real limit and answers it in the provider's words.
    let upload_limit = usize::try_from(state.max_upload.saturating_add(upload::FORM_OVERHEAD))
        .unwrap_or(usize::MAX);
    Router::new()
        .route(
            "/v1/files",
            get(files::list)
                .post(upload::upload)
                .layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/v1/files/{file_id}",
            get(files::retrieve).delete(files::delete),
        )
        .route(
            "/v1/files/{file_id}/content",
            get(content::download_content),
        )
        .route("/v1/files/{file_id}/url", get(signed_url::signed_url))
        .route("/signed/{token}", get(signed_url::signed_download))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), front))
        .with_state(state)
}

async fn not_found() -> Response {
    json_response(StatusCode::NOT_FOUND, &error_body::detail("Not Found"))
}

async fn method_not_allowed() -> Response {
    json_response(
        StatusCode::METHOD_NOT_ALLOWED,
        &error_body::detail("Method Not Allowed"),
    )
}
