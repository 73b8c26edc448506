//! The two media operations of `SafeClient`: `preflight` (does the resource exist, what does
//! it start with, how big is it) and `download_to` (bounded streaming download).
//!
//! Rules: both go through `SafeClient::send`, so vetting, pinning and redirect rules are the
//! same as everywhere; neither ever holds more than one chunk (preflight: 4 KiB) in memory;
//! each ends by its own deadline (`Timeouts`), however the server paces its bytes.

use reqwest::header::{HeaderMap, HeaderValue, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE};
use reqwest::StatusCode;
use tokio::io::AsyncWrite;
use url::Url;

use crate::request::{header_u64, SafeRequest};
use crate::{NetError, SafeClient};

/// How many bytes `preflight` asks for and keeps.
pub const PREFLIGHT_BYTES: usize = 4096;

/// What `preflight` learned about a remote resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preflight {
    /// The URL that answered, after redirects.
    pub final_url: Url,
    /// The first bytes of the body (at most `PREFLIGHT_BYTES`; fewer for a smaller body).
    pub first_bytes: Vec<u8>,
    /// Total size of the resource: the `Content-Range` total of a 206, or the
    /// `Content-Length` of a 200 (server ignored the range). `None` when unknown.
    pub total_size: Option<u64>,
    pub content_type: Option<String>,
}

impl SafeClient {
    /// Small ranged GET (`Range: bytes=0-4095`) used at upload time: checks the resource
    /// exists (a final non-2xx status is `NetError::Status(code)`), returns its first bytes
    /// (at most 4 KiB even when the server ignores the range: reading stops there) and its
    /// total size if known. An empty resource (416 with `Content-Range: bytes */0`) is
    /// reported as existing with size 0.
    pub async fn preflight(&self, url: &str) -> Result<Preflight, NetError> {
        let deadline = self.timeouts().preflight_deadline;
        within(deadline, self.preflight_unbounded(url)).await
    }

    async fn preflight_unbounded(&self, url: &str) -> Result<Preflight, NetError> {
        let mut headers = HeaderMap::new();
        let range = format!("bytes=0-{}", PREFLIGHT_BYTES - 1);
        let range = HeaderValue::from_str(&range)
            .map_err(|e| NetError::Http(format!("building Range header: {e}")))?;
        headers.insert(RANGE, range);
        let response = self
            .send(SafeRequest::get(url).with_headers(headers))
            .await?;

        let status = response.status();
        let final_url = response.final_url().clone();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let range_total = response
            .headers()
            .get(CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(content_range_total);

        if status == StatusCode::RANGE_NOT_SATISFIABLE && range_total == Some(0) {
            return Ok(Preflight {
                final_url,
                first_bytes: Vec::new(),
                total_size: Some(0),
                content_type,
            });
        }
        let response = response.error_for_status()?;
        let total_size = if status == StatusCode::PARTIAL_CONTENT {
            range_total
        } else {
            header_u64(response.headers(), CONTENT_LENGTH)
        };
        let first_bytes = response.first_bytes(PREFLIGHT_BYTES).await?;
        Ok(Preflight {
            final_url,
            first_bytes,
            total_size,
            content_type,
        })
    }

    /// GETs `url` and streams the body into `sink` chunk by chunk, never buffering it whole.
    /// Fails with `TooLarge` when `Content-Length` announces more than `max_bytes`, or as soon
    /// as more than `max_bytes` arrive (the sink then holds a partial body: discard it).
    /// A final non-2xx status is `NetError::Status(code)`. Returns the bytes written.
    pub async fn download_to<W>(
        &self,
        url: &str,
        max_bytes: u64,
        sink: &mut W,
    ) -> Result<u64, NetError>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        within(self.timeouts().download_deadline, async {
            let response = self.send(SafeRequest::get(url)).await?.error_for_status()?;
            response.copy_to(max_bytes, sink).await
        })
        .await
    }
}

/// `work`, or `NetError::Timeout` once `deadline` has passed.
async fn within<T>(
    deadline: std::time::Duration,
    work: impl std::future::Future<Output = Result<T, NetError>>,
) -> Result<T, NetError> {
    tokio::time::timeout(deadline, work)
        .await
        .unwrap_or(Err(NetError::Timeout))
}

/// The total of a `Content-Range` value: `bytes 0-4095/10000` → 10000, `bytes */0` → 0,
/// `bytes 0-4095/*` (unknown) → `None`.
pub(crate) fn content_range_total(value: &str) -> Option<u64> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (_, total) = rest.rsplit_once('/')?;
    total.trim().parse::<u64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_table() {
        let cases = [
            ("bytes 0-4095/10000", Some(10000)),
            ("bytes 0-99/100", Some(100)),
            ("bytes */0", Some(0)),
            ("bytes */1234", Some(1234)),
            ("bytes 0-4095/*", None),
            ("bytes 0-4095", None),
            ("items 0-1/2", None),
            ("", None),
        ];
        for (value, expected) in cases {
            assert_eq!(content_range_total(value), expected, "{value:?}");
        }
    }
}
