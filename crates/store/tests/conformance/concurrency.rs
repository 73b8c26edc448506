//! Races: the guarantees must hold when many uploads arrive at once.

use crate::support::*;
use scorejar_core::model::*;
use scorejar_store::{Store, StoreError};
use std::collections::HashSet;
use std::sync::Arc;

pub async fn concurrent_duplicates_create_once(store: Arc<dyn Store>) {
    let a = account(&store, 100).await;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = store.clone();
            let mut up = upload(&a, "same-source");
            up.charge = 3;
            up.agent = Some(participant(Some("agent-1"), Some("a1@example.com"), None));
            tokio::spawn(async move { store.create_upload(up).await })
        })
        .collect();
    let mut created_ids = Vec::new();
    let mut duplicate_ids = Vec::new();
    for task in tasks {
        match task.await.unwrap().unwrap() {
            UploadOutcome::Created(r) => created_ids.push(r.interaction_id),
            UploadOutcome::Duplicate(r) => duplicate_ids.push(r.interaction_id),
        }
    }
    assert_eq!(created_ids.len(), 1, "exactly one upload wins");
    assert_eq!(duplicate_ids.len(), 15);
    assert!(
        duplicate_ids.iter().all(|id| *id == created_ids[0]),
        "duplicates point at the winner"
    );
    assert_eq!(balance(&store, &a).await, 97, "charged once");
    assert_eq!(ledger(&store, &a).await.len(), 2);
    assert_eq!(all_interactions(&store, &a).await.len(), 1);

    // The racers' agent is the winner's participant: a later upload naming it by e-mail alone
    // (any case) finds that one.
    let winner = interaction(&store, &a, &created_ids[0]).await;
    let mut later = upload(&a, "later");
    later.agent = Some(participant(None, Some("A1@example.com"), None));
    let later = created(&store, later).await;
    assert_eq!(
        interaction(&store, &a, &later.interaction_id).await.agent,
        winner.agent
    );
}

/// Uploads racing to create the same new agent and customer end up sharing one participant
/// per role instead of creating one each (or failing on the unique keys).
pub async fn concurrent_uploads_share_one_new_participant(store: Arc<dyn Store>) {
    let a = account(&store, 0).await;
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let store = store.clone();
            let mut up = upload(&a, &format!("src-{i}"));
            up.agent = Some(participant(
                Some("agent-new"),
                Some("New@Example.com"),
                Some("N"),
            ));
            // Known by e-mail only.
            up.customer = Some(participant(None, Some("cust@example.com"), None));
            tokio::spawn(async move { store.create_upload(up).await })
        })
        .collect();
    for task in tasks {
        let outcome = task.await.unwrap().unwrap();
        assert!(matches!(outcome, UploadOutcome::Created(_)), "{outcome:?}");
    }
    let listed = all_interactions(&store, &a).await;
    assert_eq!(listed.len(), 12);
    let agents: HashSet<&str> = listed
        .iter()
        .map(|r| r.agent.as_ref().unwrap().id.as_str())
        .collect();
    let customers: HashSet<&str> = listed
        .iter()
        .map(|r| r.customer.as_ref().unwrap().id.as_str())
        .collect();
    assert_eq!((agents.len(), customers.len()), (1, 1));
    assert!(agents.is_disjoint(&customers));
    let agent = listed[0].agent.clone().unwrap();
    assert_eq!(
        (
            agent.name.as_deref(),
            agent.email.as_deref(),
            agent.source_identifier.as_deref()
        ),
        (Some("N"), Some("New@Example.com"), Some("agent-new"))
    );
}

pub async fn concurrent_debits_never_go_negative(store: Arc<dyn Store>) {
    let a = account(&store, 10).await;
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let store = store.clone();
            let mut up = upload(&a, &format!("race-{i}"));
            up.charge = 1;
            tokio::spawn(async move { store.create_upload(up).await })
        })
        .collect();
    let (mut ok, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(UploadOutcome::Created(_)) => ok += 1,
            Err(StoreError::InsufficientCredits {
                required: 1,
                balance: 0,
            }) => refused += 1,
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!((ok, refused), (10, 20));
    assert_eq!(balance(&store, &a).await, 0);
    let mut after: Vec<i64> = ledger(&store, &a)
        .await
        .iter()
        .filter(|e| e.amount == -1)
        .map(|e| e.balance_after)
        .collect();
    after.sort();
    assert_eq!(
        after,
        (0..10).collect::<Vec<_>>(),
        "one debit per balance step"
    );
    assert_eq!(
        all_interactions(&store, &a).await.len(),
        10,
        "refused uploads left no interaction"
    );
}

/// The account's interactions, at most 100 (one page).
async fn all_interactions(store: &Arc<dyn Store>, account_id: &str) -> Vec<InteractionRecord> {
    let filter = InteractionFilter {
        limit: 100,
        ..Default::default()
    };
    let page = store.list_interactions(account_id, &filter).await.unwrap();
    assert_eq!(page.next_cursor, None);
    page.data
}
