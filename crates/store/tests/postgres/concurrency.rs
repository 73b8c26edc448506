//! Concurrency: racing duplicates, racing creations of one participant, racing debits.

use super::support::*;
use scorejar_core::model::*;
use scorejar_store::{Store, StoreError};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicates_create_exactly_one() {
    let db = TestDb::new().await;
    let acc = account(&db.store, 100).await;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = db.store.clone();
            let mut upload = chat_upload(&acc, "same-source", 2);
            upload.agent = Some(participant(Some("agent-1"), Some("a1@example.com"), None));
            tokio::spawn(async move { store.create_upload(upload).await })
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
    assert_eq!(created_ids.len(), 1);
    assert_eq!(duplicate_ids.len(), 15);
    assert!(duplicate_ids.iter().all(|id| *id == created_ids[0]));
    assert_eq!(db.store.credits(&acc, 10).await.unwrap().0, 98);
    assert_eq!(count(&db.store, "interactions").await, 1);
    assert_eq!(count(&db.store, "participants").await, 1);
    assert_eq!(count(&db.store, "credit_ledger").await, 2);
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_uploads_share_one_new_participant() {
    let db = TestDb::new().await;
    let acc = account(&db.store, 0).await;
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let store = db.store.clone();
            let mut upload = chat_upload(&acc, &format!("src-{i}"), 0);
            upload.agent = Some(participant(
                Some("agent-new"),
                Some("New@Example.com"),
                Some("N"),
            ));
            upload.customer = Some(participant(None, Some("cust@example.com"), None));
            tokio::spawn(async move { store.create_upload(upload).await })
        })
        .collect();
    for task in tasks {
        created(task.await.unwrap().unwrap());
    }
    assert_eq!(count(&db.store, "participants").await, 2);
    let agents: i64 = sqlx::query_scalar("SELECT count(DISTINCT agent_id) FROM interactions")
        .fetch_one(db.store.pool())
        .await
        .unwrap();
    assert_eq!(agents, 1);
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_debits_never_overdraw() {
    let db = TestDb::new().await;
    let acc = account(&db.store, 10).await;
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let store = db.store.clone();
            let upload = chat_upload(&acc, &format!("debit-{i}"), 1);
            tokio::spawn(async move { store.create_upload(upload).await })
        })
        .collect();
    let (mut ok, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(outcome) => {
                created(outcome);
                ok += 1;
            }
            Err(StoreError::InsufficientCredits {
                required: 1,
                balance: 0,
            }) => refused += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((ok, refused), (10, 20));
    let (balance, ledger) = db.store.credits(&acc, 100).await.unwrap();
    assert_eq!(balance, 0);
    let mut after: Vec<i64> = ledger
        .iter()
        .filter(|e| e.amount == -1)
        .map(|e| e.balance_after)
        .collect();
    after.sort();
    assert_eq!(after, (0..10).collect::<Vec<_>>());
    assert_eq!(count(&db.store, "interactions").await, 10);
}
