//! When to try a request again, and how long to wait first. Pure, so it is table-tested.
//!
//! 429, 408 and 5xx answers (and timeouts and connection errors, decided by the caller) are
//! transient. The wait is the provider's `Retry-After` (or OpenAI's `retry-after-ms`) when it
//! sends one, else exponential backoff with jitter so that many workers do not come back in step.

use std::time::{Duration, SystemTime};

/// No computed backoff waits longer than this.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A provider asking for a longer pause than this gets it from the job layer instead (the job
/// is retried later), rather than from a request held open in a worker.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// What an HTTP status means for the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    Success,
    /// Worth another attempt.
    Transient,
    /// Will fail the same way again (bad request, bad key, file refused).
    Permanent,
}

pub fn classify(status: u16) -> StatusClass {
    match status {
        200..=299 => StatusClass::Success,
        408 | 429 | 500..=599 => StatusClass::Transient,
        _ => StatusClass::Permanent,
    }
}

/// The wait before retry number `retry` (1-based), given `jitter` in [0, 1): half of the
/// doubling step is fixed, half random.
pub fn backoff_delay(base: Duration, retry: u32, jitter: f64) -> Duration {
    let exponent = retry.clamp(1, 20) - 1;
    let step = base.saturating_mul(1 << exponent).min(MAX_BACKOFF);
    step / 2 + step.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
}

/// The wait a provider asks for: `retry-after-ms` (milliseconds, OpenAI), else `Retry-After` as
/// seconds or an HTTP date. Unreadable values are ignored; a date in the past means now.
pub fn requested_wait(
    retry_after_ms: Option<&str>,
    retry_after: Option<&str>,
    now: SystemTime,
) -> Option<Duration> {
    let from_ms = retry_after_ms
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
        .map(|ms| Duration::from_secs_f64(ms / 1000.0));
    from_ms.or_else(|| retry_after.and_then(|v| parse_retry_after(v, now)))
}

fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(u32::MAX as f64)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_table() {
        use StatusClass::*;
        let cases = [
            (200, Success),
            (204, Success),
            (400, Permanent),
            (401, Permanent),
            (404, Permanent),
            (408, Transient),
            (413, Permanent),
            (429, Transient),
            (500, Transient),
            (503, Transient),
            (599, Transient),
            (302, Permanent),
        ];
        for (status, want) in cases {
            assert_eq!(classify(status), want, "{status}");
        }
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let base = Duration::from_secs(1);
        let cases = [
            (1, 0.0, 500),
            (1, 1.0, 1_000),
            (2, 0.0, 1_000),
            (3, 0.5, 3_000),
            (6, 0.0, 15_000),
            (7, 1.0, 30_000),
            (40, 0.0, 15_000),
            (0, 0.0, 500),
            (1, 7.0, 1_000),
        ];
        for (retry, jitter, want_ms) in cases {
            assert_eq!(
                backoff_delay(base, retry, jitter).as_millis(),
                want_ms,
                "retry {retry} jitter {jitter}"
            );
        }
    }

    #[test]
    fn retry_after_table() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        let cases = [
            (None, None, None),
            (None, Some("3"), Some(3_000)),
            (None, Some(" 0 "), Some(0)),
            (None, Some("1.5"), Some(1_500)),
            (None, Some("-1"), None),
            (None, Some("soon"), None),
            (None, Some("Wed, 21 Oct 2015 07:28:10 GMT"), Some(10_000)),
            (None, Some("Wed, 21 Oct 2015 07:27:00 GMT"), Some(0)),
            (Some("250"), Some("3"), Some(250)),
            (Some("junk"), Some("3"), Some(3_000)),
        ];
        for (ms, header, want) in cases {
            assert_eq!(
                requested_wait(ms, header, now).map(|d| d.as_millis()),
                want,
                "{ms:?} {header:?}"
            );
        }
    }
}
