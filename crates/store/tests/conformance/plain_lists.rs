//! Paging of the plain lists (tags, tokens, scorecards, the ledger), and the tag and token
//! operations that go with them: rename, delete (unlinking), get.

use crate::support::*;
use scorejar_core::cursor::Cursor;
use scorejar_core::model::*;
use scorejar_core::paging::NameCursor;
use scorejar_store::{Store, StoreError};
use std::sync::Arc;

pub async fn plain_lists_page_in_order_without_gaps(store: Arc<dyn Store>) {
    let a = account(&store, 0).await;
    let b = account(&store, 5).await;
    // Names whose byte order differs from their case-folded order.
    let mut tags = Vec::new();
    for name in ["b", "A", "c:d", "Z", "a:b", "é", "B2", "m"] {
        tags.push(create_tag(&store, &a, name).await);
    }
    create_tag(&store, &b, "other").await;
    tags.sort_by_key(|t| (t.name.to_lowercase(), t.id.clone()));
    for limit in [1, 3, 8, 100] {
        let walked = walk::<NameCursor, _, _, _>(limit, |p| {
            let (store, a) = (&store, &a);
            async move { store.list_tags(a, &p).await.unwrap() }
        })
        .await;
        assert_eq!(walked, tags, "limit {limit}");
    }

    for i in 0..7 {
        store
            .create_api_token(&a, token(&format!("t{i}")))
            .await
            .unwrap();
        store.add_credits(&a, i + 1, "grant").await.unwrap();
        scorecard(&store, &a, ScorecardStatus::Draft).await;
    }
    let tokens = walk::<Cursor, _, _, _>(3, |p| {
        let (store, a) = (&store, &a);
        async move { store.list_api_tokens(a, &p).await.unwrap() }
    })
    .await;
    let mut newest_first = tokens.clone();
    newest_first.sort_by_key(|t| std::cmp::Reverse((t.created_at, t.id.clone())));
    assert_eq!(
        (tokens.len(), &tokens),
        (8, &newest_first),
        "the first token too"
    );

    let scorecards = walk::<Cursor, _, _, _>(2, |p| {
        let (store, a) = (&store, &a);
        async move { store.list_scorecards(a, &p).await.unwrap() }
    })
    .await;
    let mut oldest_first = scorecards.clone();
    oldest_first.sort_by_key(|s| (s.created_at, s.id.clone()));
    assert_eq!((scorecards.len(), &scorecards), (7, &oldest_first));

    let ledger = walk::<Cursor, _, _, _>(4, |p| {
        let (store, a) = (&store, &a);
        async move { store.credits(a, &p).await.unwrap().1 }
    })
    .await;
    let amounts: Vec<i64> = ledger.iter().map(|e| e.amount).collect();
    assert_eq!(amounts, [7, 6, 5, 4, 3, 2, 1], "newest first");

    // Another account's lists hold only its own rows.
    assert_eq!(all_tags(&store, &b).await.len(), 1);
    assert_eq!(all_tokens(&store, &b).await.len(), 1);
    assert!(all_scorecards(&store, &b).await.is_empty());
    assert_eq!(ledger_of(&store, &b).await, 1);
}

async fn ledger_of(store: &Arc<dyn Store>, account_id: &str) -> usize {
    ledger(store, account_id).await.len()
}

pub async fn tags_rename_and_delete(store: Arc<dyn Store>) {
    let a = account(&store, 0).await;
    let b = account(&store, 0).await;
    let vip = create_tag(&store, &a, "vip").await;
    let sales = create_tag(&store, &a, "sales").await;
    let foreign = create_tag(&store, &b, "foreign").await;

    let renamed = store.rename_tag(&a, &vip.id, "Gold").await.unwrap();
    assert_eq!(
        renamed,
        Some(Tag {
            id: vip.id.clone(),
            name: "Gold".into()
        })
    );
    assert!(matches!(
        store.rename_tag(&a, &vip.id, "SALES").await,
        Err(StoreError::Conflict("tag name"))
    ));
    assert_eq!(
        store
            .rename_tag(&a, &vip.id, "GOLD")
            .await
            .unwrap()
            .map(|t| t.name),
        Some("GOLD".into()),
        "a change of case only is no conflict"
    );
    assert_eq!(store.rename_tag(&a, &foreign.id, "x").await.unwrap(), None);
    assert_eq!(store.rename_tag(&b, &vip.id, "x").await.unwrap(), None);
    // The old name is free again.
    create_tag(&store, &a, "vip").await;

    let mut up = upload(&a, "tagged");
    up.tags = vec![vip.id.clone(), sales.id.clone()];
    let receipt = created(&store, up).await;
    let before = interaction(&store, &a, &receipt.interaction_id).await;
    assert_eq!(before.tags.len(), 2);

    assert!(!store.delete_tag(&b, &vip.id).await.unwrap(), "not b's tag");
    assert!(store.delete_tag(&a, &vip.id).await.unwrap());
    assert!(
        !store.delete_tag(&a, &vip.id).await.unwrap(),
        "already gone"
    );
    let after = interaction(&store, &a, &receipt.interaction_id).await;
    assert_eq!(after.tags, vec![sales.clone()], "unlinked, the rest kept");
    let names: Vec<String> = all_tags(&store, &a)
        .await
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["sales", "vip"]);
    assert_eq!(all_tags(&store, &b).await, vec![foreign]);
}

pub async fn get_api_token_of_the_account_only(store: Arc<dyn Store>) {
    let a = account(&store, 0).await;
    let b = account(&store, 0).await;
    let t = token("ci");
    let info = store.create_api_token(&a, t.clone()).await.unwrap();
    assert_eq!(store.get_api_token(&a, &t.id).await.unwrap(), Some(info));
    assert_eq!(store.get_api_token(&b, &t.id).await.unwrap(), None);
    assert!(store.revoke_api_token(&a, &t.id).await.unwrap());
    assert_eq!(
        store.get_api_token(&a, &t.id).await.unwrap(),
        None,
        "revoked"
    );
}
