//! Managing the account's webhook endpoints from `/settings/webhooks` (ADMIN): create one (URL,
//! the event types it wants — none ticked: every event —, a description; its signing secret
//! shown once), change those in place, turn one off or on, rotate its secret (the next one
//! shown once), delete it.
//! Each form runs the API's own handler (`scorejar_server::routes::webhook_endpoints`), so the
//! SSRF rules and field checks are the API's, with its errors shown.

use super::settings::webhooks_page;
use crate::csrf::CsrfOnly;
use crate::session::Viewer;
use crate::views::error_page;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum::routing::post;
use axum::Router;
use scorejar_core::tokens::Scope;
use scorejar_server::error::AppError;
use scorejar_server::routes::json::JsonBody;
use scorejar_server::routes::webhook_endpoints::{
    create_endpoint, delete_endpoint, rotate_endpoint_secret, update_endpoint,
};
use scorejar_server::AppState;
use serde::Deserialize;
use serde_json::{json, Value};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/webhooks/endpoints", post(create))
        .route("/settings/webhooks/endpoints/{id}", post(edit))
        .route(
            "/settings/webhooks/endpoints/{id}/enabled",
            post(set_enabled),
        )
        .route("/settings/webhooks/endpoints/{id}/rotate", post(rotate))
        .route("/settings/webhooks/endpoints/{id}/delete", post(delete))
}

fn refusal(viewer: &Viewer, csrf: &str) -> Option<Response> {
    viewer.refuse_post(
        csrf,
        Scope::Admin,
        "Only an ADMIN manages webhook endpoints.",
    )
}

/// Whether the form makes an endpoint or changes one: a change says "every event" and "no
/// description" outright, where a new endpoint leaves them out.
#[derive(Clone, Copy, PartialEq)]
enum Purpose {
    Create,
    Change,
}

/// The form's fields as the API's body.
fn endpoint_body(fields: &[(String, String)], purpose: Purpose) -> Value {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let types: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == "eventType")
        .map(|(_, v)| v.as_str())
        .collect();
    let mut body = json!({ "url": field("url") });
    if !types.is_empty() {
        body["eventTypes"] = json!(types);
    } else if purpose == Purpose::Change {
        body["eventTypes"] = Value::Null;
    }
    let description = field("description");
    if !description.is_empty() {
        body["description"] = json!(description);
    } else if purpose == Purpose::Change {
        body["description"] = Value::Null;
    }
    body
}

fn csrf_of(fields: &[(String, String)]) -> &str {
    fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

/// The page again with the API's refusal of a form on its field.
async fn refused(state: &AppState, viewer: &Viewer, error: scorejar_core::ApiError) -> Response {
    let said = json!({ "error": error.message, "field": error.field });
    webhooks_page(state, viewer, StatusCode::BAD_REQUEST, said).await
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(refusal) = refusal(&viewer, csrf_of(&fields)) {
        return refusal;
    }
    let body = endpoint_body(&fields, Purpose::Create);
    match create_endpoint(State(state.clone()), viewer.principal(), JsonBody(body)).await {
        Ok((_, Json(view))) => {
            let said = json!({ "secret": view.secret, "for": view.url });
            webhooks_page(&state, &viewer, StatusCode::CREATED, said).await
        }
        Err(AppError(error)) if error.status < 500 => refused(&state, &viewer, error).await,
        Err(AppError(error)) => error_page(error.status, &error.message),
    }
}

/// Changes an endpoint's URL, event types and description (the SSRF rules apply again).
async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(refusal) = refusal(&viewer, csrf_of(&fields)) {
        return refusal;
    }
    let body = endpoint_body(&fields, Purpose::Change);
    match update_endpoint(
        State(state.clone()),
        viewer.principal(),
        Path(id),
        JsonBody(body),
    )
    .await
    {
        Ok(_) => Redirect::to("/settings/webhooks").into_response(),
        Err(AppError(error)) if error.status < 500 && error.status != 404 => {
            refused(&state, &viewer, error).await
        }
        Err(AppError(error)) => error_page(error.status, &error.message),
    }
}

#[derive(Deserialize)]
struct EnabledForm {
    csrf: String,
    enabled: String,
}

async fn set_enabled(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<EnabledForm>,
) -> Response {
    if let Some(refusal) = refusal(&viewer, &form.csrf) {
        return refusal;
    }
    let body = json!({ "enabled": form.enabled == "true" });
    match update_endpoint(State(state), viewer.principal(), Path(id), JsonBody(body)).await {
        Ok(_) => Redirect::to("/settings/webhooks").into_response(),
        Err(AppError(error)) => error_page(error.status, &error.message),
    }
}

async fn rotate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Some(refusal) = refusal(&viewer, &form.csrf) {
        return refusal;
    }
    match rotate_endpoint_secret(State(state.clone()), viewer.principal(), Path(id)).await {
        Ok(Json(rotated)) => {
            let said = json!({ "secret": rotated.secret,
                "previousUntil": rotated.previous_secret_expires_at });
            webhooks_page(&state, &viewer, StatusCode::OK, said).await
        }
        Err(AppError(error)) => error_page(error.status, &error.message),
    }
}

async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Some(refusal) = refusal(&viewer, &form.csrf) {
        return refusal;
    }
    match delete_endpoint(State(state), viewer.principal(), Path(id)).await {
        Ok(_) => Redirect::to("/settings/webhooks").into_response(),
        Err(AppError(error)) => error_page(error.status, &error.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_the_apis_endpoint() {
        let form = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let bare = form(&[("url", " https://x.io/h "), ("description", "")]);
        assert_eq!(
            endpoint_body(&bare, Purpose::Create),
            json!({ "url": "https://x.io/h" })
        );
        // A change clears what the form leaves empty.
        assert_eq!(
            endpoint_body(&bare, Purpose::Change),
            json!({ "url": "https://x.io/h", "eventTypes": null, "description": null })
        );
        let full = form(&[
            ("url", "https://x.io/h"),
            ("eventType", "evaluation.completed"),
            ("eventType", "evaluation.failed"),
            ("description", "CRM"),
        ]);
        for purpose in [Purpose::Create, Purpose::Change] {
            assert_eq!(
                endpoint_body(&full, purpose),
                json!({ "url": "https://x.io/h",
                        "eventTypes": ["evaluation.completed", "evaluation.failed"],
                        "description": "CRM" })
            );
        }
    }
}
