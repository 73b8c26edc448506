//! Address classification: is an IP address one we may connect to on a user's behalf?
//!
//! Rules: pure functions, no I/O. The answer is "not public" for every special-purpose range
//! (IANA special-purpose registries, RFC 6890 and successors) that could reach this host, its
//! network, or a cloud metadata service. IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-compatible
//! (`::a.b.c.d`) IPv6 addresses are judged by their IPv4 part, because the kernel connects
//! them to that IPv4 address. For IPv6 everything outside the global unicast block 2000::/3
//! is refused too: nothing outside it is routable on the internet, so refusing costs nothing
//! and catches ranges nobody thought to list.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// (network, prefix length, description) of every IPv4 range that is not public.
const IPV4_BLOCKED: &[(u32, u8, &str)] = &[
    (0x0000_0000, 8, "0.0.0.0/8 (this network)"),
    (0x0a00_0000, 8, "10.0.0.0/8 (private-use)"),
    (
        0x6440_0000,
        10,
        "100.64.0.0/10 (shared address space / CGNAT)",
    ),
    (0x7f00_0000, 8, "127.0.0.0/8 (loopback)"),
    (
        0xa9fe_0000,
        16,
        "169.254.0.0/16 (link-local, cloud metadata)",
    ),
    (0xac10_0000, 12, "172.16.0.0/12 (private-use)"),
    (0xc000_0000, 24, "192.0.0.0/24 (IETF protocol assignments)"),
    (0xc000_0200, 24, "192.0.2.0/24 (documentation TEST-NET-1)"),
    (0xc058_6300, 24, "192.88.99.0/24 (6to4 relay anycast)"),
    (0xc0a8_0000, 16, "192.168.0.0/16 (private-use)"),
    (0xc612_0000, 15, "198.18.0.0/15 (benchmarking)"),
    (
        0xc633_6400,
        24,
        "198.51.100.0/24 (documentation TEST-NET-2)",
    ),
    (0xcb00_7100, 24, "203.0.113.0/24 (documentation TEST-NET-3)"),
    (0xe000_0000, 4, "224.0.0.0/4 (multicast)"),
    (0xf000_0000, 4, "240.0.0.0/4 (reserved, incl. broadcast)"),
];

/// (network, prefix length, description) of IPv6 ranges inside 2000::/3 (or explicitly
/// named by the threat model) that are not public. `::`, `::1`, mapped and compatible
/// addresses are handled before this table.
const IPV6_BLOCKED: &[(u128, u8, &str)] = &[
    (
        0x0064_ff9b_0000_0000_0000_0000_0000_0000,
        96,
        "64:ff9b::/96 (NAT64)",
    ),
    (
        0x0064_ff9b_0001_0000_0000_0000_0000_0000,
        48,
        "64:ff9b:1::/48 (local NAT64)",
    ),
    (
        0x0100_0000_0000_0000_0000_0000_0000_0000,
        64,
        "100::/64 (discard-only)",
    ),
    (
        0x2001_0db8_0000_0000_0000_0000_0000_0000,
        32,
        "2001:db8::/32 (documentation)",
    ),
    (
        0x2001_0000_0000_0000_0000_0000_0000_0000,
        32,
        "2001::/32 (Teredo)",
    ),
    (
        0x2002_0000_0000_0000_0000_0000_0000_0000,
        16,
        "2002::/16 (6to4)",
    ),
    (
        0xfc00_0000_0000_0000_0000_0000_0000_0000,
        7,
        "fc00::/7 (unique local)",
    ),
    (
        0xfe80_0000_0000_0000_0000_0000_0000_0000,
        10,
        "fe80::/10 (link-local)",
    ),
    (
        0xfec0_0000_0000_0000_0000_0000_0000_0000,
        10,
        "fec0::/10 (site-local)",
    ),
    (
        0xff00_0000_0000_0000_0000_0000_0000_0000,
        8,
        "ff00::/8 (multicast)",
    ),
];

const GLOBAL_UNICAST_V6: (u128, u8) = (0x2000_0000_0000_0000_0000_0000_0000_0000, 3);

/// True when `ip` is a public, globally routable unicast address.
pub fn is_public_ip(ip: IpAddr) -> bool {
    non_public_reason(ip).is_none()
}

/// Why `ip` is not public (the range it falls in), or `None` when it is public.
pub fn non_public_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => ipv4_reason(v4),
        IpAddr::V6(v6) => ipv6_reason(v6),
    }
}

fn ipv4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let bits = u32::from(ip);
    IPV4_BLOCKED
        .iter()
        .find(|(net, len, _)| in_prefix_v4(bits, *net, *len))
        .map(|(_, _, why)| *why)
}

fn ipv6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some(":: (unspecified)");
    }
    if ip.is_loopback() {
        return Some("::1 (loopback)");
    }
    if let Some(v4) = embedded_ipv4(ip) {
        return ipv4_reason(v4).map(|_| "an IPv4-mapped/compatible address of a non-public IPv4");
    }
    let bits = u128::from(ip);
    if let Some((_, _, why)) = IPV6_BLOCKED
        .iter()
        .find(|(net, len, _)| in_prefix_v6(bits, *net, *len))
    {
        return Some(why);
    }
    if !in_prefix_v6(bits, GLOBAL_UNICAST_V6.0, GLOBAL_UNICAST_V6.1) {
        return Some("outside 2000::/3 (not global unicast)");
    }
    None
}

/// The IPv4 address the kernel would really talk to for `::ffff:a.b.c.d` (mapped) and
/// `::a.b.c.d` (deprecated compatible form).
fn embedded_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let high_zero = s[..5].iter().all(|seg| *seg == 0);
    if high_zero && (s[5] == 0xffff || s[5] == 0) {
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        return Some(Ipv4Addr::new(a, b, c, d));
    }
    None
}

fn in_prefix_v4(addr: u32, net: u32, len: u8) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len))
    };
    addr & mask == net & mask
}

fn in_prefix_v6(addr: u128, net: u128, len: u8) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(len))
    };
    addr & mask == net & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(s: &str) -> bool {
        is_public_ip(s.parse().unwrap())
    }

    #[test]
    fn ipv4_inside_and_just_outside_every_range() {
        // (address, public?)
        let cases = [
            ("0.0.0.0", false),
            ("0.255.255.255", false),
            ("1.0.0.0", true),
            ("10.0.0.1", false),
            ("10.255.255.255", false),
            ("9.255.255.255", true),
            ("11.0.0.0", true),
            ("100.64.0.0", false),
            ("100.127.255.255", false),
            ("100.63.255.255", true),
            ("100.128.0.0", true),
            ("127.0.0.1", false),
            ("127.255.255.254", false),
            ("126.255.255.255", true),
            ("128.0.0.0", true),
            ("169.254.169.254", false),
            ("169.253.255.255", true),
            ("169.255.0.0", true),
            ("172.16.0.1", false),
            ("172.31.255.255", false),
            ("172.15.255.255", true),
            ("172.32.0.0", true),
            ("192.0.0.8", false),
            ("192.0.1.0", true),
            ("192.0.2.1", false),
            ("192.0.3.0", true),
            ("192.88.99.1", false),
            ("192.88.98.255", true),
            ("192.88.100.0", true),
            ("192.168.1.1", false),
            ("192.167.255.255", true),
            ("192.169.0.0", true),
            ("198.18.0.1", false),
            ("198.19.255.255", false),
            ("198.17.255.255", true),
            ("198.20.0.0", true),
            ("198.51.100.7", false),
            ("198.51.99.255", true),
            ("198.51.101.0", true),
            ("203.0.113.9", false),
            ("203.0.112.255", true),
            ("203.0.114.0", true),
            ("224.0.0.1", false),
            ("239.255.255.255", false),
            ("223.255.255.255", true),
            ("240.0.0.1", false),
            ("255.255.255.255", false),
            ("8.8.8.8", true),
            ("93.184.216.34", true),
        ];
        for (addr, public) in cases {
            assert_eq!(judge(addr), public, "{addr}");
        }
    }

    #[test]
    fn ipv6_inside_and_just_outside_every_range() {
        let cases = [
            ("::", false),
            ("::1", false),
            ("64:ff9b::808:808", false),
            ("64:ff9b:1::1", false),
            ("100::1", false),
            ("100:0:0:1::1", false), // 100::/64 sits outside 2000::/3 too
            ("2001::1", false),
            ("2001:0:ffff::1", false),
            ("2001:1::1", true),
            ("2001:db8::1", false),
            ("2001:db7:ffff::1", true),
            ("2001:db9::1", true),
            ("2002::1", false),
            ("2002:c0a8:101::1", false),
            ("2003::1", true),
            ("2001:1fff::1", true),
            ("fc00::1", false),
            ("fdff:ffff::1", false),
            ("fe80::1", false),
            ("febf::1", false),
            ("fec0::1", false),
            ("ff02::1", false),
            ("ff00::", false),
            ("2606:4700:4700::1111", true),
            ("2a00:1450:4001::1", true),
            ("3fff:ffff::1", true),
            ("4000::1", false), // outside global unicast
        ];
        for (addr, public) in cases {
            assert_eq!(judge(addr), public, "{addr}");
        }
    }

    #[test]
    fn mapped_and_compatible_are_judged_by_their_ipv4() {
        let cases = [
            ("::ffff:127.0.0.1", false),
            ("::ffff:7f00:1", false),
            ("::ffff:10.0.0.1", false),
            ("::ffff:169.254.169.254", false),
            ("::ffff:8.8.8.8", true),
            ("::127.0.0.1", false),
            ("::10.1.2.3", false),
            ("::192.168.0.1", false),
            ("::8.8.8.8", true),
        ];
        for (addr, public) in cases {
            assert_eq!(judge(addr), public, "{addr}");
        }
    }

    #[test]
    fn reasons_name_the_range() {
        let why = non_public_reason("169.254.169.254".parse().unwrap()).unwrap();
        assert!(why.contains("169.254.0.0/16"), "{why}");
        let why = non_public_reason("fd00::1".parse().unwrap()).unwrap();
        assert!(why.contains("fc00::/7"), "{why}");
    }
}
