//! Signed media links: a WEBHOOK action with `includeMedia` carries `data.mediaUrl`, which
//! downloads the stored recording without an API token, whole or by byte range; a forged,
//! expired or foreign link is refused; a call without media gets `null`.

use crate::evaluations::{create_scorecard, rules_card};
use crate::harness::*;
use crate::webhooks::{add_action, app_with_receiver, run_until, transcript, verifies};
use reqwest::header::{CONTENT_RANGE, CONTENT_TYPE, RANGE};
use scorejar_store::media_links::MediaLinks;
use serde_json::{json, Value};
use time::OffsetDateTime;

crate::webhooks::webhook_tests!(a_webhook_links_to_the_recording_with_ranges);

fn fixture() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/media/tone.flac"
    );
    std::fs::read(path).expect("testdata/media/tone.flac")
}

async fn get(app: &TestApp, url: &str, range: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(url);
    if let Some(range) = range {
        request = request.header(RANGE, range);
    }
    request.send().await.unwrap()
}

async fn error_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (
        status,
        body["error"]["code"].as_str().unwrap_or("").to_owned(),
    )
}

async fn a_webhook_links_to_the_recording_with_ranges(backend: Backend) {
    let (app, receiver, base) = app_with_receiver(backend).await;
    let sc = create_scorecard(&app, rules_card()).await;
    let action = add_action(
        &app,
        &sc,
        json!({ "trigger": { "type": "EVALUATION_COMPLETED" },
                "action": { "type": "WEBHOOK", "url": format!("{base}/media"), "includeMedia": true } }),
    )
    .await;
    let secret = action["secret"].as_str().unwrap().to_owned();

    let audio = fixture();
    let payload = json!({ "sourceIdentifier": "media-link-1", "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z", "transcript": transcript(),
        "evaluation": { "scorecardId": sc } });
    let (status, call) = app.upload_file(audio.clone(), "tone.flac", &payload).await;
    assert_eq!(status, 200, "{call}");
    let chat = json!({ "sourceIdentifier": "media-link-2", "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z", "transcript": transcript(),
        "evaluation": { "scorecardId": sc } });
    let (status, chat) = app.upload(&chat).await;
    assert_eq!(status, 200, "{chat}");
    run_until(&app, || receiver.hits("media").len() >= 2).await;

    let hits = receiver.hits("media");
    let event_of = |interaction: &Value| -> Value {
        let id = interaction["interactionId"].as_str().unwrap();
        let hit = hits
            .iter()
            .find(|h| h.body.contains(id))
            .unwrap_or_else(|| panic!("no delivery about {id}: {hits:?}"));
        assert!(verifies(&secret, hit), "signed: {hit:?}");
        serde_json::from_str(&hit.body).unwrap()
    };
    let without_media = event_of(&chat);
    assert_eq!(
        without_media["data"]["mediaUrl"],
        Value::Null,
        "{without_media}"
    );
    let event = event_of(&call);
    let url = event["data"]["mediaUrl"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("{}/media/", app.base)), "{url}");
    let expires = event["data"]["mediaUrlExpiresAt"].as_str().unwrap();
    let expires =
        OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc3339).unwrap();
    let week = OffsetDateTime::now_utc() + time::Duration::days(7);
    assert!(
        (expires - week).abs() < time::Duration::minutes(5),
        "{expires}"
    );

    // The whole recording, with no API token.
    let whole = get(&app, &url, None).await;
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert!(whole.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .contains("flac"));
    assert_eq!(whole.bytes().await.unwrap().as_ref(), audio.as_slice());

    // One range, and an open-ended one.
    let part = get(&app, &url, Some("bytes=100-199")).await;
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()[CONTENT_RANGE],
        format!("bytes 100-199/{}", audio.len()).as_str()
    );
    assert_eq!(part.bytes().await.unwrap().as_ref(), &audio[100..200]);
    let tail = get(&app, &url, Some("bytes=-16")).await;
    assert_eq!(tail.status(), 206);
    assert_eq!(
        tail.bytes().await.unwrap().as_ref(),
        &audio[audio.len() - 16..]
    );
    let outside = get(&app, &url, Some(&format!("bytes={}-", audio.len()))).await;
    assert_eq!(
        outside.headers()[CONTENT_RANGE],
        format!("bytes */{}", audio.len()).as_str()
    );
    assert_eq!(
        error_code(outside).await,
        (416, "range_not_satisfiable".into())
    );

    // A forged signature, a token cut short, an expired link: refused, and say why.
    let (prefix, token) = url.rsplit_once('/').unwrap();
    let last = token.chars().last().unwrap();
    let forged = format!(
        "{prefix}/{}{}",
        &token[..token.len() - 1],
        if last == 'A' { 'B' } else { 'A' }
    );
    assert_eq!(
        error_code(get(&app, &forged, None).await).await,
        (403, "invalid_media_link".into())
    );
    let cut = format!("{prefix}/{}", token.split('.').next().unwrap());
    assert_eq!(
        error_code(get(&app, &cut, None).await).await,
        (403, "invalid_media_link".into())
    );
    // Another process's signer (a fresh one, reading the key from the database) makes links
    // this server accepts — here one that has already expired.
    let links = MediaLinks::new(app.store.clone());
    let call_id = call["interactionId"].as_str().unwrap();
    let past = OffsetDateTime::now_utc() - time::Duration::seconds(1);
    let expired = links.token(&app.account_id, call_id, past).await.unwrap();
    assert_eq!(
        error_code(get(&app, &app.url(&format!("/media/{expired}")), None).await).await,
        (403, "media_link_expired".into())
    );
    let soon = OffsetDateTime::now_utc() + time::Duration::minutes(1);
    let fresh = links.token(&app.account_id, call_id, soon).await.unwrap();
    assert_eq!(
        get(&app, &app.url(&format!("/media/{fresh}")), None)
            .await
            .status(),
        200
    );
    // A link naming an interaction of another account grants nothing of this one.
    let (other_account, _) = app.new_account(10).await;
    let foreign = links.token(&other_account, call_id, soon).await.unwrap();
    assert_eq!(
        error_code(get(&app, &app.url(&format!("/media/{foreign}")), None).await).await,
        (404, "media_not_found".into())
    );
    app.finish().await;
}
