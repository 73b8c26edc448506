//! Reading a body held in memory, for tests and the fuzz target: the same [`UploadParts`] calls
//! the server makes, with the file part counted instead of spooled.

use super::{FileInfo, ReadError, UploadParts};
use bytes::Bytes;
use futures_core::Stream;
use serde_json::Value;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};

/// What a body came to: the payload and the file, or the refusal.
pub type Outcome = Result<(Value, Option<FileInfo>), ReadError>;

/// Reads a body given as `chunks` (as the network would deliver it).
pub fn read_in_memory(chunks: Vec<Bytes>, content_type: &str) -> Outcome {
    let body = Chunks(chunks.into());
    let mut parts = UploadParts::new(body, content_type)?;
    run(async move {
        let mut file = None;
        while let Some(mut part) = parts.next_file().await? {
            while part.chunk().await?.is_some() {}
            file = Some(part.finish()?);
        }
        Ok((parts.finish()?, file))
    })
}

struct Chunks(VecDeque<Bytes>);

impl Stream for Chunks {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.0.pop_front().map(Ok))
    }
}

/// Polls to the end a future whose every input is already here: it can never wait.
fn run<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("reading an in-memory body waited for more input"),
    }
}
