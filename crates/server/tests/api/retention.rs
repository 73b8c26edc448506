//! Retention with a compressed clock: `PUT /api/v1/retention` checked field by field, then the
//! workers' sweep run as of days later — recordings go first (object and key, the interaction
//! and its transcript stay, `media.removedAt` says when), whole interactions later, an account
//! without retention keeps everything, and old finished jobs, expired sessions and media objects
//! no interaction names are swept.

use crate::evaluations::{create_scorecard, evaluate_handler, rules_card};
use crate::harness::*;
use crate::upload_files::testdata;
use scorejar_media::MediaStorage;
use scorejar_worker::RetentionSweep;
use serde_json::{json, Value};
use std::time::Duration;
use time::OffsetDateTime;

crate::backend_tests!(retention_removes_recordings_then_interactions);

async fn put(app: &TestApp, body: Value) -> (u16, Value) {
    let resp = app
        .client
        .put(app.url("/api/v1/retention"))
        .bearer_auth(&app.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

fn call(source: &str) -> Value {
    json!({ "sourceIdentifier": source, "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z",
        "transcript": { "text": "", "segments": [
            { "start": 0.5, "end": 3.0, "speaker": "agent", "text": "Thank you for calling Acme." }] } })
}

async fn retention_removes_recordings_then_interactions(app: &TestApp) {
    let (status, none) = read(app.get("/api/v1/retention").await).await;
    assert_eq!(status, 200);
    assert_eq!(none, json!({ "mediaDays": null, "interactionDays": null }));
    let (status, refused) = put(app, json!({ "mediaDays": 100, "interactionDays": 90 })).await;
    assert_eq!(
        (status, refused["error"]["field"].clone()),
        (400, json!("mediaDays")),
        "{refused}"
    );
    let (_, still) = read(app.get("/api/v1/retention").await).await;
    assert_eq!(still, none, "a refused policy changes nothing");

    let mut ids = Vec::new();
    for n in 0..3 {
        let (status, body) = app
            .upload_file(
                testdata("tone.mp3"),
                "tone.mp3",
                &call(&format!("keep-{n}")),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        ids.push(body["interactionId"].as_str().unwrap().to_owned());
    }
    // One evaluated chat: its job, once DONE, is an old finished job for the sweep.
    let card = create_scorecard(app, rules_card()).await;
    let mut chat = call("chat-1");
    chat["interactionType"] = json!("CHAT");
    chat["evaluation"] = json!({ "scorecardId": card });
    let (status, body) = app.upload(&chat).await;
    assert_eq!(status, 200, "{body}");
    let chat_id = body["interactionId"].as_str().unwrap().to_owned();
    app.run_worker_until(
        vec![evaluate_handler(app, None)],
        &format!("/api/v1/interactions/{chat_id}"),
        Duration::from_secs(30),
        |v| v["evaluations"][0]["status"] == "COMPLETED",
    )
    .await;
    // Another account keeps everything.
    let (_, other_token) = app.new_account(100).await;
    let resp = app
        .client
        .post(app.url("/api/v1/upload"))
        .bearer_auth(&other_token)
        .json(&{
            let mut c = call("other-1");
            c["interactionType"] = json!("CHAT");
            c
        })
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(app.media_files().await, 3);

    let (status, set) = put(app, json!({ "mediaDays": 30, "interactionDays": 90 })).await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(set, json!({ "mediaDays": 30, "interactionDays": 90 }));

    let sweep = RetentionSweep {
        store: app.store.clone(),
        media: app.media.clone(),
        interval: Duration::from_secs(3600),
        keep_finished_jobs: Duration::from_secs(7 * 86_400),
        orphans_after: Duration::ZERO,
    };
    // An object stored for an interaction whose row was never written (a crash in between).
    let spool = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(spool.path(), b"never committed").unwrap();
    let orphan_key = MediaStorage::media_key(&app.account_id, &uuid::Uuid::new_v4().to_string());
    app.media.put_file(&orphan_key, spool.path()).await.unwrap();
    assert_eq!(app.media_files().await, 4);
    let now = OffsetDateTime::now_utc();
    let day = time::Duration::days(1);
    let today = sweep.sweep_once(now).await.unwrap();
    assert_eq!(
        (
            today.recordings,
            today.interactions,
            today.jobs,
            today.orphans
        ),
        (0, 0, 0, 1)
    );
    assert_eq!(app.media.size(&orphan_key).await.unwrap(), None);
    assert_eq!(app.media_files().await, 3, "the committed recordings stay");

    // A month later: the recordings are gone, the interactions and transcripts stay.
    let month = sweep.sweep_once(now + day * 31).await.unwrap();
    assert_eq!((month.recordings, month.interactions), (3, 0), "{month:?}");
    assert_eq!(app.media_files().await, 0);
    let (_, record) = read(app.get(&format!("/api/v1/interactions/{}", ids[0])).await).await;
    assert!(record["media"]["removedAt"].is_string(), "{record}");
    assert_eq!(
        record["transcript"]["segments"][0]["text"],
        "Thank you for calling Acme."
    );
    let media = app
        .get(&format!("/api/v1/interactions/{}/media", ids[0]))
        .await;
    assert_eq!(media.status(), 404);
    // The evaluation's job finished a week and more ago: swept.
    assert!(month.jobs >= 1, "{month:?}");
    assert!(app
        .store
        .interaction_jobs(&chat_id)
        .await
        .unwrap()
        .is_empty());
    let again = sweep.sweep_once(now + day * 31).await.unwrap();
    assert_eq!(
        (again.recordings, again.interactions),
        (0, 0),
        "nothing twice"
    );

    // A quarter later: the interactions themselves.
    let quarter = sweep.sweep_once(now + day * 91).await.unwrap();
    assert_eq!(quarter.interactions, 4, "{quarter:?}");
    assert_eq!(app.interaction_count().await, 0);
    let (_, others) = read(app.get_as(&other_token, "/api/v1/interactions").await).await;
    assert_eq!(others["data"].as_array().unwrap().len(), 1, "{others}");
}
