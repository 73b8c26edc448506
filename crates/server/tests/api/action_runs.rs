//! `GET /api/v1/interactions/{id}/action-runs` on both backends: what the actions did on one
//! interaction, including the one that could not run (`insufficient_credits`, recorded and
//! not retried); another account's interaction is 404; deleting the interaction deletes its
//! runs.

use crate::evaluations::{create_scorecard, rules_card};
use crate::harness::*;
use crate::webhooks::{add_action, app_with_receiver, run_until_async, upload_scored};
use serde_json::{json, Value};

crate::webhooks::webhook_tests!(an_action_that_cannot_run_says_why);

async fn runs(app: &TestApp, id: &str) -> Vec<Value> {
    let (status, body) = read(
        app.get(&format!("/api/v1/interactions/{id}/action-runs"))
            .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["interactionId"], id);
    body["data"].as_array().cloned().unwrap_or_default()
}

async fn an_action_that_cannot_run_says_why(backend: Backend) {
    let (app, _receiver, _base) = app_with_receiver(backend).await;
    let sc = create_scorecard(&app, rules_card()).await;
    let mut second = rules_card();
    second["name"] = json!("Second opinion");
    let second = create_scorecard(&app, second).await;
    let tag = add_action(
        &app,
        &sc,
        json!({ "trigger": { "type": "SCORE", "op": ">=", "percentage": 70 },
                "action": { "type": "ADD_TAG", "tag": "good-call" } }),
    )
    .await;
    let queue = add_action(
        &app,
        &sc,
        json!({ "trigger": { "type": "EVALUATION_COMPLETED" },
                "action": { "type": "QUEUE_EVALUATION", "scorecardId": second } }),
    )
    .await;
    add_action(
        &app,
        &sc,
        json!({ "trigger": { "type": "ANSWER", "questionId": "hold", "answer": "Yes" },
                "action": { "type": "ADD_TAG", "tag": "never" } }),
    )
    .await;

    let receipt = upload_scored(&app, "runs-1", &sc).await;
    let id = receipt["interactionId"].as_str().unwrap().to_owned();
    assert!(
        runs(&app, &id).await.is_empty(),
        "nothing ran before the evaluation"
    );
    // The upload paid for its own evaluation; nothing is left for the one the action queues.
    let balance = app.balance().await;
    app.store
        .add_credits(&app.account_id, -balance, "test: spend the rest")
        .await
        .unwrap();

    run_until_async(&app, || async { runs(&app, &id).await.len() >= 2 }).await;
    let found = runs(&app, &id).await;
    assert_eq!(found.len(), 2, "only the matching actions ran: {found:?}");
    let outcome_of = |action: &Value| {
        found
            .iter()
            .find(|r| r["actionId"] == action["id"])
            .map(|r| r["outcome"].clone())
    };
    assert_eq!(outcome_of(&tag), Some(json!("done")), "{found:?}");
    assert_eq!(
        outcome_of(&queue),
        Some(json!("insufficient_credits")),
        "{found:?}"
    );
    for run in &found {
        assert_eq!(run["scorecardId"], sc.as_str());
        assert!(
            run["ranAt"].as_str().is_some_and(|t| t.ends_with('Z')),
            "{run}"
        );
    }
    assert!(found[0]["action"]["type"].is_string(), "{found:?}");
    let (_, stored) = read(app.get(&format!("/api/v1/interactions/{id}")).await).await;
    assert_eq!(
        stored["evaluations"].as_array().map(Vec::len),
        Some(1),
        "the unpaid evaluation was not queued: {stored}"
    );
    assert_eq!(app.balance().await, 0, "and nothing was charged for it");

    let (_, other) = app.new_account(100).await;
    let resp = app
        .get_as(&other, &format!("/api/v1/interactions/{id}/action-runs"))
        .await;
    let (status, body) = read(resp).await;
    assert_error(status, &body, 404, "interaction_not_found", None);

    let resp = app
        .client
        .delete(app.url(&format!("/api/v1/interactions/{id}")))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let left = app.store.action_runs(&app.account_id, &id).await.unwrap();
    assert!(
        left.is_empty(),
        "the runs went with the interaction: {left:?}"
    );
    app.finish().await;
}
