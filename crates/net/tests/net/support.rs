//! Test support: a name→address resolver that never touches real DNS, local axum servers on
//! 127.0.0.1:0, and a sink that counts instead of storing.
//!
//! Rule: nothing here ever connects to a non-loopback address. Public addresses only appear
//! in resolver answers for check-only tests.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;
use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use scorejar_net::{HostResolver, NetError, NetPolicy, SafeClient, Timeouts};
use tokio::io::AsyncWrite;

/// Size of the `/file` resource.
pub const FILE_LEN: usize = 10_000;

/// Deterministic content so tests can check which bytes arrived.
pub fn file_bytes() -> Vec<u8> {
    (0..FILE_LEN).map(|i| (i % 251) as u8).collect()
}

/// Maps names to fixed addresses; unknown names are a DNS error; `slow.example` never answers.
#[derive(Default)]
pub struct MapResolver {
    map: HashMap<String, Vec<IpAddr>>,
    calls: AtomicUsize,
}

impl MapResolver {
    pub fn with(mut self, name: &str, addrs: &[&str]) -> Self {
        let parsed = addrs.iter().map(|a| a.parse().unwrap()).collect();
        self.map.insert(name.to_string(), parsed);
        self
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl HostResolver for MapResolver {
    async fn lookup(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, NetError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if host == "slow.example" {
            std::future::pending::<()>().await;
        }
        match self.map.get(host) {
            Some(addrs) => Ok(addrs.iter().map(|ip| SocketAddr::new(*ip, port)).collect()),
            None => Err(NetError::Dns(format!("{host}: not in test map"))),
        }
    }
}

/// Short timeouts so failing tests fail fast.
pub fn test_timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_secs(5),
        ..Timeouts::default()
    }
}

/// A client whose resolver is `resolver` and whose allow-list is `allowed`.
pub fn client(allowed: &[String], resolver: Arc<MapResolver>) -> SafeClient {
    SafeClient::new(NetPolicy::allowing(allowed.iter().cloned()))
        .with_resolver(resolver)
        .with_timeouts(test_timeouts())
}

/// A client that may reach exactly these local servers, with an empty name map.
pub fn local_client(servers: &[SocketAddr]) -> SafeClient {
    let allowed: Vec<String> = servers.iter().map(ToString::to_string).collect();
    client(&allowed, Arc::new(MapResolver::default()))
}

/// Serves `router` on 127.0.0.1 with an OS-chosen port, for the rest of the test.
pub async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    addr
}

/// The standard test server: see each route.
pub async fn standard_server() -> SocketAddr {
    serve(standard_router()).await
}

pub fn standard_router() -> Router {
    Router::new()
        .route("/file", get(ranged_file))
        .route(
            "/norange",
            get(|| async { ([(header::CONTENT_TYPE, "audio/wav")], file_bytes()) }),
        )
        .route("/small", get(|| async { vec![1u8; 100] }))
        .route("/empty", get(empty_file))
        .route("/hops/{n}", get(hops))
        .route(
            "/sized/{n}",
            get(|Path(n): Path<usize>| async move { vec![7u8; n] }),
        )
        .route("/chunked/{n}", get(chunked))
        .route("/stall-headers", get(stall_headers))
        .route("/stall-body", get(stall_body))
        .route("/trickle", get(trickle))
        .route("/echo", any(echo))
        .route("/r301", any(|| async { redirect(301, "/echo") }))
        .route("/r302", any(|| async { redirect(302, "/echo") }))
        .route("/r303", any(|| async { redirect(303, "/echo") }))
        .route("/r307", any(|| async { redirect(307, "/echo") }))
        .route("/r308", any(|| async { redirect(308, "/echo") }))
        .route("/no-location", get(|| async { StatusCode::FOUND }))
}

/// A `code` redirect to `location`.
pub fn redirect(code: u16, location: &str) -> Response {
    let status = StatusCode::from_u16(code).unwrap();
    (status, [(header::LOCATION, location.to_string())]).into_response()
}

/// Honours `Range: bytes=0-N` like a real media server.
async fn ranged_file(headers: HeaderMap) -> Response {
    let body = file_bytes();
    let range_end = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes=0-"))
        .and_then(|end| end.parse::<usize>().ok());
    match range_end {
        Some(end) => {
            let end = end.min(FILE_LEN - 1);
            let content_range = format!("bytes 0-{end}/{FILE_LEN}");
            (
                StatusCode::PARTIAL_CONTENT,
                [
                    (header::CONTENT_RANGE, content_range),
                    (header::CONTENT_TYPE, "audio/wav".to_string()),
                ],
                body[..=end].to_vec(),
            )
                .into_response()
        }
        None => ([(header::CONTENT_TYPE, "audio/wav")], body).into_response(),
    }
}

async fn empty_file(headers: HeaderMap) -> Response {
    if headers.contains_key(header::RANGE) {
        (
            StatusCode::RANGE_NOT_SATISFIABLE,
            [(header::CONTENT_RANGE, "bytes */0")],
        )
            .into_response()
    } else {
        StatusCode::OK.into_response()
    }
}

/// `/hops/n`: n redirects (relative Locations) before a 200.
async fn hops(Path(n): Path<u32>) -> Response {
    if n == 0 {
        "done".into_response()
    } else {
        redirect(302, &format!("{}", n - 1))
    }
}

static CHUNK: [u8; 65536] = [7u8; 65536];

/// `n` bytes as a chunked stream, no Content-Length, 64 KiB at a time.
async fn chunked(Path(n): Path<usize>) -> Response {
    let full = n / CHUNK.len();
    let rest = n % CHUNK.len();
    let chunks = (0..full)
        .map(|_| Bytes::from_static(&CHUNK))
        .chain((rest > 0).then(|| Bytes::from_static(&CHUNK[..rest])))
        .map(Ok::<_, Infallible>);
    Body::from_stream(futures::stream::iter(chunks)).into_response()
}

async fn stall_headers() -> Response {
    tokio::time::sleep(Duration::from_secs(60)).await;
    "too late".into_response()
}

async fn stall_body() -> Response {
    let first = futures::stream::once(async { Ok::<_, Infallible>(Bytes::from_static(b"start")) });
    let never = futures::stream::pending::<Result<Bytes, Infallible>>();
    Body::from_stream(futures::StreamExt::chain(first, never)).into_response()
}

/// A byte every 50 ms, forever: never silent long enough for a read timeout.
async fn trickle() -> Response {
    let bytes = futures::stream::unfold((), |()| async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Some((Ok::<_, Infallible>(Bytes::from_static(b"x")), ()))
    });
    Body::from_stream(bytes).into_response()
}

/// Echoes `METHOD`, the Authorization header (or `-`), the Content-Type (or `-`), then the body.
async fn echo(method: Method, headers: HeaderMap, body: Bytes) -> String {
    let header_text = |name| {
        headers
            .get(name)
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
            .unwrap_or("-")
            .to_string()
    };
    format!(
        "{method}\nauth:{}\ntype:{}\n{}",
        header_text(header::AUTHORIZATION),
        header_text(header::CONTENT_TYPE),
        String::from_utf8_lossy(&body)
    )
}

/// An AsyncWrite that keeps only counts: proves a download is streamed, not collected.
#[derive(Default)]
pub struct CountingSink {
    pub total: u64,
    pub largest_write: usize,
    pub writes: usize,
}

impl AsyncWrite for CountingSink {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.total += buf.len() as u64;
        self.largest_write = self.largest_write.max(buf.len());
        self.writes += 1;
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
