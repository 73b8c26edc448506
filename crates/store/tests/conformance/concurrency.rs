//! Races: the guarantees must hold when many uploads arrive at once.

use crate::support::*;
use scorejar_core::model::*;
use scorejar_store::{Store, StoreError};
use std::sync::Arc;

pub async fn concurrent_duplicates_create_once(store: Arc<dyn Store>) {
    let a = account(&store, 100).await;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = store.clone();
            let mut up = upload(&a, "same-source");
            up.charge = 3;
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
    let listed = store
        .list_interactions(
            &a,
            &InteractionFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(listed.data.len(), 10, "refused uploads left no interaction");
}
