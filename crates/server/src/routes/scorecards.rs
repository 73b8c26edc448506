//! Scorecards: `GET/POST /api/v1/scorecards`, `GET/PATCH /api/v1/scorecards/{id}`. Validation
//! (sections, questions, answers, slider bounds, rules) lives in `scorejar_core::scorecard`.

use super::json::JsonBody;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use scorejar_core::cursor::Cursor;
use scorejar_core::ids::new_id;
use scorejar_core::scorecard::{apply_patch, parse_scorecard, scorecard_to_json, version_to_json};
use scorejar_core::ApiError;
use serde_json::Value;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/scorecards",
            get(list_scorecards).post(create_scorecard),
        )
        .route(
            "/api/v1/scorecards/{id}",
            get(get_scorecard).patch(update_scorecard),
        )
        .route(
            "/api/v1/scorecards/{id}/versions/{version}",
            get(get_scorecard_version),
        )
}

/// One immutable version of a scorecard (what an evaluation with that `scorecardVersion`
/// scored against).
#[utoipa::path(get, path = "/api/v1/scorecards/{id}/versions/{version}", tag = "scorecards",
    params(("id" = String, Path), ("version" = i64, Path)),
    responses((status = 200, description = "The version", body = crate::openapi::ScorecardVersionDoc), (status = 404, description = "Not found", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn get_scorecard_version(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, version)): Path<(String, String)>,
) -> AppResult<Json<Value>> {
    let missing = || {
        AppError(ApiError::not_found(
            "scorecard_version_not_found",
            format!("scorecard {id} has no version {version}"),
        ))
    };
    let n: i64 = version.parse().map_err(|_| missing())?;
    let v = state
        .store
        .get_scorecard_version(&principal.account_id, &id, Some(n))
        .await?
        .ok_or_else(missing)?;
    Ok(Json(version_to_json(&v)))
}

/// An ACTIVE scorecard that names a `model` (other than `rules`) must name one a configured
/// provider serves; without a `model`, the default provider answers at run time. Drafts may
/// name any model (the providers may be configured before it is activated).
fn check_model(state: &AppState, fields: &scorejar_core::model::ScorecardFields) -> AppResult<()> {
    if fields.status != scorejar_core::model::ScorecardStatus::Active {
        return Ok(());
    }
    match fields.model.as_deref() {
        None | Some(scorejar_core::evaluation::card::RULES_MODEL) => Ok(()),
        Some(model) => state
            .settings
            .llm
            .resolve(Some(model))
            .map(|_| ())
            .map_err(|e| AppError(ApiError::invalid("model", format!("`model`: {e}")))),
    }
}

fn not_found(id: &str) -> AppError {
    AppError(ApiError::not_found(
        "scorecard_not_found",
        format!("scorecard {id} not found"),
    ))
}

/// Creates a scorecard (status DRAFT unless given).
#[utoipa::path(post, path = "/api/v1/scorecards", tag = "scorecards",
    request_body = crate::openapi::ScorecardInputDoc,
    responses((status = 201, description = "The scorecard", body = crate::openapi::ScorecardDoc), (status = 400, description = "Invalid scorecard", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn create_scorecard(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(body): JsonBody,
) -> AppResult<(StatusCode, Json<Value>)> {
    let fields = parse_scorecard(&body)?;
    check_model(&state, &fields)?;
    let sc = state
        .store
        .create_scorecard(&principal.account_id, &new_id(), &fields)
        .await?;
    Ok((StatusCode::CREATED, Json(scorecard_to_json(&sc))))
}

/// A page of `GET /api/v1/scorecards`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ScorecardList)]
pub struct ScorecardPage {
    /// Oldest first (by creation time, then id); ARCHIVED ones included.
    #[schema(value_type = Vec<crate::openapi::ScorecardDoc>)]
    data: Vec<Value>,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

/// Lists the account's scorecards, every status, oldest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/scorecards", tag = "scorecards",
    params(super::paging::PageParams),
    responses((status = 200, description = "A page of the account's scorecards", body = ScorecardPage),
        (status = 400, description = "Unknown or repeated parameter, `limit` out of range, or not a `cursor` of this list (`field` names it)", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn list_scorecards(
    State(state): State<AppState>,
    principal: Principal,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> AppResult<Json<ScorecardPage>> {
    let page = super::paging::page_request::<Cursor>(query)?;
    let scorecards = state
        .store
        .list_scorecards(&principal.account_id, &page)
        .await?;
    Ok(Json(ScorecardPage {
        data: scorecards.data.iter().map(scorecard_to_json).collect(),
        next_cursor: scorecards.next_cursor,
    }))
}

/// One scorecard.
#[utoipa::path(get, path = "/api/v1/scorecards/{id}", tag = "scorecards",
    params(("id" = String, Path, description = "Scorecard id")),
    responses((status = 200, description = "The scorecard", body = crate::openapi::ScorecardDoc), (status = 404, description = "Not found", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn get_scorecard(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let sc = state
        .store
        .get_scorecard(&principal.account_id, &id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(scorecard_to_json(&sc)))
}

/// Changes the given fields of a scorecard; the result is validated as a whole.
#[utoipa::path(patch, path = "/api/v1/scorecards/{id}", tag = "scorecards",
    params(("id" = String, Path, description = "Scorecard id")),
    request_body = crate::openapi::ScorecardPatchDoc,
    responses((status = 200, description = "The updated scorecard", body = crate::openapi::ScorecardDoc),
        (status = 400, description = "The result is not a valid scorecard", body = crate::openapi::ErrorDoc),
        (status = 404, description = "Not found", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn update_scorecard(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody,
) -> AppResult<Json<Value>> {
    let existing = state
        .store
        .get_scorecard(&principal.account_id, &id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    let fields = apply_patch(&existing.fields, &patch)?;
    check_model(&state, &fields)?;
    let sc = state
        .store
        .update_scorecard(&principal.account_id, &id, &fields)
        .await?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(scorecard_to_json(&sc)))
}
