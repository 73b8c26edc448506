//! The operator's allow-list of internal hosts, and the network-free URL check built on it.
//!
//! Rules: the allow-list is the ONLY way to reach a non-public host. An entry is `host` or
//! `host:port` (`recordings.corp`, `127.0.0.1:8089`, `[::1]:9000`); a match skips the name
//! and address checks for that host (and that port only, when one is given). Everything else
//! (scheme, userinfo, control characters) is checked even for allowed hosts. Matching is
//! exact: no wildcards, case-insensitive, trailing dots ignored; an IP entry matches the
//! same address however the URL spells it.

use std::net::IpAddr;

use url::Url;

use crate::addr::non_public_reason;
use crate::url_check::{blocked_name_reason, check_url_syntax, target_host, TargetHost};
use crate::NetError;

/// Which internal hosts operators explicitly allow. The default (empty) allows none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetPolicy {
    /// `host` or `host:port` entries; see the module docs.
    pub allowed_internal_hosts: Vec<String>,
}

/// One parsed allow-list entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AllowEntry {
    host: TargetHost,
    port: Option<u16>,
}

impl NetPolicy {
    /// A policy allowing exactly these internal hosts.
    pub fn allowing<I, S>(hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        NetPolicy {
            allowed_internal_hosts: hosts.into_iter().map(Into::into).collect(),
        }
    }

    /// Checks every entry parses; meant for config loading. An invalid entry never matches
    /// anything, so skipping this is safe, just less helpful.
    pub fn validate(&self) -> Result<(), NetError> {
        for entry in &self.allowed_internal_hosts {
            parse_entry(entry)?;
        }
        Ok(())
    }

    /// True when `host` (with `port`, the URL's effective port) is on the allow-list.
    pub(crate) fn allows(&self, host: &TargetHost, port: u16) -> bool {
        self.allowed_internal_hosts
            .iter()
            .filter_map(|raw| parse_entry(raw).ok())
            .any(|entry| host_matches(&entry.host, host) && entry.port.is_none_or(|p| p == port))
    }

    /// Everything that can be checked without the network: the syntax checks of
    /// [`check_url_syntax`], then, unless the host is allow-listed, the internal-name list
    /// and the address check for IP literals (every numeric form). Use at upload time to
    /// refuse obviously internal URLs early; DNS names are only vetted at fetch time.
    pub fn check_url(&self, raw: &str) -> Result<Url, NetError> {
        let url = check_url_syntax(raw)?;
        let host = target_host(&url)?;
        let port = effective_port(&url)?;
        if !self.allows(&host, port) {
            check_host_without_dns(&host)?;
        }
        Ok(url)
    }
}

/// The port a connection to `url` would use.
pub(crate) fn effective_port(url: &Url) -> Result<u16, NetError> {
    url.port_or_known_default()
        .ok_or_else(|| NetError::InvalidUrl("URL has no port and no known default".to_string()))
}

/// Name and literal-address checks for a host that is not allow-listed.
pub(crate) fn check_host_without_dns(host: &TargetHost) -> Result<(), NetError> {
    match host {
        TargetHost::Ip(ip) => check_address(None, *ip),
        TargetHost::Domain(name) => match blocked_name_reason(name) {
            Some(why) => Err(NetError::Blocked(format!("host {name}: {why}"))),
            None => Ok(()),
        },
    }
}

/// Refuses a non-public address; `name` is the DNS name it came from, if any.
pub(crate) fn check_address(name: Option<&str>, ip: IpAddr) -> Result<(), NetError> {
    match (non_public_reason(ip), name) {
        (None, _) => Ok(()),
        (Some(why), Some(name)) => Err(NetError::Blocked(format!(
            "host {name} resolves to {ip}, which is in {why}"
        ))),
        (Some(why), None) => Err(NetError::Blocked(format!("address {ip} is in {why}"))),
    }
}

fn host_matches(entry: &TargetHost, target: &TargetHost) -> bool {
    match (entry, target) {
        (TargetHost::Ip(a), TargetHost::Ip(b)) => a == b,
        (TargetHost::Domain(a), TargetHost::Domain(b)) => {
            a.trim_end_matches('.') == b.trim_end_matches('.').to_ascii_lowercase()
        }
        _ => false,
    }
}

fn parse_entry(raw: &str) -> Result<AllowEntry, NetError> {
    let invalid = |why: &str| NetError::InvalidUrl(format!("allow-list entry {raw:?}: {why}"));
    let raw_trimmed = raw.trim();
    if raw_trimmed.is_empty() || raw_trimmed.contains(['/', '@', ' ', '*']) {
        return Err(invalid("expected host or host:port"));
    }
    let (host_text, port_text) = if let Some(rest) = raw_trimmed.strip_prefix('[') {
        let (inside, after) = rest.split_once(']').ok_or_else(|| invalid("unclosed ["))?;
        let port = match after {
            "" => None,
            other => Some(
                other
                    .strip_prefix(':')
                    .ok_or_else(|| invalid("junk after ]"))?,
            ),
        };
        (inside, port)
    } else if raw_trimmed.matches(':').count() > 1 {
        (raw_trimmed, None) // bare IPv6 address, no port possible
    } else {
        match raw_trimmed.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (raw_trimmed, None),
        }
    };
    let port = port_text
        .map(|p| p.parse::<u16>().map_err(|_| invalid("bad port")))
        .transpose()?;
    let host = match host_text.parse::<IpAddr>() {
        Ok(ip) => TargetHost::Ip(ip),
        Err(_) if host_text.is_empty() => return Err(invalid("empty host")),
        Err(_) => {
            // Let the URL parser normalise the name exactly as it will normalise URL hosts
            // (case, IDNA, numeric IPv4 forms).
            let probe =
                Url::parse(&format!("http://{host_text}/")).map_err(|e| invalid(&e.to_string()))?;
            target_host(&probe)?
        }
    };
    let host = match host {
        TargetHost::Domain(name) => TargetHost::Domain(name.trim_end_matches('.').to_string()),
        ip => ip,
    };
    Ok(AllowEntry { host, port })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_of(url: &str) -> (TargetHost, u16) {
        let url = Url::parse(url).unwrap();
        (target_host(&url).unwrap(), effective_port(&url).unwrap())
    }

    #[test]
    fn entry_parsing_table() {
        let ip = |s: &str| TargetHost::Ip(s.parse().unwrap());
        let dom = |s: &str| TargetHost::Domain(s.to_string());
        let cases = [
            ("recordings.corp", Some((dom("recordings.corp"), None))),
            ("Recordings.CORP.", Some((dom("recordings.corp"), None))),
            (
                "recordings.corp:8443",
                Some((dom("recordings.corp"), Some(8443))),
            ),
            ("127.0.0.1:8089", Some((ip("127.0.0.1"), Some(8089)))),
            ("127.0.0.1", Some((ip("127.0.0.1"), None))),
            ("::1", Some((ip("::1"), None))),
            ("[::1]", Some((ip("::1"), None))),
            ("[::1]:9000", Some((ip("::1"), Some(9000)))),
            ("localhost:3000", Some((dom("localhost"), Some(3000)))),
            ("host:99999", None),
            ("host:", None),
            ("", None),
            ("http://host", None),
            ("*.corp", None),
            ("user@host", None),
            ("[::1", None),
        ];
        for (raw, expected) in cases {
            let got = parse_entry(raw).ok().map(|e| (e.host, e.port));
            assert_eq!(got, expected, "{raw:?}");
        }
    }

    #[test]
    fn matching_table() {
        let policy = NetPolicy::allowing([
            "127.0.0.1:8089",
            "recordings.corp",
            "[::1]:9000",
            "bad entry",
        ]);
        let cases = [
            ("http://127.0.0.1:8089/x", true),
            ("http://127.1:8089/x", true),
            ("http://2130706433:8089/x", true),
            ("http://127.0.0.1:8090/x", false),
            ("http://127.0.0.1/x", false),
            ("http://recordings.corp/x", true),
            ("https://RECORDINGS.corp.:444/x", true),
            ("http://sub.recordings.corp/x", false),
            ("http://[::1]:9000/", true),
            ("http://[::1]:9001/", false),
            ("http://localhost:8089/", false),
        ];
        for (url, allowed) in cases {
            let (host, port) = host_of(url);
            assert_eq!(policy.allows(&host, port), allowed, "{url}");
        }
        assert!(policy.validate().is_err());
        assert!(NetPolicy::allowing(["a.corp", "127.0.0.1:1"])
            .validate()
            .is_ok());
    }

    #[test]
    fn check_url_without_network() {
        let policy = NetPolicy::allowing(["localhost:3000", "10.1.2.3"]);
        let cases = [
            ("http://example.com/a.wav", true),
            ("http://93.184.216.34/a.wav", true),
            ("http://localhost/", false),
            ("http://localhost:3000/", true),
            ("http://10.1.2.3:1234/", true),
            ("http://10.1.2.4/", false),
            ("http://169.254.169.254/latest/meta-data/", false),
            ("http://metadata.google.internal/", false),
            ("http://0x7f.1/", false),
        ];
        for (url, ok) in cases {
            assert_eq!(policy.check_url(url).is_ok(), ok, "{url}");
        }
    }
}
