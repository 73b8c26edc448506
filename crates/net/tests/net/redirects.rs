//! Redirects, pinning and the general `send` helper, against local servers.

use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use scorejar_net::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use scorejar_net::{NetError, SafeRequest, StatusCode, MAX_REDIRECTS};

use crate::support::{client, local_client, redirect, serve, standard_server, MapResolver};

#[tokio::test]
async fn a_redirect_chain_within_the_allow_list_is_followed() {
    let server = standard_server().await;
    let client = local_client(&[server]);
    let url = format!("http://{server}/hops/{MAX_REDIRECTS}");
    let response = client.send(SafeRequest::get(&url)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.final_url().as_str(),
        format!("http://{server}/hops/0")
    );
    assert_eq!(response.bytes_limited(100).await.unwrap(), b"done");
}

#[tokio::test]
async fn more_than_five_redirects_fail() {
    let server = standard_server().await;
    let client = local_client(&[server]);
    let url = format!("http://{server}/hops/{}", MAX_REDIRECTS + 1);
    let err = client.preflight(&url).await.unwrap_err();
    assert_eq!(err, NetError::TooManyRedirects);
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn redirects_across_allowed_servers_are_followed() {
    let target = standard_server().await;
    let location = format!("http://{target}/file");
    let front = serve(Router::new().route(
        "/start",
        get(move || {
            let location = location.clone();
            async move { redirect(301, &location) }
        }),
    ))
    .await;
    let client = local_client(&[front, target]);
    let preflight = client
        .preflight(&format!("http://{front}/start"))
        .await
        .unwrap();
    assert_eq!(
        preflight.final_url.as_str(),
        format!("http://{target}/file")
    );
    assert_eq!(preflight.total_size, Some(crate::support::FILE_LEN as u64));
}

/// A server whose `/go` redirects to `location`.
async fn redirector(location: String) -> std::net::SocketAddr {
    serve(Router::new().route(
        "/go",
        get(move || {
            let location = location.clone();
            async move { redirect(302, &location) }
        }),
    ))
    .await
}

#[tokio::test]
async fn redirects_to_blocked_targets_are_refused() {
    // A second local server that is NOT allow-listed: its port must not be reachable.
    let other = standard_server().await;
    let locations = [
        "http://169.254.169.254/latest/meta-data/".to_string(),
        format!("http://{other}/file"),
        format!("http://127.0.0.1:{}/file", other.port()),
        format!("http://2130706433:{}/file", other.port()),
        "http://[::1]/".to_string(),
        "http://localhost/".to_string(),
        "http://metadata.google.internal/".to_string(),
        "http://evil.example/".to_string(),
    ];
    let resolver = Arc::new(MapResolver::default().with("evil.example", &["10.0.0.1"]));
    for location in locations {
        let front = redirector(location.clone()).await;
        let client = client(&[front.to_string()], resolver.clone());
        let err = client
            .preflight(&format!("http://{front}/go"))
            .await
            .unwrap_err();
        assert!(matches!(err, NetError::Blocked(_)), "{location}: {err:?}");
    }
}

#[tokio::test]
async fn redirects_to_other_schemes_or_with_credentials_are_invalid() {
    for location in [
        "file:///etc/passwd",
        "gopher://example.com/",
        "http://u:p@example.com/",
    ] {
        let front = redirector(location.to_string()).await;
        let err = local_client(&[front])
            .preflight(&format!("http://{front}/go"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, NetError::InvalidUrl(_)),
            "{location}: {err:?}"
        );
    }
}

#[tokio::test]
async fn connections_use_only_the_vetted_addresses() {
    // `media.test` exists only in the test resolver: if reqwest did its own lookup, the
    // request would fail. One lookup per hop, no more.
    let server = standard_server().await;
    let resolver = Arc::new(MapResolver::default().with("media.test", &["127.0.0.1"]));
    let client = client(&["media.test".to_string()], resolver.clone());
    let port = server.port();

    let preflight = client
        .preflight(&format!("http://media.test:{port}/file"))
        .await
        .unwrap();
    assert_eq!(preflight.total_size, Some(crate::support::FILE_LEN as u64));
    assert_eq!(resolver.calls(), 1);

    let response = client
        .send(SafeRequest::get(format!("http://media.test:{port}/hops/3")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(resolver.calls(), 1 + 4, "one vetted lookup per hop");
}

#[tokio::test]
async fn redirect_without_location_is_returned_as_is() {
    let server = standard_server().await;
    let client = local_client(&[server]);
    let url = format!("http://{server}/no-location");
    let response = client.send(SafeRequest::get(&url)).await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        client.preflight(&url).await.unwrap_err(),
        NetError::Status(302)
    );
}

fn json_post(url: String) -> SafeRequest {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer secret"));
    SafeRequest::post(url, r#"{"event":"done"}"#).with_headers(headers)
}

#[tokio::test]
async fn post_keeps_its_body_on_307_and_308_and_becomes_get_on_301_to_303() {
    let server = standard_server().await;
    let client = local_client(&[server]);
    let cases = [
        (
            "echo",
            "POST\nauth:Bearer secret\ntype:application/json\n{\"event\":\"done\"}",
        ),
        (
            "r307",
            "POST\nauth:Bearer secret\ntype:application/json\n{\"event\":\"done\"}",
        ),
        (
            "r308",
            "POST\nauth:Bearer secret\ntype:application/json\n{\"event\":\"done\"}",
        ),
        ("r301", "GET\nauth:Bearer secret\ntype:-\n"),
        ("r302", "GET\nauth:Bearer secret\ntype:-\n"),
        ("r303", "GET\nauth:Bearer secret\ntype:-\n"),
    ];
    for (path, expected) in cases {
        let response = client
            .send(json_post(format!("http://{server}/{path}")))
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
        let body = response.bytes_limited(10_000).await.unwrap();
        assert_eq!(String::from_utf8(body).unwrap(), expected, "{path}");
    }
}

#[tokio::test]
async fn credentials_are_dropped_when_a_redirect_changes_origin() {
    let target = standard_server().await;
    let front = redirector(format!("http://{target}/echo")).await;
    let client = local_client(&[front, target]);
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer secret"));
    let response = client
        .send(SafeRequest::get(format!("http://{front}/go")).with_headers(headers))
        .await
        .unwrap();
    let body = String::from_utf8(response.bytes_limited(10_000).await.unwrap()).unwrap();
    assert!(body.starts_with("GET\nauth:-\n"), "{body}");
}

#[tokio::test]
async fn send_reports_statuses_and_bounds_bodies() {
    let server = standard_server().await;
    let client = local_client(&[server]);
    let missing = client
        .send(SafeRequest::get(format!("http://{server}/missing")))
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        missing.error_for_status().unwrap_err(),
        NetError::Status(404)
    );

    let big = client
        .send(SafeRequest::get(format!("http://{server}/chunked/100000")))
        .await
        .unwrap();
    assert_eq!(
        big.bytes_limited(1000).await.unwrap_err(),
        NetError::TooLarge { limit: 1000 }
    );
}
