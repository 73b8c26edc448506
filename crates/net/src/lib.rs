//! scorejar-net: the outbound HTTP client of scorejar (media downloads, webhooks, remote
//! engines). Its job is to make SSRF impossible.
//!
//! How: a URL is (1) syntax-checked (`check_url_syntax`), (2) its host judged by name
//! (`localhost`, `*.internal`) and by address — whatever numeric form it was written in —
//! (3) resolved once, every address required to be public (`addr`), unless the operator
//! allow-listed the host (`NetPolicy`), and (4) fetched over a connection pinned to exactly
//! those addresses, so DNS rebinding has no second lookup to hijack. Redirects are followed
//! by hand and each Location goes through the same steps. Bodies are always read with a byte
//! limit.
//!
//! Module map: `url_check` (pure URL/host-name checks), `numeric_host` (inet_aton forms),
//! `addr` (address classification), `policy` (allow-list), `resolve` (resolver trait and
//! vetting), `client` (pinned requests, redirects), `request` (request/response types,
//! bounded bodies), `fetch` (preflight, download_to), `retry_after` (a 429's wait), `error`.

mod addr;
mod client;
mod error;
mod fetch;
mod numeric_host;
mod policy;
mod request;
mod resolve;
pub mod retry_after;
mod url_check;

pub use addr::{is_public_ip, non_public_reason};
pub use client::{SafeClient, Timeouts, MAX_REDIRECTS};
pub use error::NetError;
pub use fetch::{Preflight, PREFLIGHT_BYTES};
pub use policy::NetPolicy;
pub use request::{SafeRequest, SafeResponse};
pub use resolve::{CheckedTarget, HostResolver, SystemResolver};
pub use url_check::check_url_syntax;

/// Re-exported so callers need no direct reqwest/url dependency to build requests.
pub use reqwest::header;
pub use reqwest::{Method, StatusCode};
pub use url::Url;
