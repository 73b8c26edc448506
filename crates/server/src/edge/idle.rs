//! A connection's idle timer, for what hyper's header-read timeout does not cover: an HTTP/2
//! connection has no request head to wait for, so hyper keeps an idle one open for ever.
//! A connection counts as busy while a request of it is in flight, until its response body
//! has been sent (or dropped), and idle from the moment the last one ended.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Requests in flight on one connection and when the last one ended.
#[derive(Debug)]
pub struct Activity {
    in_flight: AtomicUsize,
    last_end: Mutex<Instant>,
}

impl Activity {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            in_flight: AtomicUsize::new(0),
            last_end: Mutex::new(Instant::now()),
        })
    }

    /// Marks a request in flight until the guard is dropped.
    pub fn begin(self: &Arc<Self>) -> RequestGuard {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        RequestGuard(self.clone())
    }

    /// Resolves once the connection has had no request in flight for `limit`.
    pub async fn idle_for(&self, limit: Duration) {
        loop {
            let wait = if self.in_flight.load(Ordering::SeqCst) > 0 {
                // Busy: look again after a whole period; a request ending meanwhile restarts
                // the count from its end.
                limit
            } else {
                let last_end = *self.last_end.lock().unwrap_or_else(|e| e.into_inner());
                match limit.checked_sub(last_end.elapsed()) {
                    Some(left) if !left.is_zero() => left,
                    _ if self.in_flight.load(Ordering::SeqCst) == 0 => return,
                    _ => limit,
                }
            };
            tokio::time::sleep(wait).await;
        }
    }
}

/// One request in flight; its drop ends it.
#[derive(Debug)]
pub struct RequestGuard(Arc<Activity>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        *self.0.last_end.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn idle_counts_from_the_end_of_the_last_request() {
        let activity = Activity::new();
        let limit = Duration::from_secs(10);
        let start = Instant::now();
        let guard = activity.begin();
        let watcher = tokio::spawn({
            let activity = activity.clone();
            async move { activity.idle_for(limit).await }
        });
        tokio::time::sleep(Duration::from_secs(25)).await;
        assert!(!watcher.is_finished(), "busy for 25 s: not idle");
        drop(guard);
        watcher.await.unwrap();
        let idle_at = start.elapsed();
        // Ended at 25 s: idle at 35 s, and the busy look-again period may add up to one limit.
        assert!(
            idle_at >= Duration::from_secs(35) && idle_at <= Duration::from_secs(45),
            "{idle_at:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_never_used_is_idle_after_the_limit() {
        let activity = Activity::new();
        let start = Instant::now();
        activity.idle_for(Duration::from_secs(3)).await;
        assert_eq!(start.elapsed().as_secs(), 3);
    }
}
