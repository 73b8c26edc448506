//! The upload page: `GET /interactions/new` (drop a recording or paste a chat, set the fields,
//! choose a scorecard) and `POST /interactions/upload`, which the page's script sends as the
//! API's own upload body (multipart `file` + `payload`, or JSON) and which runs the API's own
//! upload handler — the same validation, pricing, storage and queueing, nothing written twice.
//! The CSRF token travels in the `x-csrf-token` header. Needs the role's `upload` scope.

use super::interactions::context_of;
use crate::session::Viewer;
use crate::views::{error_page, render};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use scorejar_core::cursor::Cursor;
use scorejar_core::model::ScorecardStatus;
use scorejar_core::paging::PageRequest;
use scorejar_core::tokens::Scope;
use scorejar_core::ApiError;
use scorejar_server::error::AppError;
use scorejar_server::routes::upload::upload_interaction;
use scorejar_server::AppState;
use serde_json::json;

pub(crate) fn form_router() -> Router<AppState> {
    Router::new().route("/interactions/new", get(form))
}

/// The upload itself streams the recording (`scorejar_server::Pages::streaming`).
pub(crate) fn upload_router() -> Router<AppState> {
    Router::new().route("/interactions/upload", post(upload))
}

/// Scorecards offered on the form: the ACTIVE ones among the account's first hundred.
const SCORECARDS_SHOWN: u32 = 100;

async fn form(State(state): State<AppState>, viewer: Viewer) -> Response {
    if !viewer.may(Scope::Upload) {
        return error_page(403, "Your role cannot upload interactions.");
    }
    let scorecards = match state
        .store
        .list_scorecards(
            &viewer.account_id,
            &PageRequest::<Cursor>::first(SCORECARDS_SHOWN),
        )
        .await
    {
        Ok(page) => page
            .data
            .into_iter()
            .filter(|s| s.fields.status == ScorecardStatus::Active)
            .map(|s| json!({ "id": s.id, "name": s.fields.name }))
            .collect::<Vec<_>>(),
        Err(error) => {
            tracing::error!(%error, "listing scorecards");
            return error_page(503, "The service is busy; try again in a moment.");
        }
    };
    render(
        StatusCode::OK,
        "upload.html",
        context! { viewer => context_of(&viewer), scorecards => scorecards },
    )
}

/// The API's refusal, as the API would answer it (the page's script shows its message).
fn refused(status: u16, code: &'static str, message: &str) -> Response {
    AppError(ApiError::new(status, code, message)).into_response()
}

async fn upload(State(state): State<AppState>, viewer: Viewer, request: Request) -> Response {
    let presented = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !viewer.csrf_ok(presented) {
        return refused(
            403,
            "csrf_failed",
            "the form has expired or did not come from this site; reload the page",
        );
    }
    if !viewer.may(Scope::Upload) {
        return refused(403, "insufficient_scope", "your role cannot upload");
    }
    // The person's own powers, as their API session would carry them.
    match upload_interaction(State(state), viewer.principal(), request).await {
        Ok(receipt) => receipt.into_response(),
        Err(error) => error.into_response(),
    }
}
