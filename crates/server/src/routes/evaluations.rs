//! `POST /api/v1/ai/queue`: queue an evaluation of an interaction that already exists, with
//! the same ACTIVE-scorecard check and billing as an upload's `evaluation`; and
//! `GET /api/v1/score-submissions/{id}`: one evaluation and its result.

use super::json::{required_str, JsonBody};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use scorejar_core::evaluation::listing::parse_evaluation_filter;
use scorejar_core::model::*;
use scorejar_core::pricing::new_evaluation;
use scorejar_core::ApiError;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/ai/queue", post(queue_evaluation))
        .route("/api/v1/score-submissions", get(list_score_submissions))
        .route("/api/v1/score-submissions/{id}", get(get_score_submission))
}

/// The account's evaluations, newest first, as summary rows (no answers): filters `scorecard`,
/// `agent`, `from`, `to`, `status`, `passed`, `needsReview`; paging with `limit` and `cursor`.
#[utoipa::path(get, path = "/api/v1/score-submissions", tag = "evaluations",
    params(
        ("scorecard" = Option<String>, Query, description = "Scorecard id"),
        ("agent" = Option<String>, Query, description = "Agent participant id or sourceIdentifier"),
        ("from" = Option<String>, Query, format = DateTime, description = "Created at or after (RFC 3339)"),
        ("to" = Option<String>, Query, format = DateTime, description = "Created before (RFC 3339)"),
        ("status" = Option<String>, Query, description = "QUEUED, PROCESSING, COMPLETED or FAILED"),
        ("passed" = Option<bool>, Query, description = "Only passed (true) or failed (false) evaluations"),
        ("needsReview" = Option<bool>, Query, description = "Only those that need (or do not need) a review"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Page size (default 50)"),
        ("cursor" = Option<String>, Query, description = "`nextCursor` of the previous page"),
    ),
    responses((status = 200, description = "A page of evaluation summaries", body = crate::openapi::ScoreSubmissionListDoc),
        (status = 400, description = "Bad filter", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn list_score_submissions(
    State(state): State<AppState>,
    principal: Principal,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> AppResult<Json<Value>> {
    let pairs = super::json::query_pairs(query)?;
    let filter = parse_evaluation_filter(&pairs)?;
    let page = state
        .store
        .list_evaluations(&principal.account_id, &filter)
        .await?;
    Ok(Json(json!({
        "data": page.data.iter().map(|e| super::render::evaluation(e, false)).collect::<Vec<_>>(),
        "nextCursor": page.next_cursor,
    })))
}

/// One evaluation (score submission) with its answers, evidence, score and usage.
#[utoipa::path(get, path = "/api/v1/score-submissions/{id}", tag = "evaluations",
    params(("id" = String, Path)),
    responses((status = 200, description = "The evaluation", body = crate::openapi::ScoreSubmissionDoc),
        (status = 404, description = "Not found", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn get_score_submission(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let evaluation = state
        .store
        .get_evaluation(&principal.account_id, &id)
        .await?
        .ok_or_else(|| {
            AppError(ApiError::not_found(
                "score_submission_not_found",
                format!("score submission {id} not found"),
            ))
        })?;
    if principal.agent.is_some() {
        let interaction = state
            .store
            .get_interaction(&principal.account_id, &evaluation.interaction_id)
            .await?;
        let agent = interaction.as_ref().and_then(|i| i.agent.as_ref());
        principal.require_sight_of(agent.map(|a| a.id.as_str()))?;
    }
    Ok(Json(super::render::evaluation(&evaluation, true)))
}

/// Queues an evaluation; answers `{scoreSubmissionId}`.
#[utoipa::path(post, path = "/api/v1/ai/queue", tag = "evaluations",
    request_body = crate::openapi::QueueEvaluationDoc,
    responses((status = 200, description = "Queued", body = crate::openapi::QueuedEvaluationDoc),
        (status = 400, description = "Missing field, or the interaction's transcription failed (`transcript_failed`)", body = crate::openapi::ErrorDoc),
        (status = 402, description = "Not enough credits", body = crate::openapi::ErrorDoc),
        (status = 404, description = "Interaction or ACTIVE scorecard not found", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn queue_evaluation(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(body): JsonBody,
) -> AppResult<Json<Value>> {
    let interaction_id = required_str(&body, "interactionId")?;
    let scorecard_id = required_str(&body, "scorecardId")?;
    let interaction = state
        .store
        .get_interaction(&principal.account_id, interaction_id)
        .await?
        .ok_or_else(|| {
            let AppError(error) = AppError::interaction_not_found(interaction_id);
            AppError(error.with_field("interactionId"))
        })?;
    if interaction
        .transcript
        .as_ref()
        .is_some_and(|t| t.status == StepStatus::Failed)
    {
        return Err(AppError(ApiError::bad_request(
            "transcript_failed",
            "this interaction's transcription failed, so it cannot be evaluated",
        )));
    }
    let evaluation = new_evaluation(
        &principal.account_id,
        &interaction,
        scorecard_id,
        &state.settings.rates(),
    );
    let score_submission_id = evaluation.spec.score_submission_id.clone();
    state
        .store
        .queue_evaluation(evaluation)
        .await
        .map_err(|e| match e {
            scorejar_store::StoreError::ScorecardNotActive => AppError(
                ApiError::not_found(
                    "scorecard_not_found",
                    "`scorecardId` is not an ACTIVE scorecard of this account",
                )
                .with_field("scorecardId"),
            ),
            other => other.into(),
        })?;
    Ok(Json(
        json!({ "success": true, "scoreSubmissionId": score_submission_id }),
    ))
}
