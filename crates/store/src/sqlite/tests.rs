//! SQLite-only behaviour the backend-agnostic conformance suite cannot see: several stores (as
//! several processes would) on one file, and data surviving a reopen.

use super::SqliteStore;
use crate::{NewApiToken, Store, StoreError};
use scorejar_core::paging::PageRequest;
use std::sync::Arc;

fn token(hash: &str) -> NewApiToken {
    NewApiToken {
        id: scorejar_core::ids::new_id(),
        name: "t".into(),
        token_hash: hash.into(),
        scopes: scorejar_core::tokens::ScopeSet::all(),
        expires_at: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_on_one_file_share_writes_without_losing_any() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let path = path.to_str().unwrap();
    let server = Arc::new(SqliteStore::open(path).await.unwrap());
    // Like `scorejar credits add` while the server runs: a second writer on the same file.
    let cli = Arc::new(SqliteStore::open(path).await.unwrap());
    server
        .create_account("acct", "Acme", 0, token("h1"))
        .await
        .unwrap();

    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = if i % 2 == 0 {
            server.clone()
        } else {
            cli.clone()
        };
        tasks.push(tokio::spawn(async move {
            store.add_credits("acct", 1, "grant").await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(
        cli.credits("acct", &PageRequest::first(100))
            .await
            .unwrap()
            .0,
        40
    );
    let (balance, entries) = server
        .credits("acct", &PageRequest::first(100))
        .await
        .unwrap();
    let entries = entries.data;
    assert_eq!((balance, entries.len()), (40, 40));
    let mut after: Vec<i64> = entries.iter().map(|e| e.balance_after).collect();
    after.sort();
    assert_eq!(after, (1..=40).collect::<Vec<_>>());
}

#[tokio::test]
async fn data_survives_a_reopen_and_migrations_are_not_reapplied() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("again.db");
    let path = path.to_str().unwrap();
    {
        let store = SqliteStore::open(path).await.unwrap();
        store
            .create_account("acct", "Acme", 7, token("h2"))
            .await
            .unwrap();
    }
    let store = SqliteStore::open(path).await.unwrap();
    assert_eq!(store.get_account("acct").await.unwrap().unwrap().credits, 7);
    assert_eq!(
        store
            .find_api_token("h2")
            .await
            .unwrap()
            .map(|t| t.account_id)
            .as_deref(),
        Some("acct")
    );
    // The first token's hash is unique: a second account reusing it fails and writes nothing.
    let clash = store.create_account("other", "B", 5, token("h2")).await;
    assert!(matches!(clash, Err(StoreError::Internal(_))), "{clash:?}");
    assert_eq!(store.get_account("other").await.unwrap(), None);
    assert_eq!(store.account_count().await.unwrap(), 1);
}
