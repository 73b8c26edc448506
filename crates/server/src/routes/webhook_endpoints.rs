//! Account event endpoints, so clients can stop polling: `GET/POST /api/v1/webhook-endpoints`,
//! `GET/PATCH/DELETE /api/v1/webhook-endpoints/{id}`, `POST …/{id}/rotate-secret`. An endpoint
//! receives the event types it lists (all when it lists none), signed and delivered like a
//! WEBHOOK action's messages (`docs/webhooks.md`).

use super::actions::{check_webhook_url, new_secret, rotate, RotatedSecret};
use super::json::{required_str, JsonBody};
use super::paging::page_request;
use super::render::rfc3339;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use scorejar_core::actions::event::EVENT_TYPES;
use scorejar_core::cursor::Cursor;
use scorejar_core::ids::new_id;
use scorejar_core::ApiError;
use scorejar_store::webhooks::{NewTarget, TargetChange, TargetKind, TargetRecord};
use scorejar_store::StoreError;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// Longest endpoint description, in characters.
const MAX_DESCRIPTION_CHARS: usize = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/webhook-endpoints",
            get(list_endpoints).post(create_endpoint),
        )
        .route(
            "/api/v1/webhook-endpoints/{id}",
            get(get_endpoint)
                .patch(update_endpoint)
                .delete(delete_endpoint),
        )
        .route(
            "/api/v1/webhook-endpoints/{id}/rotate-secret",
            post(rotate_endpoint_secret),
        )
}

/// An event endpoint as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = WebhookEndpoint)]
pub struct EndpointView {
    pub id: String,
    pub url: String,
    /// The event types it receives; null: every type.
    pub event_types: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: bool,
    /// Why delivery turned it off (a 410 answer, failing too long); null otherwise.
    pub disabled_reason: Option<String>,
    /// Since when every delivery has failed; null after a success.
    #[schema(format = DateTime)]
    pub failing_since: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// The signing secret (`whsec_…`): only in the answer that creates the endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<TargetRecord> for EndpointView {
    fn from(t: TargetRecord) -> Self {
        EndpointView {
            id: t.id,
            url: t.url,
            event_types: t.event_types,
            description: t.description,
            enabled: t.enabled,
            disabled_reason: t.disabled_reason,
            failing_since: t.failing_since.map(rfc3339),
            created_at: rfc3339(t.created_at),
            updated_at: rfc3339(t.updated_at),
            secret: None,
        }
    }
}

/// A page of `GET /api/v1/webhook-endpoints`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = WebhookEndpointList)]
pub struct EndpointPage {
    /// Oldest first.
    pub data: Vec<EndpointView>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

const FIELDS: [&str; 4] = ["url", "eventTypes", "description", "enabled"];

fn fields(body: &Value) -> AppResult<&Map<String, Value>> {
    let map = body
        .as_object()
        .ok_or_else(|| AppError(ApiError::invalid("body", "the body must be a JSON object")))?;
    if let Some(key) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(AppError(ApiError::invalid(
            key.as_str(),
            format!("unknown field `{key}`; expected url, eventTypes, description, enabled"),
        )));
    }
    Ok(map)
}

/// `eventTypes`: null (every type) or a non-empty list of known types.
fn event_types(value: &Value) -> AppResult<Option<Vec<String>>> {
    if value.is_null() {
        return Ok(None);
    }
    let bad = || {
        AppError(ApiError::invalid(
            "eventTypes",
            format!(
                "`eventTypes` must be null or a non-empty list of: {}",
                EVENT_TYPES.join(", ")
            ),
        ))
    };
    let list = value.as_array().filter(|l| !l.is_empty()).ok_or_else(bad)?;
    let mut types = Vec::new();
    for item in list {
        let t = item
            .as_str()
            .filter(|t| EVENT_TYPES.contains(t))
            .ok_or_else(bad)?;
        if !types.iter().any(|k| k == t) {
            types.push(t.to_owned());
        }
    }
    Ok(Some(types))
}

fn description(value: &Value) -> AppResult<Option<String>> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.chars().count() <= MAX_DESCRIPTION_CHARS => Ok(Some(s.clone())),
        _ => Err(AppError(ApiError::invalid(
            "description",
            format!("`description` must be a string of at most {MAX_DESCRIPTION_CHARS} characters"),
        ))),
    }
}

fn enabled(value: &Value) -> AppResult<bool> {
    value.as_bool().ok_or_else(|| {
        AppError(ApiError::invalid(
            "enabled",
            "`enabled` must be true or false",
        ))
    })
}

fn not_found(id: &str) -> AppError {
    AppError(ApiError::not_found(
        "endpoint_not_found",
        format!("webhook endpoint {id} not found"),
    ))
}

/// Creates an endpoint; the answer carries its signing secret, shown only here.
#[utoipa::path(post, path = "/api/v1/webhook-endpoints", tag = "webhooks",
    request_body = crate::openapi::EndpointInputDoc,
    responses((status = 201, description = "The endpoint, with `secret`", body = EndpointView),
        (status = 400, description = "Invalid field or a URL the SSRF rules refuse (`field` names it)", body = crate::openapi::ErrorDoc),
        (status = 409, description = "The account has 50 endpoints already (`too_many_endpoints`)", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn create_endpoint(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(body): JsonBody,
) -> AppResult<(StatusCode, Json<EndpointView>)> {
    let map = fields(&body)?;
    let url = required_str(&body, "url")?.trim().to_owned();
    let types = map
        .get("eventTypes")
        .map(event_types)
        .transpose()?
        .flatten();
    let description = map
        .get("description")
        .map(description)
        .transpose()?
        .flatten();
    let enabled = map.get("enabled").map(enabled).transpose()?.unwrap_or(true);
    check_webhook_url(&state, &url, "url").await?;
    let secret = new_secret();
    let record = state
        .store
        .create_endpoint(NewTarget {
            id: new_id(),
            account_id: principal.account_id.clone(),
            kind: TargetKind::Endpoint,
            url,
            event_types: types,
            description,
            enabled,
            secret: secret.clone(),
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError(ApiError::conflict(
                "too_many_endpoints",
                "an account may have at most 50 webhook endpoints",
            )),
            other => other.into(),
        })?;
    let mut view = EndpointView::from(record);
    view.secret = Some(secret);
    Ok((StatusCode::CREATED, Json(view)))
}

/// Lists the account's endpoints, oldest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/webhook-endpoints", tag = "webhooks",
    params(super::paging::PageParams),
    responses((status = 200, description = "A page of endpoints", body = EndpointPage),
        (status = 400, description = "Unknown or repeated parameter, `limit` out of range, or not a `cursor` of this list (`field` names it)", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn list_endpoints(
    State(state): State<AppState>,
    principal: Principal,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> AppResult<Json<EndpointPage>> {
    let page = page_request::<Cursor>(query)?;
    let page = state
        .store
        .list_endpoints(&principal.account_id, &page)
        .await?;
    Ok(Json(EndpointPage {
        data: page.data.into_iter().map(EndpointView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

async fn endpoint(state: &AppState, account_id: &str, id: &str) -> AppResult<TargetRecord> {
    state
        .store
        .get_target(account_id, id)
        .await?
        .filter(|t| t.kind == TargetKind::Endpoint)
        .ok_or_else(|| not_found(id))
}

/// One endpoint.
#[utoipa::path(get, path = "/api/v1/webhook-endpoints/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "Endpoint id")),
    responses((status = 200, description = "The endpoint", body = EndpointView),
        (status = 404, description = "No such endpoint", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn get_endpoint(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<EndpointView>> {
    Ok(Json(
        endpoint(&state, &principal.account_id, &id).await?.into(),
    ))
}

/// Changes an endpoint's URL, event types, description or `enabled`; enabling clears
/// `disabledReason`.
#[utoipa::path(patch, path = "/api/v1/webhook-endpoints/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "Endpoint id")),
    request_body = crate::openapi::EndpointPatchDoc,
    responses((status = 200, description = "The endpoint", body = EndpointView),
        (status = 400, description = "Invalid field (`field` names it)", body = crate::openapi::ErrorDoc),
        (status = 404, description = "No such endpoint", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn update_endpoint(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<Json<EndpointView>> {
    let map = fields(&body)?;
    let change = TargetChange {
        url: map
            .get("url")
            .map(|_| required_str(&body, "url").map(|u| u.trim().to_owned()))
            .transpose()?,
        event_types: map.get("eventTypes").map(event_types).transpose()?,
        description: map.get("description").map(description).transpose()?,
        enabled: map.get("enabled").map(enabled).transpose()?,
    };
    if change == TargetChange::default() {
        return Err(AppError(ApiError::invalid(
            "body",
            "nothing to change: send url, eventTypes, description or enabled",
        )));
    }
    endpoint(&state, &principal.account_id, &id).await?;
    if let Some(url) = &change.url {
        check_webhook_url(&state, url, "url").await?;
    }
    let updated = state
        .store
        .update_endpoint(&principal.account_id, &id, change)
        .await?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(updated.into()))
}

/// Deletes an endpoint with its delivery log.
#[utoipa::path(delete, path = "/api/v1/webhook-endpoints/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "Endpoint id")),
    responses((status = 204, description = "Deleted"),
        (status = 404, description = "No such endpoint", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn delete_endpoint(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    if state
        .store
        .delete_endpoint(&principal.account_id, &id)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(&id))
    }
}

/// Gives an endpoint a new signing secret; the previous one keeps signing (a second signature)
/// for `webhooks.secret_overlap_secs`.
#[utoipa::path(post, path = "/api/v1/webhook-endpoints/{id}/rotate-secret", tag = "webhooks",
    params(("id" = String, Path, description = "Endpoint id")),
    responses((status = 200, description = "The new secret", body = RotatedSecret),
        (status = 404, description = "No such endpoint", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn rotate_endpoint_secret(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<RotatedSecret>> {
    endpoint(&state, &principal.account_id, &id).await?;
    rotate(&state, &principal.account_id, &id)
        .await?
        .map(Json)
        .ok_or_else(|| not_found(&id))
}
