//! `POST /api/v1/upload`: one interaction per request, JSON or multipart.
//!
//! The journey: read the body (`body`), validate everything purely (`scorejar_core::payload`),
//! probe the media, infer the type, price it, store the media object, then write the whole
//! upload in one store transaction (`accept`). A rejected request leaves no row, no charge and
//! no media object behind.

mod accept;
pub mod body;
mod download;
mod limit;

use crate::auth::Principal;
use crate::error::AppResult;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::routing::post;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/upload", post(upload_interaction))
}

/// Upload one interaction (audio, video, chat, e-mail or SMS), optionally queueing an evaluation.
#[utoipa::path(
    post,
    path = "/api/v1/upload",
    tag = "upload",
    request_body(description = "JSON payload, or multipart/form-data with parts `file` and `payload` (a JSON string of the same object)",
        content(
            (crate::openapi::UploadPayloadDoc = "application/json"),
            (crate::openapi::UploadMultipartDoc = "multipart/form-data"),
        )),
    responses(
        (status = 200, description = "Interaction created (or the original returned for a duplicate sourceIdentifier)", body = crate::openapi::UploadResponseDoc),
        (status = 400, description = "Invalid payload, undeterminable type, missing content, bad downloadUrl or media", body = crate::openapi::ErrorDoc),
        (status = 402, description = "Not enough credits; nothing created", body = crate::openapi::ErrorDoc),
        (status = 404, description = "scorecardId not found or not ACTIVE", body = crate::openapi::ErrorDoc),
        (status = 413, description = "Body over the request limit (32 MiB)", body = crate::openapi::ErrorDoc),
    ),
    security(("bearer" = []))
)]
pub async fn upload_interaction(
    State(state): State<AppState>,
    principal: Principal,
    req: Request,
) -> AppResult<Json<serde_json::Value>> {
    let body = body::read_upload_body(&state, req).await?;
    accept::accept_upload(&state, &principal, body)
        .await
        .map(Json)
}
