//! The accept loop: hyper-util's HTTP/1 + HTTP/2 server with the connection timeouts that
//! `axum::serve` has no settings for.
//!
//! - First request: a connection that has not completed a request head within
//!   `header_timeout` is dropped (nothing was accepted from it, so nothing is cut short).
//! - Keep-alive: hyper's header-read timer starts whenever the connection waits for a request
//!   head, so set to `keep_alive_timeout` it closes an HTTP/1 connection idle (or trickling its
//!   next head) for that long. HTTP/2 has no such wait, so every connection also has an idle
//!   timer (`idle`): no request in flight for `keep_alive_timeout` → a graceful close (GOAWAY).
//! - Bodies: every request body is a [`TimedBody`] (silence and minimum rate).
//! - hyper's own parse-error answers (400/414/431) get the JSON envelope (`raw_errors`).
//!
//! The peer address is handed to the router as `ConnectInfo<SocketAddr>` (rate limits).
//! Shutdown: stop accepting, let every connection finish its request in flight (hyper's
//! graceful shutdown), for at most [`SHUTDOWN_GRACE`].

use super::body_timeout::{BodyRules, TimedBody};
use super::idle::Activity;
use super::raw_errors::EnvelopeStream;
use crate::config::HttpSettings;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// Longest a shutdown waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

fn secs(s: u64) -> Option<Duration> {
    (s > 0).then(|| Duration::from_secs(s))
}

/// Serves `router` on `listener` until `shutdown` resolves.
pub async fn serve_with_timeouts(
    listener: tokio::net::TcpListener,
    router: Router,
    http: &HttpSettings,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(secs(http.keep_alive_timeout_secs));
    let builder = Arc::new(builder);
    let rules = BodyRules {
        idle: Duration::from_secs(http.body_idle_timeout_secs),
        min_bytes_per_sec: http.body_min_bytes_per_sec,
    };
    let header_timeout = secs(http.header_timeout_secs);
    let idle_timeout = secs(http.keep_alive_timeout_secs);
    let (stop, stopping) = watch::channel(false);
    let connections = TaskTracker::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // EMFILE and friends: wait a moment instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let served = Arc::new(AtomicBool::new(false));
        let activity = Activity::new();
        let service = connection_service(
            router.clone(),
            peer,
            rules,
            served.clone(),
            activity.clone(),
        );
        let conn = builder
            .serve_connection_with_upgrades(
                TokioIo::new(EnvelopeStream::new(stream)),
                TowerToHyperService::new(service),
            )
            .into_owned();
        let mut stopping = stopping.clone();
        connections.spawn(async move {
            let mut conn = std::pin::pin!(conn);
            if let Some(limit) = header_timeout {
                tokio::select! {
                    _ = conn.as_mut() => return,
                    () = tokio::time::sleep(limit) => {}
                }
                if !served.load(Ordering::Relaxed) {
                    tracing::debug!(%peer, "no request head within the header timeout; closing");
                    return;
                }
            }
            let idle = async {
                match idle_timeout {
                    Some(limit) => activity.idle_for(limit).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = stopping.wait_for(|stop| *stop) => {}
                () = idle => tracing::debug!(%peer, "connection idle; closing"),
            }
            // Requests in flight finish; nothing new is accepted on this connection.
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = stop.send(true);
    connections.close();
    if tokio::time::timeout(SHUTDOWN_GRACE, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the shutdown grace period");
    }
    Ok(())
}

/// The router as one connection sees it: peer address attached, body timed, `served` set at
/// the first request, each request in flight (until its response body is sent) in `activity`.
fn connection_service(
    router: Router,
    peer: SocketAddr,
    rules: BodyRules,
    served: Arc<AtomicBool>,
    activity: Arc<Activity>,
) -> impl tower::Service<
    hyper::Request<Incoming>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone {
    tower::service_fn(move |req: hyper::Request<Incoming>| {
        served.store(true, Ordering::Relaxed);
        let mut req = req.map(|body| Body::new(TimedBody::new(body, rules)));
        req.extensions_mut().insert(ConnectInfo(peer));
        let in_flight = activity.begin();
        let response = router.clone().oneshot(req);
        async move {
            let response = response.await?;
            Ok(response.map(|body| {
                Body::new(body.map_frame(move |frame| {
                    let _ = &in_flight;
                    frame
                }))
            }))
        }
    })
}
