//! `GET` / `PUT /api/v1/retention`: how long the account keeps its data — days after an
//! interaction arrives to keep its recording (`mediaDays`) and the interaction itself
//! (`interactionDays`); null keeps for ever. The workers' sweep applies it
//! (`scorejar_worker::retention`). Parsing and its rules: `scorejar_core::retention`.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::routes::json::JsonBody;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use scorejar_core::retention::parse_retention;
use scorejar_core::ApiError;
use scorejar_store::Retention;
use serde::Serialize;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/retention", get(get_retention).put(put_retention))
}

/// The account's retention.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Retention)]
pub struct RetentionView {
    /// Days after arrival to keep an interaction's recording; null: for ever.
    pub media_days: Option<i64>,
    /// Days after arrival to keep the whole interaction; null: for ever.
    pub interaction_days: Option<i64>,
}

impl From<Retention> for RetentionView {
    fn from(r: Retention) -> Self {
        RetentionView {
            media_days: r.media_days,
            interaction_days: r.interaction_days,
        }
    }
}

fn account_gone() -> AppError {
    AppError(ApiError::not_found(
        "account_not_found",
        "the account no longer exists",
    ))
}

/// How long the account keeps its data.
#[utoipa::path(get, path = "/api/v1/retention", tag = "account",
    responses((status = 200, description = "The retention", body = RetentionView)),
    security(("bearer" = [])))]
pub async fn get_retention(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<RetentionView>> {
    let retention = state
        .store
        .get_retention(&principal.account_id)
        .await?
        .ok_or_else(account_gone)?;
    Ok(Json(retention.into()))
}

/// Sets how long the account keeps its data (both fields; null keeps for ever). Recordings
/// and interactions already older than the new limits go at the next sweep.
#[utoipa::path(put, path = "/api/v1/retention", tag = "account",
    request_body(content = RetentionView, description = "`{\"mediaDays\": 30, \"interactionDays\": 365}`"),
    responses((status = 200, description = "The retention now", body = RetentionView),
        (status = 400, description = "A field is not null or a number of days from 1 to 36500, or mediaDays exceeds interactionDays (`field` names it)", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn put_retention(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(body): JsonBody,
) -> AppResult<Json<RetentionView>> {
    let (media_days, interaction_days) = parse_retention(&body).map_err(AppError)?;
    let retention = Retention {
        media_days,
        interaction_days,
    };
    if !state
        .store
        .set_retention(&principal.account_id, retention)
        .await?
    {
        return Err(account_gone());
    }
    tracing::info!(account = %principal.account_id, ?retention, "retention set");
    Ok(Json(retention.into()))
}
