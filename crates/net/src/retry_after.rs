//! How long a remote service (a language-model provider, a webhook receiver) asked us to wait
//! before the next request (a 429's or 503's `Retry-After`). Pure, so it is table-tested; the
//! queue schedules the next attempt no earlier.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// The provider's wait, read from `retry-after-ms` (milliseconds, sent by OpenAI and others),
/// else `retry-after` (seconds, or an HTTP date, RFC 9110 §10.2.3). `None` when neither is
/// present or readable, or the date has passed: the queue's own backoff then applies.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        if ms.is_finite() && ms > 0.0 {
            return Some(Duration::from_secs_f64((ms / 1000.0).min(MAX_READ_SECS)));
        }
    }
    let value = text("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs > 0.0)
            .then(|| Duration::from_secs_f64(secs.min(MAX_READ_SECS)));
    }
    httpdate::parse_http_date(value)
        .ok()?
        .duration_since(now)
        .ok()
        .filter(|wait| !wait.is_zero())
}

/// Larger values are read as this (a day); the queue caps the wait further.
const MAX_READ_SECS: f64 = 86_400.0;

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    /// Response headers, and the wait they ask for in milliseconds.
    type Case = (&'static [(&'static str, &'static str)], Option<u64>);

    #[test]
    fn reads_the_providers_wait() {
        // 2026-12-06 08:00:00 UTC
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_544_000);
        let cases: &[Case] = &[
            (&[], None),
            (&[("retry-after", "3")], Some(3_000)),
            (&[("retry-after", " 20 ")], Some(20_000)),
            (&[("retry-after", "1.5")], Some(1_500)),
            (&[("retry-after", "0")], None),
            (&[("retry-after", "-4")], None),
            (&[("retry-after", "soon")], None),
            (&[("retry-after", "999999999")], Some(86_400_000)),
            (&[("retry-after-ms", "250")], Some(250)),
            // The finer header wins.
            (
                &[("retry-after", "2"), ("retry-after-ms", "1800")],
                Some(1_800),
            ),
            (
                &[("retry-after", "2"), ("retry-after-ms", "x")],
                Some(2_000),
            ),
            (
                &[("retry-after", "Sun, 06 Dec 2026 08:00:30 GMT")],
                Some(30_000),
            ),
            // A date already past asks for no wait.
            (&[("retry-after", "Sun, 06 Dec 2026 07:59:00 GMT")], None),
        ];
        for (headers, want_ms) in cases {
            let mut map = HeaderMap::new();
            for (name, value) in *headers {
                map.insert(*name, HeaderValue::from_str(value).unwrap());
            }
            let got = retry_after(&map, now).map(|d| d.as_millis() as u64);
            assert_eq!(got, *want_ms, "{headers:?}");
        }
    }
}
