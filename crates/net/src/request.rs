//! The request/response types of `SafeClient::send`, and bounded body reading.
//!
//! Rules: bodies are never read unbounded — every way to consume a `SafeResponse` takes a
//! byte limit and stops with `TooLarge` past it (also when `Content-Length` already says
//! so). The request body is held as `Bytes` so a 307/308 redirect can resend it.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, CONTENT_LENGTH};
use reqwest::{Method, StatusCode};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use url::Url;

use crate::NetError;

/// A request for [`crate::SafeClient::send`].
#[derive(Debug, Clone)]
pub struct SafeRequest {
    pub method: Method,
    pub url: String,
    pub headers: HeaderMap,
    pub body: Option<Bytes>,
    /// Deadline for the whole exchange (each hop), on top of the client's connect and read
    /// timeouts. `None`: no overall deadline (right for large downloads).
    pub timeout: Option<Duration>,
    /// Whether 3xx answers are followed (re-checked, up to `MAX_REDIRECTS`); when `false` a
    /// redirect is returned as the answer (webhook deliveries count it as a failure).
    pub follow_redirects: bool,
}

impl SafeRequest {
    /// A request with no headers, no body and no overall deadline.
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        SafeRequest {
            method,
            url: url.into(),
            headers: HeaderMap::new(),
            body: None,
            timeout: None,
            follow_redirects: true,
        }
    }

    /// A GET of `url`.
    pub fn get(url: impl Into<String>) -> Self {
        Self::new(Method::GET, url)
    }

    /// A POST of `body` to `url`.
    pub fn post(url: impl Into<String>, body: impl Into<Bytes>) -> Self {
        Self::new(Method::POST, url).with_body(body)
    }

    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }

    pub fn with_headers(mut self, headers: HeaderMap) -> Self {
        self.headers = headers;
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Returns a redirect as the answer instead of following it.
    pub fn without_redirects(mut self) -> Self {
        self.follow_redirects = false;
        self
    }
}

/// The final response (after redirects) of [`crate::SafeClient::send`]. Its body is unread.
#[derive(Debug)]
pub struct SafeResponse {
    final_url: Url,
    inner: reqwest::Response,
}

impl SafeResponse {
    pub(crate) fn new(final_url: Url, inner: reqwest::Response) -> Self {
        SafeResponse { final_url, inner }
    }

    pub fn status(&self) -> StatusCode {
        self.inner.status()
    }

    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }

    /// The URL that answered, after redirects.
    pub fn final_url(&self) -> &Url {
        &self.final_url
    }

    /// `Err(Status)` unless the status is 2xx; passes the response through otherwise.
    pub fn error_for_status(self) -> Result<Self, NetError> {
        let status = self.status();
        if status.is_success() {
            Ok(self)
        } else {
            Err(NetError::Status(status.as_u16()))
        }
    }

    /// The `Content-Length` header, if present and numeric.
    pub fn content_length(&self) -> Option<u64> {
        header_u64(self.headers(), CONTENT_LENGTH)
    }

    /// Reads the whole body into memory, failing with `TooLarge` past `max_bytes`.
    pub async fn bytes_limited(self, max_bytes: u64) -> Result<Vec<u8>, NetError> {
        let mut buffer = Vec::new();
        self.copy_to(max_bytes, &mut buffer).await?;
        Ok(buffer)
    }

    /// Streams the body into `sink` chunk by chunk. Fails with `TooLarge` before reading
    /// when `Content-Length` exceeds `max_bytes`, and before writing the chunk that would
    /// cross it otherwise; the sink then holds a partial body the caller must discard.
    /// Returns the number of bytes written.
    pub async fn copy_to<W>(mut self, max_bytes: u64, sink: &mut W) -> Result<u64, NetError>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        if self.content_length().is_some_and(|len| len > max_bytes) {
            return Err(NetError::TooLarge { limit: max_bytes });
        }
        let mut written: u64 = 0;
        while let Some(chunk) = self.inner.chunk().await? {
            let next = written.saturating_add(chunk.len() as u64);
            if next > max_bytes {
                return Err(NetError::TooLarge { limit: max_bytes });
            }
            sink.write_all(&chunk).await?;
            written = next;
        }
        sink.flush().await?;
        Ok(written)
    }

    /// Reads at most `max_bytes` of the body and drops the rest unread (the connection is
    /// closed, not drained). For sniffing the start of a resource.
    pub async fn first_bytes(mut self, max_bytes: usize) -> Result<Vec<u8>, NetError> {
        let mut buffer = Vec::new();
        while buffer.len() < max_bytes {
            let Some(chunk) = self.inner.chunk().await? else {
                break;
            };
            let room = max_bytes - buffer.len();
            buffer.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        Ok(buffer)
    }
}

pub(crate) fn header_u64(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok()
}
