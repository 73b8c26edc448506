//! Table tests of the vetting path (`resolve_checked`, `NetPolicy::check_url`): every blocked
//! range, every numeric host form, every syntax rule. Check-only: nothing here connects.

use std::sync::Arc;

use scorejar_net::{check_url_syntax, NetError, NetPolicy, Url};

use crate::support::{client, MapResolver};

/// A client with no allow-list and a resolver that knows no names: IP literals are judged
/// without DNS, names fail before any lookup or with a DNS error.
fn strict() -> scorejar_net::SafeClient {
    client(&[], Arc::new(MapResolver::default()))
}

async fn expect_blocked(urls: &[&str]) {
    let client = strict();
    for url in urls {
        match client.resolve_checked(url).await {
            Err(NetError::Blocked(why)) => assert!(!why.is_empty(), "{url}"),
            other => panic!("{url}: expected Blocked, got {other:?}"),
        }
        assert!(
            matches!(client.policy().check_url(url), Err(NetError::Blocked(_))),
            "{url}: check_url should block without network"
        );
    }
}

async fn expect_public(urls: &[&str]) {
    let client = strict();
    for url in urls {
        let target = client
            .resolve_checked(url)
            .await
            .unwrap_or_else(|e| panic!("{url}: expected public, got {e:?}"));
        assert_eq!(target.addrs().len(), 1, "{url}");
        assert!(!target.allow_listed());
    }
}

#[tokio::test]
async fn one_address_inside_every_ipv4_range_is_blocked() {
    expect_blocked(&[
        "http://0.1.2.3/",
        "http://10.0.0.1/",
        "http://100.64.0.1/",
        "http://100.127.255.254/",
        "http://127.0.0.1/",
        "http://127.255.255.254:8080/",
        "http://169.254.169.254/latest/meta-data/",
        "http://172.16.0.1/",
        "http://172.31.255.254/",
        "http://192.0.0.170/",
        "http://192.0.2.1/",
        "http://192.88.99.1/",
        "http://192.168.0.1/",
        "http://198.18.0.1/",
        "http://198.19.255.254/",
        "http://198.51.100.1/",
        "http://203.0.113.1/",
        "http://224.0.0.1/",
        "http://239.255.255.250/",
        "http://240.0.0.1/",
        "http://255.255.255.255/",
        "https://10.0.0.1:8443/x",
    ])
    .await;
}

#[tokio::test]
async fn addresses_just_outside_the_ipv4_ranges_are_public() {
    expect_public(&[
        "http://1.0.0.0/",
        "http://9.255.255.255/",
        "http://11.0.0.0/",
        "http://100.63.255.255/",
        "http://100.128.0.0/",
        "http://126.255.255.255/",
        "http://128.0.0.0/",
        "http://169.253.255.255/",
        "http://169.255.0.0/",
        "http://172.15.255.255/",
        "http://172.32.0.0/",
        "http://192.0.1.0/",
        "http://192.0.3.0/",
        "http://192.88.98.255/",
        "http://192.88.100.0/",
        "http://192.167.255.255/",
        "http://192.169.0.0/",
        "http://198.17.255.255/",
        "http://198.20.0.0/",
        "http://198.51.99.255/",
        "http://198.51.101.0/",
        "http://203.0.112.255/",
        "http://203.0.114.0/",
        "http://223.255.255.255/",
    ])
    .await;
}

#[tokio::test]
async fn one_address_inside_every_ipv6_range_is_blocked() {
    expect_blocked(&[
        "http://[::]/",
        "http://[::1]/",
        "http://[0:0:0:0:0:0:0:1]:8080/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[64:ff9b::808:808]/",
        "http://[100::1]/",
        "http://[2001::1]/",
        "http://[2001:0:4136:e378::1]/",
        "http://[2001:db8::1]/",
        "http://[2002:a00:1::1]/",
        "http://[fc00::1]/",
        "http://[fd12:3456::1]/",
        "http://[fe80::1]/",
        "http://[ff02::1]/",
    ])
    .await;
}

#[tokio::test]
async fn addresses_just_outside_the_ipv6_ranges_are_public() {
    expect_public(&[
        "http://[2001:1::1]/",
        "http://[2001:db7:ffff::1]/",
        "http://[2001:db9::1]/",
        "http://[2003::1]/",
        "http://[2606:4700:4700::1111]/",
    ])
    .await;
}

#[tokio::test]
async fn mapped_and_compatible_ipv6_are_judged_by_their_ipv4() {
    expect_blocked(&[
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:ffff:127.0.0.1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[::127.0.0.1]/",
        "http://[::10.0.0.1]/",
        "http://[::192.168.1.1]/",
    ])
    .await;
    expect_public(&["http://[::ffff:8.8.8.8]/", "http://[::8.8.8.8]/"]).await;
}

#[tokio::test]
async fn every_numeric_form_of_an_internal_address_is_blocked() {
    expect_blocked(&[
        // 127.0.0.1
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0X7F000001/",
        "http://0177.0.0.1/",
        "http://017700000001/",
        "http://127.1/",
        "http://127.0.1/",
        "http://0x7f.1/",
        "http://0x7f.0.0.0x1/",
        "http://127.0.0.1./",
        "http://0/",
        "http://0.0.0.0/",
        // 169.254.169.254
        "http://2852039166/",
        "http://0xa9fea9fe/",
        "http://0251.0376.0251.0376/",
        "http://169.254.43518/",
        "http://0xa9.0xfe.0xa9.0xfe/",
        // 10.0.0.1 and 192.168.0.1
        "http://167772161/",
        "http://10.1/",
        "http://0300.0250.0.1/",
        // numeric-looking but not a valid address: refused, never resolved as a name
        "http://256.0.0.1/",
        "http://1.2.3.4.5/",
        "http://0x7g.0.0.1/",
        "http://4294967296/",
        "http://08.0.0.1/",
    ])
    .await;
}

#[test]
fn the_url_crate_normalises_numeric_hosts_before_we_judge_them() {
    let cases = [
        ("http://2130706433/", "127.0.0.1"),
        ("http://0x7f000001/", "127.0.0.1"),
        ("http://0177.0.0.1/", "127.0.0.1"),
        ("http://017700000001/", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1"),
        ("http://127.0.1/", "127.0.0.1"),
        ("http://0x7f.1/", "127.0.0.1"),
        ("http://127.0.0.1./", "127.0.0.1"),
        ("http://[::ffff:127.0.0.1]/", "[::ffff:7f00:1]"),
        ("http://[0:0::1]/", "[::1]"),
    ];
    for (input, host) in cases {
        assert_eq!(Url::parse(input).unwrap().host_str(), Some(host), "{input}");
    }
}

#[tokio::test]
async fn internal_names_are_blocked_before_any_lookup() {
    let resolver = Arc::new(MapResolver::default().with("localhost", &["93.184.216.34"]));
    let client = client(&[], resolver.clone());
    let names = [
        "http://localhost/",
        "http://LOCALHOST/",
        "http://localhost./",
        "http://localhost:8080/",
        "http://api.localhost/",
        "http://a.b.LocalHost./",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://metadata.google.internal./",
        "http://svc.INTERNAL/",
    ];
    for url in names {
        assert!(
            matches!(client.resolve_checked(url).await, Err(NetError::Blocked(_))),
            "{url}"
        );
    }
    assert_eq!(
        resolver.calls(),
        0,
        "blocked names must not reach the resolver"
    );
}

#[tokio::test]
async fn syntax_violations_are_invalid_urls() {
    let long = format!("http://{}.com/", "a".repeat(250));
    let cases = [
        "ftp://example.com/a.wav",
        "file:///etc/passwd",
        "gopher://127.0.0.1:25/",
        "http://user:pass@example.com/",
        "http://user@example.com/",
        "http://example.com/a\r\nHost: evil",
        "http://example.com/\n",
        "http://127.0.0.1\r.evil.com/",
        "not a url",
        "http://",
        long.as_str(),
    ];
    let client = strict();
    for url in cases {
        assert!(
            matches!(check_url_syntax(url), Err(NetError::InvalidUrl(_))),
            "{url:?}"
        );
        assert!(
            matches!(
                client.resolve_checked(url).await,
                Err(NetError::InvalidUrl(_))
            ),
            "{url:?}"
        );
    }
}

#[tokio::test]
async fn allow_list_is_exact_about_host_and_port() {
    let policy = NetPolicy::allowing(["127.0.0.1:8089", "recordings.corp", "localhost:3000"]);
    let resolver = Arc::new(
        MapResolver::default()
            .with("recordings.corp", &["10.20.30.40"])
            .with("localhost", &["127.0.0.1"]),
    );
    let client = scorejar_net::SafeClient::new(policy).with_resolver(resolver);

    let allowed = client
        .resolve_checked("http://127.0.0.1:8089/a")
        .await
        .unwrap();
    assert!(allowed.allow_listed());
    // Every numeric spelling of the allowed address matches too.
    assert!(client
        .resolve_checked("http://2130706433:8089/")
        .await
        .is_ok());

    let corp = client
        .resolve_checked("https://recordings.corp/x.wav")
        .await
        .unwrap();
    assert_eq!(corp.addrs(), &["10.20.30.40:443".parse().unwrap()]);

    let local = client
        .resolve_checked("http://localhost:3000/")
        .await
        .unwrap();
    assert_eq!(local.addrs(), &["127.0.0.1:3000".parse().unwrap()]);
    for url in [
        "http://127.0.0.1:8090/a",
        "http://127.0.0.1/a",
        "http://localhost:3001/",
        "http://10.20.30.40/",
    ] {
        assert!(
            matches!(client.resolve_checked(url).await, Err(NetError::Blocked(_))),
            "{url}"
        );
    }
    // The allow-list never relaxes the syntax rules.
    assert!(matches!(
        client.resolve_checked("http://u:p@127.0.0.1:8089/").await,
        Err(NetError::InvalidUrl(_))
    ));
}
