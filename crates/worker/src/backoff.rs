//! Retry delays: exponential backoff with full jitter, capped, stretched to the wait a remote
//! service asked for. Pure, so it is table-tested.

use std::time::Duration;

/// First retry waits about this long.
pub const BASE: Duration = Duration::from_secs(2);
/// No retry waits longer than this.
pub const CAP: Duration = Duration::from_secs(300);

/// The longest wait a remote service's `Retry-After` may impose on one retry: a provider
/// asking for a day (a spent daily quota) should not park a job that long unseen; the attempt
/// fails again and the job's attempts run out instead.
pub const MAX_ASKED_WAIT: Duration = Duration::from_secs(3600);

/// The delay before retrying after `attempt` (1-based) failed, given `jitter` in [0, 1):
/// half the exponential step is fixed, half is random, so retries of many jobs spread out
/// but never come back immediately. A wait the remote side `asked` for (capped at
/// [`MAX_ASKED_WAIT`]) is honoured when it is longer.
pub fn retry_delay(attempt: i64, jitter: f64, asked: Option<Duration>) -> Duration {
    let exp = attempt.clamp(1, 20) - 1;
    let step = BASE.saturating_mul(1u32 << exp).min(CAP);
    let jitter = jitter.clamp(0.0, 1.0);
    let own = step / 2 + step.mul_f64(jitter / 2.0);
    own.max(asked.unwrap_or_default().min(MAX_ASKED_WAIT))
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
                retry_delay(attempt, jitter, None).as_millis(),
                want_ms,
                "attempt {attempt} jitter {jitter}"
            );
        }
    }

    #[test]
    fn a_wait_asked_for_is_honoured_when_longer_and_capped() {
        let secs = Duration::from_secs;
        let cases = [
            // Shorter than our own delay (1-2 s at attempt 1): ours.
            (1, 0.0, Some(Duration::from_millis(300)), 1_000),
            (1, 0.0, Some(secs(5)), 5_000),
            (4, 1.0, Some(secs(5)), 16_000),
            (1, 0.5, Some(secs(7 * 3600)), 3_600_000),
            (1, 0.0, Some(Duration::ZERO), 1_000),
        ];
        for (attempt, jitter, asked, want_ms) in cases {
            assert_eq!(
                retry_delay(attempt, jitter, asked).as_millis(),
                want_ms,
                "attempt {attempt} asked {asked:?}"
            );
        }
    }
}
