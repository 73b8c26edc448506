//! The request-size limit of uploads, enforced while streaming.
//!
//! A body that passes the limit is refused with 413. Before answering, the server reads and
//! discards what the client is still sending — up to one more limit's worth and a few seconds —
//! the way nginx "lingers": closing a socket with unread data resets it, and a client that is
//! still writing (one that did not send `Expect: 100-continue`) would then see a broken pipe
//! instead of our clear 413. Past that budget the connection is simply closed.

use axum::body::Body;
use futures::{Stream, StreamExt};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long the server keeps draining an over-size body before it gives up.
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// Set once a body passes its limit, so that whatever error the reader (serde, multer) reports
/// is turned into a 413.
#[derive(Clone, Default)]
pub struct Exceeded(Arc<AtomicBool>);

impl Exceeded {
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Wraps `body` so that it fails after `limit` bytes (having drained up to `limit` more).
pub fn limit_body(body: Body, limit: u64) -> (Body, Exceeded) {
    let exceeded = Exceeded::default();
    let flag = exceeded.clone();
    let state = (body.into_data_stream(), 0u64, false);
    let stream = futures::stream::unfold(state, move |(mut inner, total, done)| {
        let flag = flag.clone();
        async move {
            if done {
                return None;
            }
            match inner.next().await {
                None => None,
                Some(Err(e)) => Some((Err(std::io::Error::other(e)), (inner, total, true))),
                Some(Ok(chunk)) => {
                    let total = total + chunk.len() as u64;
                    if total <= limit {
                        return Some((Ok(chunk), (inner, total, false)));
                    }
                    flag.0.store(true, Ordering::Relaxed);
                    drain(&mut inner, limit).await;
                    let err = std::io::Error::other("request body too large");
                    Some((Err(err), (inner, total, true)))
                }
            }
        }
    });
    (Body::from_stream(stream), exceeded)
}

/// Reads and discards up to `budget` bytes of what remains, for at most [`DRAIN_TIME`].
pub async fn drain<S, E>(stream: &mut S, budget: u64)
where
    S: Stream<Item = Result<bytes::Bytes, E>> + Unpin,
{
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        let mut drained = 0u64;
        while let Some(Ok(chunk)) = stream.next().await {
            drained += chunk.len() as u64;
            if drained > budget {
                break;
            }
        }
    })
    .await;
}
