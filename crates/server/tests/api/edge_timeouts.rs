//! Connection timeouts: a connection that sends nothing, trickles, declares a body it never
//! sends, or idles after a response is closed by the server; a full server sheds load.
//! Settings are 1 s here; each test waits for the outcome under a deadline many times that.

use crate::harness::*;
use scorejar_server::config::Settings;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

crate::backend_tests_with!(
    short_timeouts;
    silent_connection_is_closed,
    idle_keep_alive_is_closed,
    idle_http2_connection_is_closed,
    short_body_is_a_408,
    trickled_body_is_a_408
);

crate::backend_tests_with!(one_request_slot; excess_requests_are_shed);

/// Generous compared with the 1 s settings: the outcome must come well before it.
const DEADLINE: Duration = Duration::from_secs(30);

fn short_timeouts(s: &mut Settings) {
    s.http.header_timeout_secs = 1;
    s.http.keep_alive_timeout_secs = 1;
    s.http.body_idle_timeout_secs = 1;
    s.http.body_min_bytes_per_sec = 1024;
    s.http.max_in_flight = 1;
}

/// One request slot, and body timeouts loose enough that the slot's holder — a body that keeps
/// arriving — is never cut off, however long a loaded machine leaves the test's tasks waiting
/// (with the 1 s idle timeout of `short_timeouts`, a starved writer could lose the slot).
fn one_request_slot(s: &mut Settings) {
    s.http.max_in_flight = 1;
    s.http.body_idle_timeout_secs = 60;
    s.http.body_min_bytes_per_sec = 1;
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Everything the server sends until it closes the connection (fails past the deadline).
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    tokio::time::timeout(DEADLINE, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .expect("the server should have closed the connection");
    String::from_utf8_lossy(&out).into_owned()
}

fn upload_head(app: &TestApp, content_length: usize) -> String {
    format!(
        "POST /api/v1/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {content_length}\r\n\r\n",
        app.token
    )
}

async fn silent_connection_is_closed(app: &TestApp) {
    let mut stream = connect(app).await;
    assert_eq!(read_until_closed(&mut stream).await, "");
    // A head trickled in too slowly is the same.
    let mut stream = connect(app).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .unwrap();
    assert_eq!(read_until_closed(&mut stream).await, "");
}

async fn idle_keep_alive_is_closed(app: &TestApp) {
    let mut stream = connect(app).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// An HTTP/2 connection (prior knowledge, as a gRPC-style client opens it) that made one request
/// and then idles is closed with a GOAWAY: hyper has no idle timeout of its own for HTTP/2.
async fn idle_http2_connection_is_closed(app: &TestApp) {
    let mut stream = connect(app).await;
    // HPACK: :method GET (static 2), :scheme http (static 6), then :path and :authority as
    // literals with an indexed name (static 4 and 1), not Huffman-coded.
    let mut block = vec![0x82, 0x86, 0x04, 8];
    block.extend_from_slice(b"/healthz");
    block.extend_from_slice(&[0x01, 1, b'x']);
    let mut bytes = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    bytes.extend_from_slice(&frame(0x4, 0, 0, &[])); // SETTINGS, none changed
    bytes.extend_from_slice(&frame(0x1, 0x4 | 0x1, 1, &block)); // HEADERS, END_HEADERS|END_STREAM
    stream.write_all(&bytes).await.unwrap();
    let frames = converse_until_closed(&mut stream).await;
    assert!(
        frames.contains(&(0x1, 1)),
        "the request was answered on stream 1: {frames:?}"
    );
    assert!(
        frames.contains(&(0x7, 0)),
        "closed with a GOAWAY: {frames:?}"
    );
}

/// Reads HTTP/2 frames until the server closes the connection, answering as a live client
/// must (a graceful close waits for the ack of its PING); returns every frame's (type, stream).
async fn converse_until_closed(stream: &mut TcpStream) -> Vec<(u8, u32)> {
    let mut seen = Vec::new();
    tokio::time::timeout(DEADLINE, async {
        let mut pending = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => pending.extend_from_slice(&buf[..n]),
            }
            while pending.len() >= 9 {
                let len = u32::from_be_bytes([0, pending[0], pending[1], pending[2]]) as usize;
                if pending.len() < 9 + len {
                    break;
                }
                let (kind, flags) = (pending[3], pending[4]);
                let id = u32::from_be_bytes([pending[5], pending[6], pending[7], pending[8]]);
                let payload = pending[9..9 + len].to_vec();
                pending.drain(..9 + len);
                seen.push((kind, id & 0x7fff_ffff));
                let reply = match (kind, flags & 1) {
                    (0x4, 0) => Some(frame(0x4, 1, 0, &[])), // SETTINGS → ack
                    (0x6, 0) => Some(frame(0x6, 1, 0, &payload)), // PING → ack
                    _ => None,
                };
                if let Some(reply) = reply {
                    let _ = stream.write_all(&reply).await;
                }
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the server should have closed the connection: {seen:?}"));
    seen
}

/// One HTTP/2 frame: 24-bit length, type, flags, stream id.
fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut out = len.to_be_bytes()[1..].to_vec();
    out.extend_from_slice(&[kind, flags]);
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

async fn short_body_is_a_408(app: &TestApp) {
    let mut stream = connect(app).await;
    let body = chat("short-body").to_string();
    stream
        .write_all(upload_head(app, body.len() + 100).as_bytes())
        .await
        .unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    assert_eq!(app.interaction_count().await, 0);
}

async fn trickled_body_is_a_408(app: &TestApp) {
    let mut stream = connect(app).await;
    let body = chat("trickle").to_string();
    stream
        .write_all(upload_head(app, body.len()).as_bytes())
        .await
        .unwrap();
    let (mut rx, mut tx) = stream.into_split();
    // One byte every 100 ms: never silent for 1 s, far below 1 KiB/s.
    let trickle = tokio::spawn(async move {
        for b in body.bytes() {
            if tx.write_all(&[b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut out = Vec::new();
    tokio::time::timeout(DEADLINE, rx.read_to_end(&mut out))
        .await
        .expect("answered and closed")
        .ok();
    let answer = String::from_utf8_lossy(&out);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("too slowly"), "{answer}");
    trickle.abort();
}

/// An upload that holds a request slot: its body keeps arriving (a chunk every 250 ms) until
/// it is released. If the server answers it instead — it arrived while a request of the test
/// held the only slot, and was itself shed — `answered` says so and the holder stops.
struct SlotHolder {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
    answered: Arc<AtomicBool>,
}

impl SlotHolder {
    async fn start(app: &TestApp) -> Self {
        let mut stream = connect(app).await;
        stream
            .write_all(upload_head(app, 900_000).as_bytes())
            .await
            .unwrap();
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let answered = Arc::new(AtomicBool::new(false));
        let flag = answered.clone();
        let task = tokio::spawn(async move {
            let chunk = [b' '; 4096];
            let mut buf = [0u8; 512];
            loop {
                tokio::select! {
                    _ = &mut stopped => return,
                    _ = stream.read(&mut buf) => {
                        flag.store(true, Ordering::SeqCst);
                        return;
                    }
                    _ = tokio::time::sleep(Duration::from_millis(250)) => {
                        if stream.write_all(&chunk).await.is_err() {
                            flag.store(true, Ordering::SeqCst);
                            return;
                        }
                    }
                }
            }
        });
        Self {
            stop,
            task,
            answered,
        }
    }

    fn answered(&self) -> bool {
        self.answered.load(Ordering::SeqCst)
    }

    /// Stops sending and closes the connection, as a client giving up would.
    async fn release(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap();
    }
}

async fn excess_requests_are_shed(app: &TestApp) {
    // A fresh connection per request: a pooled one may be closed by the keep-alive timeout
    // just as the next request goes out on it (a reset, not what this test is about).
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let credits = || {
        client
            .get(app.url("/api/v1/credits"))
            .bearer_auth(&app.token)
            .send()
    };
    // The one request slot is held by an upload whose body keeps arriving (`one_request_slot`
    // gives it a minute between bytes, however slowly a loaded machine runs this loop). Its
    // head and a request of the loop race for the slot: when the loop wins, the upload is the
    // one shed, and a new holder takes its place.
    let (shed, holder) = tokio::time::timeout(DEADLINE, async {
        loop {
            let holder = SlotHolder::start(app).await;
            while !holder.answered() {
                let resp = credits().await.unwrap();
                if resp.status() == 503 {
                    return (resp, holder);
                }
            }
            holder.release().await;
        }
    })
    .await
    .expect("a request is shed while the slot is taken");
    assert_eq!(shed.headers()["retry-after"], "1");
    let (status, body) = read(shed).await;
    assert_error(status, &body, 503, "overloaded", None);
    // Once the stalled request is over (its client gives up and closes the connection), the
    // slot is free again.
    holder.release().await;
    let freed = tokio::time::timeout(DEADLINE, async {
        while credits().await.unwrap().status() != 200 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(
        freed.is_ok(),
        "the slot is free again once the stalled request is over"
    );
}
