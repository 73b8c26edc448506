//! Settings pages beyond tokens: `/settings/credits` (the balance and the ledger) and
//! `/settings/webhooks` (the account's event endpoints and the delivery log with every attempt,
//! each message redeliverable through the API's own `redeliver_delivery`). Reading needs the
//! `read` scope (not an AGENT); redelivering needs `admin`.

use super::interactions::context_of;
use crate::csrf::CsrfOnly;
use crate::session::Viewer;
use crate::views::{error_page, render};
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use scorejar_core::cursor::Cursor;
use scorejar_core::paging::PageRequest;
use scorejar_core::render::rfc3339;
use scorejar_core::tokens::Scope;
use scorejar_server::error::AppError;
use scorejar_server::routes::webhook_deliveries::redeliver_delivery;
use scorejar_server::AppState;
use scorejar_store::webhooks::{MessageFilter, MessageRecord};
use serde_json::{json, Value};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/credits", get(credits))
        .route("/settings/webhooks", get(webhooks))
        .route(
            "/settings/webhooks/deliveries/{id}/redeliver",
            post(redeliver),
        )
}

/// Rows shown per list: the newest.
const SHOWN: u32 = 100;

fn busy() -> Response {
    error_page(503, "The service is busy; try again in a moment.")
}

/// The account's data is for those who may read it all: not an AGENT.
fn refusal_unless_reader(viewer: &Viewer) -> Option<Response> {
    (viewer.agent.is_some() || !viewer.may(Scope::Read))
        .then(|| error_page(403, "Your role cannot see the account's settings."))
}

async fn credits(State(state): State<AppState>, viewer: Viewer) -> Response {
    if let Some(refusal) = refusal_unless_reader(&viewer) {
        return refusal;
    }
    let (balance, page) = match state
        .store
        .credits(&viewer.account_id, &PageRequest::<Cursor>::first(SHOWN))
        .await
    {
        Ok(found) => found,
        Err(error) => {
            tracing::error!(%error, "reading credits");
            return busy();
        }
    };
    let ledger: Vec<Value> = page
        .data
        .iter()
        .map(|e| {
            json!({
                "amount": e.amount, "balanceAfter": e.balance_after, "reason": e.reason,
                "interactionId": e.interaction_id, "createdAt": rfc3339(e.created_at),
            })
        })
        .collect();
    render(
        StatusCode::OK,
        "credits.html",
        context! { viewer => context_of(&viewer), balance => balance, ledger => ledger },
    )
}

fn message_view(m: &MessageRecord) -> Value {
    json!({
        "id": m.id, "targetId": m.target_id, "eventType": m.event_type, "status": m.status,
        "attempts": m.attempts, "createdAt": rfc3339(m.created_at),
        "nextAttemptAt": m.next_attempt_at.map(rfc3339), "lastError": m.last_error,
        "attemptLog": m.attempt_log.iter().map(|a| json!({
            "attempt": a.attempt, "at": rfc3339(a.at), "statusCode": a.status_code,
            "durationMs": a.duration_ms, "response": a.response, "error": a.error,
        })).collect::<Vec<_>>(),
    })
}

async fn webhooks(State(state): State<AppState>, viewer: Viewer) -> Response {
    webhooks_page(&state, &viewer, StatusCode::OK, Value::Null).await
}

/// The webhooks page; `said` (`{secret, error}` or null) is shown above the endpoints: a new
/// or rotated secret (once), or why a form was refused.
pub(crate) async fn webhooks_page(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    said: Value,
) -> Response {
    if let Some(refusal) = refusal_unless_reader(viewer) {
        return refusal;
    }
    let page = PageRequest::<Cursor>::first(SHOWN);
    let endpoints = match state.store.list_endpoints(&viewer.account_id, &page).await {
        Ok(found) => found.data,
        Err(error) => {
            tracing::error!(%error, "listing endpoints");
            return busy();
        }
    };
    let messages = match state
        .store
        .list_messages(&viewer.account_id, &MessageFilter::default(), &page)
        .await
    {
        Ok(found) => found.data,
        Err(error) => {
            tracing::error!(%error, "listing deliveries");
            return busy();
        }
    };
    let endpoints: Vec<Value> = endpoints
        .iter()
        .map(|e| {
            json!({
                "id": e.id, "url": e.url, "eventTypes": e.event_types, "enabled": e.enabled,
                "disabledReason": e.disabled_reason, "description": e.description,
            })
        })
        .collect();
    let messages: Vec<Value> = messages.iter().map(message_view).collect();
    let event_types = scorejar_core::actions::event::EVENT_TYPES;
    render(
        status,
        "webhooks.html",
        context! { viewer => context_of(viewer), endpoints => endpoints, messages => messages,
        said => said, event_types => event_types },
    )
}

async fn redeliver(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Some(refusal) = viewer.refuse_post(
        &form.csrf,
        Scope::Admin,
        "Only an ADMIN redelivers webhooks.",
    ) {
        return refusal;
    }
    match redeliver_delivery(State(state), viewer.principal(), Path(id)).await {
        Ok(_) => Redirect::to("/settings/webhooks").into_response(),
        Err(AppError(error)) => error_page(error.status, &error.message),
    }
}
