//! `POST /api/v1/interactions/{id}/retry`: queue an interaction's failed steps again — a failed
//! download, transcription or evaluation — billed as the first time and refunded again if they
//! fail again. What is retried and its price: `scorejar_core::retry`; the write:
//! `Store::retry_interaction`.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use scorejar_core::retry::plan_retry;
use scorejar_core::ApiError;
use scorejar_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/interactions/{id}/retry", post(retry_interaction))
}

/// The answer of a retry.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = RetryAccepted, rename_all = "camelCase")]
pub struct RetryAccepted {
    /// Always `true`.
    success: bool,
    interaction_id: String,
    /// The steps queued again: `media`, `transcript`, `evaluation:<scoreSubmissionId>`.
    retried: Vec<String>,
    /// Credits debited for the retried work (a ledger row).
    credits_charged: i64,
    /// Poll it for the steps' progress.
    status_url: String,
}

/// Queues the interaction's FAILED steps again.
#[utoipa::path(post, path = "/api/v1/interactions/{id}/retry", tag = "interactions",
    params(("id" = String, Path, description = "interactionId")),
    responses((status = 200, description = "The failed steps are queued again", body = RetryAccepted),
        (status = 402, description = "Not enough credits for the retried work", body = crate::openapi::ErrorDoc),
        (status = 404, description = "No such interaction on this account", body = crate::openapi::ErrorDoc),
        (status = 409, description = "No step of the interaction is FAILED (`nothing_to_retry`)", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn retry_interaction(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<RetryAccepted>> {
    let interaction = state
        .store
        .get_interaction(&principal.account_id, &id)
        .await?
        .ok_or_else(|| AppError::interaction_not_found(&id))?;
    let plan = plan_retry(&interaction, &state.settings.rates()).ok_or_else(nothing_to_retry)?;
    // As with an upload's `evaluation`: queuing evaluations needs that scope too.
    if !plan.evaluations.is_empty() {
        principal.require(scorejar_core::tokens::Scope::Evaluate)?;
    }
    let answer = RetryAccepted {
        success: true,
        interaction_id: interaction.id.clone(),
        retried: plan.steps(),
        credits_charged: plan.charge,
        status_url: format!("/api/v1/interactions/{}", interaction.id),
    };
    match state
        .store
        .retry_interaction(&principal.account_id, plan)
        .await
    {
        Ok(()) => Ok(Json(answer)),
        // Another retry moved the steps between our read and our write.
        Err(StoreError::Conflict(_)) => Err(nothing_to_retry()),
        Err(StoreError::NotFound(_)) => Err(AppError::interaction_not_found(&id)),
        Err(other) => Err(other.into()),
    }
}

fn nothing_to_retry() -> AppError {
    AppError(ApiError::conflict(
        "nothing_to_retry",
        "no step of this interaction has FAILED (or it is already queued again)",
    ))
}
