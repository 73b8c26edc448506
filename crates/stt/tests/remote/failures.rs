//! Failures: what is retried (and how long it waits), what is permanent, and that the key is
//! never shown.

use super::stand_in::{verbose_json, Reply, StandIn};
use super::support::{channel, settings, speech, transcribe, KEY, SEC};
use scorejar_stt::remote::{RemoteEngine, RemoteSettings};
use scorejar_stt::SttError;
use std::time::Duration;

#[tokio::test]
async fn waits_as_long_as_retry_after_says_after_a_429() {
    let server = StandIn::start(Some(KEY), |index, request| match index {
        0 => Reply::error(429, "Rate limit reached for requests").header("retry-after", "1"),
        _ => Reply::ok(verbose_json(
            "english",
            request.duration_secs(),
            &[(0.0, 1.0, "Fine.")],
        )),
    })
    .await;
    let engine = RemoteEngine::new(settings(&server, Some(KEY))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audio = channel(&dir, "c0.f32", &speech(SEC, &[]));

    let heard = transcribe(&engine, &audio, None).await.unwrap();

    assert_eq!(heard.segments[0].text, "Fine.");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "one refusal, one success");
    let waited = requests[1].at - requests[0].at;
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
}

#[tokio::test]
async fn retries_server_errors_and_timeouts_then_succeeds() {
    let server = StandIn::start(Some(KEY), |index, request| {
        let ok = Reply::ok(verbose_json(
            "english",
            request.duration_secs(),
            &[(0.0, 1.0, "Made it.")],
        ));
        match index {
            0 | 1 => Reply::error(
                500,
                "The server had an error while processing your request.",
            ),
            // Longer than the client's timeout: the attempt is abandoned and retried.
            2 => ok.after(Duration::from_secs(5)),
            _ => ok,
        }
    })
    .await;
    let engine = RemoteEngine::new(RemoteSettings {
        timeout: Duration::from_millis(1500),
        ..settings(&server, Some(KEY))
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audio = channel(&dir, "c0.f32", &speech(SEC, &[]));

    let heard = transcribe(&engine, &audio, None).await.unwrap();

    assert_eq!(heard.segments[0].text, "Made it.");
    assert_eq!(server.requests().len(), 4, "500, 500, timeout, success");
}

#[tokio::test]
async fn a_rejected_request_is_permanent_with_the_provider_message() {
    let server = StandIn::start(Some(KEY), |_, _| {
        Reply::error(400, "Audio file might be corrupted or unsupported")
    })
    .await;
    let engine = RemoteEngine::new(settings(&server, Some(KEY))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audio = channel(&dir, "c0.f32", &speech(SEC, &[]));

    let error = transcribe(&engine, &audio, None).await.unwrap_err();

    match &error {
        SttError::Permanent(message) => {
            assert!(
                message.contains("Audio file might be corrupted or unsupported"),
                "{message}"
            );
            assert!(message.contains("400"), "{message}");
        }
        other => panic!("expected Permanent, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 1, "a 400 is not retried");
}

#[tokio::test]
async fn a_persistent_503_is_retryable_after_max_retries() {
    let server = StandIn::start(Some(KEY), |_, _| Reply::error(503, "Service Unavailable")).await;
    let engine = RemoteEngine::new(RemoteSettings {
        max_retries: 2,
        ..settings(&server, Some(KEY))
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audio = channel(&dir, "c0.f32", &speech(SEC, &[]));

    let error = transcribe(&engine, &audio, None).await.unwrap_err();

    match &error {
        SttError::Retryable(message) => assert!(message.contains("503"), "{message}"),
        other => panic!("expected Retryable, got {other:?}"),
    }
    assert_eq!(
        server.requests().len(),
        3,
        "the first attempt and 2 retries"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_retryable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
    drop(listener);
    let engine = RemoteEngine::new(RemoteSettings {
        base_url,
        max_retries: 1,
        backoff_base: Duration::from_millis(10),
        ..RemoteSettings::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audio = channel(&dir, "c0.f32", &speech(SEC, &[]));

    let error = transcribe(&engine, &audio, None).await.unwrap_err();

    assert!(
        matches!(&error, SttError::Retryable(m) if m.contains("not reached") && m.contains("2 attempts")),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_api_key_never_appears_in_errors_or_settings() {
    let wrong = "sk-wrong-secret-9876543210";
    let server = StandIn::start(Some(KEY), |_, _| {
        unreachable!("refused before the responder")
    })
    .await;
    let settings = settings(&server, Some(wrong));
    assert!(!format!("{settings:?}").contains(wrong));
    let engine = RemoteEngine::new(settings).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audio = channel(&dir, "c0.f32", &speech(SEC, &[]));

    let error = transcribe(&engine, &audio, None).await.unwrap_err();

    let shown = error.to_string();
    assert!(matches!(error, SttError::Permanent(_)), "{error:?}");
    assert!(shown.contains("Incorrect API key provided"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
    assert!(!shown.contains(wrong), "{shown}");
    assert!(!format!("{error:?}").contains(wrong));
}
