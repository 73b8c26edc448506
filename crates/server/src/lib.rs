//! scorejar-server: the HTTP API.
//!
//! `router()` assembles one axum router from the per-resource modules in `routes/`; `serve()`
//! runs it until shutdown; `bootstrap()` creates the `default` account on an empty database.
//! Handlers take a `Principal` (auth) and answer errors through `AppError` (one envelope).

pub mod auth;
pub mod config;
pub mod edge;
pub mod error;
pub mod metrics;
pub mod openapi;
pub mod routes;
pub mod state;

use auth::login_throttle::LoginThrottle;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{middleware, Extension, Router};
use edge::rate_limit::{limit_requests, RequestLimits};
use error::AppError;
use scorejar_core::ApiError;
pub use state::AppState;
use std::sync::Arc;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// The whole API.
///
/// Outside in: trace → the error envelope for answers axum makes itself (405, rejections) →
/// rate limits (cheapest refusal first) → load shedding → body limit
/// (1 MiB for JSON routes; the upload sets its own, enforced while streaming) → routing → the
/// NUL rule for path and query parameters → a deadline for every route but the upload and
/// the media download.
pub fn router(state: AppState) -> Router {
    router_with_pages(state, Pages::default())
}

/// The web app's routes (`scorejar-web`), served beside the API.
#[derive(Default)]
pub struct Pages {
    /// Pages: the API's edge applies as to its JSON routes, request deadline included.
    pub quick: Router<AppState>,
    /// Routes that stream a large body (the upload page's upload, the player's media): no
    /// request deadline and no JSON body limit, like the API's upload and media.
    pub streaming: Router<AppState>,
}

/// The API and the web app's `pages` in one router: the pages share the API's edge (rate
/// limits, load shedding, body limits, deadline, the login throttle) and answer their errors
/// as HTML pages, which the envelope leaves alone.
pub fn router_with_pages(state: AppState, pages: Pages) -> Router {
    metrics::install();
    let http = state.settings.http.clone();
    let quick = Router::new()
        .merge(pages.quick)
        .merge(routes::interactions::router())
        .merge(routes::interaction_retry::router())
        .merge(routes::interaction_tags::router())
        .merge(routes::participants::router())
        .merge(routes::retention::router())
        .merge(routes::tokens::router())
        .merge(routes::auth::router())
        .merge(routes::tags::router())
        .merge(routes::actions::router())
        .merge(routes::action_runs::router())
        .merge(routes::webhook_deliveries::router())
        .merge(routes::webhook_endpoints::router())
        .merge(routes::scorecards::router())
        .merge(routes::evaluations::router())
        .merge(routes::reviews::router())
        .merge(routes::credits::router())
        .merge(routes::health::router())
        .route("/metrics", get(metrics::scrape))
        .route("/api/v1/openapi.json", get(openapi::openapi_json));
    let upload = routes::upload::router().layer(DefaultBodyLimit::max(
        state.settings.max_request_bytes as usize,
    ));
    let api = Router::new()
        .merge(upload)
        // Streams a whole recording: no request deadline, like the upload.
        .merge(routes::media::router())
        .merge(pages.streaming.layer(DefaultBodyLimit::max(
            state.settings.max_request_bytes as usize,
        )))
        .merge(edge::protect::with_deadline(
            quick,
            http.request_timeout_secs,
        ))
        .route_layer(middleware::from_fn(edge::nul::refuse_nul))
        .fallback(|| async { AppError(ApiError::not_found("route_not_found", "no such endpoint")) })
        .layer(DefaultBodyLimit::max(http.max_json_bytes))
        .layer(Extension(Arc::new(LoginThrottle::new(&http))));
    edge::protect::with_load_shedding(api, http.max_in_flight)
        .layer(middleware::from_fn_with_state(
            Arc::new(RequestLimits::new(&http)),
            limit_requests,
        ))
        .layer(middleware::from_fn(edge::envelope::ensure_envelope))
        .layer(middleware::from_fn(metrics::record_requests))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        // Every request has an id: the client's `x-request-id` if it sent one, else a new
        // UUID; it is in the request's log span and sent back in the answer.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// The log span of one request: method, path (never the query: it may hold search terms)
/// and the request id.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(),
        request_id = %id)
}

/// Serves the API on `listener` until `shutdown` resolves, with the connection timeouts of
/// `settings.http` (`edge::serve`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_with_pages(listener, state, Pages::default(), shutdown).await
}

/// [`serve`] with the web app's `pages` beside the API ([`router_with_pages`]).
pub async fn serve_with_pages(
    listener: tokio::net::TcpListener,
    state: AppState,
    pages: Pages,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let http = state.settings.http.clone();
    let app = router_with_pages(state, pages);
    edge::serve::serve_with_timeouts(listener, app, &http, shutdown).await
}

/// What first start created: the `default` account and its API token (shown once).
pub struct Bootstrapped {
    pub account_id: String,
    pub api_token: String,
}

/// Creates an account with a first API token (every scope, no expiry); returns (account id,
/// token secret).
pub async fn create_account_with_token(
    store: &dyn scorejar_store::Store,
    name: &str,
    credits: i64,
) -> anyhow::Result<Bootstrapped> {
    let (token, new_token) = initial_token();
    let account_id = scorejar_core::ids::new_id();
    store
        .create_account(&account_id, name, credits, new_token)
        .await?;
    Ok(Bootstrapped {
        account_id,
        api_token: token,
    })
}

/// On an empty database, creates the `default` account with starter credits — once, even when
/// several processes start on it at the same moment (the store decides, under a lock).
pub async fn bootstrap(
    store: &dyn scorejar_store::Store,
    starter_credits: i64,
) -> anyhow::Result<Option<Bootstrapped>> {
    if store.account_count().await? > 0 {
        return Ok(None);
    }
    let (token, new_token) = initial_token();
    let account_id = scorejar_core::ids::new_id();
    let created = store
        .create_first_account(&account_id, "default", starter_credits, new_token)
        .await?;
    Ok(created.map(|_| Bootstrapped {
        account_id,
        api_token: token,
    }))
}

/// A first token with every scope and no expiry: (its secret, what the store keeps).
fn initial_token() -> (String, scorejar_store::NewApiToken) {
    let token = auth::tokens::new_api_token();
    let stored = scorejar_store::NewApiToken {
        id: scorejar_core::ids::new_id(),
        name: "initial".into(),
        token_hash: auth::tokens::hash_token(&token),
        scopes: scorejar_core::tokens::ScopeSet::all(),
        expires_at: None,
    };
    (token, stored)
}
