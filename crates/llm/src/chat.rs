//! One Chat Completions request to a provider, through scorejar-net (the provider's host is
//! the operator's, so it is allowed even when private), and its reply reduced to what the
//! engine reads: the assistant's content, why it stopped, and the tokens counted.

use std::time::{Duration, Instant, SystemTime};

use scorejar_net::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use scorejar_net::{NetError, NetPolicy, SafeClient, SafeRequest, Timeouts, Url};
use serde_json::{json, Value};

use crate::engine::AiError;
use crate::settings::{ProviderSettings, StructuredOutput};
use scorejar_net::retry_after::retry_after;

/// Largest reply body read, in bytes.
const MAX_REPLY_BYTES: u64 = 4 * 1024 * 1024;

/// What one request returned.
#[derive(Debug, Clone)]
pub(crate) struct Completion {
    pub content: String,
    pub finish_reason: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub latency: Duration,
}

/// A client for one provider.
pub(crate) struct ChatClient {
    provider: ProviderSettings,
    url: String,
    client: SafeClient,
}

impl ChatClient {
    pub fn new(provider: ProviderSettings) -> Result<Self, String> {
        let root = provider.base_url.trim_end_matches('/');
        let url = format!("{root}/chat/completions");
        let parsed = Url::parse(&url)
            .map_err(|e| format!("provider {:?}: base_url {url:?}: {e}", provider.name))?;
        let host = parsed
            .host_str()
            .ok_or_else(|| format!("provider {:?}: base_url has no host", provider.name))?;
        let port = parsed.port_or_known_default().unwrap_or(80);
        // A Chat Completions reply (not streamed) is silent until the model has finished, so the
        // read-silence limit is the provider's whole-request timeout, not the download default.
        let timeout = Duration::from_secs(provider.timeout_secs.max(1));
        let client = SafeClient::new(NetPolicy::allowing([format!("{host}:{port}")]))
            .with_timeouts(Timeouts {
                read: timeout,
                ..Timeouts::default()
            });
        Ok(Self {
            provider,
            url,
            client,
        })
    }

    pub async fn complete(
        &self,
        model: &str,
        messages: &[Value],
        schema: &Value,
        max_tokens: u64,
        temperature: f64,
    ) -> Result<Completion, AiError> {
        let name = &self.provider.name;
        let response_format = match self.provider.structured_output {
            StructuredOutput::JsonSchema => json!({"type": "json_schema", "json_schema": {
                "name": "evaluation", "strict": true, "schema": schema}}),
            StructuredOutput::JsonObject => json!({"type": "json_object", "schema": schema}),
        };
        let body = json!({
            "model": model,
            "messages": messages,
            "temperature": temperature,
            "max_tokens": max_tokens,
            "response_format": response_format,
        });
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(var) = &self.provider.api_key_env {
            if let Ok(key) = std::env::var(var) {
                let value = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| {
                    AiError::Permanent(format!("the key in {var} is not a valid header value"))
                })?;
                headers.insert(AUTHORIZATION, value);
            }
        }
        let request = SafeRequest::post(self.url.clone(), body.to_string())
            .with_headers(headers)
            .with_timeout(Duration::from_secs(self.provider.timeout_secs.max(1)));
        let started = Instant::now();
        let response = self.client.send(request).await.map_err(|e| match e {
            NetError::Timeout => AiError::Retryable(format!("provider {name} timed out")),
            NetError::Connect(_) | NetError::Http(_) | NetError::Dns(_) => {
                tracing::warn!(provider = %name, error = %e, "language model request failed");
                AiError::Retryable(format!("provider {name} could not be reached"))
            }
            other => AiError::Permanent(format!("provider {name}: {other}")),
        })?;
        let status = response.status();
        let wait = retry_after(response.headers(), SystemTime::now());
        let bytes = response
            .bytes_limited(MAX_REPLY_BYTES)
            .await
            .map_err(|e| AiError::Retryable(format!("provider {name}: reading the reply: {e}")))?;
        let latency = started.elapsed();
        if status.as_u16() == 429 || status.is_server_error() {
            let message = format!("provider {name} answered {status}");
            return Err(match wait {
                Some(wait) => AiError::RetryAfter(message, wait),
                None => AiError::Retryable(message),
            });
        }
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            let reason = value["error"]["message"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| String::from_utf8_lossy(&bytes).chars().take(300).collect());
            return Err(AiError::Permanent(format!(
                "provider {name} refused the request ({status}): {reason}"
            )));
        }
        let choice = &value["choices"][0];
        Ok(Completion {
            content: choice["message"]["content"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
            finish_reason: choice["finish_reason"].as_str().unwrap_or("").to_owned(),
            prompt_tokens: value["usage"]["prompt_tokens"].as_u64().unwrap_or(0),
            completion_tokens: value["usage"]["completion_tokens"].as_u64().unwrap_or(0),
            latency,
        })
    }
}
