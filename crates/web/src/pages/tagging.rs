//! Tags on the interaction page: `POST /interactions/{id}/tags` adds one of the account's tags
//! (by name, from the page's list), `POST /interactions/{id}/tags/{tagId}/remove` takes one
//! off — through the API's own `tag_interaction` and store call. ADMIN and REVIEWER (the
//! `evaluate` scope), as on the API.

use super::interaction::visible_interaction;
use crate::csrf::{refused_form, CsrfOnly};
use crate::session::Viewer;
use crate::views::error_page;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use scorejar_core::tokens::Scope;
use scorejar_server::error::AppError;
use scorejar_server::routes::interaction_tags::tag_interaction;
use scorejar_server::AppState;
use serde::Deserialize;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/interactions/{id}/tags", post(add))
        .route("/interactions/{id}/tags/{tag_id}/remove", post(remove))
}

#[derive(Deserialize)]
struct TagForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    tag: String,
}

/// Back to the page's tags.
fn back(id: &str) -> Response {
    Redirect::to(&format!("/interactions/{id}#h-tags")).into_response()
}

/// The refusal for a role that does not tag, or an interaction the viewer may not see.
async fn refusal(state: &AppState, viewer: &Viewer, id: &str) -> Option<Response> {
    if !viewer.may(Scope::Evaluate) {
        return Some(error_page(403, "Your role cannot change tags."));
    }
    visible_interaction(state, viewer, id).await.err()
}

async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<TagForm>,
) -> Response {
    if !viewer.csrf_ok(&form.csrf) {
        return refused_form();
    }
    if let Some(refusal) = refusal(&state, &viewer, &id).await {
        return refusal;
    }
    let tag = form.tag.trim();
    if tag.is_empty() {
        return error_page(400, "Choose a tag to add.");
    }
    match tag_interaction(&state, &viewer.account_id, &id, tag).await {
        Ok(Some(_)) => back(&id),
        Ok(None) => error_page(404, "No such interaction."),
        Err(AppError(error)) => error_page(error.status, &error.message),
    }
}

async fn remove(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, tag_id)): Path<(String, String)>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if !viewer.csrf_ok(&form.csrf) {
        return refused_form();
    }
    if let Some(refusal) = refusal(&state, &viewer, &id).await {
        return refusal;
    }
    match state
        .store
        .untag_interaction(&viewer.account_id, &id, &tag_id)
        .await
    {
        Ok(Some(_)) => back(&id),
        Ok(None) => error_page(404, "No such interaction."),
        Err(error) => {
            tracing::error!(%error, "removing a tag");
            error_page(503, "The service is busy; try again in a moment.")
        }
    }
}
