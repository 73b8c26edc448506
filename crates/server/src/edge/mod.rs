//! The HTTP edge: what protects the server before a handler runs.
//!
//! - `serve`: the accept loop with header, keep-alive and body timeouts (`body_timeout`) and
//!   each connection's idle timer (`idle`, which HTTP/2 needs).
//! - `rate_limit`: per-token and per-address token buckets (`limiter`, `client_ip`).
//! - `protect`: request deadline, concurrency cap with load shedding.
//! - `nul`: the NUL rule for path and query parameters.
//! - `envelope`: any 4xx/5xx the router answers without JSON (405, rejections) gets the envelope;
//!   `raw_errors` does the same for hyper's own answers to unparseable requests.
//!
//! Settings: `config::HttpSettings`; defaults and reasons: `docs/security.md`.

pub mod body_timeout;
pub mod client_ip;
pub mod envelope;
pub mod idle;
pub mod limiter;
pub mod nul;
pub mod protect;
pub mod rate_limit;
pub mod raw_errors;
pub mod serve;
