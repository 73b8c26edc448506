//! The pages, one module per area. Every page but the login takes a `Viewer` (signed in or
//! sent to the login page) and every POST checks the CSRF token before it acts.

mod action_form;
mod actions;
mod dashboard;
mod endpoints;
mod interaction;
mod interactions;
mod login;
mod queue;
mod review;
mod scorecard_try;
mod scorecard_versions;
mod scorecards;
mod settings;
mod tagging;
mod tokens;
mod upload;
mod users;

use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use scorejar_server::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/interactions") }))
        .merge(login::router())
        .merge(dashboard::router())
        .merge(interactions::router())
        .merge(interaction::router())
        .merge(review::router())
        .merge(queue::router())
        .merge(scorecards::router())
        .merge(actions::router())
        .merge(scorecard_versions::router())
        .merge(scorecard_try::router())
        .merge(settings::router())
        .merge(endpoints::router())
        .merge(tagging::router())
        .merge(tokens::router())
        .merge(users::router())
        .merge(upload::form_router())
}

/// The pages that stream a large body: no request deadline (`scorejar_server::Pages`).
pub(crate) fn streaming_router() -> Router<AppState> {
    upload::upload_router().merge(interaction::media_router())
}
