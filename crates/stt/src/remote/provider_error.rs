//! The provider's explanation of a refused request, fit to show: extracted from its error body
//! and stripped of the API key.
//!
//! OpenAI answers `{"error": {"message", "type", "code"}}`; FastAPI-based servers
//! `{"detail": …}`; others a bare string or plain text. Some echo the key they were given
//! ("Incorrect API key provided: sk-…"), so every text that leaves the engine goes through
//! [`redact`].

use serde_json::Value;

/// Longest provider text quoted in an error.
const MAX_MESSAGE_CHARS: usize = 500;

/// What a provider said about a failed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    /// Human-readable explanation (may be empty).
    pub message: String,
    /// Machine code when given (`insufficient_quota`, `invalid_api_key`).
    pub code: Option<String>,
}

/// Reads an error body. Never fails: unknown shapes give their text, truncated.
pub fn provider_error(body: &[u8]) -> ProviderError {
    let text = String::from_utf8_lossy(body);
    let parsed: Option<Value> = serde_json::from_str(&text).ok();
    let (message, code) = match &parsed {
        Some(json) => (json_message(json), json_code(json)),
        None => (None, None),
    };
    let message = message.unwrap_or_else(|| text.trim().to_string());
    ProviderError {
        message: truncate(message.trim()),
        code,
    }
}

/// Replaces every occurrence of `key` in `text`.
pub fn redact(text: &str, key: Option<&str>) -> String {
    match key {
        Some(key) if !key.is_empty() => text.replace(key, "[redacted]"),
        _ => text.to_string(),
    }
}

fn json_message(json: &Value) -> Option<String> {
    let candidates = [
        json.pointer("/error/message"),
        json.get("error").filter(|e| e.is_string()),
        json.get("detail"),
        json.get("message"),
    ];
    candidates.into_iter().flatten().find_map(|v| match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        // FastAPI validation errors are a list of objects; their JSON text is the message.
        other => Some(other.to_string()),
    })
}

fn json_code(json: &Value) -> Option<String> {
    [json.pointer("/error/code"), json.pointer("/error/type")]
        .into_iter()
        .flatten()
        .find_map(|v| v.as_str().map(str::to_string))
}

fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_table() {
        let long = "x".repeat(600);
        let cases: Vec<(&str, &str, Option<&str>)> = vec![
            (
                r#"{"error":{"message":"Invalid file format.","type":"invalid_request_error","param":null,"code":null}}"#,
                "Invalid file format.",
                Some("invalid_request_error"),
            ),
            (
                r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#,
                "You exceeded your current quota",
                Some("insufficient_quota"),
            ),
            (r#"{"error":"model not loaded"}"#, "model not loaded", None),
            (
                r#"{"detail":"Not authenticated"}"#,
                "Not authenticated",
                None,
            ),
            (
                r#"{"detail":[{"loc":["body","file"],"msg":"field required"}]}"#,
                r#"[{"loc":["body","file"],"msg":"field required"}]"#,
                None,
            ),
            ("  plain text failure \n", "plain text failure", None),
            ("", "", None),
            (r#"{"unrelated":1}"#, r#"{"unrelated":1}"#, None),
        ];
        for (body, message, code) in cases {
            let got = provider_error(body.as_bytes());
            assert_eq!(got.message, message, "{body}");
            assert_eq!(got.code.as_deref(), code, "{body}");
        }
        let got = provider_error(long.as_bytes());
        assert_eq!(got.message.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(got.message.ends_with('…'));
    }

    #[test]
    fn redaction_table() {
        let cases = [
            (
                "Incorrect API key provided: sk-abc",
                Some("sk-abc"),
                "Incorrect API key provided: [redacted]",
            ),
            (
                "sk-abc and sk-abc",
                Some("sk-abc"),
                "[redacted] and [redacted]",
            ),
            ("nothing secret", Some("sk-abc"), "nothing secret"),
            ("sk-abc", None, "sk-abc"),
            ("text", Some(""), "text"),
        ];
        for (text, key, want) in cases {
            assert_eq!(redact(text, key), want);
        }
    }
}
