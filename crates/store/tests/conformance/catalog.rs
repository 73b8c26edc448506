//! Tags and scorecards.

use crate::support::*;
use scorejar_core::ids::new_id;
use scorejar_core::model::*;
use scorejar_store::{Store, StoreError};
use std::sync::Arc;

pub async fn tags_conflict_case_insensitively_per_account(store: Arc<dyn Store>) {
    let a = account(&store, 0).await;
    let b = account(&store, 0).await;
    let sales = create_tag(&store, &a, "Sales").await;
    let billing = create_tag(&store, &a, "Billing").await;
    let escalation = create_tag(&store, &a, "Escalation").await;

    let clash = store
        .create_tag(
            &a,
            Tag {
                id: new_id(),
                name: "BILLING".into(),
            },
        )
        .await;
    assert!(
        matches!(clash, Err(StoreError::Conflict("tag name"))),
        "{clash:?}"
    );
    // The same name on another account is fine.
    let other = create_tag(&store, &b, "billing").await;

    assert_eq!(
        all_tags(&store, &a).await,
        vec![billing, escalation, sales],
        "sorted by name"
    );
    assert_eq!(all_tags(&store, &b).await, vec![other]);
    let orphan = store
        .create_tag(
            &new_id(),
            Tag {
                id: new_id(),
                name: "x".into(),
            },
        )
        .await;
    assert!(
        matches!(orphan, Err(StoreError::NotFound("account"))),
        "{orphan:?}"
    );
}

pub async fn scorecards_crud(store: Arc<dyn Store>) {
    let a = account(&store, 0).await;
    let b = account(&store, 0).await;
    let first_id = new_id();
    let first = store
        .create_scorecard(
            &a,
            &first_id,
            &scorecard_fields("Onboarding", ScorecardStatus::Draft),
        )
        .await
        .unwrap();
    assert_eq!(first.id, first_id);
    assert_eq!(
        first.fields,
        scorecard_fields("Onboarding", ScorecardStatus::Draft)
    );
    assert_eq!(first.created_at, first.updated_at);
    assert_eq!(
        store.get_scorecard(&a, &first_id).await.unwrap(),
        Some(first.clone())
    );

    let mut minimal = scorecard_fields("Minimal", ScorecardStatus::Active);
    minimal.description = None;
    minimal.prompt = None;
    minimal.model = None;
    minimal.passing_score = None;
    let second_id = new_id();
    let second = store
        .create_scorecard(&a, &second_id, &minimal)
        .await
        .unwrap();
    assert_eq!(
        all_scorecards(&store, &a).await,
        vec![first.clone(), second.clone()],
        "oldest first"
    );

    // An update replaces every field, clearing optional ones it leaves out.
    let mut changed = scorecard_fields("Onboarding v2", ScorecardStatus::Active);
    changed.sections = serde_json::json!([{ "name": "Close", "criteria": [] }]);
    changed.description = None;
    changed.passing_score = None;
    changed.model = Some("large".into());
    let updated = store
        .update_scorecard(&a, &first_id, &changed)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(updated.fields, changed);
    assert_eq!(updated.created_at, first.created_at);
    assert!(updated.updated_at >= first.updated_at);
    assert_eq!(
        store.get_scorecard(&a, &first_id).await.unwrap(),
        Some(updated.clone())
    );
    assert_eq!(
        all_scorecards(&store, &a).await,
        vec![updated, second],
        "still in creation order"
    );

    // Another account sees nothing and changes nothing.
    assert_eq!(store.get_scorecard(&b, &first_id).await.unwrap(), None);
    assert_eq!(
        store
            .update_scorecard(&b, &first_id, &minimal)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .update_scorecard(&a, &new_id(), &minimal)
            .await
            .unwrap(),
        None
    );
    assert_eq!(all_scorecards(&store, &b).await, vec![]);
    assert_eq!(
        store
            .get_scorecard(&a, &first_id)
            .await
            .unwrap()
            .unwrap()
            .fields,
        changed
    );
}
