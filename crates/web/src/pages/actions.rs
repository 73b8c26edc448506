//! `/scorecards/{id}/actions`: a scorecard's actions — what fires them, what they do, whether
//! they are on — and a form that adds one: a trigger, and a webhook (URL, payload template
//! with a live preview rendered by the API against a sample event, transcript and media
//! included or not), a tag to add or another scorecard to queue. A new webhook's signing
//! secret is shown once; "Rotate secret" shows the next one once. Everything goes through the
//! API's handlers (`scorejar_server::routes::actions`), so the same checks apply: the SSRF
//! rules on the URL, a template that must render JSON. Reading: everyone but an AGENT;
//! changing: ADMIN and REVIEWER (the `scorecards` scope).

use super::interactions::context_of;
use super::scorecards::refusal_for_agents;
use crate::csrf::{refused_form, CsrfOnly};
use crate::session::Viewer;
use crate::views::{error_page, render};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use scorejar_core::tokens::Scope;
use scorejar_core::ApiError;
use scorejar_server::error::AppError;
use scorejar_server::routes::actions::{
    create_action, delete_action, list_actions, preview_action, rotate_action_secret,
};
use scorejar_server::routes::json::JsonBody;
use scorejar_server::AppState;
use serde_json::{json, Value};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/scorecards/{id}/actions", get(page).post(create))
        .route("/scorecards/{id}/actions/preview", post(preview))
        .route("/scorecards/{id}/actions/{action_id}/rotate", post(rotate))
        .route("/scorecards/{id}/actions/{action_id}/delete", post(delete))
}

/// What the page says above the list.
#[derive(Default)]
struct Said {
    secret: Option<Value>,
    error: Option<ApiError>,
    form: Vec<(String, String)>,
}

async fn page(State(state): State<AppState>, viewer: Viewer, Path(id): Path<String>) -> Response {
    show(&state, &viewer, &id, StatusCode::OK, Said::default()).await
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
        Err(error) => {
            tracing::error!(%error, "loading a scorecard");
            return error_page(503, "The service is busy; try again in a moment.");
        }
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
    let form: serde_json::Map<String, Value> = said
        .form
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
        error => error, form => form },
    )
}

/// The form's fields as the API's action body, or the field at fault and why.
fn action_body(fields: &[(String, String)]) -> Result<Value, ApiError> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let number = |name: &str| {
        field(name)
            .parse::<f64>()
            .map_err(|_| ApiError::invalid(name, "must be a number"))
    };
    let trigger = match field("trigger").as_str() {
        "SCORE" => json!({"type": "SCORE", "op": field("op"), "percentage": number("percentage")?}),
        "FAILED" => json!({"type": "PASS_FAIL", "passed": false}),
        "PASSED" => json!({"type": "PASS_FAIL", "passed": true}),
        "ANSWER" => {
            json!({"type": "ANSWER", "questionId": field("questionId"), "answer": field("answer")})
        }
        other => json!({"type": other}),
    };
    let checked = |name: &str| fields.iter().any(|(k, _)| k == name);
    let action = match field("action").as_str() {
        "WEBHOOK" => {
            let mut a = json!({"type": "WEBHOOK", "url": field("url"),
                "includeTranscript": checked("includeTranscript"),
                "includeMedia": checked("includeMedia")});
            let template = field("payload");
            if !template.is_empty() {
                a["payload"] = json!(template);
            }
            a
        }
        "ADD_TAG" => json!({"type": "ADD_TAG", "tag": field("tag")}),
        "QUEUE_EVALUATION" => {
            json!({"type": "QUEUE_EVALUATION", "scorecardId": field("scorecardId")})
        }
        other => json!({"type": other}),
    };
    Ok(json!({"trigger": trigger, "action": action, "enabled": true}))
}

fn csrf_of(fields: &[(String, String)]) -> &str {
    fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if !viewer.csrf_ok(csrf_of(&fields)) {
        return refused_form();
    }
    if !viewer.may(Scope::Scorecards) {
        return error_page(403, "Your role cannot change scorecards.");
    }
    let keep: Vec<(String, String)> = fields
        .iter()
        .filter(|(k, _)| k != "csrf")
        .cloned()
        .collect();
    let body = match action_body(&fields) {
        Ok(body) => body,
        Err(error) => {
            let said = Said {
                error: Some(error),
                form: keep,
                ..Said::default()
            };
            return show(&state, &viewer, &id, StatusCode::BAD_REQUEST, said).await;
        }
    };
    match create_action(
        State(state.clone()),
        viewer.principal(),
        Path(id.clone()),
        JsonBody(body),
    )
    .await
    {
        Ok((_, Json(view))) => {
            let said = Said {
                secret: view
                    .secret
                    .map(|s| json!({"secret": s, "url": view.action["url"]})),
                ..Said::default()
            };
            show(&state, &viewer, &id, StatusCode::CREATED, said).await
        }
        Err(AppError(error)) if error.status < 500 && error.status != 404 => {
            let said = Said {
                error: Some(error),
                form: keep,
                ..Said::default()
            };
            show(&state, &viewer, &id, StatusCode::BAD_REQUEST, said).await
        }
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
    if !viewer.csrf_ok(&form.csrf) {
        return refused_form();
    }
    if !viewer.may(Scope::Scorecards) {
        return error_page(403, "Your role cannot change scorecards.");
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
    if !viewer.csrf_ok(&form.csrf) {
        return refused_form();
    }
    if !viewer.may(Scope::Scorecards) {
        return error_page(403, "Your role cannot change scorecards.");
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

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_form_becomes_the_apis_action() {
        let cases = [
            (
                form(&[
                    ("trigger", "FAILED"),
                    ("action", "WEBHOOK"),
                    ("url", "https://x.io/h"),
                    ("payload", "{\"id\": \"{{ id }}\"}"),
                    ("includeMedia", "1"),
                ]),
                json!({"trigger": {"type": "PASS_FAIL", "passed": false},
                       "action": {"type": "WEBHOOK", "url": "https://x.io/h", "includeTranscript": false,
                                  "includeMedia": true, "payload": "{\"id\": \"{{ id }}\"}"},
                       "enabled": true}),
            ),
            (
                form(&[
                    ("trigger", "SCORE"),
                    ("op", "<"),
                    ("percentage", "60"),
                    ("action", "ADD_TAG"),
                    ("tag", "coaching"),
                ]),
                json!({"trigger": {"type": "SCORE", "op": "<", "percentage": 60.0},
                       "action": {"type": "ADD_TAG", "tag": "coaching"}, "enabled": true}),
            ),
            (
                form(&[
                    ("trigger", "NEEDS_REVIEW"),
                    ("action", "QUEUE_EVALUATION"),
                    ("scorecardId", "c2"),
                ]),
                json!({"trigger": {"type": "NEEDS_REVIEW"},
                       "action": {"type": "QUEUE_EVALUATION", "scorecardId": "c2"}, "enabled": true}),
            ),
        ];
        for (fields, want) in cases {
            assert_eq!(action_body(&fields).unwrap(), want);
        }
        let error =
            action_body(&form(&[("trigger", "SCORE"), ("percentage", "lots")])).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("percentage"));
    }
}
