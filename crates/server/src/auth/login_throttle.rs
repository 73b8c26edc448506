//! Login throttling: attempts per e-mail address and per client address, counted whether or
//! not the address belongs to a user and whether or not the password is right — so the answer
//! (429 or not) says nothing about which e-mails exist. Per e-mail holds a guesser who spreads
//! over many addresses; per address holds one who tries many e-mails.

use crate::config::HttpSettings;
use crate::edge::client_ip::client_ip;
use crate::edge::limiter::KeyedLimiter;
use axum::http::request::Parts;
use scorejar_core::ApiError;
use std::net::IpAddr;
use std::time::Duration;

pub struct LoginThrottle {
    per_email: Option<KeyedLimiter<String>>,
    per_ip: Option<KeyedLimiter<IpAddr>>,
    client_ip_header: String,
}

impl LoginThrottle {
    pub fn new(http: &HttpSettings) -> Self {
        let r = &http.rate_limit;
        let minute = Duration::from_secs(60);
        Self {
            per_email: KeyedLimiter::new(
                r.login_per_email_per_min,
                r.login_per_email_burst,
                minute,
            ),
            per_ip: KeyedLimiter::new(r.login_per_ip_per_min, r.login_per_ip_burst, minute),
            client_ip_header: http.client_ip_header.to_ascii_lowercase(),
        }
    }

    /// The client address this request is counted under.
    pub fn client(&self, parts: &Parts) -> Option<IpAddr> {
        client_ip(parts, &self.client_ip_header)
    }

    /// 429 with `Retry-After` once `email` or `ip` has used up its attempts.
    pub fn check(&self, email: &str, ip: Option<IpAddr>) -> Result<(), ApiError> {
        if let (Some(limiter), Some(ip)) = (&self.per_ip, ip) {
            limiter.check(&ip).map_err(refuse)?;
        }
        if let Some(limiter) = &self.per_email {
            // Case and surrounding blanks do not make another account.
            limiter
                .check(&email.trim().to_lowercase())
                .map_err(refuse)?;
        }
        Ok(())
    }
}

fn refuse(wait: u64) -> ApiError {
    ApiError::too_many_requests(format!("too many login attempts; retry in {wait} s"), wait)
}
