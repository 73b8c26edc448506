//! `JsonBody`: axum's JSON extractor with rejections rendered in the API's error envelope.

use crate::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use scorejar_core::ApiError;
use serde_json::Value;

pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(rejection) => Err(AppError(reject(rejection))),
        }
    }
}

fn reject(r: JsonRejection) -> ApiError {
    match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(r.body_text()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::bad_request(
            "unsupported_content_type",
            "Content-Type must be application/json",
        ),
        _ => ApiError::bad_request("invalid_json", r.body_text()),
    }
}

/// A required string field of a small JSON body.
pub fn required_str<'a>(body: &'a Value, field: &str) -> Result<&'a str, AppError> {
    match body.get(field) {
        None | Some(Value::Null) => Err(AppError(ApiError::missing(field))),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(Value::String(_)) => Err(AppError(ApiError::invalid(
            field,
            format!("`{field}` must not be empty"),
        ))),
        Some(_) => Err(AppError(ApiError::invalid(
            field,
            format!("`{field}` must be a string"),
        ))),
    }
}
