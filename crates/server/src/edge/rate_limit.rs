//! Per-credential and per-address request limits, checked before routing, authentication or
//! reading a body, so a refused request costs next to nothing. 429 `rate_limited` with
//! `Retry-After`.
//!
//! The credential key is a hash of the `Authorization` header's token, whatever kind it is and
//! whether or not it is valid (checking validity would cost a store read before the limit):
//! a client cycling made-up tokens is held by the per-address limit instead.

use super::client_ip::client_ip;
use super::limiter::KeyedLimiter;
use crate::config::HttpSettings;
use crate::error::AppError;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use scorejar_core::ApiError;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

pub struct RequestLimits {
    per_token: Option<KeyedLimiter<[u8; 32]>>,
    per_ip: Option<KeyedLimiter<IpAddr>>,
    client_ip_header: String,
}

impl RequestLimits {
    pub fn new(http: &HttpSettings) -> Self {
        let r = &http.rate_limit;
        let second = Duration::from_secs(1);
        Self {
            per_token: KeyedLimiter::new(r.per_token_per_sec, r.per_token_burst, second),
            per_ip: KeyedLimiter::new(r.per_ip_per_sec, r.per_ip_burst, second),
            client_ip_header: http.client_ip_header.to_ascii_lowercase(),
        }
    }
}

fn token_key(req: &Request) -> Option<[u8; 32]> {
    let value = req.headers().get(AUTHORIZATION)?.as_bytes();
    let token = value.strip_prefix(b"Bearer ").unwrap_or(value);
    Some(Sha256::digest(token).into())
}

/// Middleware: refuses a request over its credential's or its address's limit.
pub async fn limit_requests(
    State(limits): State<Arc<RequestLimits>>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    if let (Some(limiter), Some(ip)) = (&limits.per_ip, client_ip(&parts, &limits.client_ip_header))
    {
        if let Err(wait) = limiter.check(&ip) {
            return refuse("this address", wait);
        }
    }
    let req = Request::from_parts(parts, body);
    if let (Some(limiter), Some(key)) = (&limits.per_token, token_key(&req)) {
        if let Err(wait) = limiter.check(&key) {
            return refuse("this token", wait);
        }
    }
    next.run(req).await
}

fn refuse(whom: &str, wait: u64) -> Response {
    AppError(ApiError::too_many_requests(
        format!("too many requests from {whom}; retry in {wait} s"),
        wait,
    ))
    .into_response()
}
