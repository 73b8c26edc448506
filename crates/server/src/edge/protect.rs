//! Whole-request protection as tower layers: a deadline for the routes that should answer
//! quickly, and a cap on requests in flight that sheds the excess at once (503 + `Retry-After`)
//! rather than queueing it until every client times out.

use crate::error::AppError;
use axum::error_handling::HandleErrorLayer;
use axum::response::{IntoResponse, Response};
use axum::Router;
use scorejar_core::ApiError;
use std::time::Duration;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::{BoxError, ServiceBuilder};

/// What a client is told when the server sheds its request.
const SHED_RETRY_AFTER_SECS: u64 = 1;

/// `router` with every request answered within `secs` (0: no deadline).
pub fn with_deadline<S: Clone + Send + Sync + 'static>(router: Router<S>, secs: u64) -> Router<S> {
    if secs == 0 {
        return router;
    }
    router.layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(|_: BoxError| async {
                AppError(
                    ApiError::new(503, "timeout", "the request took too long; retry shortly")
                        .with_retry_after(SHED_RETRY_AFTER_SECS),
                )
            }))
            .timeout(Duration::from_secs(secs)),
    )
}

/// `router` handling at most `max` requests at once; the rest get 503 `overloaded` at once.
pub fn with_load_shedding<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    max: usize,
) -> Router<S> {
    if max == 0 {
        return router;
    }
    router.layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(|_: BoxError| async { overloaded() }))
            .load_shed()
            // Global: `Router::layer` builds the layer once per route, and a plain
            // concurrency limit would then count each route on its own.
            .layer(GlobalConcurrencyLimitLayer::new(max)),
    )
}

fn overloaded() -> Response {
    AppError(
        ApiError::new(
            503,
            "overloaded",
            "the server is at capacity; retry shortly",
        )
        .with_retry_after(SHED_RETRY_AFTER_SECS),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use tower::ServiceExt;

    /// A handler slower than the deadline gets the 503 `timeout` answer, not its own.
    /// Paused time: the clock jumps, nothing really waits.
    #[tokio::test(start_paused = true)]
    async fn a_request_past_its_deadline_is_a_503() {
        let slow = Router::new().route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(31)).await;
                "finished"
            }),
        );
        let answer = with_deadline(slow, 30)
            .oneshot(Request::get("/slow").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(answer.status(), 503);
        assert_eq!(answer.headers()["retry-after"], "1");
        let body = axum::body::to_bytes(answer.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["code"], "timeout");
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_within_its_deadline_is_answered() {
        let quick = Router::new().route(
            "/quick",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(29)).await;
                "finished"
            }),
        );
        let answer = with_deadline(quick, 30)
            .oneshot(Request::get("/quick").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
    }
}
