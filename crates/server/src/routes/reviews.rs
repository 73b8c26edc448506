//! Reviewers correct evaluations, and teams see how far to trust each engine's answers:
//! `PATCH /api/v1/score-submissions/{id}` (an override: the score recomputed, the engine's
//! answers kept beside the reviewer's, history appended) and
//! `GET /api/v1/scorecards/{id}/agreement` (per question, over reviewed evaluations: count,
//! share where the engine's answer stood, Cohen's κ). Rules in
//! `scorejar_core::evaluation::review`.

use super::json::JsonBody;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::{get, patch};
use axum::{Json, Router};
use scorejar_core::evaluation::card::EvalCard;
pub use scorejar_core::evaluation::review::Correction;
use scorejar_core::evaluation::review::{
    agreement, apply_override, read_result, reviewed_pairs, OverrideError,
};
use scorejar_core::model::{EvaluationRecord, EvaluationStatus};
use scorejar_core::scoring::Response;
use scorejar_core::ApiError;
use scorejar_store::queue::EvaluationSummary;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/score-submissions/{id}", patch(override_evaluation))
        .route(
            "/api/v1/scorecards/{id}/agreement",
            get(scorecard_agreement),
        )
}

/// A damaged row or a bug: logged in full, answered with the generic 500.
fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "reading an evaluation for review");
    AppError(ApiError::internal())
}

fn not_found(id: &str) -> AppError {
    AppError(ApiError::not_found(
        "score_submission_not_found",
        format!("score submission {id} not found"),
    ))
}

/// `answers` of an override body, each `{questionId, answers: [labels]}`, `{questionId,
/// value}` or `{questionId, na: true}`.
fn corrections(body: &Value) -> AppResult<Vec<Correction>> {
    let items = body
        .get("answers")
        .and_then(Value::as_array)
        .ok_or_else(|| AppError(ApiError::invalid("answers", "`answers` must be an array")))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let path = format!("answers[{i}]");
            let bad = |what: &str| {
                AppError(ApiError::invalid(
                    format!("{path}.{what}"),
                    format!("`{path}.{what}` is missing or of the wrong type"),
                ))
            };
            let question_id = item
                .get("questionId")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("questionId"))?
                .to_owned();
            let response = if item.get("na").and_then(Value::as_bool) == Some(true) {
                Response::NotApplicable
            } else if let Some(v) = item.get("value") {
                Response::Value(v.as_f64().ok_or_else(|| bad("value"))?)
            } else {
                let labels = item
                    .get("answers")
                    .and_then(Value::as_array)
                    .ok_or_else(|| bad("answers"))?;
                Response::Chosen(
                    labels
                        .iter()
                        .map(|l| l.as_str().map(str::to_owned).ok_or_else(|| bad("answers")))
                        .collect::<Result<_, _>>()?,
                )
            };
            Ok(Correction {
                question_id,
                response,
            })
        })
        .collect()
}

/// Corrects answers of a COMPLETED evaluation; answers the evaluation as it now is.
#[utoipa::path(patch, path = "/api/v1/score-submissions/{id}", tag = "evaluations",
    params(("id" = String, Path)),
    request_body = crate::openapi::OverrideDoc,
    responses((status = 200, description = "The corrected evaluation", body = crate::openapi::ScoreSubmissionDoc),
        (status = 400, description = "An answer outside its question's set, no reason", body = crate::openapi::ErrorDoc),
        (status = 404, description = "Not found", body = crate::openapi::ErrorDoc),
        (status = 409, description = "Not COMPLETED, or changed meanwhile", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn override_evaluation(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<Json<Value>> {
    let reason = body.get("reason").and_then(Value::as_str).unwrap_or("");
    let corrections = corrections(&body)?;
    let now = apply_review(
        &state,
        &principal.account_id,
        principal.user_id.as_deref(),
        &id,
        &corrections,
        reason,
    )
    .await?;
    Ok(Json(super::render::evaluation(&now, true)))
}

/// Applies a reviewer's corrections to a COMPLETED evaluation (the API's override and the web
/// app's override form alike): rescored, the engine's answers kept beside, history appended,
/// written only if nobody changed it meanwhile. Answers the evaluation as it now is.
pub async fn apply_review(
    state: &AppState,
    account_id: &str,
    user_id: Option<&str>,
    id: &str,
    corrections: &[Correction],
    reason: &str,
) -> AppResult<EvaluationRecord> {
    let evaluation = state
        .store
        .get_evaluation(account_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let (Some(stored), EvaluationStatus::Completed) = (&evaluation.result, evaluation.status)
    else {
        return Err(AppError(ApiError::new(
            409,
            "evaluation_not_completed",
            "only a COMPLETED evaluation can be corrected",
        )));
    };
    let result = read_result(stored).map_err(internal)?;
    let version = state
        .store
        .get_scorecard_version(
            account_id,
            &evaluation.scorecard_id,
            Some(result.scorecard_version),
        )
        .await?
        .ok_or_else(|| internal("the evaluation's scorecard version is gone"))?;
    let card = EvalCard::from_stored(
        &version.sections,
        version.passing_score,
        version.prompt,
        version.model,
    )
    .map_err(internal)?;
    let by = match user_id {
        Some(user) => format!("user:{user}"),
        None => "api token".to_owned(),
    };
    let at = time::OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default();
    let corrected = apply_override(&card, &result, corrections, &by, &at, reason).map_err(|e| {
        let field = match &e {
            OverrideError::Answer { index, .. } => format!("answers[{index}]"),
            OverrideError::NoReason => "reason".to_owned(),
            OverrideError::Empty => "answers".to_owned(),
        };
        AppError(ApiError::invalid(field, e.to_string()))
    })?;
    let summary = EvaluationSummary::of(&corrected);
    let value = serde_json::to_value(&corrected).map_err(|e| internal(e.to_string()))?;
    let written = state
        .store
        .review_evaluation(account_id, id, evaluation.updated_at, value, summary)
        .await?;
    if !written {
        return Err(AppError(ApiError::new(
            409,
            "evaluation_changed",
            "the evaluation changed while it was being corrected; read it again",
        )));
    }
    state
        .store
        .get_evaluation(account_id, id)
        .await?
        .ok_or_else(|| not_found(id))
}

/// How often each question's engine answer stood when a reviewer looked.
#[utoipa::path(get, path = "/api/v1/scorecards/{id}/agreement", tag = "scorecards",
    params(("id" = String, Path)),
    responses((status = 200, description = "`{scorecardId, evaluations, overall {count, agreed, kappa}, questions [{questionId, count, agreed, kappa}]}`"),
        (status = 404, description = "Not found", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn scorecard_agreement(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    Ok(Json(
        agreement_report(&state, &principal.account_id, &id).await?,
    ))
}

/// The agreement report of a scorecard of this account (the API's answer; the dashboard shows
/// it too); 404 `scorecard_not_found` for another account's or an unknown scorecard.
pub async fn agreement_report(state: &AppState, account_id: &str, id: &str) -> AppResult<Value> {
    state
        .store
        .get_scorecard(account_id, id)
        .await?
        .ok_or_else(|| {
            AppError(ApiError::not_found(
                "scorecard_not_found",
                format!("scorecard {id} not found"),
            ))
        })?;
    let results = state.store.reviewed_results(account_id, id).await?;
    let mut by_question: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut all = Vec::new();
    let mut evaluations = 0;
    for stored in &results {
        let Ok(result) = read_result(stored) else {
            continue;
        };
        evaluations += 1;
        for (question, engine, last) in reviewed_pairs(&result) {
            all.push((engine.clone(), last.clone()));
            by_question
                .entry(question)
                .or_default()
                .push((engine, last));
        }
    }
    let questions: Vec<Value> = by_question
        .iter()
        .map(|(q, pairs)| {
            let mut v = serde_json::to_value(agreement(pairs)).unwrap_or(Value::Null);
            v["questionId"] = json!(q);
            v
        })
        .collect();
    Ok(json!({
        "scorecardId": id,
        "evaluations": evaluations,
        "overall": agreement(&all),
        "questions": questions,
    }))
}
