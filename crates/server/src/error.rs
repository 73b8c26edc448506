//! HTTP rendering of errors. Every 4xx/5xx of the API has the envelope
//! `{"success": false, "error": {"code", "message", "field"}}`. Store errors are mapped on
//! purpose here (one table, documented in docs/api.md); unexpected ones are logged once and
//! answered with a generic 500 that leaks nothing.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use scorejar_core::ApiError;
use scorejar_store::StoreError;

/// The error type of every handler.
#[derive(Debug)]
pub struct AppError(pub ApiError);

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A bug or damaged data: logged in full, answered with the generic 500.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "internal error");
        AppError(ApiError::internal())
    }

    /// 404 `interaction_not_found`: the id names no interaction of the caller's account.
    pub fn interaction_not_found(id: &str) -> Self {
        AppError(ApiError::not_found(
            "interaction_not_found",
            format!("interaction {id} not found"),
        ))
    }
}

impl From<ApiError> for AppError {
    fn from(e: ApiError) -> Self {
        AppError(e)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError(match e {
            StoreError::NotFound(what) => {
                ApiError::not_found("not_found", format!("{what} not found"))
            }
            StoreError::ScorecardNotActive => ApiError::not_found(
                "scorecard_not_found",
                "`evaluation.scorecardId` is not an ACTIVE scorecard of this account",
            )
            .with_field("evaluation.scorecardId"),
            StoreError::InsufficientCredits { required, balance } => {
                ApiError::insufficient_credits(required, balance)
            }
            StoreError::Conflict(what) => {
                ApiError::conflict("conflict", format!("{what} already exists"))
            }
            StoreError::Unavailable(why) => {
                tracing::warn!(%why, "database unavailable");
                ApiError::service_unavailable("the database is busy; retry shortly")
            }
            StoreError::Internal(err) => {
                tracing::error!(error = ?err, "store error");
                ApiError::internal()
            }
        })
    }
}

impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        tracing::error!(error = ?err, "internal error");
        AppError(ApiError::internal())
    }
}

/// The JSON envelope of an error.
pub fn error_body(e: &ApiError) -> serde_json::Value {
    serde_json::json!({
        "success": false,
        "error": { "code": e.code, "message": e.message, "field": e.field },
    })
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(error_body(&self.0))).into_response();
        if let Some(secs) = self.0.retry_after_secs {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}
