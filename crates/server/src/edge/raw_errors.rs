//! The error envelope for answers hyper writes itself. When a request head cannot be parsed
//! (a `Content-Length` of `2^64`, `-1`, `abc` or two different ones; a bad request line; a URI
//! or headers too long), hyper answers 400/414/431 with an empty body before any request
//! reaches the router, and has no hook to change that answer. So each accepted socket is
//! wrapped in [`EnvelopeStream`]: a write that is exactly such a bare head (HTTP/1.x status
//! 400, 414 or 431, `content-length: 0`, nothing after the head) is replaced by the same status
//! with the JSON envelope. The router never answers a 4xx with an empty body (`envelope.rs`),
//! so no answer of ours can match.

use crate::error::error_body;
use scorejar_core::ApiError;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

pub struct EnvelopeStream<S> {
    inner: S,
    /// A replacement being written: (bytes, written so far, length of the head it replaces).
    replacing: Option<(Vec<u8>, usize, usize)>,
}

impl<S> EnvelopeStream<S> {
    pub fn new(inner: S) -> Self {
        EnvelopeStream {
            inner,
            replacing: None,
        }
    }
}

/// The envelope answer for `head` when it is one of hyper's bare parse-error answers.
pub fn replacement_for(head: &[u8]) -> Option<Vec<u8>> {
    if !(head.starts_with(b"HTTP/1.1 ") || head.starts_with(b"HTTP/1.0 ")) || head.len() > 1024 {
        return None;
    }
    let text = std::str::from_utf8(head).ok()?;
    let (head_text, rest) = text.split_once("\r\n\r\n")?;
    if !rest.is_empty() {
        return None;
    }
    let mut lines = head_text.split("\r\n");
    let status_line = lines.next()?;
    let (status, code, message) = match status_line.get(9..12)? {
        "400" => (
            400,
            "malformed_request",
            "the request line or a header could not be parsed (e.g. an invalid or repeated Content-Length)",
        ),
        "414" => (414, "uri_too_long", "the request URI is too long"),
        "431" => (431, "headers_too_large", "the request headers are too large"),
        _ => return None,
    };
    let mut kept = Vec::new();
    let mut empty_body = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        if name.eq_ignore_ascii_case("content-length") {
            empty_body = value.trim() == "0";
        } else if !name.eq_ignore_ascii_case("connection") {
            kept.push(line);
        }
    }
    if !empty_body {
        return None;
    }
    let body = serde_json::to_string(&error_body(&ApiError::new(status, code, message))).ok()?;
    let mut out = String::with_capacity(256 + body.len());
    out.push_str(status_line);
    out.push_str("\r\n");
    for line in kept {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("content-type: application/json\r\nconnection: close\r\n");
    out.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    Some(out.into_bytes())
}

impl<S: AsyncWrite + Unpin> EnvelopeStream<S> {
    /// Writes the pending replacement; answers the length of the head it stands for.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        while let Some((bytes, written, stands_for)) = self.replacing.as_mut() {
            if *written == bytes.len() {
                let n = *stands_for;
                self.replacing = None;
                return Poll::Ready(Ok(n));
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(0))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for EnvelopeStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for EnvelopeStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        // hyper calls again with the same bytes until we answer Ready.
        if self.replacing.is_none() {
            match replacement_for(buf) {
                Some(bytes) => self.replacing = Some((bytes, 0, buf.len())),
                None => return Pin::new(&mut self.inner).poll_write(cx, buf),
            }
        }
        self.drain(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.replacing.is_none() {
            let mut non_empty = bufs.iter().filter(|b| !b.is_empty());
            if let (Some(only), None) = (non_empty.next(), non_empty.next()) {
                if let Some(bytes) = replacement_for(only) {
                    self.replacing = Some((bytes, 0, only.len()));
                }
            }
            if self.replacing.is_none() {
                return Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
            }
        }
        self.drain(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::replacement_for;

    #[test]
    fn replaces_only_bare_parse_error_heads() {
        let bare = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: Sun, 06 Dec 2026 02:40:00 GMT\r\n\r\n";
        let out = String::from_utf8(replacement_for(bare).unwrap()).unwrap();
        assert!(out.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{out}");
        assert!(out.contains("content-type: application/json\r\n"), "{out}");
        assert!(out.contains("date: Sun"), "{out}");
        let body = out.split_once("\r\n\r\n").unwrap().1;
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["error"]["code"], "malformed_request");
        assert!(out.contains(&format!("content-length: {}\r\n", body.len())));
        for (head, status) in [
            (
                &b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n"[..],
                "431",
            ),
            (
                &b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\n\r\n"[..],
                "414",
            ),
        ] {
            let out = String::from_utf8(replacement_for(head).unwrap()).unwrap();
            assert!(out.starts_with(&format!("HTTP/1.1 {status}")));
        }
        // Our own answers: a body follows, another status, or a non-empty length.
        for head in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n"[..],
            &b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n{}"[..],
            &b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n"[..],
            &b"HTTP/1.1 400 Bad Request\r\n\r\n"[..],
            &b"{\"partial\": \"body\"}"[..],
        ] {
            assert!(replacement_for(head).is_none(), "{head:?}");
        }
    }
}
