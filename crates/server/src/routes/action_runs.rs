//! `GET /api/v1/interactions/{id}/action-runs`: what the scorecards' actions did on one
//! interaction — a tag added, another evaluation queued, or why not (skipped at the chain's
//! depth limit, a template that failed, `insufficient_credits`, …). Webhooks are not here: each
//! of their messages, with every attempt, is in `GET /api/v1/webhook-deliveries`.

use super::render::rfc3339;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use scorejar_store::webhooks::ActionRunRecord;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/interactions/{id}/action-runs",
        get(list_action_runs),
    )
}

/// One run of an action on the interaction.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActionRunView {
    pub action_id: String,
    pub scorecard_id: String,
    /// The action as it is now (`{"type": "QUEUE_EVALUATION" | "ADD_TAG" | "WEBHOOK", …}`).
    #[schema(value_type = Object)]
    pub action: Value,
    /// `done`; `skipped: …` or `not sent: …` with the reason; or why it could not run:
    /// `insufficient_credits`, `scorecard_not_active`, `not_found`.
    pub outcome: String,
    #[schema(format = DateTime)]
    pub ran_at: String,
}

impl From<ActionRunRecord> for ActionRunView {
    fn from(r: ActionRunRecord) -> Self {
        ActionRunView {
            action_id: r.action_id,
            scorecard_id: r.scorecard_id,
            action: r.action,
            outcome: r.outcome,
            ran_at: rfc3339(r.ran_at),
        }
    }
}

/// The runs of actions on one interaction, oldest first (each action runs at most once per
/// evaluation and cause, so the list stays short).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActionRunList {
    pub interaction_id: String,
    pub data: Vec<ActionRunView>,
}

/// What the actions did on an interaction.
#[utoipa::path(get, path = "/api/v1/interactions/{id}/action-runs", tag = "actions",
    params(("id" = String, Path, description = "interactionId")),
    responses((status = 200, description = "The runs, oldest first", body = ActionRunList),
        (status = 404, description = "No such interaction on this account", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn list_action_runs(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<ActionRunList>> {
    state
        .store
        .get_interaction(&principal.account_id, &id)
        .await?
        .ok_or_else(|| AppError::interaction_not_found(&id))?;
    let runs = state.store.action_runs(&principal.account_id, &id).await?;
    Ok(Json(ActionRunList {
        interaction_id: id,
        data: runs.into_iter().map(ActionRunView::from).collect(),
    }))
}
