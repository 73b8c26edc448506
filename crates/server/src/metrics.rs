//! Metrics in Prometheus's text format at `GET /metrics`, through the `metrics` facade (every
//! crate records with `metrics::counter!` and friends; this module installs the one recorder
//! of the process and renders it). The route asks for `metrics_token` as a bearer token and
//! does not exist while none is configured.
//!
//! Recorded here: HTTP requests by route pattern, method and status, with a latency
//! histogram. At each scrape, the job queue's backlog by kind and status is read from the
//! database (one query), so every process shows the same queue, and the PostgreSQL pool's use.
//! Recorded elsewhere: credits charged by uploads (the upload route) and settled or refunded
//! by jobs, job attempts, their run time and how long a job waited to be claimed
//! (`scorejar-worker`), transcription's audio seconds and speed, language-model tokens,
//! latency and cost, webhook deliveries (their handlers).

use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// One scrape at a time per process: the gauges read from the database are the process's
/// (one recorder), so two scrapes at once — of one database or, in a test binary, of two —
/// could each render the other's figures.
static SCRAPING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Seconds: from a millisecond to a minute, for request latency and job run time.
const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

/// Installs the process's recorder (once; later calls return the same handle).
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(SECONDS_BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder already installed (a test binary's second server): keep recording
        // into it; this handle then renders only what reaches ours, which is nothing.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Counts and times every request by its route pattern (never the raw path: ids would make a
/// series per interaction).
pub async fn record_requests(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("scorejar_http_requests_total", "route" => route.clone(),
        "method" => method.clone(), "status" => status)
    .increment(1);
    metrics::histogram!("scorejar_http_request_duration_seconds", "route" => route,
        "method" => method)
    .record(started.elapsed().as_secs_f64());
    response
}

/// True when the request carries `token` as its bearer token. The digests are compared, not
/// the texts, so how long the comparison takes says nothing about the token.
fn bearer_is(headers: &HeaderMap, token: &str) -> bool {
    use sha2::{Digest, Sha256};
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    Sha256::digest(presented.as_bytes()) == Sha256::digest(token.as_bytes())
}

/// `GET /metrics`.
pub async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let token = state.settings.metrics_token.as_str();
    if token.is_empty() {
        return StatusCode::NOT_FOUND.into_response();
    }
    if !bearer_is(&headers, token) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    }
    let _one_at_a_time = SCRAPING.lock().await;
    match state.store.job_backlog().await {
        Ok(backlog) => {
            // Every kind and status, so a backlog that empties shows 0 rather than its last size.
            for kind in scorejar_core::jobs::KINDS {
                for status in ["QUEUED", "RUNNING", "FAILED"] {
                    let count = backlog
                        .get(&(kind.to_owned(), status.to_owned()))
                        .copied()
                        .unwrap_or(0);
                    metrics::gauge!("scorejar_jobs", "kind" => kind, "status" => status)
                        .set(count as f64);
                }
            }
        }
        Err(error) => tracing::warn!(%error, "reading the job backlog for /metrics"),
    }
    if let Some((open, idle)) = state.store.pool_use() {
        metrics::gauge!("scorejar_db_pool_connections", "state" => "open").set(f64::from(open));
        metrics::gauge!("scorejar_db_pool_connections", "state" => "idle").set(f64::from(idle));
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        install().render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn only_the_configured_bearer_token_passes() {
        let cases = [
            (Some("Bearer s3cret-token"), true),
            (Some("Bearer s3cret-tokeN"), false),
            (Some("Bearer s3cret"), false),
            (Some("bearer s3cret-token"), false),
            (Some("s3cret-token"), false),
            (None, false),
        ];
        for (value, expected) in cases {
            let mut headers = HeaderMap::new();
            if let Some(value) = value {
                headers.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
            }
            assert_eq!(bearer_is(&headers, "s3cret-token"), expected, "{value:?}");
        }
    }
}
