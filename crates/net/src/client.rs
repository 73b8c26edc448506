//! `SafeClient`: the only way scorejar talks to URLs it was given.
//!
//! Rules:
//! - every hop (first URL and each redirect) goes through the same syntax check, allow-list,
//!   name and address vetting (`resolve::vet`);
//! - each hop goes through a reqwest client whose DNS is pinned to the vetted addresses
//!   (`resolve_to_addrs`) and whose fallback resolver refuses every name, so reqwest can never
//!   perform a second, unchecked lookup; proxies from the environment are ignored (a proxy
//!   would resolve names itself). Such clients are kept per target — scheme, host, port and
//!   the exact set of vetted addresses — so their kept-alive connections serve only requests
//!   whose fresh check came to the same addresses (webhook deliveries to one receiver reuse
//!   them; a host that now resolves elsewhere gets a new client);
//! - redirects are followed by hand, at most `MAX_REDIRECTS`: 301/302/303 turn a non-GET/HEAD
//!   into a body-less GET (browser convention), 307/308 resend method and body;
//!   credentials headers are dropped when the origin changes;
//! - content decoding is off so sizes are the sizes on the wire.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{
    HeaderMap, AUTHORIZATION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, LOCATION,
    PROXY_AUTHORIZATION,
};
use reqwest::{redirect, Method, StatusCode};
use url::Url;

use crate::request::{SafeRequest, SafeResponse};
use crate::resolve::{vet, CheckedTarget, HostResolver, SystemResolver};
use crate::url_check::{check_parsed, check_url_syntax, parse_error};
use crate::{NetError, NetPolicy};

/// How many redirects one request may follow.
pub const MAX_REDIRECTS: usize = 5;

/// Timeouts. `connect` and `read` bound each wait: `read` is an idle timeout, the longest
/// wait for the next bytes of the response (headers or body). The deadlines bound a whole
/// operation, redirects and body included, so a server trickling a byte just inside `read`
/// cannot hold a caller forever: the upload-time `preflight` is short (a client is waiting),
/// a `download_to` long (large media on a slow link).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP + TLS connect, and also the DNS lookup.
    pub connect: Duration,
    pub read: Duration,
    /// The whole of one `preflight`.
    pub preflight_deadline: Duration,
    /// The whole of one `download_to`.
    pub download_deadline: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(30),
            preflight_deadline: Duration::from_secs(20),
            download_deadline: Duration::from_secs(60 * 60),
        }
    }
}

/// Outbound HTTP client that cannot be pointed at internal addresses.
#[derive(Clone)]
pub struct SafeClient {
    policy: NetPolicy,
    timeouts: Timeouts,
    resolver: Arc<dyn HostResolver>,
    pinned: Arc<Mutex<HashMap<PinKey, reqwest::Client>>>,
}

/// What a pinned client may serve: one origin at exactly these vetted addresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PinKey {
    scheme: String,
    host: String,
    port: Option<u16>,
    addrs: Vec<SocketAddr>,
}

/// Pinned clients kept at most; past it the cache starts over (targets are few in practice:
/// the receivers of one account's webhooks, a recording server).
const MAX_PINNED_CLIENTS: usize = 256;

impl std::fmt::Debug for SafeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafeClient")
            .field("policy", &self.policy)
            .field("timeouts", &self.timeouts)
            .finish_non_exhaustive()
    }
}

impl SafeClient {
    /// A client with the system resolver and default timeouts (10 s connect, 30 s read).
    pub fn new(policy: NetPolicy) -> Self {
        SafeClient {
            policy,
            timeouts: Timeouts::default(),
            resolver: Arc::new(SystemResolver),
            pinned: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self.pinned = Arc::new(Mutex::new(HashMap::new()));
        self
    }

    /// The pinned client for `target`, built once per origin and address set.
    fn pinned_client(&self, target: &CheckedTarget) -> Result<reqwest::Client, NetError> {
        let url = target.url();
        let mut addrs = target.addrs().to_vec();
        addrs.sort();
        let key = PinKey {
            scheme: url.scheme().to_owned(),
            host: url.host_str().unwrap_or_default().to_owned(),
            port: url.port_or_known_default(),
            addrs,
        };
        if let Some(client) = self.pinned.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(client);
        }
        let client = pinned_client(target, self.timeouts)?;
        if let Ok(mut cache) = self.pinned.lock() {
            if cache.len() >= MAX_PINNED_CLIENTS {
                cache.clear();
            }
            cache.insert(key, client.clone());
        }
        Ok(client)
    }

    /// Replaces the resolver used to vet names (tests map names without real DNS).
    pub fn with_resolver(mut self, resolver: Arc<dyn HostResolver>) -> Self {
        self.resolver = resolver;
        self
    }

    pub fn policy(&self) -> &NetPolicy {
        &self.policy
    }

    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// Checks `url`, resolves its host once and vets every address (see `resolve.rs`).
    pub async fn resolve_checked(&self, url: &str) -> Result<CheckedTarget, NetError> {
        let url = check_url_syntax(url)?;
        vet(
            url,
            &self.policy,
            self.resolver.as_ref(),
            self.timeouts.connect,
        )
        .await
    }

    /// Sends `request`, following redirects under the rules in the module docs. Returns the
    /// final response whatever its status (use [`SafeResponse::error_for_status`]). Only
    /// 301/302/303/307/308 with a `Location` are followed; any other 3xx is returned as is.
    pub async fn send(&self, request: SafeRequest) -> Result<SafeResponse, NetError> {
        let SafeRequest {
            mut method,
            url,
            mut headers,
            mut body,
            timeout,
            follow_redirects,
        } = request;
        let mut target = self.resolve_checked(&url).await?;
        for hop in 0..=MAX_REDIRECTS {
            let client = self.pinned_client(&target)?;
            let response =
                send_once(&client, &target, &method, &headers, body.clone(), timeout).await?;
            let status = response.status();
            let location = match redirect_location(status, response.headers()) {
                Some(location) if follow_redirects => location,
                _ => return Ok(SafeResponse::new(target.url().clone(), response)),
            };
            if hop == MAX_REDIRECTS {
                return Err(NetError::TooManyRedirects);
            }
            let next = next_url(target.url(), location?)?;
            if !same_origin(target.url(), &next) {
                for name in [AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION] {
                    headers.remove(name);
                }
            }
            if rewrites_to_get(status, &method) {
                method = Method::GET;
                body = None;
                for name in [CONTENT_LENGTH, CONTENT_TYPE, CONTENT_ENCODING] {
                    headers.remove(name);
                }
            }
            target = vet(
                next,
                &self.policy,
                self.resolver.as_ref(),
                self.timeouts.connect,
            )
            .await?;
        }
        Err(NetError::TooManyRedirects)
    }
}

/// One request to one vetted target, on a client that can only reach its addresses.
async fn send_once(
    client: &reqwest::Client,
    target: &CheckedTarget,
    method: &Method,
    headers: &HeaderMap,
    body: Option<bytes::Bytes>,
    timeout: Option<Duration>,
) -> Result<reqwest::Response, NetError> {
    let mut builder = client
        .request(method.clone(), target.url().clone())
        .headers(headers.clone());
    if let Some(body) = body {
        builder = builder.body(body);
    }
    if let Some(timeout) = timeout {
        builder = builder.timeout(timeout);
    }
    Ok(builder.send().await?)
}

fn pinned_client(target: &CheckedTarget, timeouts: Timeouts) -> Result<reqwest::Client, NetError> {
    let mut builder = reqwest::Client::builder()
        .redirect(redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(RefuseAllNames))
        .connect_timeout(timeouts.connect)
        .read_timeout(timeouts.read)
        .pool_max_idle_per_host(32)
        .pool_idle_timeout(Duration::from_secs(30))
        .no_gzip()
        .no_brotli()
        .no_deflate()
        .no_zstd()
        .user_agent(concat!("scorejar/", env!("CARGO_PKG_VERSION")));
    if let Some(name) = target.pinned_name() {
        builder = builder.resolve_to_addrs(name, target.addrs());
    }
    builder
        .build()
        .map_err(|e| NetError::Http(format!("building HTTP client: {e}")))
}

/// The fallback resolver of pinned clients: any name not pinned is an error, never a lookup.
struct RefuseAllNames;

impl Resolve for RefuseAllNames {
    fn resolve(&self, name: Name) -> Resolving {
        let message = format!("refusing unvetted DNS lookup of {}", name.as_str());
        Box::pin(std::future::ready(Err::<Addrs, _>(message.into())))
    }
}

/// The Location of a redirect we follow, or `None` when the response is final.
fn redirect_location(status: StatusCode, headers: &HeaderMap) -> Option<Result<&str, NetError>> {
    let follows = matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308);
    if !follows {
        return None;
    }
    let value = headers.get(LOCATION)?;
    Some(
        value
            .to_str()
            .map_err(|_| NetError::InvalidUrl("redirect Location is not ASCII".to_string())),
    )
}

/// Resolves a (possibly relative) Location against the current URL and re-checks it.
fn next_url(current: &Url, location: &str) -> Result<Url, NetError> {
    if location.chars().any(|c| c.is_control()) {
        return Err(NetError::InvalidUrl(
            "control character in redirect Location".to_string(),
        ));
    }
    let next = current.join(location).map_err(parse_error)?;
    check_parsed(&next)?;
    Ok(next)
}

fn rewrites_to_get(status: StatusCode, method: &Method) -> bool {
    let code = status.as_u16();
    let keeps_method = *method == Method::GET || *method == Method::HEAD;
    !keeps_method && matches!(code, 301..=303)
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}
