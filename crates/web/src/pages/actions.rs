//! `/scorecards/{id}/actions`: a scorecard's actions — what fires them, what they do, whether
//! they are on — and a form that adds one or (`?edit=<action id>`) changes one in place: a
//! trigger, and a webhook (URL, payload template with a live preview rendered by the API
//! against a sample event, transcript and media included or not), a tag to add or another
//! scorecard to queue. Each action turns off and on with one button. A new webhook's signing
//! secret is shown once; "Rotate secret" shows the next one once. Everything goes through the
//! API's handlers (`scorejar_server::routes::actions`), so the same checks apply: the SSRF
//! rules on the URL, a template that must render JSON. Reading: everyone but an AGENT;
//! changing: ADMIN and REVIEWER (the `scorecards` scope).

use super::action_form::{action_body, field, form_of};
use super::interactions::context_of;
use super::scorecards::refusal_for_agents;
use crate::csrf::{refused_form, CsrfOnly};
use crate::session::Viewer;
use crate::views::{busy, error_page, render};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use scorejar_core::tokens::Scope;
use scorejar_core::ApiError;
use scorejar_server::error::AppError;
use scorejar_server::routes::actions::{
    create_action, delete_action, list_actions, preview_action, rotate_action_secret, update_action,
};
use scorejar_server::routes::json::JsonBody;
use scorejar_server::AppState;
use serde::Deserialize;
use serde_json::{json, Value};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/scorecards/{id}/actions", get(page).post(create))
        .route("/scorecards/{id}/actions/preview", post(preview))
        .route("/scorecards/{id}/actions/{action_id}", post(update))
        .route(
            "/scorecards/{id}/actions/{action_id}/enabled",
            post(set_enabled),
        )
        .route("/scorecards/{id}/actions/{action_id}/rotate", post(rotate))
        .route("/scorecards/{id}/actions/{action_id}/delete", post(delete))
}

/// What the page says above the list.
#[derive(Default)]
struct Said {
    secret: Option<Value>,
    error: Option<ApiError>,
    form: Vec<(String, String)>,
    /// The action the form changes; `None`: the form adds one.
    editing: Option<String>,
}

/// Who may change a scorecard's actions.
const WHO_MAY_CHANGE: &str = "Your role cannot change scorecards.";

#[derive(Deserialize)]
struct PageParams {
    edit: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(params): Query<PageParams>,
) -> Response {
    let said = Said {
        editing: params.edit.filter(|e| !e.is_empty()),
        ..Said::default()
    };
    show(&state, &viewer, &id, StatusCode::OK, said).await
}

async fn show(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    status: StatusCode,
    said: Said,
) -> Response {
    if let Some(refusal) = refusal_for_agents(viewer) {
        return refusal;
    }
    let card = match state.store.get_scorecard(&viewer.account_id, id).await {
        Ok(Some(card)) => card,
        Ok(None) => return error_page(404, "No such scorecard."),
        Err(error) => return busy("loading a scorecard", error),
    };
    let actions = match list_actions(
        State(state.clone()),
        viewer.principal(),
        Path(id.to_owned()),
    )
    .await
    {
        Ok(Json(list)) => serde_json::to_value(list).unwrap_or(Value::Null)["data"].clone(),
        Err(AppError(error)) => return error_page(error.status, &error.message),
    };
    let mut fields = said.form;
    if let Some(editing) = &said.editing {
        let Some(stored) = actions
            .as_array()
            .and_then(|list| list.iter().find(|a| a["id"] == editing.as_str()))
        else {
            return error_page(404, "No such action.");
        };
        // A refused change shows what was typed; a fresh edit form, the stored action.
        if fields.is_empty() {
            fields = form_of(stored);
        }
    }
    let form: serde_json::Map<String, Value> = fields
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let error = said
        .error
        .map(|e| json!({"message": e.message, "field": e.field}));
    render(
        status,
        "actions.html",
        context! { viewer => context_of(viewer), id => id, name => card.fields.name,
        actions => actions, may_edit => viewer.may(Scope::Scorecards), secret => said.secret,
        error => error, form => form, editing => said.editing },
    )
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    submit(state, viewer, id, None, fields).await
}

async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, action_id)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    submit(state, viewer, id, Some(action_id), fields).await
}

/// Adds an action (`editing` is `None`) or changes one through the API's handler; a refusal
/// shows the form again as it was typed, with the API's error on its field.
async fn submit(
    state: AppState,
    viewer: Viewer,
    id: String,
    editing: Option<String>,
    fields: Vec<(String, String)>,
) -> Response {
    if let Some(refusal) =
        viewer.refuse_post(&field(&fields, "csrf"), Scope::Scorecards, WHO_MAY_CHANGE)
    {
        return refusal;
    }
    let keep: Vec<(String, String)> = fields
        .iter()
        .filter(|(k, _)| k != "csrf")
        .cloned()
        .collect();
    let refused = |error: ApiError| Said {
        error: Some(error),
        form: keep.clone(),
        editing: editing.clone(),
        ..Said::default()
    };
    let body = match action_body(&fields) {
        Ok(body) => body,
        Err(error) => {
            return show(
                &state,
                &viewer,
                &id,
                StatusCode::BAD_REQUEST,
                refused(error),
            )
            .await;
        }
    };
    let done = match &editing {
        None => {
            let mut body = body;
            body["enabled"] = json!(true);
            create_action(
                State(state.clone()),
                viewer.principal(),
                Path(id.clone()),
                JsonBody(body),
            )
            .await
            .map(|(_, Json(view))| view)
        }
        Some(action_id) => update_action(
            State(state.clone()),
            viewer.principal(),
            Path((id.clone(), action_id.clone())),
            JsonBody(body),
        )
        .await
        .map(|Json(view)| view),
    };
    match done {
        // A new webhook's secret, shown once.
        Ok(view) if view.secret.is_some() => {
            let said = Said {
                secret: view
                    .secret
                    .map(|s| json!({"secret": s, "url": view.action["url"]})),
                ..Said::default()
            };
            show(&state, &viewer, &id, StatusCode::CREATED, said).await
        }
        Ok(_) => Redirect::to(&format!("/scorecards/{id}/actions")).into_response(),
        Err(AppError(error)) if error.status < 500 && error.status != 404 => {
            show(
                &state,
                &viewer,
                &id,
                StatusCode::BAD_REQUEST,
                refused(error),
            )
            .await
        }
        Err(AppError(error)) => error_page(error.status, &error.message),
    }
}

#[derive(Deserialize)]
struct EnabledForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    enabled: String,
}

/// Turns an action off or on (on again clears the reason it was turned off).
async fn set_enabled(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, action_id)): Path<(String, String)>,
    Form(form): Form<EnabledForm>,
) -> Response {
    if let Some(refusal) = viewer.refuse_post(&form.csrf, Scope::Scorecards, WHO_MAY_CHANGE) {
        return refusal;
    }
    let body = json!({ "enabled": form.enabled == "true" });
    match update_action(
        State(state),
        viewer.principal(),
        Path((id.clone(), action_id)),
        JsonBody(body),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/scorecards/{id}/actions")).into_response(),
        Err(AppError(error)) => error_page(error.status, &error.message),
    }
}

/// The live preview: the form as it stands, rendered by the API against a sample event.
/// Answers `{payload}` or `{error, field}` as JSON for the page's script.
async fn preview(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let token = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !viewer.csrf_ok(token) {
        return refused_form();
    }
    if refusal_for_agents(&viewer).is_some() {
        return (
            StatusCode::FORBIDDEN,
            Json(json!({"error": "not for agents"})),
        )
            .into_response();
    }
    let failed = |e: ApiError| {
        (
            StatusCode::OK,
            Json(json!({"error": e.message, "field": e.field})),
        )
            .into_response()
    };
    let body = match action_body(&fields) {
        Ok(body) => body,
        Err(error) => return failed(error),
    };
    match preview_action(State(state), viewer.principal(), Path(id), JsonBody(body)).await {
        Ok(Json(preview)) => Json(json!({"payload": preview.payload})).into_response(),
        Err(AppError(error)) => failed(error),
    }
}

async fn rotate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, action_id)): Path<(String, String)>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Some(refusal) = viewer.refuse_post(&form.csrf, Scope::Scorecards, WHO_MAY_CHANGE) {
        return refusal;
    }
    match rotate_action_secret(
        State(state.clone()),
        viewer.principal(),
        Path((id.clone(), action_id)),
    )
    .await
    {
        Ok(Json(rotated)) => {
            let said = Said {
                secret: Some(json!({"secret": rotated.secret,
                    "previousUntil": rotated.previous_secret_expires_at})),
                ..Said::default()
            };
            show(&state, &viewer, &id, StatusCode::OK, said).await
        }
        Err(AppError(error)) => error_page(error.status, &error.message),
    }
}

async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, action_id)): Path<(String, String)>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Some(refusal) = viewer.refuse_post(&form.csrf, Scope::Scorecards, WHO_MAY_CHANGE) {
        return refusal;
    }
    match delete_action(
        State(state),
        viewer.principal(),
        Path((id.clone(), action_id)),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/scorecards/{id}/actions")).into_response(),
        Err(AppError(error)) => error_page(error.status, &error.message),
    }
}
