//! Request bodies that must keep moving: [`TimedBody`] fails a body that is silent for
//! `idle`, or that after the first `idle` has averaged fewer than `min_rate` bytes a second.
//!
//! Why not a total deadline: a 32 MiB upload on a slow line is legitimate and takes long; a
//! connection that trickles one byte a second, or declares a `Content-Length` it never sends,
//! is not. Silence and a minimum average rate tell the two apart (the minimum-rate rule is how
//! Kestrel does it). The timers only run while a handler reads the body: a body nobody reads
//! costs nothing, and hyper closes its connection after the response.

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// The two rules; a zero turns the rule off.
#[derive(Debug, Clone, Copy)]
pub struct BodyRules {
    pub idle: Duration,
    pub min_bytes_per_sec: u64,
}

/// The error a [`TimedBody`] fails with; handlers answer it with 408 (`is_body_timeout`).
#[derive(Debug)]
pub struct BodyTimedOut(&'static str);

impl std::fmt::Display for BodyTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for BodyTimedOut {}

/// True when `err`, or anything in its source chain, is a [`BodyTimedOut`].
pub fn is_body_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if e.is::<BodyTimedOut>() {
            return true;
        }
        cur = e.source();
    }
    false
}

pub struct TimedBody<B> {
    inner: B,
    rules: BodyRules,
    started: Instant,
    last_data: Instant,
    received: u64,
    timer: Option<Pin<Box<Sleep>>>,
}

impl<B> TimedBody<B> {
    pub fn new(inner: B, rules: BodyRules) -> Self {
        let now = Instant::now();
        Self {
            inner,
            rules,
            started: now,
            last_data: now,
            received: 0,
            timer: None,
        }
    }

    /// The earliest instant one of the rules is broken, if any rule is on.
    fn deadline(&self) -> Option<Instant> {
        if self.rules.idle.is_zero() {
            return None;
        }
        let silence = self.last_data + self.rules.idle;
        if self.rules.min_bytes_per_sec == 0 {
            return Some(silence);
        }
        // Allowed time so far: the grace period plus what the bytes received have earned.
        let earned =
            Duration::from_secs_f64(self.received as f64 / self.rules.min_bytes_per_sec as f64);
        Some(silence.min(self.started + self.rules.idle + earned))
    }

    fn broken_rule(&self, now: Instant) -> &'static str {
        if now >= self.last_data + self.rules.idle {
            "the request body sent nothing for too long"
        } else {
            "the request body arrived too slowly"
        }
    }
}

impl<B> Body for TimedBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received += data.len() as u64;
                    this.last_data = Instant::now();
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                let Some(deadline) = this.deadline() else {
                    return Poll::Pending;
                };
                let timer = this
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                timer.as_mut().reset(deadline);
                if timer.as_mut().poll(cx).is_ready() {
                    let why = this.broken_rule(Instant::now());
                    return Poll::Ready(Some(Err(Box::new(BodyTimedOut(why)))));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, StreamBody};

    fn rules() -> BodyRules {
        BodyRules {
            idle: Duration::from_secs(10),
            min_bytes_per_sec: 100,
        }
    }

    type Chunk = Result<Frame<Bytes>, std::io::Error>;
    type Chunks = futures::channel::mpsc::UnboundedReceiver<Chunk>;
    type Feeder = futures::channel::mpsc::UnboundedSender<Chunk>;

    fn body() -> (Feeder, TimedBody<StreamBody<Chunks>>) {
        let (tx, rx) = futures::channel::mpsc::unbounded();
        (tx, TimedBody::new(StreamBody::new(rx), rules()))
    }

    #[tokio::test(start_paused = true)]
    async fn silence_fails_the_body() {
        let (_tx, mut body) = body();
        let err = body.frame().await.unwrap().unwrap_err();
        assert!(is_body_timeout(err.as_ref()));
        assert_eq!(
            err.to_string(),
            "the request body sent nothing for too long"
        );
    }

    /// Sends `chunk` every second, `times` times, then ends the body.
    fn feed(tx: Feeder, chunk: usize, times: usize) {
        tokio::spawn(async move {
            for _ in 0..times {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let _ = tx.unbounded_send(Ok(Frame::data(Bytes::from(vec![b'x'; chunk]))));
            }
        });
    }

    #[tokio::test(start_paused = true)]
    async fn a_trickle_fails_once_the_grace_period_is_over() {
        let (tx, mut body) = body();
        feed(tx, 1, 1000);
        let started = Instant::now();
        let mut got = 0;
        let err = loop {
            match body.frame().await.unwrap() {
                Ok(_) => got += 1,
                Err(e) => break e,
            }
        };
        assert_eq!(err.to_string(), "the request body arrived too slowly");
        assert!((9..=10).contains(&got), "{got}");
        assert!(started.elapsed() < Duration::from_secs(11));
    }

    #[tokio::test(start_paused = true)]
    async fn a_steady_body_passes_whatever_its_length() {
        let (tx, mut body) = body();
        // 200 bytes a second for ten minutes: twice the minimum rate.
        feed(tx, 200, 600);
        let mut got = 0;
        while let Some(frame) = body.frame().await {
            frame.unwrap();
            got += 1;
        }
        assert_eq!(got, 600);
    }
}
