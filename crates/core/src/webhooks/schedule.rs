//! When a failed webhook delivery is tried again.
//!
//! The default is the start of the Standard Webhooks example schedule ("Deliverability and
//! reliability"): immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, about 17.5 hours from
//! the first attempt to the last, long enough to ride out a receiver's bad night without
//! queueing for days. Each wait is jittered by ±20 % so deliveries that failed together (one
//! receiver down) don't come back together and knock it over again. A receiver that answers
//! 429/503 with `Retry-After` gets the wait it asked for, up to a cap.
//!
//! Pure: the random number for the jitter and the parsed `Retry-After` come in as arguments.

use std::time::Duration;

/// Seconds to wait before each attempt: attempt 1 is immediate, attempt 2 after 5 s, ...,
/// attempt 8 after 10 h; so `DEFAULT_SCHEDULE_SECS.len()` attempts in all.
pub const DEFAULT_SCHEDULE_SECS: [u64; 8] = [0, 5, 300, 1800, 7200, 18000, 36000, 36000];

/// How far a wait may stray either way, as a fraction of it.
pub const JITTER: f64 = 0.2;

/// The most steps a configured schedule may have.
const MAX_STEPS: usize = 50;

/// The longest single wait a configured schedule may ask for: 7 days.
const MAX_STEP_SECS: u64 = 7 * 24 * 60 * 60;

/// The wait before 1-based `attempt` (after attempt `attempt - 1` failed); `None` for attempt 0
/// and past the end of `schedule` (no attempt is left: the delivery has failed for good).
///
/// `jitter` is a random number in [0, 1) (clamped; NaN counts as the middle), mapped linearly
/// onto a factor in [1 - JITTER, 1 + JITTER]. A 0 s step stays 0 whatever the jitter. The
/// result is whole milliseconds, the precision we store a due time with.
pub fn delay_before(schedule: &[u64], attempt: usize, jitter: f64) -> Option<Duration> {
    let step = *schedule.get(attempt.checked_sub(1)?)?;
    let jitter = if jitter.is_nan() {
        0.5
    } else {
        jitter.clamp(0.0, 1.0)
    };
    let factor = 1.0 - JITTER + 2.0 * JITTER * jitter;
    // `as` saturates, so an absurd step gives a very long wait instead of a panic.
    let millis = (step as f64 * 1000.0 * factor).round() as u64;
    Some(Duration::from_millis(millis))
}

/// The wait before the next attempt once the receiver answered with `asked` (a parsed
/// `Retry-After` on 429/503): its wish wins when longer than ours, but never beyond `cap`, so a
/// receiver cannot park a delivery for a month. Our own wait is never shortened.
pub fn with_retry_after(own: Duration, asked: Option<Duration>, cap: Duration) -> Duration {
    match asked {
        Some(asked) => own.max(asked.min(cap)),
        None => own,
    }
}

/// The settings check of a configured schedule: 1 to 50 steps, each at most 7 days.
pub fn check_schedule(schedule: &[u64]) -> Result<(), String> {
    if schedule.is_empty() {
        return Err(
            "the webhook retry schedule is empty: give at least one step (0 for an immediate \
             first attempt)"
                .to_owned(),
        );
    }
    if schedule.len() > MAX_STEPS {
        return Err(format!(
            "the webhook retry schedule has {} steps; at most {MAX_STEPS} are allowed",
            schedule.len()
        ));
    }
    if let Some((i, step)) = schedule
        .iter()
        .enumerate()
        .find(|(_, step)| **step > MAX_STEP_SECS)
    {
        return Err(format!(
            "step {} of the webhook retry schedule waits {step} s; at most {MAX_STEP_SECS} s \
             (7 days) is allowed",
            i + 1
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
