//! Uploads the store answers without writing: duplicates (the first receipt), too few credits
//! and an unusable scorecard — and the order of those checks.

use crate::support::*;
use scorejar_core::ids::new_id;
use scorejar_core::jobs::TRANSCRIBE;
use scorejar_core::model::*;
use scorejar_store::{Store, StoreError};
use std::sync::Arc;

/// Asserts that the account has no participant with sourceIdentifier `source`: an upload
/// naming it creates it afresh, with that upload's name and nothing else.
async fn assert_no_participant(store: &Arc<dyn Store>, account_id: &str, source: &str) {
    let mut probe = upload(account_id, &new_id());
    probe.agent = Some(participant(Some(source), None, Some("Probe")));
    let receipt = created(store, probe).await;
    let agent = interaction(store, account_id, &receipt.interaction_id)
        .await
        .agent
        .unwrap();
    assert_eq!(
        (agent.name.as_deref(), agent.email),
        (Some("Probe"), None),
        "{source} was stored before"
    );
}

pub async fn duplicate_upload_returns_receipt_and_writes_nothing(store: Arc<dyn Store>) {
    let a = account(&store, 20).await;
    let active = scorecard(&store, &a, ScorecardStatus::Active).await;
    let mut first = upload(&a, "chat-1");
    first.charge = 2;
    first.processing = Processing {
        transcription: true,
        evaluation: false,
    };
    first.jobs = vec![job(TRANSCRIBE, &first.interaction_id)];
    let receipt = created(&store, first.clone()).await;
    let ledger_before = ledger(&store, &a).await;

    // Everything differs but the sourceIdentifier.
    let mut again = upload(&a, "chat-1");
    again.interaction_type = InteractionType::Sms;
    again.charge = 5;
    again.agent = Some(participant(
        Some("someone-else"),
        Some("else@example.com"),
        None,
    ));
    again.evaluation = Some(NewEvaluationSpec {
        score_submission_id: new_id(),
        scorecard_id: active,
    });
    again.jobs = vec![job(TRANSCRIBE, &again.interaction_id)];
    again.warnings = vec!["something".into()];
    let expected = UploadReceipt {
        warnings: vec![],
        ..receipt.clone()
    };
    assert_eq!(
        store.create_upload(again.clone()).await.unwrap(),
        UploadOutcome::Duplicate(expected.clone())
    );
    assert_eq!(
        store.find_upload(&a, "chat-1").await.unwrap(),
        Some(expected)
    );

    assert_eq!(balance(&store, &a).await, 18);
    assert_eq!(ledger(&store, &a).await, ledger_before);
    assert_eq!(
        store
            .get_interaction(&a, &again.interaction_id)
            .await
            .unwrap(),
        None
    );
    assert!(store
        .interaction_jobs(&again.interaction_id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .interaction_jobs(&first.interaction_id)
            .await
            .unwrap()
            .len(),
        1
    );
    let stored = interaction(&store, &a, &first.interaction_id).await;
    assert_eq!(stored.interaction_type, InteractionType::Chat);
    assert!(stored.evaluations.is_empty());
    assert_eq!(stored.agent, None);
    assert_no_participant(&store, &a, "someone-else").await;
}

pub async fn insufficient_credits_writes_nothing(store: Arc<dyn Store>) {
    let a = account(&store, 3).await;
    let tag = create_tag(&store, &a, "Billing").await;
    // An active scorecard: the credits are the only thing missing.
    let active = scorecard(&store, &a, ScorecardStatus::Active).await;
    let mut up = upload(&a, "costly");
    up.charge = 5;
    up.agent = Some(participant(
        Some("ag-1"),
        Some("first@example.com"),
        Some("First"),
    ));
    up.tags = vec![tag.name.clone()];
    up.custom_metadata = vec![("k".into(), MetadataValue::Int(1))];
    up.evaluation = Some(NewEvaluationSpec {
        score_submission_id: new_id(),
        scorecard_id: active,
    });
    up.jobs = vec![job(TRANSCRIBE, &up.interaction_id)];
    assert_insufficient(store.create_upload(up.clone()).await, 5, 3);

    assert_eq!(
        store.get_interaction(&a, &up.interaction_id).await.unwrap(),
        None
    );
    assert_eq!(store.find_upload(&a, "costly").await.unwrap(), None);
    assert!(store
        .interaction_jobs(&up.interaction_id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(balance(&store, &a).await, 3);
    assert_eq!(ledger(&store, &a).await.len(), 1, "only the initial grant");
    assert_no_participant(&store, &a, "ag-1").await;
}

pub async fn scorecard_not_active_writes_nothing(store: Arc<dyn Store>) {
    let a = account(&store, 10).await;
    let b = account(&store, 10).await;
    let draft = scorecard(&store, &a, ScorecardStatus::Draft).await;
    let archived = scorecard(&store, &a, ScorecardStatus::Archived).await;
    let foreign = scorecard(&store, &b, ScorecardStatus::Active).await;
    for scorecard_id in [draft, archived, foreign, new_id()] {
        let mut up = upload(&a, "with-eval");
        // Also over budget: the scorecard check comes before the credit check.
        up.charge = 50;
        up.agent = Some(participant(Some("ag-1"), None, Some("First")));
        up.evaluation = Some(NewEvaluationSpec {
            score_submission_id: new_id(),
            scorecard_id,
        });
        up.jobs = vec![job(TRANSCRIBE, &up.interaction_id)];
        let result = store.create_upload(up.clone()).await;
        assert!(
            matches!(result, Err(StoreError::ScorecardNotActive)),
            "{result:?}"
        );
        assert_eq!(
            store.get_interaction(&a, &up.interaction_id).await.unwrap(),
            None
        );
        assert!(store
            .interaction_jobs(&up.interaction_id)
            .await
            .unwrap()
            .is_empty());
    }
    assert_eq!(balance(&store, &a).await, 10);
    assert_eq!(ledger(&store, &a).await.len(), 1);
    assert_no_participant(&store, &a, "ag-1").await;

    // A duplicate is answered before the scorecard is looked at.
    let existing = created(&store, upload(&a, "plain")).await;
    let mut dup = upload(&a, "plain");
    dup.evaluation = Some(NewEvaluationSpec {
        score_submission_id: new_id(),
        scorecard_id: new_id(),
    });
    assert!(matches!(
        store.create_upload(dup).await.unwrap(),
        UploadOutcome::Duplicate(r) if r.interaction_id == existing.interaction_id
    ));
}
