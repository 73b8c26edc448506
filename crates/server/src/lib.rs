//! scorejar-server: the HTTP API.
//!
//! `router()` assembles one axum router from the per-resource modules in `routes/`; `serve()`
//! runs it until shutdown; `bootstrap()` creates the `default` account on an empty database.
//! Handlers take a `Principal` (auth) and answer errors through `AppError` (one envelope).

pub mod auth;
pub mod config;
pub mod error;
pub mod openapi;
pub mod routes;
pub mod state;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use error::AppError;
use scorejar_core::ApiError;
pub use state::AppState;
use tower_http::trace::TraceLayer;

/// The whole API.
pub fn router(state: AppState) -> Router {
    // Upload enforces its own limit while streaming; this bounds every other JSON body.
    let body_limit = state.settings.max_request_bytes as usize;
    Router::new()
        .merge(routes::upload::router())
        .merge(routes::interactions::router())
        .merge(routes::tokens::router())
        .merge(routes::auth::router())
        .merge(routes::tags::router())
        .merge(routes::scorecards::router())
        .merge(routes::evaluations::router())
        .merge(routes::credits::router())
        .merge(routes::health::router())
        .route("/api/v1/openapi.json", get(openapi::openapi_json))
        .fallback(|| async { AppError(ApiError::not_found("route_not_found", "no such endpoint")) })
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves the API on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// What first start created: the `default` account and its API token (shown once).
pub struct Bootstrapped {
    pub account_id: String,
    pub api_token: String,
}

/// Creates an account with a first API token; returns (account id, token secret).
pub async fn create_account_with_token(
    store: &dyn scorejar_store::Store,
    name: &str,
    credits: i64,
) -> anyhow::Result<Bootstrapped> {
    let token = auth::tokens::new_api_token();
    let account_id = scorejar_core::ids::new_id();
    store
        .create_account(
            &account_id,
            name,
            credits,
            scorejar_store::NewApiToken {
                id: scorejar_core::ids::new_id(),
                name: "initial".into(),
                token_hash: auth::tokens::hash_token(&token),
            },
        )
        .await?;
    Ok(Bootstrapped {
        account_id,
        api_token: token,
    })
}

/// On an empty database, creates the `default` account with starter credits.
pub async fn bootstrap(
    store: &dyn scorejar_store::Store,
    starter_credits: i64,
) -> anyhow::Result<Option<Bootstrapped>> {
    if store.account_count().await? > 0 {
        return Ok(None);
    }
    create_account_with_token(store, "default", starter_credits)
        .await
        .map(Some)
}
