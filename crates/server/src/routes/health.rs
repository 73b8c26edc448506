//! `GET /healthz`: liveness plus a cheap database round trip.

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

/// 200 when the server and its database answer; 503 otherwise.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, description = "Healthy", body = crate::openapi::HealthDoc), (status = 503, description = "Database unreachable", body = crate::openapi::HealthDoc)))]
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.store.account_count().await {
        Ok(_) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": state.store.backend() })),
        ),
        Err(err) => {
            tracing::warn!(error = %err, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable" })),
            )
        }
    }
}
