//! `POST /interactions/{id}/evaluate`: queue another evaluation of an interaction against an
//! ACTIVE scorecard, from its page — through the API's own `queue_evaluation` (the same
//! pricing, credits check and queueing). Needs the role's `evaluate` scope.

use super::interaction::visible_interaction;
use crate::session::Viewer;
use crate::views::error_page;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use scorejar_core::tokens::Scope;
use scorejar_server::error::AppError;
use scorejar_server::routes::evaluations::queue_evaluation;
use scorejar_server::routes::json::JsonBody;
use scorejar_server::AppState;
use serde::Deserialize;
use serde_json::json;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/interactions/{id}/evaluate", post(queue))
}

#[derive(Deserialize)]
struct QueueForm {
    #[serde(default)]
    csrf: String,
    #[serde(default, rename = "scorecardId")]
    scorecard_id: String,
}

async fn queue(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<QueueForm>,
) -> Response {
    if let Some(refusal) = viewer.refuse_post(
        &form.csrf,
        Scope::Evaluate,
        "Your role cannot queue evaluations.",
    ) {
        return refusal;
    }
    if let Err(response) = visible_interaction(&state, &viewer, &id).await {
        return response;
    }
    let body = json!({ "interactionId": id, "scorecardId": form.scorecard_id });
    match queue_evaluation(State(state), viewer.principal(), JsonBody(body)).await {
        Ok(_) => Redirect::to(&format!("/interactions/{id}")).into_response(),
        Err(AppError(error)) => error_page(error.status, &error.message),
    }
}
