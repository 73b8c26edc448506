//! One error envelope everywhere: answers made by axum (405, path rejections) and by hyper
//! before a request exists (bad `Content-Length`, too many headers, a URI too long) are
//! `{"success": false, "error": {code, message, field}}` with `content-type: application/json`.
//! Raw TCP for the ones no HTTP client would send. No storage involved: SQLite only.

use crate::harness::*;
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn app() -> TestApp {
    TestApp::start(Backend::Sqlite).await
}

fn assert_envelope(status: u16, content_type: Option<&str>, body: &Value, want: u16, code: &str) {
    assert_eq!(status, want, "{body}");
    assert_eq!(content_type, Some("application/json"), "{body}");
    assert_eq!(body["success"], Value::Bool(false), "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(body["error"].get("field").is_some(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn method_not_allowed_has_the_envelope() {
    let app = app().await;
    for (method, path) in [
        (reqwest::Method::DELETE, "/api/v1/upload"),
        (reqwest::Method::PUT, "/api/v1/tags"),
        (reqwest::Method::GET, "/api/v1/auth/login"),
        (reqwest::Method::POST, "/api/v1/openapi.json"),
    ] {
        let resp = app
            .client
            .request(method.clone(), app.url(path))
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap();
        let allow = resp.headers().get("allow").cloned();
        let ct = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string());
        let (status, body) = read(resp).await;
        assert_envelope(
            status.as_u16(),
            ct.as_deref(),
            &body,
            405,
            "method_not_allowed",
        );
        assert!(allow.is_some(), "{method} {path}: the Allow header is kept");
    }
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_utf8_in_a_path_has_the_envelope() {
    let app = app().await;
    for path in ["/api/v1/interactions/%ff%fe", "/api/v1/scorecards/%c3%28"] {
        let resp = app.get(path).await;
        let ct = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string());
        let (status, body) = read(resp).await;
        assert_envelope(status.as_u16(), ct.as_deref(), &body, 400, "bad_request");
    }
    app.finish().await;
}

/// Sends `request` as is and reads one answer: (status, content-type, body).
async fn raw(app: &TestApp, request: &[u8]) -> (u16, Option<String>, Value) {
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
            if complete(&got) {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read_all)
        .await
        .expect("an answer within 10 s");
    let text = String::from_utf8_lossy(&got).to_string();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no head: {text:?}"));
    let status = head[9..12].parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        })
        .map(|(_, v)| v.trim().to_string());
    let body = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {text:?}"));
    (status, content_type, body)
}

/// A whole answer: a head and as many body bytes as its `content-length` says.
fn complete(got: &[u8]) -> bool {
    let text = String::from_utf8_lossy(got);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    head.lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        })
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .is_some_and(|len| body.len() >= len)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unparseable_content_length_has_the_envelope() {
    let app = app().await;
    for length in [
        "Content-Length: 18446744073709551616",
        "Content-Length: -1",
        "Content-Length: abc",
        "Content-Length: 2\r\nContent-Length: 3",
    ] {
        let request = format!(
            "POST /api/v1/tags HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{length}\r\n\r\n{{}}"
        );
        let (status, ct, body) = raw(&app, request.as_bytes()).await;
        assert_envelope(status, ct.as_deref(), &body, 400, "malformed_request");
    }
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_heads_have_the_envelope() {
    let app = app().await;
    // More headers than hyper takes (100): 431.
    let headers: String = (0..120).map(|i| format!("X-H{i}: v\r\n")).collect();
    let request = format!("GET /healthz HTTP/1.1\r\nHost: x\r\n{headers}\r\n");
    let (status, ct, body) = raw(&app, request.as_bytes()).await;
    assert_envelope(status, ct.as_deref(), &body, 431, "headers_too_large");
    // A URI over hyper's 65,534 bytes: 414.
    let request = format!(
        "GET /healthz?{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(70_000)
    );
    let (status, ct, body) = raw(&app, request.as_bytes()).await;
    assert_envelope(status, ct.as_deref(), &body, 414, "uri_too_long");
    // A malformed request line: 400.
    let (status, ct, body) = raw(&app, b"GET\x01 / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_envelope(status, ct.as_deref(), &body, 400, "malformed_request");
    // And a good request on a kept-alive connection is untouched.
    let (status, ct, body) = raw(&app, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(
        (status, ct.as_deref()),
        (200, Some("application/json")),
        "{body}"
    );
    assert_eq!(body["status"], "ok");
    app.finish().await;
}
