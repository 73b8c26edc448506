//! The API error: one type every layer converts into, rendered by the server as
//! `{"success": false, "error": {"code", "message", "field"}}`.
//!
//! Codes are stable snake_case strings (clients match on them); messages are for people and
//! name the field and the reason. The full table lives in `docs/api.md`.

use std::fmt;

/// Longest `field` an error carries, in characters. A field is a JSON path built from the
/// client's own keys (`customMetadata.<key>`); without a cap a 1 MB key would come back whole.
pub const MAX_FIELD_CHARS: usize = 128;
/// Longest `message`, in characters: messages quote paths and values, which come from the client.
pub const MAX_MESSAGE_CHARS: usize = 1024;

/// `s` cut to `max` characters, with "…" marking the cut.
fn capped(s: String, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s,
    }
}

/// An error the API answers with. `status` is the HTTP status code.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    /// JSON path of the offending field (`customMetadata.dealValue`), when there is one.
    pub field: Option<String>,
    /// Seconds after which a retry may succeed (429, 503): sent as `Retry-After`.
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: capped(message.into(), MAX_MESSAGE_CHARS),
            field: None,
            retry_after_secs: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(capped(field.into(), MAX_FIELD_CHARS));
        self
    }

    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    /// 429: a rate limit refused the request; `retry_after_secs` says when to try again.
    pub fn too_many_requests(message: impl Into<String>, retry_after_secs: u64) -> Self {
        Self::new(429, "rate_limited", message).with_retry_after(retry_after_secs)
    }

    /// 408: the client did not send its request (body) in time.
    pub fn request_timeout(message: impl Into<String>) -> Self {
        Self::new(408, "request_timeout", message)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_and_message_are_capped() {
        let key = "k".repeat(1_000_000);
        let e = ApiError::invalid(format!("customMetadata.{key}"), format!("`{key}` is bad"));
        let field = e.field.unwrap();
        assert_eq!(field.chars().count(), MAX_FIELD_CHARS + 1);
        assert!(field.starts_with("customMetadata.kkk") && field.ends_with('…'));
        assert_eq!(e.message.chars().count(), MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn short_values_are_kept_whole() {
        let e = ApiError::invalid("tags[0]", "`tags[0]` é");
        assert_eq!(e.field.as_deref(), Some("tags[0]"));
        assert_eq!(e.message, "`tags[0]` é");
    }
}
