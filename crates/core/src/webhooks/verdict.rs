//! What one delivery attempt's answer means: delivered, try again after a wait, or stop
//! (the schedule ran out, or the receiver said 410 Gone). Pure, so every case is in a table.

use std::time::Duration;

use super::schedule::{delay_before, with_retry_after};

/// What follows an attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// A 2xx answer.
    Delivered,
    /// Another attempt after this wait.
    Retry(Duration),
    /// The schedule has no attempt left: the message FAILED.
    Exhausted,
    /// 410 Gone: the receiver wants no more; the message FAILED and its target is disabled.
    Gone,
}

/// The verdict on attempt `round_attempt` (1-based within the current round of the schedule)
/// that got `status` (`None`: no answer — a timeout, a refused connection, a blocked
/// address). A 429 or 503 with a `Retry-After` waits as asked when that is longer than the
/// schedule, up to `retry_after_cap`. A redirect is a failure like any other non-2xx answer.
pub fn verdict(
    status: Option<u16>,
    round_attempt: usize,
    schedule: &[u64],
    jitter: f64,
    retry_after: Option<Duration>,
    retry_after_cap: Duration,
) -> Verdict {
    match status {
        Some(200..=299) => Verdict::Delivered,
        Some(410) => Verdict::Gone,
        _ => match delay_before(schedule, round_attempt + 1, jitter) {
            None => Verdict::Exhausted,
            Some(wait) if matches!(status, Some(429 | 503)) => {
                Verdict::Retry(with_retry_after(wait, retry_after, retry_after_cap))
            }
            Some(wait) => Verdict::Retry(wait),
        },
    }
}

/// Whether a target whose attempts have failed since `failing_since` (seconds before now)
/// has failed for longer than `limit` and is to be disabled.
pub fn failing_too_long(failing_for: Option<Duration>, limit: Duration) -> bool {
    failing_for.is_some_and(|d| d > limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_map_to_verdicts() {
        let schedule = [0, 5, 300];
        let s = Duration::from_secs;
        let cap = s(3600);
        let cases: Vec<(Option<u16>, usize, Option<Duration>, Verdict)> = vec![
            (Some(200), 1, None, Verdict::Delivered),
            (Some(204), 3, None, Verdict::Delivered),
            (Some(299), 2, None, Verdict::Delivered),
            (Some(410), 1, None, Verdict::Gone),
            (Some(500), 1, None, Verdict::Retry(s(5))),
            (None, 1, None, Verdict::Retry(s(5))),
            (Some(301), 1, None, Verdict::Retry(s(5))),
            (Some(404), 2, None, Verdict::Retry(s(300))),
            (Some(500), 3, None, Verdict::Exhausted),
            (None, 3, None, Verdict::Exhausted),
            // Retry-After only counts on 429 and 503, only when longer, and only up to the cap.
            (Some(429), 1, Some(s(60)), Verdict::Retry(s(60))),
            (Some(503), 1, Some(s(2)), Verdict::Retry(s(5))),
            (Some(429), 1, Some(s(86_400)), Verdict::Retry(cap)),
            (Some(500), 1, Some(s(60)), Verdict::Retry(s(5))),
            (Some(429), 3, Some(s(60)), Verdict::Exhausted),
        ];
        for (status, attempt, asked, want) in cases {
            // Jitter 0.5 is the middle of the band: the schedule's own value.
            let got = verdict(status, attempt, &schedule, 0.5, asked, cap);
            assert_eq!(got, want, "{status:?} attempt {attempt} asked {asked:?}");
        }
    }

    #[test]
    fn a_target_is_disabled_only_past_the_limit() {
        let limit = Duration::from_secs(5 * 86_400);
        let cases = [
            (None, false),
            (Some(Duration::from_secs(60)), false),
            (Some(limit), false),
            (Some(limit + Duration::from_secs(1)), true),
        ];
        for (failing_for, want) in cases {
            assert_eq!(
                failing_too_long(failing_for, limit),
                want,
                "{failing_for:?}"
            );
        }
    }
}
