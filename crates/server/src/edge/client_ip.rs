//! The client's address, for per-address limits: the TCP peer, or — behind a reverse proxy
//! named in `http.client_ip_header` — the last entry of that header (the one the proxy added;
//! earlier entries are the client's own word). IPv6 clients are grouped by /64, the block one
//! subscriber usually holds, so that hopping addresses within it does not escape the limit.

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// The key a client's address is limited under; `None` when the request carries none.
pub fn client_ip(parts: &Parts, header: &str) -> Option<IpAddr> {
    let from_header = (!header.is_empty())
        .then(|| parts.headers.get(header))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse::<IpAddr>().ok());
    let ip = from_header.or_else(|| {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
    })?;
    Some(match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(header: Option<&str>, peer: &str) -> Parts {
        let mut req = axum::http::Request::builder();
        if let Some(h) = header {
            req = req.header("x-forwarded-for", h);
        }
        let mut req = req.body(()).unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        req.into_parts().0
    }

    #[test]
    fn peer_or_the_proxys_entry() {
        let p = parts(Some("1.1.1.1, 2.2.2.2"), "10.0.0.1:5");
        assert_eq!(client_ip(&p, ""), Some("10.0.0.1".parse().unwrap()));
        assert_eq!(
            client_ip(&p, "x-forwarded-for"),
            Some("2.2.2.2".parse().unwrap())
        );
        let p = parts(Some("garbage"), "10.0.0.1:5");
        assert_eq!(
            client_ip(&p, "x-forwarded-for"),
            Some("10.0.0.1".parse().unwrap())
        );
        let p = parts(None, "[2001:db8:1:2:3:4:5:6]:5");
        assert_eq!(client_ip(&p, ""), Some("2001:db8:1:2::".parse().unwrap()));
    }
}
