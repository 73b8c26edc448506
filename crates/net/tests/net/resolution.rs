//! Resolution and vetting of DNS names through the injectable resolver. Check-only: the
//! public addresses used here are never connected to.

use std::sync::Arc;
use std::time::Duration;

use scorejar_net::{NetError, NetPolicy, SafeClient, Timeouts};

use crate::support::{client, MapResolver};

fn resolver() -> Arc<MapResolver> {
    Arc::new(
        MapResolver::default()
            .with("evil.example", &["10.0.0.1"])
            .with("rebind.example", &["93.184.216.34", "127.0.0.1"])
            .with("mapped.example", &["::ffff:169.254.169.254"])
            .with("v6.example", &["2606:2800:220:1::1", "fd00::1"])
            .with("public.example", &["93.184.216.34", "2606:2800:220:1::1"])
            .with("nothing.example", &[]),
    )
}

#[tokio::test]
async fn a_name_resolving_to_a_private_address_is_blocked() {
    let client = client(&[], resolver());
    for url in [
        "http://evil.example/",
        "https://rebind.example/a.wav",
        "http://mapped.example/",
        "http://v6.example/",
    ] {
        match client.resolve_checked(url).await {
            Err(NetError::Blocked(why)) => {
                assert!(why.contains(".example resolves to"), "{url}: {why}")
            }
            other => panic!("{url}: expected Blocked, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_name_resolving_only_to_public_addresses_is_vetted_with_the_url_port() {
    let resolver = resolver();
    let client = client(&[], resolver.clone());
    let target = client
        .resolve_checked("https://public.example:8443/a.wav")
        .await
        .unwrap();
    assert_eq!(target.url().as_str(), "https://public.example:8443/a.wav");
    assert_eq!(
        target.addrs(),
        &[
            "93.184.216.34:8443".parse().unwrap(),
            "[2606:2800:220:1::1]:8443".parse().unwrap()
        ]
    );
    assert!(!target.allow_listed());
    assert_eq!(resolver.calls(), 1);

    let default_port = client
        .resolve_checked("http://public.example/")
        .await
        .unwrap();
    assert!(default_port.addrs().iter().all(|a| a.port() == 80));
}

#[tokio::test]
async fn allow_listing_a_name_skips_its_address_check_only() {
    let client = client(&["evil.example".to_string()], resolver());
    let target = client
        .resolve_checked("http://evil.example/x")
        .await
        .unwrap();
    assert!(target.allow_listed());
    assert_eq!(target.addrs(), &["10.0.0.1:80".parse().unwrap()]);
    // Other names still get checked.
    assert!(matches!(
        client.resolve_checked("http://rebind.example/").await,
        Err(NetError::Blocked(_))
    ));
}

#[tokio::test]
async fn dns_failures_and_empty_answers_are_dns_errors() {
    let client = client(&[], resolver());
    for url in ["http://unknown.example/", "http://nothing.example/"] {
        let err = client.resolve_checked(url).await.unwrap_err();
        assert!(matches!(err, NetError::Dns(_)), "{url}: {err:?}");
        assert!(err.is_retryable());
    }
}

#[tokio::test]
async fn a_hanging_lookup_times_out() {
    let client = SafeClient::new(NetPolicy::default())
        .with_resolver(resolver())
        .with_timeouts(Timeouts {
            connect: Duration::from_millis(200),
            read: Duration::from_secs(5),
            ..Timeouts::default()
        });
    let err = client
        .resolve_checked("http://slow.example/")
        .await
        .unwrap_err();
    assert_eq!(err, NetError::Timeout);
}

#[tokio::test]
async fn blocked_targets_fail_every_operation_before_connecting() {
    let client = client(&[], resolver());
    let mut sink = Vec::new();
    for url in [
        "http://evil.example/a",
        "http://169.254.169.254/",
        "http://rebind.example/",
    ] {
        assert!(
            matches!(client.preflight(url).await, Err(NetError::Blocked(_))),
            "{url}"
        );
        assert!(
            matches!(
                client.download_to(url, 1024, &mut sink).await,
                Err(NetError::Blocked(_))
            ),
            "{url}"
        );
        let request = scorejar_net::SafeRequest::post(url, "payload");
        assert!(
            matches!(client.send(request).await, Err(NetError::Blocked(_))),
            "{url}"
        );
    }
    assert!(sink.is_empty());
}
