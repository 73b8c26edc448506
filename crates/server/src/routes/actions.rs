//! Scorecard Actions: `GET/POST /api/v1/scorecards/{id}/actions`,
//! `GET/PATCH/DELETE …/actions/{actionId}`, `POST …/actions/{actionId}/rotate-secret` and
//! `POST …/actions/preview`. What an action is and when it fires: `scorejar_core::actions`;
//! how its webhooks are sent: `docs/webhooks.md`.
//!
//! Saved only when it can work: a webhook URL passes the SSRF rules (the same as a
//! `downloadUrl`'s, allow-list included) and a payload template renders valid JSON against a
//! sample event. A WEBHOOK's signing secret is shown once, in the answer that creates it.

use super::json::JsonBody;
use super::render::rfc3339;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use scorejar_core::actions::sample::sample_event;
use scorejar_core::actions::{Action, ActionPatch, ActionSpec};
use scorejar_core::ids::new_id;
use scorejar_core::webhooks::signing::secret_from_bytes;
use scorejar_core::webhooks::template::render_payload;
use scorejar_core::ApiError;
use scorejar_store::webhooks::{ActionChange, ActionRecord, NewAction, NewTarget, TargetKind};
use scorejar_store::StoreError;
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/scorecards/{id}/actions",
            get(list_actions).post(create_action),
        )
        .route(
            "/api/v1/scorecards/{id}/actions/preview",
            post(preview_action),
        )
        .route(
            "/api/v1/scorecards/{id}/actions/{actionId}",
            get(get_action).patch(update_action).delete(delete_action),
        )
        .route(
            "/api/v1/scorecards/{id}/actions/{actionId}/rotate-secret",
            post(rotate_action_secret),
        )
}

/// A scorecard action as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ScorecardAction)]
pub struct ActionView {
    pub id: String,
    pub scorecard_id: String,
    /// `{"type": "EVALUATION_COMPLETED" | "ANSWER" | "SCORE" | "PASS_FAIL" | "NEEDS_REVIEW", …}`
    /// (`docs/webhooks.md`).
    #[schema(value_type = Object)]
    pub trigger: Value,
    /// `{"type": "WEBHOOK" | "QUEUE_EVALUATION" | "ADD_TAG", …}`.
    #[schema(value_type = Object)]
    pub action: Value,
    pub enabled: bool,
    /// Why delivery turned it off (a 410 answer, failing too long); null otherwise.
    pub disabled_reason: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// A WEBHOOK's signing secret (`whsec_…`): only in the answer that creates it (or that
    /// changes another kind of action into a webhook).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<ActionRecord> for ActionView {
    fn from(a: ActionRecord) -> Self {
        ActionView {
            id: a.id,
            scorecard_id: a.scorecard_id,
            trigger: a.trigger,
            action: a.action,
            enabled: a.enabled,
            disabled_reason: a.disabled_reason,
            created_at: rfc3339(a.created_at),
            updated_at: rfc3339(a.updated_at),
            secret: None,
        }
    }
}

/// `GET /api/v1/scorecards/{id}/actions`: every action of the scorecard (at most 50).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ScorecardActionList)]
pub struct ActionList {
    /// Oldest first.
    pub data: Vec<ActionView>,
}

/// A rotated secret.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = RotatedSecret)]
pub struct RotatedSecret {
    /// The new secret (`whsec_…`), shown once.
    pub secret: String,
    /// Until then every delivery also carries a signature made with the previous secret.
    #[schema(format = DateTime)]
    pub previous_secret_expires_at: String,
}

/// What `POST …/actions/preview` renders.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ActionPreview)]
pub struct ActionPreview {
    /// The body a delivery of the sample event would carry.
    #[schema(value_type = Object)]
    pub payload: Value,
    /// The sample event the payload was rendered from.
    #[schema(value_type = Object)]
    pub sample_event: Value,
}

/// A new `whsec_` signing secret: 24 random bytes.
pub(crate) fn new_secret() -> String {
    secret_from_bytes(&rand::random::<[u8; 24]>())
}

fn scorecard_not_found(id: &str) -> AppError {
    AppError(ApiError::not_found(
        "scorecard_not_found",
        format!("scorecard {id} not found"),
    ))
}

fn action_not_found(id: &str) -> AppError {
    AppError(ApiError::not_found(
        "action_not_found",
        format!("action {id} not found"),
    ))
}

/// Refuses a webhook URL delivery could not use: the SSRF rules, resolved now.
pub(crate) async fn check_webhook_url(
    state: &AppState,
    url: &str,
    field: &str,
) -> Result<(), AppError> {
    state.net.resolve_checked(url).await.map_err(|e| {
        tracing::info!(error = %e, "webhook URL refused");
        AppError(ApiError::invalid(
            field,
            format!("`{field}` cannot be used: {}", e.public_message()),
        ))
    })?;
    Ok(())
}

/// The body a WEBHOOK action sends for `event`, or why its template cannot make one.
fn render(action: &Action, event: &Value) -> Result<Value, AppError> {
    let rendered = match action.template() {
        Some(template) => render_payload(template, event).map_err(|e| {
            AppError(ApiError::invalid(
                "action.payload",
                format!("`action.payload` does not render valid JSON: {e}"),
            ))
        })?,
        None => event.to_string(),
    };
    serde_json::from_str(&rendered).map_err(AppError::internal)
}

/// Checks what a saved action must satisfy beyond its shape: a usable URL, a template that
/// renders JSON.
async fn check_action(state: &AppState, action: &Action) -> AppResult<()> {
    if let Action::Webhook { url, .. } = action {
        // The template first: it is checked without the network.
        render(action, &sample_event(action))?;
        check_webhook_url(state, url, "action.url").await?;
    }
    Ok(())
}

/// Creates an action. A WEBHOOK's answer carries its signing secret, shown only here.
#[utoipa::path(post, path = "/api/v1/scorecards/{id}/actions", tag = "actions",
    params(("id" = String, Path, description = "Scorecard id")),
    request_body = crate::openapi::ActionInputDoc,
    responses((status = 201, description = "The action (with `secret` for a WEBHOOK)", body = ActionView),
        (status = 400, description = "Invalid trigger or action, a blocked URL, a template that does not render JSON (`field` names it)", body = crate::openapi::ErrorDoc),
        (status = 404, description = "No such scorecard", body = crate::openapi::ErrorDoc),
        (status = 409, description = "The scorecard has 50 actions already (`too_many_actions`)", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn create_action(
    State(state): State<AppState>,
    principal: Principal,
    Path(scorecard_id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<(StatusCode, Json<ActionView>)> {
    let spec = ActionSpec::parse(&body)?;
    check_action(&state, &spec.action).await?;
    let id = new_id();
    let secret = spec.action.url().map(|_| new_secret());
    let webhook = match (spec.action.url(), &secret) {
        (Some(url), Some(secret)) => Some(NewTarget {
            id: id.clone(),
            account_id: principal.account_id.clone(),
            kind: TargetKind::Action,
            url: url.to_owned(),
            event_types: None,
            description: None,
            enabled: spec.enabled,
            secret: secret.clone(),
        }),
        _ => None,
    };
    let record = state
        .store
        .create_action(NewAction {
            id,
            account_id: principal.account_id.clone(),
            scorecard_id: scorecard_id.clone(),
            trigger: serde_json::to_value(&spec.trigger).map_err(AppError::internal)?,
            action: serde_json::to_value(&spec.action).map_err(AppError::internal)?,
            enabled: spec.enabled,
            webhook,
        })
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => scorecard_not_found(&scorecard_id),
            StoreError::Conflict(_) => AppError(ApiError::conflict(
                "too_many_actions",
                "a scorecard may have at most 50 actions",
            )),
            other => other.into(),
        })?;
    let mut view = ActionView::from(record);
    view.secret = secret;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Lists the scorecard's actions, oldest first.
#[utoipa::path(get, path = "/api/v1/scorecards/{id}/actions", tag = "actions",
    params(("id" = String, Path, description = "Scorecard id")),
    responses((status = 200, description = "The actions", body = ActionList),
        (status = 404, description = "No such scorecard", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn list_actions(
    State(state): State<AppState>,
    principal: Principal,
    Path(scorecard_id): Path<String>,
) -> AppResult<Json<ActionList>> {
    let actions = state
        .store
        .list_actions(&principal.account_id, &scorecard_id)
        .await?
        .ok_or_else(|| scorecard_not_found(&scorecard_id))?;
    Ok(Json(ActionList {
        data: actions.into_iter().map(ActionView::from).collect(),
    }))
}

/// One action.
#[utoipa::path(get, path = "/api/v1/scorecards/{id}/actions/{actionId}", tag = "actions",
    params(("id" = String, Path, description = "Scorecard id"), ("actionId" = String, Path)),
    responses((status = 200, description = "The action", body = ActionView),
        (status = 404, description = "No such action", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn get_action(
    State(state): State<AppState>,
    principal: Principal,
    Path((scorecard_id, action_id)): Path<(String, String)>,
) -> AppResult<Json<ActionView>> {
    let action = state
        .store
        .get_action(&principal.account_id, &scorecard_id, &action_id)
        .await?
        .ok_or_else(|| action_not_found(&action_id))?;
    Ok(Json(action.into()))
}

/// Changes an action's trigger, action or `enabled`; enabling clears `disabledReason`.
#[utoipa::path(patch, path = "/api/v1/scorecards/{id}/actions/{actionId}", tag = "actions",
    params(("id" = String, Path, description = "Scorecard id"), ("actionId" = String, Path)),
    request_body = crate::openapi::ActionPatchDoc,
    responses((status = 200, description = "The action", body = ActionView),
        (status = 400, description = "Invalid trigger or action (`field` names it)", body = crate::openapi::ErrorDoc),
        (status = 404, description = "No such action", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn update_action(
    State(state): State<AppState>,
    principal: Principal,
    Path((scorecard_id, action_id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> AppResult<Json<ActionView>> {
    let patch = ActionPatch::parse(&body)?;
    let current = state
        .store
        .get_action(&principal.account_id, &scorecard_id, &action_id)
        .await?
        .ok_or_else(|| action_not_found(&action_id))?;
    let spec = ActionSpec {
        trigger: serde_json::from_value(current.trigger).map_err(AppError::internal)?,
        action: serde_json::from_value(current.action).map_err(AppError::internal)?,
        enabled: current.enabled,
    };
    let was_webhook = spec.action.url().is_some();
    let spec = patch.apply(spec);
    check_action(&state, &spec.action).await?;
    let secret = new_secret();
    let change = ActionChange {
        trigger: serde_json::to_value(&spec.trigger).map_err(AppError::internal)?,
        action: serde_json::to_value(&spec.action).map_err(AppError::internal)?,
        enabled: spec.enabled,
        webhook_url: spec.action.url().map(str::to_owned),
        new_secret: secret.clone(),
    };
    let updated = state
        .store
        .update_action(&principal.account_id, &scorecard_id, &action_id, change)
        .await?
        .ok_or_else(|| action_not_found(&action_id))?;
    let mut view = ActionView::from(updated);
    // An action that becomes a webhook gets its signing secret now: shown in this answer only.
    if !was_webhook && spec.action.url().is_some() {
        view.secret = Some(secret);
    }
    Ok(Json(view))
}

/// Deletes an action with its delivery log.
#[utoipa::path(delete, path = "/api/v1/scorecards/{id}/actions/{actionId}", tag = "actions",
    params(("id" = String, Path, description = "Scorecard id"), ("actionId" = String, Path)),
    responses((status = 204, description = "Deleted"),
        (status = 404, description = "No such action", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn delete_action(
    State(state): State<AppState>,
    principal: Principal,
    Path((scorecard_id, action_id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    if state
        .store
        .delete_action(&principal.account_id, &scorecard_id, &action_id)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(action_not_found(&action_id))
    }
}

/// Gives a WEBHOOK action a new signing secret; the previous one keeps signing (a second
/// signature on every delivery) for `webhooks.secret_overlap_secs` (24 h by default).
#[utoipa::path(post, path = "/api/v1/scorecards/{id}/actions/{actionId}/rotate-secret", tag = "actions",
    params(("id" = String, Path, description = "Scorecard id"), ("actionId" = String, Path)),
    responses((status = 200, description = "The new secret", body = RotatedSecret),
        (status = 404, description = "No such WEBHOOK action", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn rotate_action_secret(
    State(state): State<AppState>,
    principal: Principal,
    Path((scorecard_id, action_id)): Path<(String, String)>,
) -> AppResult<Json<RotatedSecret>> {
    state
        .store
        .get_action(&principal.account_id, &scorecard_id, &action_id)
        .await?
        .ok_or_else(|| action_not_found(&action_id))?;
    rotate(&state, &principal.account_id, &action_id)
        .await?
        .map(Json)
        .ok_or_else(|| action_not_found(&action_id))
}

/// Rotates the secret of a target of the account; `None` when there is no such target.
pub(crate) async fn rotate(
    state: &AppState,
    account_id: &str,
    target_id: &str,
) -> AppResult<Option<RotatedSecret>> {
    let secret = new_secret();
    let until = OffsetDateTime::now_utc()
        + time::Duration::seconds(state.settings.webhooks.secret_overlap_secs as i64);
    let rotated = state
        .store
        .rotate_secret(account_id, target_id, &secret, until)
        .await?;
    Ok(rotated.then(|| RotatedSecret {
        secret,
        previous_secret_expires_at: rfc3339(until),
    }))
}

/// Renders an action's payload against a sample event, without saving anything: the body a
/// delivery would carry. Takes the body of `POST …/actions`.
#[utoipa::path(post, path = "/api/v1/scorecards/{id}/actions/preview", tag = "actions",
    params(("id" = String, Path, description = "Scorecard id")),
    request_body = crate::openapi::ActionInputDoc,
    responses((status = 200, description = "The rendered payload and the sample event", body = ActionPreview),
        (status = 400, description = "Invalid action, or a template that does not render JSON (`field` names it)", body = crate::openapi::ErrorDoc),
        (status = 404, description = "No such scorecard", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn preview_action(
    State(state): State<AppState>,
    principal: Principal,
    Path(scorecard_id): Path<String>,
    JsonBody(body): JsonBody,
) -> AppResult<Json<ActionPreview>> {
    state
        .store
        .list_actions(&principal.account_id, &scorecard_id)
        .await?
        .ok_or_else(|| scorecard_not_found(&scorecard_id))?;
    let spec = ActionSpec::parse(&body)?;
    let event = sample_event(&spec.action);
    let payload = render(&spec.action, &event)?;
    Ok(Json(ActionPreview {
        payload,
        sample_event: event,
    }))
}
