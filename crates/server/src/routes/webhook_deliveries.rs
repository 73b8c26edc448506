//! The delivery log: `GET /api/v1/webhook-deliveries` (every message with its attempts,
//! newest first, filtered), `GET /api/v1/webhook-deliveries/{id}`,
//! `POST /api/v1/webhook-deliveries/{id}/redeliver` (a new round of the schedule) and
//! `POST /api/v1/webhook-deliveries/replay` (every FAILED message of a webhook since a time).

use super::json::{query_pairs, required_str, JsonBody};
use super::render::rfc3339;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use scorejar_core::payload::parse_timestamp;
use scorejar_core::webhooks::listing::parse_message_query;
use scorejar_core::ApiError;
use scorejar_store::webhooks::{AttemptRecord, MessageRecord, TargetKind};
use scorejar_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/webhook-deliveries", get(list_deliveries))
        .route("/api/v1/webhook-deliveries/replay", post(replay_deliveries))
        .route("/api/v1/webhook-deliveries/{id}", get(get_delivery))
        .route(
            "/api/v1/webhook-deliveries/{id}/redeliver",
            post(redeliver_delivery),
        )
}

/// One attempt to deliver a message.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = WebhookAttempt)]
pub struct AttemptView {
    pub attempt: i64,
    #[schema(format = DateTime)]
    pub at: String,
    /// The receiver's HTTP status; null when there was no answer.
    pub status_code: Option<u16>,
    pub duration_ms: i64,
    /// The first bytes of the answer.
    pub response: Option<String>,
    pub error: Option<String>,
}

impl From<AttemptRecord> for AttemptView {
    fn from(a: AttemptRecord) -> Self {
        AttemptView {
            attempt: a.attempt,
            at: rfc3339(a.at),
            status_code: a.status_code,
            duration_ms: a.duration_ms,
            response: a.response,
            error: a.error,
        }
    }
}

/// A message to one webhook (an action's or an endpoint's) and its attempts.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = WebhookDelivery)]
pub struct DeliveryView {
    /// The `webhook-id` header of every attempt.
    pub id: String,
    /// The action or endpoint it goes to.
    pub endpoint_id: String,
    /// `action` or `endpoint`.
    pub endpoint_kind: String,
    pub event_type: String,
    pub event_id: String,
    /// PENDING, DELIVERED or FAILED.
    pub status: String,
    pub attempts: i64,
    /// When a PENDING message is tried next.
    #[schema(format = DateTime)]
    pub next_attempt_at: Option<String>,
    pub last_error: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Oldest first.
    pub attempt_log: Vec<AttemptView>,
}

impl From<MessageRecord> for DeliveryView {
    fn from(m: MessageRecord) -> Self {
        DeliveryView {
            id: m.id,
            endpoint_id: m.target_id,
            endpoint_kind: match m.target_kind {
                TargetKind::Action => "action".into(),
                TargetKind::Endpoint => "endpoint".into(),
            },
            event_type: m.event_type,
            event_id: m.event_id,
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at.map(rfc3339),
            last_error: m.last_error,
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
            attempt_log: m.attempt_log.into_iter().map(AttemptView::from).collect(),
        }
    }
}

/// A page of the delivery log.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = WebhookDeliveryList)]
pub struct DeliveryPage {
    /// Newest first.
    pub data: Vec<DeliveryView>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// What `redeliver` and `replay` queued.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = DeliveriesQueued)]
pub struct Queued {
    pub success: bool,
    /// Messages queued for a new round of attempts.
    pub queued: u64,
}

/// The parameters of the delivery log, as the OpenAPI document shows them.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, non_snake_case)]
pub struct DeliveryParams {
    /// Only messages to this action or endpoint.
    endpointId: Option<String>,
    /// PENDING, DELIVERED or FAILED.
    #[param(pattern = "^(PENDING|DELIVERED|FAILED|pending|delivered|failed)$")]
    status: Option<String>,
    /// Only this event type (`evaluation.completed`, …).
    eventType: Option<String>,
    /// Created at or after (RFC 3339).
    #[param(format = DateTime)]
    since: Option<String>,
    /// Created before (RFC 3339).
    #[param(format = DateTime)]
    until: Option<String>,
    /// Page size, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100, default = 50)]
    limit: Option<u32>,
    /// The `nextCursor` of the previous page of the same list.
    cursor: Option<String>,
}

fn not_found(id: &str) -> AppError {
    AppError(ApiError::not_found(
        "delivery_not_found",
        format!("webhook delivery {id} not found"),
    ))
}

/// The delivery log: every message to the account's actions and endpoints, with attempts.
#[utoipa::path(get, path = "/api/v1/webhook-deliveries", tag = "webhooks",
    params(DeliveryParams),
    responses((status = 200, description = "A page of deliveries", body = DeliveryPage),
        (status = 400, description = "Unknown, repeated or invalid parameter (`field` names it)", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    principal: Principal,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> AppResult<Json<DeliveryPage>> {
    let pairs = query_pairs(query)?;
    let (filter, page) = parse_message_query(&pairs)?;
    let page = state
        .store
        .list_messages(&principal.account_id, &filter, &page)
        .await?;
    Ok(Json(DeliveryPage {
        data: page.data.into_iter().map(DeliveryView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One delivery with its attempts.
#[utoipa::path(get, path = "/api/v1/webhook-deliveries/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "Message id (`msg_…`)")),
    responses((status = 200, description = "The delivery", body = DeliveryView),
        (status = 404, description = "No such delivery", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn get_delivery(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<DeliveryView>> {
    let message = state
        .store
        .get_message(&principal.account_id, &id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(message.into()))
}

/// Sends a delivered or failed message again, from the start of the retry schedule (the
/// same `webhook-id` and body).
#[utoipa::path(post, path = "/api/v1/webhook-deliveries/{id}/redeliver", tag = "webhooks",
    params(("id" = String, Path, description = "Message id (`msg_…`)")),
    responses((status = 202, description = "Queued", body = Queued),
        (status = 404, description = "No such delivery", body = crate::openapi::ErrorDoc),
        (status = 409, description = "Still being delivered (`delivery_pending`)", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn redeliver_delivery(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<(StatusCode, Json<Queued>)> {
    state
        .store
        .redeliver(&principal.account_id, &id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => not_found(&id),
            StoreError::Conflict(_) => AppError(ApiError::conflict(
                "delivery_pending",
                "this message is still being delivered; redeliver it once it is DELIVERED or FAILED",
            )),
            other => other.into(),
        })?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Queued {
            success: true,
            queued: 1,
        }),
    ))
}

/// Sends again every FAILED message of one webhook (an action or endpoint) created at or
/// after `since`: `{"endpointId", "since"}`.
#[utoipa::path(post, path = "/api/v1/webhook-deliveries/replay", tag = "webhooks",
    request_body = crate::openapi::ReplayDoc,
    responses((status = 202, description = "Queued", body = Queued),
        (status = 400, description = "Missing or invalid field (`field` names it)", body = crate::openapi::ErrorDoc),
        (status = 404, description = "No such webhook", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn replay_deliveries(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(body): JsonBody,
) -> AppResult<(StatusCode, Json<Queued>)> {
    let endpoint_id = required_str(&body, "endpointId")?;
    let since = required_str(&body, "since")?;
    let since = parse_timestamp(since).ok_or_else(|| {
        AppError(ApiError::invalid(
            "since",
            "`since` must be an RFC 3339 date-time such as 2026-06-23T14:30:00Z",
        ))
    })?;
    let queued = state
        .store
        .replay(&principal.account_id, endpoint_id, since)
        .await?
        .ok_or_else(|| {
            AppError(
                ApiError::not_found(
                    "endpoint_not_found",
                    format!("endpoint {endpoint_id} not found"),
                )
                .with_field("endpointId"),
            )
        })?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Queued {
            success: true,
            queued,
        }),
    ))
}
