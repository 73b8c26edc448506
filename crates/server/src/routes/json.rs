//! `JsonBody`: the JSON body of every route but the upload, read within the route's body limit
//! (`http.max_json_bytes`, via `DefaultBodyLimit`), built no deeper than 32 levels and with
//! no array over 10,000 entries, and refusing NUL in any string (`scorejar_core::json`).
//! Rejections are rendered in the API's error envelope.

use crate::edge::body_timeout::is_body_timeout;
use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use scorejar_core::json::Shape;
use scorejar_core::ApiError;
use serde_json::Value;

pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        if !is_json(req.headers()) {
            return Err(AppError(ApiError::bad_request(
                "unsupported_content_type",
                "Content-Type must be application/json",
            )));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|r| AppError(reject(r)))?;
        scorejar_core::json::parse(&bytes, &Shape::Any, "the request body")
            .map(JsonBody)
            .map_err(AppError)
    }
}

/// `application/json`, or any `application/…+json`.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(mime) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = mime
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn reject(r: BytesRejection) -> ApiError {
    if is_body_timeout(&r) {
        return ApiError::request_timeout(format!("could not read the request body: {r}"));
    }
    match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(r.body_text()),
        _ => ApiError::bad_request("invalid_body", r.body_text()),
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

/// The decoded query pairs of a listing, or a 400 `invalid_query` for a malformed query string.
pub fn query_pairs(
    query: Result<
        axum::extract::Query<Vec<(String, String)>>,
        axum::extract::rejection::QueryRejection,
    >,
) -> Result<Vec<(String, String)>, AppError> {
    query.map(|q| q.0).map_err(|e| {
        AppError(ApiError::bad_request(
            "invalid_query",
            format!("malformed query string: {e}"),
        ))
    })
}
