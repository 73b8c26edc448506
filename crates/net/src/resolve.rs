//! Name resolution and vetting: turns a URL into a `CheckedTarget` whose addresses may be
//! connected to.
//!
//! Rules: one lookup per URL, and every address it returns must be public (unless the host
//! is allow-listed) — a single private address among public ones rejects the whole host,
//! because the connector could pick any of them. The vetted addresses are then the ONLY
//! ones the request may use (see `client.rs`), which is what defeats DNS rebinding. The
//! resolver is a trait so tests can map names to addresses without touching real DNS.

use std::net::SocketAddr;
use std::time::Duration;

use async_trait::async_trait;
use url::Url;

use crate::policy::{check_address, check_host_without_dns, effective_port, NetPolicy};
use crate::url_check::{target_host, TargetHost};
use crate::NetError;

/// Resolves a DNS name to socket addresses. Implementations return every address the name
/// has; the port of the returned addresses is ignored (the URL's port is used).
#[async_trait]
pub trait HostResolver: Send + Sync {
    async fn lookup(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, NetError>;
}

/// The operating system's resolver, through `tokio::net::lookup_host`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

#[async_trait]
impl HostResolver for SystemResolver {
    async fn lookup(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, NetError> {
        let addrs = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| NetError::Dns(format!("{host}: {e}")))?;
        Ok(addrs.collect())
    }
}

/// A URL whose host has been resolved once and vetted, with the addresses it may use.
/// Only [`crate::SafeClient::resolve_checked`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedTarget {
    url: Url,
    addrs: Vec<SocketAddr>,
    allow_listed: bool,
}

impl CheckedTarget {
    /// The vetted URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The addresses a request to this URL will be pinned to.
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// True when the host matched the operator's allow-list (address checks skipped).
    pub fn allow_listed(&self) -> bool {
        self.allow_listed
    }

    /// The DNS name to pin, or `None` when the URL names an IP literal (nothing to resolve).
    pub(crate) fn pinned_name(&self) -> Option<&str> {
        match self.url.host() {
            Some(url::Host::Domain(name)) => Some(name),
            _ => None,
        }
    }
}

/// Resolves and vets an already syntax-checked URL.
pub(crate) async fn vet(
    url: Url,
    policy: &NetPolicy,
    resolver: &dyn HostResolver,
    lookup_timeout: Duration,
) -> Result<CheckedTarget, NetError> {
    let host = target_host(&url)?;
    let port = effective_port(&url)?;
    let allow_listed = policy.allows(&host, port);
    if !allow_listed {
        check_host_without_dns(&host)?;
    }
    let addrs = match &host {
        TargetHost::Ip(ip) => vec![SocketAddr::new(*ip, port)],
        TargetHost::Domain(name) => {
            let found = tokio::time::timeout(lookup_timeout, resolver.lookup(name, port))
                .await
                .map_err(|_| NetError::Timeout)??;
            if found.is_empty() {
                return Err(NetError::Dns(format!("{name}: no addresses")));
            }
            if !allow_listed {
                for addr in &found {
                    check_address(Some(name), addr.ip())?;
                }
            }
            found
                .into_iter()
                .map(|addr| SocketAddr::new(addr.ip(), port))
                .collect()
        }
    };
    Ok(CheckedTarget {
        url,
        addrs,
        allow_listed,
    })
}
