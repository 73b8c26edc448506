//! Matching participants and tags, and keeping accounts apart.

use super::support::*;
use scorejar_core::ids::new_id;
use scorejar_core::model::*;
use scorejar_store::{Store, StoreError};

#[tokio::test]
async fn participants_are_matched_filled_and_keep_unique_emails() {
    let db = TestDb::new().await;
    let store = &db.store;
    let acc = account(store, 0).await;
    let mut upload = chat_upload(&acc, "u1", 0);
    upload.agent = Some(participant(
        Some("a-1"),
        Some("jane@example.com"),
        Some("Jane"),
    ));
    upload.customer = Some(participant(Some("c-1"), None, None));
    created(store.create_upload(upload).await.unwrap());

    let mut upload = chat_upload(&acc, "u2", 0);
    upload.customer = Some(ParticipantInput {
        name: Some("Carl".into()),
        email: Some("JANE@example.com".into()),
        phone: Some("+1555".into()),
        source_identifier: Some("c-1".into()),
    });
    let receipt = created(store.create_upload(upload.clone()).await.unwrap());
    assert_eq!(
        receipt.warnings,
        ["customer.email: JANE@example.com already belongs to another participant; it was dropped"]
    );
    let got = store
        .get_interaction(&acc, &upload.interaction_id)
        .await
        .unwrap()
        .unwrap();
    let customer = got.customer.unwrap();
    assert_eq!(
        (
            customer.name.as_deref(),
            customer.email,
            customer.phone.as_deref()
        ),
        (Some("Carl"), None, Some("+1555"))
    );

    // Matched by e-mail (case-insensitively) when the upload has no sourceIdentifier: the
    // stored name and sid are kept. (With a different sid it would be somebody else.)
    let mut upload = chat_upload(&acc, "u3", 0);
    upload.agent = Some(participant(None, Some("Jane@Example.COM"), Some("Other")));
    created(store.create_upload(upload.clone()).await.unwrap());
    let agent = store
        .get_interaction(&acc, &upload.interaction_id)
        .await
        .unwrap()
        .unwrap()
        .agent
        .unwrap();
    assert_eq!(agent.name.as_deref(), Some("Jane"));
    assert_eq!(agent.source_identifier.as_deref(), Some("a-1"));
    assert_eq!(count(store, "participants").await, 2);
}

#[tokio::test]
async fn unknown_tags_are_warned_about_and_known_ones_linked_once() {
    let db = TestDb::new().await;
    let store = &db.store;
    let acc = account(store, 0).await;
    let vip = tag(store, &acc, "VIP").await;
    let mut upload = chat_upload(&acc, "t1", 0);
    upload.tags = vec!["vip".into(), "Missing".into(), vip.id.clone(), "VIP".into()];
    let receipt = created(store.create_upload(upload.clone()).await.unwrap());
    assert_eq!(
        receipt.warnings,
        ["tags[1]: unknown tag \"Missing\" was ignored"]
    );
    let got = store
        .get_interaction(&acc, &upload.interaction_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.tags, [vip]);
}

#[tokio::test]
async fn accounts_are_isolated_from_each_other() {
    let db = TestDb::new().await;
    let store = &db.store;
    let a = account(store, 10).await;
    let b = account(store, 10).await;
    tag(store, &a, "VIP").await;
    let a_scorecard = scorecard(store, &a, ScorecardStatus::Active).await;
    let mut upload = chat_upload(&a, "shared-source", 1);
    upload.agent = Some(participant(Some("agent-1"), Some("x@example.com"), None));
    let a_receipt = created(store.create_upload(upload).await.unwrap());

    assert_eq!(
        store
            .get_interaction(&b, &a_receipt.interaction_id)
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.find_upload(&b, "shared-source").await.unwrap(), None);
    let page = store
        .list_interactions(
            &b,
            &InteractionFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(page.data.is_empty());
    assert!(store.jobs_for_interaction("nope").await.unwrap().is_empty());

    // The same sourceIdentifier, tag name and participant keys are free in another account.
    let mut upload = chat_upload(&b, "shared-source", 1);
    upload.agent = Some(participant(Some("agent-1"), Some("x@example.com"), None));
    upload.tags = vec!["VIP".into()];
    let b_receipt = created(store.create_upload(upload.clone()).await.unwrap());
    assert_eq!(
        b_receipt.warnings,
        ["tags[0]: unknown tag \"VIP\" was ignored"]
    );
    assert_eq!(count(store, "participants").await, 2);
    let mut with_foreign_scorecard = chat_upload(&b, "other", 0);
    with_foreign_scorecard.evaluation = Some(NewEvaluationSpec {
        score_submission_id: new_id(),
        scorecard_id: a_scorecard.clone(),
    });
    assert!(matches!(
        store.create_upload(with_foreign_scorecard).await,
        Err(StoreError::ScorecardNotActive)
    ));
    assert_eq!(store.get_scorecard(&b, &a_scorecard).await.unwrap(), None);
    assert_eq!(store.credits(&a, 5).await.unwrap().0, 9);
    assert_eq!(store.credits(&b, 5).await.unwrap().0, 9);
}
