//! URL checks that need neither the network nor a policy.
//!
//! Rules: pure functions. `check_url_syntax` refuses what no outbound request may carry
//! (other schemes, userinfo, control characters, absurd host names). `target_host` says what
//! the host *means* (an IP literal, whatever form it was written in, or a DNS name), and
//! `blocked_name_reason` holds the names that are internal by definition. The `url` crate's
//! WHATWG parser is the source of truth for what reqwest will connect to, so we judge its
//! parsed host, not the raw text.

use std::net::IpAddr;

use url::{Host, Url};

use crate::numeric_host::{looks_numeric, parse_inet_aton};
use crate::NetError;

/// Longest DNS name (RFC 1035), without the trailing root dot.
pub(crate) const MAX_HOSTNAME_LEN: usize = 253;

/// Parses `raw` and refuses anything that is not a plain http(s) URL with a host: other
/// schemes, credentials (`user:pass@`), control characters (CR/LF and friends, which the
/// WHATWG parser would silently strip), host names over 253 characters. Makes no network
/// call and consults no policy: the host may still be blocked later (see
/// [`crate::NetPolicy::check_url`]).
pub fn check_url_syntax(raw: &str) -> Result<Url, NetError> {
    if let Some(bad) = raw.chars().find(|c| c.is_control()) {
        let what = match bad {
            '\r' => "CR".to_string(),
            '\n' => "LF".to_string(),
            other => format!("U+{:04X}", u32::from(other)),
        };
        return Err(NetError::InvalidUrl(format!(
            "control character {what} in URL"
        )));
    }
    let url = Url::parse(raw).map_err(parse_error)?;
    check_parsed(&url)?;
    Ok(url)
}

/// Maps a `url` parse error. A host that looks like an IPv4 address but is not a valid one
/// is refused as a target (`Blocked`): it must never be mistaken for a DNS name.
pub(crate) fn parse_error(err: url::ParseError) -> NetError {
    match err {
        url::ParseError::InvalidIpv4Address => {
            NetError::Blocked("host looks numeric but is not a valid IPv4 address".to_string())
        }
        other => NetError::InvalidUrl(other.to_string()),
    }
}

/// The checks of [`check_url_syntax`] that apply to an already parsed URL (redirect targets
/// are joined onto the previous URL, then come through here).
pub(crate) fn check_parsed(url: &Url) -> Result<(), NetError> {
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(NetError::InvalidUrl(format!(
                "scheme {other:?} is not allowed (http and https only)"
            )))
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(NetError::InvalidUrl(
            "credentials (userinfo) in URL are not allowed".to_string(),
        ));
    }
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| NetError::InvalidUrl("URL has no host".to_string()))?;
    if host.trim_end_matches('.').len() > MAX_HOSTNAME_LEN {
        return Err(NetError::InvalidUrl(format!(
            "host name longer than {MAX_HOSTNAME_LEN} characters"
        )));
    }
    Ok(())
}

/// What a URL's host designates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TargetHost {
    /// An address written literally, in whatever numeric form.
    Ip(IpAddr),
    /// A DNS name (lowercase, as the `url` crate normalised it; may end with a dot).
    Domain(String),
}

/// What the host of a checked URL designates. A domain that looks numeric (which `url` should
/// already have turned into an address) is parsed with our own inet_aton reader; if even that
/// fails it is refused, so a numeric-looking string never reaches a system resolver.
pub(crate) fn target_host(url: &Url) -> Result<TargetHost, NetError> {
    match url.host() {
        Some(Host::Ipv4(v4)) => Ok(TargetHost::Ip(IpAddr::V4(v4))),
        Some(Host::Ipv6(v6)) => Ok(TargetHost::Ip(IpAddr::V6(v6))),
        Some(Host::Domain(name)) if looks_numeric(name) => match parse_inet_aton(name) {
            Some(v4) => Ok(TargetHost::Ip(IpAddr::V4(v4))),
            None => Err(NetError::Blocked(format!(
                "host {name:?} looks numeric but is not a valid address"
            ))),
        },
        Some(Host::Domain(name)) => Ok(TargetHost::Domain(name.to_ascii_lowercase())),
        None => Err(NetError::InvalidUrl("URL has no host".to_string())),
    }
}

/// Why a DNS name is internal by definition (`localhost`, `*.localhost`, `*.internal`),
/// or `None`. Case-insensitive; trailing dots are ignored.
pub(crate) fn blocked_name_reason(name: &str) -> Option<&'static str> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        Some("localhost names are reserved for this machine")
    } else if name == "internal" || name.ends_with(".internal") {
        Some(".internal names are private by definition (cloud metadata, VPC DNS)")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_table() {
        let long_host = format!("{}.com", "a".repeat(250));
        let max_host = format!("{}.com", "a".repeat(249));
        // (url, accepted?)
        let cases: Vec<(String, bool)> = vec![
            ("http://example.com/a.wav".into(), true),
            ("https://example.com:8443/a?b=c".into(), true),
            ("HTTPS://EXAMPLE.COM/".into(), true),
            ("ftp://example.com/a.wav".into(), false),
            ("file:///etc/passwd".into(), false),
            ("gopher://example.com/".into(), false),
            ("javascript:alert(1)".into(), false),
            ("data:text/plain,hi".into(), false),
            ("http://user:pass@example.com/".into(), false),
            ("http://user@example.com/".into(), false),
            ("http://:pass@example.com/".into(), false),
            ("http://example.com/a\r\nX-Evil: 1".into(), false),
            ("http://example.com/\n".into(), false),
            ("http://exa\rmple.com/".into(), false),
            ("http://example.com/\t".into(), false),
            ("http:///path".into(), true), // WHATWG reads "path" as the host
            ("http://".into(), false),
            ("not a url".into(), false),
            ("/relative/path".into(), false),
            (format!("http://{long_host}/"), false),
            (format!("http://{max_host}/"), true),
            (format!("http://{max_host}./"), true),
        ];
        for (url, accepted) in cases {
            assert_eq!(check_url_syntax(&url).is_ok(), accepted, "{url:?}");
        }
    }

    #[test]
    fn blocked_names_table() {
        let cases = [
            ("localhost", true),
            ("LOCALHOST", true),
            ("localhost.", true),
            ("foo.localhost", true),
            ("a.b.LocalHost.", true),
            ("metadata.google.internal", true),
            ("svc.INTERNAL.", true),
            ("internal", true),
            ("localhost.example.com", false),
            ("notlocalhost", false),
            ("internal.example.com", false),
            ("example.internals", false),
            ("example.com", false),
        ];
        for (name, blocked) in cases {
            assert_eq!(blocked_name_reason(name).is_some(), blocked, "{name}");
        }
    }

    #[test]
    fn numeric_domains_map_to_addresses() {
        let cases = [
            ("http://2130706433/", "127.0.0.1"),
            ("http://0x7f000001/", "127.0.0.1"),
            ("http://0177.0.0.1/", "127.0.0.1"),
            ("http://017700000001/", "127.0.0.1"),
            ("http://127.1/", "127.0.0.1"),
            ("http://127.0.1/", "127.0.0.1"),
            ("http://0x7f.1/", "127.0.0.1"),
            ("http://[::1]/", "::1"),
            ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
        ];
        for (url, ip) in cases {
            let parsed = check_url_syntax(url).unwrap();
            assert_eq!(
                target_host(&parsed).unwrap(),
                TargetHost::Ip(ip.parse().unwrap()),
                "{url}"
            );
        }
    }
}
