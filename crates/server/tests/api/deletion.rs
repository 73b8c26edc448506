//! `DELETE /api/v1/interactions/{id}` and `GET /api/v1/interactions/{id}/media`: a recording
//! read back whole and by range; then deleted — its rows (interaction, metadata, tag links,
//! evaluation, jobs) and its stored object gone, the credits ledger kept, another account's
//! interaction untouched; a token without the admin scope refused and nothing changed. And
//! `DELETE /api/v1/participants/{id}`: a person's details erased, their interactions kept.

use crate::evaluations::{create_scorecard, evaluate_handler, rules_card};
use crate::harness::*;
use crate::upload_files::testdata;
use scorejar_core::cursor::Cursor;
use scorejar_core::paging::PageRequest;
use serde_json::{json, Value};
use std::time::Duration;

crate::backend_tests!(
    a_deleted_interaction_leaves_no_rows_and_no_media,
    a_forgotten_person_keeps_no_details
);

fn payload(source: &str, scorecard: &str) -> Value {
    json!({ "sourceIdentifier": source, "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z", "tags": ["vip"],
        "customMetadata": { "crmId": "C-1" },
        "transcript": { "text": "", "segments": [
            { "start": 0.5, "end": 3.0, "speaker": "agent", "text": "Thank you for calling Acme." },
            { "start": 3.5, "end": 6.0, "speaker": "customer", "text": "Hi, my bill is wrong." }
        ]},
        "evaluation": { "scorecardId": scorecard } })
}

/// `DELETE path` with `token`.
async fn delete_as(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client
        .delete(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// What still names the interaction: its record, its evaluations (by id), its jobs, the
/// listing by its metadata and by its tag (the interaction `kept` shares both), and the
/// account's ledger rows that name it. Metadata and tag links have foreign keys to the
/// interaction, so its row cannot go while they stay.
async fn traces(app: &TestApp, id: &str, evaluation: &str) -> Vec<(&'static str, usize)> {
    let record = app
        .store
        .get_interaction(&app.account_id, id)
        .await
        .unwrap();
    let submission = app
        .get(&format!("/api/v1/score-submissions/{evaluation}"))
        .await
        .status();
    let jobs = app.store.interaction_jobs(id).await.unwrap();
    let listed = |query: &str| {
        let url = format!("/api/v1/interactions?{query}");
        async move {
            let (status, page) = read(app.get(&url).await).await;
            assert_eq!(status, 200, "{page}");
            page["data"].as_array().unwrap().len()
        }
    };
    let ledger = app
        .store
        .credits(&app.account_id, &PageRequest::<Cursor>::first(100))
        .await
        .unwrap()
        .1
        .data
        .iter()
        .filter(|e| e.interaction_id.as_deref() == Some(id))
        .count();
    vec![
        ("interaction", usize::from(record.is_some())),
        ("evaluation", usize::from(submission == 200)),
        ("jobs", jobs.len()),
        ("by metadata", listed("metadata.crmId=C-1").await),
        ("by tag", listed("tag=vip").await),
        ("ledger", ledger),
    ]
}

async fn a_deleted_interaction_leaves_no_rows_and_no_media(app: &TestApp) {
    app.create_tag("vip").await;
    let card = create_scorecard(app, rules_card()).await;
    let bytes = testdata("tone.mp3");
    let (status, kept) = app
        .upload_file(bytes.clone(), "tone.mp3", &payload("kept", &card))
        .await;
    assert_eq!(status, 200, "{kept}");
    let (status, doomed) = app
        .upload_file(bytes.clone(), "tone.mp3", &payload("doomed", &card))
        .await;
    assert_eq!(status, 200, "{doomed}");
    let id = doomed["interactionId"].as_str().unwrap().to_owned();
    let done = app
        .run_worker_until(
            vec![evaluate_handler(app, None)],
            &format!("/api/v1/interactions/{id}"),
            Duration::from_secs(30),
            |v| v["evaluations"][0]["status"] == "COMPLETED",
        )
        .await;
    let evaluation = done["evaluations"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.media_files().await, 2);

    // The recording comes back whole, and by range.
    let media = format!("/api/v1/interactions/{id}/media");
    let whole = app.get(&media).await;
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.bytes().await.unwrap().to_vec(), bytes);
    let part = app
        .client
        .get(app.url(&media))
        .bearer_auth(&app.token)
        .header("range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.bytes().await.unwrap().to_vec(), &bytes[10..20]);

    let before = traces(app, &id, &evaluation).await;
    assert_eq!(
        before,
        vec![
            ("interaction", 1),
            ("evaluation", 1),
            ("jobs", 1),
            ("by metadata", 2),
            ("by tag", 2),
            ("ledger", 1)
        ]
    );
    let ledger = app.ledger_len().await;

    // A token without the admin scope is refused, and nothing changes.
    let (status, reader) = read(
        app.post_json(
            "/api/v1/tokens",
            &json!({ "name": "reader", "scopes": ["read"] }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{reader}");
    let path = format!("/api/v1/interactions/{id}");
    let refused = app
        .client
        .delete(app.url(&path))
        .bearer_auth(reader["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(traces(app, &id, &evaluation).await, before);

    // Another account cannot delete it either: for them it does not exist.
    let (_, other_token) = app.new_account(10).await;
    let foreign = delete_as(app, &other_token, &path).await;
    assert_eq!(foreign.status(), 404);

    let deleted = delete_as(app, &app.token, &path).await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        traces(app, &id, &evaluation).await,
        vec![
            ("interaction", 0),
            ("evaluation", 0),
            ("jobs", 0),
            ("by metadata", 1),
            ("by tag", 1),
            ("ledger", 1)
        ],
        "only the ledger names it now"
    );
    assert_eq!(app.ledger_len().await, ledger);
    assert_eq!(
        app.media_files().await,
        1,
        "its object is gone, the other stays"
    );
    assert_eq!(app.get(&path).await.status(), 404);
    assert_eq!(app.get(&media).await.status(), 404);
    // Deleting again: 404, nothing else happens.
    let again = delete_as(app, &app.token, &path).await;
    assert_eq!(again.status(), 404);
    let kept_id = kept["interactionId"].as_str().unwrap();
    let (status, still) = read(app.get(&format!("/api/v1/interactions/{kept_id}")).await).await;
    assert_eq!(status, 200, "{still}");
    assert_eq!(still["tags"][0]["name"], "vip");
}

async fn a_forgotten_person_keeps_no_details(app: &TestApp) {
    let person = json!({ "name": "Dana Customer", "email": "dana@example.com",
        "phone": "+15550100", "sourceIdentifier": "crm-dana" });
    let call = |source: &str| {
        json!({ "sourceIdentifier": source, "direction": "INBOUND",
            "timestamp": "2026-06-23T14:30:00Z", "interactionType": "CHAT",
            "customer": person.clone(), "transcript": { "text": "Customer: hello" } })
    };
    let (status, first) = app.upload(&call("forget-1")).await;
    assert_eq!(status, 200, "{first}");
    let id = first["interactionId"].as_str().unwrap().to_owned();
    let (_, before) = read(app.get(&format!("/api/v1/interactions/{id}")).await).await;
    let customer = before["customer"]["id"].as_str().unwrap().to_owned();
    assert_eq!(before["customer"]["email"], "dana@example.com", "{before}");

    // Another account, or a token without the admin scope: nothing happens.
    let (_, other_token) = app.new_account(10).await;
    let path = format!("/api/v1/participants/{customer}");
    let foreign = delete_as(app, &other_token, &path).await;
    assert_eq!(foreign.status(), 404);
    let (_, reader) = read(
        app.post_json(
            "/api/v1/tokens",
            &json!({ "name": "r", "scopes": ["read"] }),
        )
        .await,
    )
    .await;
    let refused = app
        .client
        .delete(app.url(&path))
        .bearer_auth(reader["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    let erased = delete_as(app, &app.token, &path).await;
    assert_eq!(erased.status(), 204);
    let (_, after) = read(app.get(&format!("/api/v1/interactions/{id}")).await).await;
    assert_eq!(
        after["customer"]["id"],
        customer.as_str(),
        "the link stays: {after}"
    );
    for field in ["name", "email", "phone", "sourceIdentifier"] {
        assert!(after["customer"][field].is_null(), "{field} kept: {after}");
    }
    assert!(!after.to_string().contains("dana@example.com"), "{after}");
    // The same person uploaded again is someone new: nothing is left to match them by.
    let (_, second) = app.upload(&call("forget-2")).await;
    let second_id = second["interactionId"].as_str().unwrap();
    let (_, again) = read(app.get(&format!("/api/v1/interactions/{second_id}")).await).await;
    assert_ne!(again["customer"]["id"], customer.as_str(), "{again}");
    assert_eq!(again["customer"]["email"], "dana@example.com");
    // Erasing an unknown id is a 404.
    let missing = delete_as(app, &app.token, "/api/v1/participants/no-such-person").await;
    assert_eq!(missing.status(), 404);
}
