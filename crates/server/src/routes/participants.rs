//! `DELETE /api/v1/participants/{id}`: the right to be forgotten for one person — their name,
//! e-mail, phone and source identifier erased (`scorejar_store`'s `erase_participant`). What
//! they said stays in the transcripts of their interactions: delete those too
//! (`DELETE /api/v1/interactions/{id}`) to remove it.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::delete;
use axum::Router;
use scorejar_core::ApiError;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/participants/{id}", delete(erase_participant))
}

/// Erases a participant's details; their interactions keep pointing at the nameless record.
#[utoipa::path(delete, path = "/api/v1/participants/{id}", tag = "interactions",
    params(("id" = String, Path, description = "The participant's id (an interaction's `agent.id` or `customer.id`)")),
    responses((status = 204, description = "Erased"),
        (status = 404, description = "No such participant on this account", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn erase_participant(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    if !state
        .store
        .erase_participant(&principal.account_id, &id)
        .await?
    {
        return Err(AppError(ApiError::not_found(
            "participant_not_found",
            format!("participant {id} not found"),
        )));
    }
    tracing::info!(participant = %id, account = %principal.account_id, "participant erased");
    Ok(StatusCode::NO_CONTENT)
}
