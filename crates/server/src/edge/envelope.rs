//! One error envelope everywhere. Handlers and extractors answer errors through `AppError`,
//! but some answers are made by axum itself — 405 (empty body), path and query rejections
//! (plain text) — and by hyper before a request exists (`raw_errors`). This middleware, the
//! outermost layer of the router, rewrites any 4xx/5xx that is not already JSON into
//! `{"success": false, "error": {code, message, field}}`, keeping its status and headers
//! (`Allow`, `Retry-After`). An HTML answer is a page of the web app, which makes its own
//! error pages for people, and is left alone.

use crate::error::error_body;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::middleware::Next;
use http_body_util::BodyExt;
use scorejar_core::ApiError;

/// Longest plain-text body kept as the message (axum's rejection texts are short).
const MAX_MESSAGE_BYTES: usize = 300;

pub async fn ensure_envelope(req: Request, next: Next) -> Response<Body> {
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || is_json(&response)
        || is_html(&response)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = read_text(body).await;
    let error = ApiError::new(
        status.as_u16(),
        code_for(status),
        message_for(status, &text),
    );
    let bytes = serde_json::to_vec(&error_body(&error)).unwrap_or_default();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

fn content_type_is<B>(response: &Response<B>, prefix: &str) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(prefix))
}

fn is_json<B>(response: &Response<B>) -> bool {
    content_type_is(response, "application/json")
}

fn is_html<B>(response: &Response<B>) -> bool {
    content_type_is(response, "text/html")
}

async fn read_text(body: Body) -> String {
    let limited = http_body_util::Limited::new(body, 4096);
    match limited.collect().await {
        Ok(collected) => {
            let bytes = collected.to_bytes();
            let text = String::from_utf8_lossy(&bytes);
            let mut text: String = text.trim().to_string();
            if text.len() > MAX_MESSAGE_BYTES {
                let mut cut = MAX_MESSAGE_BYTES;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                text.push('…');
            }
            text
        }
        Err(_) => String::new(),
    }
}

/// The stable code of an error that no handler named.
pub fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "route_not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_content_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_request",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large",
        StatusCode::SERVICE_UNAVAILABLE => "service_unavailable",
        s if s.is_server_error() => "internal_error",
        _ => "bad_request",
    }
}

fn message_for(status: StatusCode, text: &str) -> String {
    if status.is_server_error() {
        // Never pass on what produced a 5xx.
        return status
            .canonical_reason()
            .unwrap_or("server error")
            .to_string();
    }
    if !text.is_empty() {
        return text.to_string();
    }
    match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            "this endpoint does not accept that method (see the Allow header)".to_string()
        }
        _ => status
            .canonical_reason()
            .unwrap_or("request refused")
            .to_string(),
    }
}
