//! One `POST {base_url}/audio/transcriptions`, retried while the failure is transient.
//!
//! This deliberately uses a plain reqwest client, not scorejar-net's SSRF-safe one: the base URL
//! is operator configuration (often a server on localhost or the private network), not input
//! from a user, so private addresses must be reachable here.
//!
//! Every attempt holds a permit of the engine's semaphore, so `concurrency` bounds the requests
//! in flight across all channels and jobs; a request waiting out a backoff holds none.

use super::provider_error::{provider_error, redact};
use super::retry::{backoff_delay, classify, requested_wait, StatusClass, MAX_RETRY_AFTER};
use super::settings::RemoteSettings;
use crate::engine::SttError;
use bytes::Bytes;
use reqwest::multipart::{Form, Part};
use reqwest::{header, Body, Response, StatusCode, Url};
use std::error::Error as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::Semaphore;

/// Largest successful answer read (a `verbose_json` for a full 25 MB piece is ~1 MB).
const MAX_ANSWER_BYTES: usize = 64 << 20;
/// Largest error answer read; the message is at its start.
const MAX_ERROR_BYTES: usize = 64 << 10;

pub(super) struct Client {
    http: reqwest::Client,
    url: Url,
    api_key: Option<String>,
    model: String,
    max_retries: u32,
    backoff_base: Duration,
    permits: Arc<Semaphore>,
}

/// How one attempt ended.
enum Attempt {
    Done(Vec<u8>),
    Transient {
        reason: String,
        wait: Option<Duration>,
        /// Retrying in this call cannot help (e.g. quota exhausted): hand it to the job layer.
        give_up: bool,
    },
    Permanent(String),
}

impl Client {
    pub(super) fn new(settings: &RemoteSettings, url: Url) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            // A redirected POST would lose its body; better to tell the operator the right URL.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("scorejar/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            url,
            api_key: settings.bearer_key(),
            model: settings.model.clone(),
            max_retries: settings.max_retries,
            backoff_base: settings.backoff_base,
            permits: Arc::new(Semaphore::new(settings.concurrency)),
        })
    }

    /// Sends `wav` and returns the successful answer's body.
    pub(super) async fn transcribe(
        &self,
        wav: Bytes,
        language: Option<&str>,
    ) -> Result<Vec<u8>, SttError> {
        let mut retries = 0;
        loop {
            let attempt = {
                let _permit = self.permits.acquire().await.map_err(|_| {
                    SttError::Retryable("the remote engine is shutting down".into())
                })?;
                self.attempt(&wav, language).await
            };
            let (reason, wait, give_up) = match attempt {
                Attempt::Done(body) => return Ok(body),
                Attempt::Permanent(reason) => return Err(SttError::Permanent(reason)),
                Attempt::Transient {
                    reason,
                    wait,
                    give_up,
                } => (reason, wait, give_up),
            };
            if give_up || retries >= self.max_retries {
                return Err(SttError::Retryable(format!(
                    "{reason} (after {} attempt{})",
                    retries + 1,
                    if retries == 0 { "" } else { "s" }
                )));
            }
            retries += 1;
            let wait = match wait {
                Some(wait) if wait > MAX_RETRY_AFTER => {
                    return Err(SttError::Retryable(format!(
                        "{reason}; the server asked to wait {} s",
                        wait.as_secs()
                    )));
                }
                Some(wait) => wait,
                None => backoff_delay(self.backoff_base, retries, rand::random()),
            };
            tracing::warn!(
                retry = retries,
                wait_ms = wait.as_millis() as u64,
                %reason,
                "remote transcription failed; retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(&self, wav: &Bytes, language: Option<&str>) -> Attempt {
        let mut request = self
            .http
            .post(self.url.clone())
            .multipart(self.form(wav, language));
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key);
        }
        match request.send().await {
            Ok(response) => self.read_answer(response).await,
            Err(e) if e.is_builder() => Attempt::Permanent(self.describe(&e)),
            Err(e) => Attempt::Transient {
                reason: format!(
                    "the transcription server was not reached: {}",
                    self.describe(&e)
                ),
                wait: None,
                give_up: false,
            },
        }
    }

    fn form(&self, wav: &Bytes, language: Option<&str>) -> Form {
        let file = Part::stream_with_length(Body::from(wav.clone()), wav.len() as u64)
            .file_name("audio.wav")
            .mime_str("audio/wav")
            .expect("audio/wav is a valid MIME type");
        let form = Form::new()
            .part("file", file)
            .text("model", self.model.clone())
            .text("response_format", "verbose_json")
            .text("timestamp_granularities[]", "segment")
            .text("timestamp_granularities[]", "word");
        match language {
            Some(language) => form.text("language", language.to_string()),
            None => form,
        }
    }

    async fn read_answer(&self, response: Response) -> Attempt {
        let status = response.status();
        let class = classify(status.as_u16());
        let headers = response.headers().clone();
        let cap = if class == StatusClass::Success {
            MAX_ANSWER_BYTES
        } else {
            MAX_ERROR_BYTES
        };
        let body = match read_capped(response, cap).await {
            Ok(body) => body,
            Err(e) => {
                return Attempt::Transient {
                    reason: format!("reading the answer failed: {}", self.describe(&e)),
                    wait: None,
                    give_up: false,
                }
            }
        };
        match class {
            StatusClass::Success if body.len() >= MAX_ANSWER_BYTES => Attempt::Permanent(format!(
                "the transcription server's answer is larger than {MAX_ANSWER_BYTES} bytes"
            )),
            StatusClass::Success => Attempt::Done(body),
            StatusClass::Transient => {
                let error = provider_error(&body);
                let header_text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
                Attempt::Transient {
                    reason: self.status_reason(status, &error.message),
                    wait: requested_wait(
                        header_text("retry-after-ms"),
                        header_text(header::RETRY_AFTER.as_str()),
                        SystemTime::now(),
                    ),
                    give_up: error.code.as_deref() == Some("insufficient_quota"),
                }
            }
            StatusClass::Permanent if status.is_redirection() => {
                let location = header_text_of(&headers, header::LOCATION).unwrap_or("elsewhere");
                Attempt::Permanent(self.redact(&format!(
                    "the transcription server redirected ({status}) to {location}; \
                     set the base URL to the final address"
                )))
            }
            StatusClass::Permanent => {
                let error = provider_error(&body);
                Attempt::Permanent(format!(
                    "the transcription server refused the request: {}",
                    self.status_reason(status, &error.message)
                ))
            }
        }
    }

    fn status_reason(&self, status: StatusCode, message: &str) -> String {
        let text = if message.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("HTTP {status}: {message}")
        };
        self.redact(&text)
    }

    /// A reqwest error with its causes, without the URL (which could carry credentials).
    fn describe(&self, error: &reqwest::Error) -> String {
        let mut text = if error.is_timeout() {
            "timed out".to_string()
        } else {
            String::from("request failed")
        };
        let mut source = error.source();
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        self.redact(&text)
    }

    fn redact(&self, text: &str) -> String {
        redact(text, self.api_key.as_deref())
    }
}

fn header_text_of(headers: &header::HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Reads at most `cap` bytes of the body (an oversized body is cut off, not buffered).
async fn read_capped(mut response: Response, cap: usize) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = cap - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= cap {
            break;
        }
    }
    Ok(body)
}
