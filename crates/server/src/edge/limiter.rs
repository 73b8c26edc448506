//! A keyed token bucket (governor's GCRA) that answers "allowed" or "retry in N seconds",
//! and forgets idle keys now and then so that a flood of distinct keys cannot grow it forever.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How often idle keys are dropped (a key is idle once its bucket is full again).
const SWEEP_EVERY: Duration = Duration::from_secs(60);

pub struct KeyedLimiter<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    clock: DefaultClock,
    /// Seconds since `born` at the last sweep.
    last_sweep: AtomicU64,
    born: std::time::Instant,
}

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    /// `rate` requests per `period` sustained, `burst` at once; `None` when `rate` is 0 (off).
    pub fn new(rate: u32, burst: u32, period: Duration) -> Option<Self> {
        let rate = NonZeroU32::new(rate)?;
        let burst = NonZeroU32::new(burst).unwrap_or(rate);
        let quota = Quota::with_period(period / rate.get())?.allow_burst(burst);
        Some(Self {
            limiter: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
            last_sweep: AtomicU64::new(0),
            born: std::time::Instant::now(),
        })
    }

    /// `Err(seconds to wait)` when `key` is over its limit (at least 1).
    pub fn check(&self, key: &K) -> Result<(), u64> {
        self.sweep();
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            (wait.as_secs_f64().ceil() as u64).max(1)
        })
    }

    fn sweep(&self) {
        let now = self.born.elapsed().as_secs();
        let last = self.last_sweep.load(Ordering::Relaxed);
        if now >= last + SWEEP_EVERY.as_secs()
            && self
                .last_sweep
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refusal_with_a_wait() {
        let l = KeyedLimiter::new(1, 3, Duration::from_secs(60)).unwrap();
        for _ in 0..3 {
            assert!(l.check(&"a").is_ok());
        }
        let wait = l.check(&"a").unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        // Another key has its own bucket.
        assert!(l.check(&"b").is_ok());
    }

    #[test]
    fn a_zero_rate_is_off() {
        assert!(KeyedLimiter::<u8>::new(0, 10, Duration::from_secs(1)).is_none());
    }
}
