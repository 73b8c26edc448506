//! Numeric host forms: our own reading of the inet_aton / WHATWG IPv4 syntaxes.
//!
//! The `url` crate already turns `2130706433`, `0x7f.1`, `0177.0.0.1`, … into a dotted IPv4
//! address (WHATWG host parsing), so in practice a numeric-looking *domain* never reaches us.
//! This module is the second line: if a host that looks numeric ever arrives as a domain
//! (another `url` version, another code path), we parse it ourselves and judge the address it
//! means, and when we cannot parse it we refuse it rather than hand it to the system resolver
//! (glibc's getaddrinfo would happily read `0x7f.1` as 127.0.0.1).
//!
//! Rules: pure functions; accept a superset of what inet_aton accepts (a trailing dot too)
//! so that anything a resolver could read as an address is recognised as one.

use std::net::Ipv4Addr;

/// True when the last label of `host` is a number (decimal, or `0x…` hex): such a host is an
/// IPv4 address for WHATWG and for inet_aton, never a DNS name.
pub(crate) fn looks_numeric(host: &str) -> bool {
    let trimmed = host.strip_suffix('.').unwrap_or(host);
    let last = trimmed.rsplit('.').next().unwrap_or(trimmed);
    if last.is_empty() {
        return false;
    }
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    match strip_hex_prefix(last) {
        Some(digits) => digits.bytes().all(|b| b.is_ascii_hexdigit()),
        None => false,
    }
}

/// Parses the inet_aton forms: 1 to 4 dot-separated parts, each decimal, octal (leading
/// `0`) or hex (`0x`); the last part fills all remaining bytes (`127.1` = 127.0.0.1,
/// `2130706433` = 127.0.0.1). `None` when it is not a valid address.
pub(crate) fn parse_inet_aton(host: &str) -> Option<Ipv4Addr> {
    let trimmed = host.strip_suffix('.').unwrap_or(host);
    if trimmed.is_empty() {
        return None;
    }
    let parts: Vec<&str> = trimmed.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut values = Vec::with_capacity(parts.len());
    for part in &parts {
        values.push(parse_part(part)?);
    }
    let (last, leading) = values.split_last()?;
    if leading.iter().any(|v| *v > 255) {
        return None;
    }
    // The last part covers the bytes the leading parts did not: 4 - leading.len() of them.
    let last_bytes = 4 - leading.len() as u32;
    let last_max = if last_bytes == 4 {
        u64::from(u32::MAX)
    } else {
        (1u64 << (8 * last_bytes)) - 1
    };
    if *last > last_max {
        return None;
    }
    let mut address: u64 = 0;
    for (index, value) in leading.iter().enumerate() {
        address |= value << (8 * (3 - index as u32));
    }
    address |= last;
    u32::try_from(address).ok().map(Ipv4Addr::from)
}

fn parse_part(part: &str) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    let (digits, radix) = if let Some(hex) = strip_hex_prefix(part) {
        (hex, 16)
    } else if part.len() > 1 && part.starts_with('0') {
        (&part[1..], 8)
    } else {
        (part, 10)
    };
    if digits.is_empty() {
        // "0x" alone means 0 for both WHATWG and strtoul.
        return Some(0);
    }
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Anything above u32::MAX is invalid anyway; u64::from_str_radix rejects absurd lengths.
    u64::from_str_radix(digits, radix)
        .ok()
        .filter(|v| *v <= u64::from(u32::MAX))
}

fn strip_hex_prefix(part: &str) -> Option<&str> {
    part.strip_prefix("0x").or_else(|| part.strip_prefix("0X"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_inet_aton_form() {
        let loopback = Some(Ipv4Addr::new(127, 0, 0, 1));
        let cases = [
            ("127.0.0.1", loopback),
            ("2130706433", loopback),
            ("0x7f000001", loopback),
            ("0X7F000001", loopback),
            ("0177.0.0.1", loopback),
            ("017700000001", loopback),
            ("127.1", loopback),
            ("127.0.1", loopback),
            ("0x7f.1", loopback),
            ("0x7f.0.0.0x1", loopback),
            ("127.0.0.1.", loopback),
            ("0", Some(Ipv4Addr::new(0, 0, 0, 0))),
            ("0x", Some(Ipv4Addr::new(0, 0, 0, 0))),
            ("10.0x10.0300", Some(Ipv4Addr::new(10, 16, 0, 192))),
            ("169.254.43518", Some(Ipv4Addr::new(169, 254, 169, 254))),
            ("4294967295", Some(Ipv4Addr::new(255, 255, 255, 255))),
            ("4294967296", None),
            ("256.0.0.1", None),
            ("127.0.0.256", None),
            ("127.0.65536", None),
            ("127.16777216", None),
            ("08.0.0.1", None),
            ("0x7g.0.0.1", None),
            ("1.2.3.4.5", None),
            ("1..2", None),
            ("", None),
            ("example.com", None),
            ("99999999999999999999999", None),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_inet_aton(input), expected, "{input}");
        }
    }

    #[test]
    fn recognises_numeric_looking_hosts() {
        let cases = [
            ("2130706433", true),
            ("127.1", true),
            ("0x7f.1", true),
            ("1.2.3.4.5", true),
            ("example.0x", true),
            ("example.123", true),
            ("127.0.0.1.", true),
            ("example.com", false),
            ("123.example", false),
            ("0x7f.example", false),
            ("example.0xg", false),
            ("localhost", false),
        ];
        for (input, expected) in cases {
            assert_eq!(looks_numeric(input), expected, "{input}");
        }
    }
}
