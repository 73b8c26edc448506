//! preflight and download_to against local servers reachable only through the allow-list.

use std::sync::Arc;
use std::time::Duration;

use scorejar_net::{NetError, Timeouts, PREFLIGHT_BYTES};
use tokio::io::AsyncReadExt;

use crate::support::{
    client, file_bytes, local_client, standard_server, CountingSink, MapResolver, FILE_LEN,
};

#[tokio::test]
async fn local_server_is_unreachable_without_the_allow_list() {
    let server = standard_server().await;
    let client = client(&[], Arc::new(MapResolver::default()));
    let err = client
        .preflight(&format!("http://{server}/file"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, NetError::Blocked(ref why) if why.contains("127.0.0.1")),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn preflight_of_a_ranged_resource_returns_first_bytes_and_total_size() {
    let server = standard_server().await;
    let client = local_client(&[server]);
    let url = format!("http://{server}/file");
    let preflight = client.preflight(&url).await.unwrap();
    assert_eq!(preflight.final_url.as_str(), url);
    assert_eq!(preflight.first_bytes, file_bytes()[..PREFLIGHT_BYTES]);
    assert_eq!(preflight.total_size, Some(FILE_LEN as u64));
    assert_eq!(preflight.content_type.as_deref(), Some("audio/wav"));
}

#[tokio::test]
async fn preflight_stops_reading_when_the_server_ignores_the_range() {
    let server = standard_server().await;
    let client = local_client(&[server]);
    let preflight = client
        .preflight(&format!("http://{server}/norange"))
        .await
        .unwrap();
    assert_eq!(preflight.first_bytes.len(), PREFLIGHT_BYTES);
    assert_eq!(preflight.first_bytes, file_bytes()[..PREFLIGHT_BYTES]);
    assert_eq!(preflight.total_size, Some(FILE_LEN as u64));

    // A body much larger than 4 KiB, no Content-Length: still only 4 KiB kept, size unknown.
    let big = client
        .preflight(&format!("http://{server}/chunked/5000000"))
        .await
        .unwrap();
    assert_eq!(big.first_bytes.len(), PREFLIGHT_BYTES);
    assert_eq!(big.total_size, None);
}

#[tokio::test]
async fn preflight_of_small_and_empty_resources() {
    let server = standard_server().await;
    let client = local_client(&[server]);
    let small = client
        .preflight(&format!("http://{server}/small"))
        .await
        .unwrap();
    assert_eq!(small.first_bytes, vec![1u8; 100]);
    assert_eq!(small.total_size, Some(100));

    let empty = client
        .preflight(&format!("http://{server}/empty"))
        .await
        .unwrap();
    assert!(empty.first_bytes.is_empty());
    assert_eq!(empty.total_size, Some(0));
}

#[tokio::test]
async fn missing_resource_is_status_404() {
    let server = standard_server().await;
    let client = local_client(&[server]);
    let err = client
        .preflight(&format!("http://{server}/missing"))
        .await
        .unwrap_err();
    assert_eq!(err, NetError::Status(404));
    assert!(!err.is_retryable());
    let mut sink = Vec::new();
    let err = client
        .download_to(&format!("http://{server}/missing"), 1000, &mut sink)
        .await
        .unwrap_err();
    assert_eq!(err, NetError::Status(404));
}

#[tokio::test]
async fn download_within_the_limit_returns_the_body() {
    let server = standard_server().await;
    let client = local_client(&[server]);
    let mut sink = Vec::new();
    let written = client
        .download_to(
            &format!("http://{server}/norange"),
            FILE_LEN as u64,
            &mut sink,
        )
        .await
        .unwrap();
    assert_eq!(written, FILE_LEN as u64);
    assert_eq!(sink, file_bytes());
}

#[tokio::test]
async fn oversize_body_with_content_length_is_refused_before_reading() {
    let server = standard_server().await;
    let client = local_client(&[server]);
    let mut sink = Vec::new();
    let err = client
        .download_to(
            &format!("http://{server}/sized/2000000"),
            1_000_000,
            &mut sink,
        )
        .await
        .unwrap_err();
    assert_eq!(err, NetError::TooLarge { limit: 1_000_000 });
    assert!(!err.is_retryable());
    assert!(
        sink.is_empty(),
        "nothing may be written when Content-Length is too big"
    );
}

#[tokio::test]
async fn oversize_chunked_body_is_cut_off_at_the_limit() {
    let server = standard_server().await;
    let client = local_client(&[server]);
    let mut sink = CountingSink::default();
    let err = client
        .download_to(
            &format!("http://{server}/chunked/3000000"),
            1_000_000,
            &mut sink,
        )
        .await
        .unwrap_err();
    assert_eq!(err, NetError::TooLarge { limit: 1_000_000 });
    assert!(
        sink.total <= 1_000_000,
        "wrote {} bytes past the limit",
        sink.total
    );

    // Exactly at the limit is fine.
    let mut sink = CountingSink::default();
    let written = client
        .download_to(
            &format!("http://{server}/chunked/1000000"),
            1_000_000,
            &mut sink,
        )
        .await
        .unwrap();
    assert_eq!(written, 1_000_000);
    assert_eq!(sink.total, 1_000_000);
}

#[tokio::test]
async fn fifty_megabytes_stream_to_a_file_chunk_by_chunk() {
    const SIZE: u64 = 50 * 1024 * 1024;
    let server = standard_server().await;
    let client = local_client(&[server]);
    let url = format!("http://{server}/chunked/{SIZE}");

    // Counting sink: the body arrives as many bounded writes, never as one buffer.
    let mut counter = CountingSink::default();
    let written = client.download_to(&url, SIZE, &mut counter).await.unwrap();
    assert_eq!(written, SIZE);
    assert_eq!(counter.total, SIZE);
    assert!(counter.writes > 100, "only {} writes", counter.writes);
    assert!(
        counter.largest_write <= 1024 * 1024,
        "write of {}",
        counter.largest_write
    );

    // And into a real file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("download.bin");
    let mut file = tokio::fs::File::create(&path).await.unwrap();
    let written = client.download_to(&url, SIZE, &mut file).await.unwrap();
    drop(file);
    assert_eq!(written, SIZE);
    assert_eq!(tokio::fs::metadata(&path).await.unwrap().len(), SIZE);
    let mut head = [0u8; 16];
    tokio::fs::File::open(&path)
        .await
        .unwrap()
        .read_exact(&mut head)
        .await
        .unwrap();
    assert_eq!(head, [7u8; 16]);
}

fn impatient(server: std::net::SocketAddr) -> scorejar_net::SafeClient {
    local_client(&[server]).with_timeouts(Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_millis(300),
        ..Timeouts::default()
    })
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = standard_server().await;
    let started = std::time::Instant::now();
    let err = impatient(server)
        .preflight(&format!("http://{server}/stall-headers"))
        .await
        .unwrap_err();
    assert_eq!(err, NetError::Timeout);
    assert!(err.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_body_that_stalls_midway_times_out() {
    let server = standard_server().await;
    let mut sink = Vec::new();
    let err = impatient(server)
        .download_to(&format!("http://{server}/stall-body"), 1_000_000, &mut sink)
        .await
        .unwrap_err();
    assert_eq!(err, NetError::Timeout);
    assert_eq!(sink, b"start");
}

#[tokio::test]
async fn a_trickling_server_is_cut_off_at_the_deadline() {
    let server = standard_server().await;
    let client = local_client(&[server]).with_timeouts(Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_millis(300),
        preflight_deadline: Duration::from_secs(60),
        download_deadline: Duration::from_millis(700),
    });
    let mut sink = Vec::new();
    let err = client
        .download_to(&format!("http://{server}/trickle"), 1_000_000, &mut sink)
        .await
        .unwrap_err();
    assert_eq!(err, NetError::Timeout);
    assert!(!sink.is_empty(), "it was receiving all along");
}

#[tokio::test]
async fn a_closed_port_is_a_retryable_connection_error() {
    // Bind then drop to get a local port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = local_client(&[addr])
        .preflight(&format!("http://{addr}/"))
        .await
        .unwrap_err();
    assert!(matches!(err, NetError::Connect(_)), "{err:?}");
    assert!(err.is_retryable());
}
