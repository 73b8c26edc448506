//! The API error: one type every layer converts into, rendered by the server as
//! `{"success": false, "error": {"code", "message", "field"}}`.
//!
//! Codes are stable snake_case strings (clients match on them); messages are for people and
//! name the field and the reason. The full table lives in `docs/api.md`.

use std::fmt;

/// An error the API answers with. `status` is the HTTP status code.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    /// JSON path of the offending field (`customMetadata.dealValue`), when there is one.
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// 400 for a field that is present but wrong. The message should say why.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(400, "invalid_field", message).with_field(field)
    }

    /// 400 for a required field that is absent.
    pub fn missing(field: impl Into<String>) -> Self {
        let field = field.into();
        Self::new(400, "missing_field", format!("`{field}` is required")).with_field(field)
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, "unauthorized", message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(404, code, message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(409, code, message)
    }

    pub fn insufficient_credits(required: i64, balance: i64) -> Self {
        Self::new(
            402,
            "insufficient_credits",
            format!("this upload costs {required} credits but the account has {balance}"),
        )
    }

    pub fn payload_too_large(message: impl Into<String>) -> Self {
        Self::new(413, "payload_too_large", message)
    }

    /// A generic 500. The cause is logged where it happened, never sent to the client.
    pub fn internal() -> Self {
        Self::new(500, "internal_error", "internal server error")
    }

    pub fn service_unavailable(message: impl Into<String>) -> Self {
        Self::new(503, "service_unavailable", message)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ApiError {}
