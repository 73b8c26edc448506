//! Syntax of a `downloadUrl`. Only the shape is checked here (pure): http/https, a host, no
//! credentials, nothing that could split a request line. Whether the host is public (SSRF) is
//! decided later by the outbound client on the resolved address.

use std::net::Ipv6Addr;

/// Longest accepted URL, in bytes.
pub const MAX_DOWNLOAD_URL_LEN: usize = 4096;
/// Longest host name (RFC 1035).
pub const MAX_HOST_LEN: usize = 253;

/// `Ok(())` when `url` is an acceptable download URL, else the reason (a sentence fragment that
/// follows "`downloadUrl` ...").
pub fn check_download_url(url: &str) -> Result<(), String> {
    if url.len() > MAX_DOWNLOAD_URL_LEN {
        return Err(format!("must be at most {MAX_DOWNLOAD_URL_LEN} bytes long"));
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("must not contain spaces, line breaks or control characters".into());
    }
    let rest = strip_scheme(url)?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if authority.contains('@') {
        return Err("must not contain credentials (user:password@)".into());
    }
    let (host, port) = split_port(authority)?;
    if let Some(port) = port {
        check_port(port)?;
    }
    check_host(host)
}

/// The part after `http://` or `https://` (scheme compared case-insensitively).
fn strip_scheme(url: &str) -> Result<&str, String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err("must be an absolute http or https URL".into());
    };
    if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
        Ok(rest)
    } else {
        Err("must use the http or https scheme".into())
    }
}

/// Splits `host[:port]`, where host may be a bracketed IPv6 literal.
fn split_port(authority: &str) -> Result<(&str, Option<&str>), String> {
    if authority.starts_with('[') {
        let Some(close) = authority.find(']') else {
            return Err("has an unterminated IPv6 address".into());
        };
        let (host, after) = authority.split_at(close + 1);
        return match after {
            "" => Ok((host, None)),
            _ => match after.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err("has an invalid host".into()),
            },
        };
    }
    match authority.split_once(':') {
        Some((host, port)) => Ok((host, Some(port))),
        None => Ok((authority, None)),
    }
}

fn check_port(port: &str) -> Result<(), String> {
    match port.parse::<u16>() {
        Ok(p) if p > 0 && port.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        _ => Err(format!(
            "has an invalid port {}",
            super::fields::quote(port)
        )),
    }
}

fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("must have a host".into());
    }
    if host.len() > MAX_HOST_LEN {
        return Err(format!(
            "host must be at most {MAX_HOST_LEN} characters long"
        ));
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner
            .parse::<Ipv6Addr>()
            .map(|_| ())
            .map_err(|_| "has an invalid IPv6 address".into());
    }
    let labels: Vec<&str> = host.strip_suffix('.').unwrap_or(host).split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    };
    if labels.iter().all(label_ok) {
        Ok(())
    } else {
        Err(format!(
            "has an invalid host {}",
            super::fields::quote(host)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_urls() {
        for url in [
            "https://storage.example.com/calls/67890.mp4",
            "http://example.com",
            "HTTPS://Example.COM/a?b=c#d",
            "https://example.com:8443/x",
            "https://example.com./x",
            "https://[2001:db8::1]/x",
            "https://[2001:db8::1]:8080/x",
            "https://bücher.example/x",
            "https://example.com/path@with-at",
            "https://s3.amazonaws.com/b/k?X-Amz-Signature=abc%2F&X-Amz-Expires=60",
            "https://10.0.0.1/x",
        ] {
            assert_eq!(check_download_url(url), Ok(()), "{url}");
        }
        let longest_host = format!("https://{}.com/", "a".repeat(MAX_HOST_LEN - 4));
        assert_eq!(check_download_url(&longest_host), Ok(()));
    }

    #[test]
    fn rejected_urls() {
        let too_long_host = format!("https://{}.com/", "a".repeat(MAX_HOST_LEN - 3));
        let too_long = format!("https://example.com/{}", "a".repeat(MAX_DOWNLOAD_URL_LEN));
        let cases: [(&str, &str); 18] = [
            ("ftp://example.com/x", "scheme"),
            ("file:///etc/passwd", "scheme"),
            ("example.com/x", "absolute"),
            ("//example.com/x", "absolute"),
            ("https://", "must have a host"),
            ("https:///path", "must have a host"),
            ("https://user:pw@example.com/x", "credentials"),
            ("https://user@example.com/x", "credentials"),
            ("https://example.com/x\r\nHost: evil", "line breaks"),
            ("https://example.com/a b", "spaces"),
            (" https://example.com/", "spaces"),
            ("https://example.com:0/", "port"),
            ("https://example.com:99999/", "port"),
            ("https://example.com:/", "port"),
            ("https://exa mple.com/", "spaces"),
            ("https://a..b/", "invalid host"),
            ("https://[::1/", "unterminated"),
            ("https://[not-ip]/", "IPv6"),
        ];
        for (url, reason) in cases {
            let err = check_download_url(url).unwrap_err();
            assert!(err.contains(reason), "{url}: {err}");
        }
        assert!(check_download_url(&too_long_host)
            .unwrap_err()
            .contains("253"));
        assert!(check_download_url(&too_long).unwrap_err().contains("4096"));
    }
}
