//! Connection timeouts: a connection that sends nothing, trickles, declares a body it never
//! sends, or idles after a response is closed by the server; a full server sheds load.
//! Settings are 1 s here; each test waits for the outcome under a deadline many times that.

use crate::harness::*;
use scorejar_server::config::Settings;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

crate::backend_tests_with!(
    short_timeouts;
    silent_connection_is_closed,
    idle_keep_alive_is_closed,
    short_body_is_a_408,
    trickled_body_is_a_408,
    excess_requests_are_shed
);

/// Generous compared with the 1 s settings: the outcome must come well before it.
const DEADLINE: Duration = Duration::from_secs(30);

fn short_timeouts(s: &mut Settings) {
    s.http.header_timeout_secs = 1;
    s.http.keep_alive_timeout_secs = 1;
    s.http.body_idle_timeout_secs = 1;
    s.http.body_min_bytes_per_sec = 1024;
    s.http.max_in_flight = 1;
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

async fn excess_requests_are_shed(app: &TestApp) {
    // A fresh connection per request: a pooled one may be closed by the 1 s keep-alive timeout
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
    // The one request slot is held by an upload whose body has not arrived yet.
    let mut stream = connect(app).await;
    stream
        .write_all(upload_head(app, 1000).as_bytes())
        .await
        .unwrap();
    let shed = tokio::time::timeout(DEADLINE, async {
        loop {
            let resp = credits().await.unwrap();
            if resp.status() == 503 {
                return resp;
            }
        }
    })
    .await
    .expect("a request is shed while the slot is taken");
    assert_eq!(shed.headers()["retry-after"], "1");
    let (status, body) = read(shed).await;
    assert_error(status, &body, 503, "overloaded", None);
    // Once the stalled request is over, the slot is free again.
    read_until_closed(&mut stream).await;
    assert_eq!(credits().await.unwrap().status(), 200);
}
