//! `list_interactions` page by page: ordering (newest first, ties by id), cursor pagination
//! without gaps or duplicates, and the clamped page size.

use crate::support::*;
use scorejar_core::model::*;
use scorejar_store::Store;
use std::collections::HashSet;
use std::sync::Arc;
use time::Duration;

pub async fn cursor_pagination_has_no_gaps_or_duplicates(store: Arc<dyn Store>) {
    let a = account(&store, 0).await;
    let mut expected = Vec::new();
    for i in 0..25i64 {
        let mut up = upload(&a, &format!("p{i}"));
        // Groups of three share an event time: the id breaks the tie.
        up.occurred_at = T0 + Duration::seconds(i / 3);
        up.interaction_type = if i % 2 == 0 {
            InteractionType::Chat
        } else {
            InteractionType::Sms
        };
        expected.push((
            up.occurred_at,
            up.interaction_id.clone(),
            up.interaction_type,
        ));
        created(&store, up).await;
    }
    expected.sort_by(|x, y| (y.0, &y.1).cmp(&(x.0, &x.1)));

    for (kind, page_sizes) in [
        (None, vec![10, 10, 5]),
        (Some(InteractionType::Chat), vec![10, 3]),
    ] {
        let want: Vec<String> = expected
            .iter()
            .filter(|e| kind.is_none_or(|k| e.2 == k))
            .map(|e| e.1.clone())
            .collect();
        let mut got = Vec::new();
        let mut sizes = Vec::new();
        let mut cursor = None;
        loop {
            let filter = InteractionFilter {
                interaction_type: kind,
                cursor: cursor.clone(),
                limit: 10,
                ..Default::default()
            };
            let page = store.list_interactions(&a, &filter).await.unwrap();
            sizes.push(page.data.len());
            got.extend(page.data.into_iter().map(|r| r.id));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
            assert!(sizes.len() <= 5, "pagination does not end");
        }
        assert_eq!(sizes, page_sizes, "{kind:?}");
        assert_eq!(got, want, "{kind:?}: every row once, in order");
        assert_eq!(got.iter().collect::<HashSet<_>>().len(), got.len());
    }

    // A page that ends exactly at the last row has no next cursor.
    let all = store
        .list_interactions(
            &a,
            &InteractionFilter {
                limit: 25,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((all.data.len(), all.next_cursor), (25, None));
    let most = store
        .list_interactions(
            &a,
            &InteractionFilter {
                limit: 24,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(most.data.len(), 24);
    let last = store
        .list_interactions(
            &a,
            &InteractionFilter {
                limit: 24,
                cursor: most.next_cursor,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        last.data.into_iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![expected[24].1.clone()]
    );
    assert_eq!(last.next_cursor, None);
}

pub async fn limit_is_clamped(store: Arc<dyn Store>) {
    let a = account(&store, 0).await;
    for i in 0..101 {
        created(&store, upload(&a, &format!("c{i}"))).await;
    }
    let zero = store
        .list_interactions(
            &a,
            &InteractionFilter {
                limit: 0,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(zero.data.len(), 1);
    assert!(zero.next_cursor.is_some());
    let huge = store
        .list_interactions(
            &a,
            &InteractionFilter {
                limit: 10_000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(huge.data.len(), 100);
    let rest = store
        .list_interactions(
            &a,
            &InteractionFilter {
                limit: 10_000,
                cursor: huge.next_cursor,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((rest.data.len(), rest.next_cursor), (1, None));
}
