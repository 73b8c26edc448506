//! Retry delays: exponential backoff with full jitter, capped. Pure, so it is table-tested.

use std::time::Duration;

/// First retry waits about this long.
pub const BASE: Duration = Duration::from_secs(2);
/// No retry waits longer than this.
pub const CAP: Duration = Duration::from_secs(300);

/// The delay before retrying after `attempt` (1-based) failed, given `jitter` in [0, 1):
/// half the exponential step is fixed, half is random, so retries of many jobs spread out
/// but never come back immediately.
pub fn retry_delay(attempt: i64, jitter: f64) -> Duration {
    let exp = attempt.clamp(1, 20) - 1;
    let step = BASE.saturating_mul(1u32 << exp).min(CAP);
    let jitter = jitter.clamp(0.0, 1.0);
    step / 2 + step.mul_f64(jitter / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_with_bounded_jitter() {
        let cases = [
            (1, 0.0, 1_000),
            (1, 1.0, 2_000),
            (2, 0.0, 2_000),
            (3, 0.5, 6_000),
            (4, 0.0, 8_000),
            (20, 1.0, 300_000),
            (99, 0.0, 150_000),
            (0, 0.0, 1_000),
            (-5, 2.0, 2_000),
        ];
        for (attempt, jitter, want_ms) in cases {
            assert_eq!(
                retry_delay(attempt, jitter).as_millis(),
                want_ms,
                "attempt {attempt} jitter {jitter}"
            );
        }
    }
}
