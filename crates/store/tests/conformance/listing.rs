//! `list_interactions`: each filter alone and combined, ordering, cursor pagination, limits.

use crate::support::*;
use scorejar_core::model::*;
use scorejar_store::Store;
use std::collections::HashSet;
use std::sync::Arc;
use time::Duration;

use MetadataValue as V;

/// Five interactions one minute apart (i0 oldest), made to tell every filter apart.
struct Fixture {
    account: String,
    billing: Tag,
    sales: Tag,
}

async fn fixture(store: &Arc<dyn Store>) -> Fixture {
    let account_id = account(store, 0).await;
    let billing = create_tag(store, &account_id, "Billing").await;
    let sales = create_tag(store, &account_id, "Sales").await;
    type Spec<'a> = (
        InteractionType,
        Direction,
        Option<&'a str>,
        Vec<&'a str>,
        Vec<(&'a str, V)>,
    );
    let specs: Vec<Spec> = vec![
        (
            InteractionType::Chat,
            Direction::Inbound,
            Some("ag-1"),
            vec!["Billing"],
            vec![
                ("score", V::Int(5)),
                ("ratio", V::Float(0.5)),
                ("plan", V::String("gold".into())),
                ("vip", V::Boolean(true)),
            ],
        ),
        (
            InteractionType::Email,
            Direction::Outbound,
            Some("ag-2"),
            vec!["Sales"],
            vec![
                ("score", V::Int(10)),
                ("ratio", V::Float(1.5)),
                ("plan", V::String("silver".into())),
                ("vip", V::Boolean(false)),
            ],
        ),
        (
            InteractionType::Sms,
            Direction::Inbound,
            Some("ag-1"),
            vec!["Billing", "Sales"],
            vec![("score", V::Float(7.5)), ("plan", V::String("gold".into()))],
        ),
        (
            InteractionType::Audio,
            Direction::Outbound,
            None,
            vec![],
            vec![("score", V::Int(3))],
        ),
        (
            InteractionType::Chat,
            Direction::Outbound,
            Some("ag-2"),
            vec![],
            vec![],
        ),
    ];
    for (i, (kind, direction, agent, tags, metadata)) in specs.into_iter().enumerate() {
        let mut up = upload(&account_id, &format!("i{i}"));
        up.interaction_type = kind;
        up.direction = direction;
        up.occurred_at = T0 + Duration::minutes(i as i64);
        up.agent = agent.map(|a| participant(Some(a), None, None));
        up.tags = tags.into_iter().map(String::from).collect();
        up.custom_metadata = metadata
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        created(store, up).await;
    }
    Fixture {
        account: account_id,
        billing,
        sales,
    }
}

/// The sourceIdentifiers of one page (limit 100) for `filter`.
async fn sources(
    store: &Arc<dyn Store>,
    account_id: &str,
    filter: InteractionFilter,
) -> Vec<String> {
    let page = store
        .list_interactions(
            account_id,
            &InteractionFilter {
                limit: 100,
                ..filter
            },
        )
        .await
        .unwrap();
    assert_eq!(page.next_cursor, None);
    page.data.into_iter().map(|r| r.source_identifier).collect()
}

fn meta(key: &str, op: Comparison, value: V) -> InteractionFilter {
    InteractionFilter {
        metadata: vec![MetadataFilter {
            key: key.into(),
            op,
            value,
        }],
        ..Default::default()
    }
}

pub async fn list_filters_type_direction_and_time(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let cases: Vec<(InteractionFilter, Vec<&str>)> = vec![
        (
            InteractionFilter::default(),
            vec!["i4", "i3", "i2", "i1", "i0"],
        ),
        (
            InteractionFilter {
                interaction_type: Some(InteractionType::Chat),
                ..Default::default()
            },
            vec!["i4", "i0"],
        ),
        (
            InteractionFilter {
                interaction_type: Some(InteractionType::Video),
                ..Default::default()
            },
            vec![],
        ),
        (
            InteractionFilter {
                direction: Some(Direction::Inbound),
                ..Default::default()
            },
            vec!["i2", "i0"],
        ),
        (
            InteractionFilter {
                from: Some(T0 + Duration::minutes(1)),
                to: Some(T0 + Duration::minutes(3)),
                ..Default::default()
            },
            vec!["i2", "i1"],
        ),
        (
            InteractionFilter {
                from: Some(T0 + Duration::minutes(4)),
                ..Default::default()
            },
            vec!["i4"],
        ),
        (
            InteractionFilter {
                to: Some(T0 + Duration::microseconds(1)),
                ..Default::default()
            },
            vec!["i0"],
        ),
        (
            InteractionFilter {
                interaction_type: Some(InteractionType::Chat),
                direction: Some(Direction::Outbound),
                ..Default::default()
            },
            vec!["i4"],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(
            sources(&store, &f.account, filter.clone()).await,
            expected,
            "{filter:?}"
        );
    }
    let other = account(&store, 0).await;
    assert!(sources(&store, &other, InteractionFilter::default())
        .await
        .is_empty());
}

pub async fn list_filters_agent_and_tag(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let i1 = store.find_upload(&f.account, "i1").await.unwrap().unwrap();
    let agent_2 = interaction(&store, &f.account, &i1.interaction_id)
        .await
        .agent
        .unwrap()
        .id;
    let cases: Vec<(InteractionFilter, Vec<&str>)> = vec![
        (
            InteractionFilter {
                agent: Some("ag-1".into()),
                ..Default::default()
            },
            vec!["i2", "i0"],
        ),
        (
            InteractionFilter {
                agent: Some(agent_2),
                ..Default::default()
            },
            vec!["i4", "i1"],
        ),
        (
            InteractionFilter {
                agent: Some("nobody".into()),
                ..Default::default()
            },
            vec![],
        ),
        (
            InteractionFilter {
                tag: Some("billing".into()),
                ..Default::default()
            },
            vec!["i2", "i0"],
        ),
        (
            InteractionFilter {
                tag: Some(f.sales.id.clone()),
                ..Default::default()
            },
            vec!["i2", "i1"],
        ),
        (
            InteractionFilter {
                tag: Some("SALES".into()),
                ..Default::default()
            },
            vec!["i2", "i1"],
        ),
        (
            InteractionFilter {
                tag: Some("unknown".into()),
                ..Default::default()
            },
            vec![],
        ),
        (
            InteractionFilter {
                agent: Some("ag-1".into()),
                tag: Some(f.billing.id.clone()),
                interaction_type: Some(InteractionType::Chat),
                ..Default::default()
            },
            vec!["i0"],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(
            sources(&store, &f.account, filter.clone()).await,
            expected,
            "{filter:?}"
        );
    }
    // Another account's tag of the same name does not match this account's interactions.
    let other = account(&store, 0).await;
    create_tag(&store, &other, "Billing").await;
    assert!(sources(
        &store,
        &other,
        InteractionFilter {
            tag: Some("Billing".into()),
            ..Default::default()
        }
    )
    .await
    .is_empty());
}

pub async fn list_filters_metadata(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let mut combined = meta("plan", Comparison::Eq, V::String("gold".into()));
    combined.metadata.push(MetadataFilter {
        key: "score".into(),
        op: Comparison::Gt,
        value: V::Int(6),
    });
    let cases: Vec<(InteractionFilter, Vec<&str>)> = vec![
        (meta("score", Comparison::Eq, V::Int(5)), vec!["i0"]),
        (meta("score", Comparison::Eq, V::Float(7.5)), vec!["i2"]),
        (meta("score", Comparison::Gt, V::Int(5)), vec!["i2", "i1"]),
        (
            meta("score", Comparison::Gte, V::Float(7.5)),
            vec!["i2", "i1"],
        ),
        (
            meta("score", Comparison::Lt, V::Float(7.5)),
            vec!["i3", "i0"],
        ),
        (meta("score", Comparison::Lte, V::Int(5)), vec!["i3", "i0"]),
        (
            meta("score", Comparison::Ne, V::Int(5)),
            vec!["i3", "i2", "i1"],
        ),
        (meta("ratio", Comparison::Gt, V::Float(1.0)), vec!["i1"]),
        (meta("ratio", Comparison::Lte, V::Int(1)), vec!["i0"]),
        (
            meta("plan", Comparison::Eq, V::String("gold".into())),
            vec!["i2", "i0"],
        ),
        (
            meta("plan", Comparison::Ne, V::String("gold".into())),
            vec!["i1"],
        ),
        (
            meta("plan", Comparison::Eq, V::String("GOLD".into())),
            vec![],
        ),
        (meta("vip", Comparison::Eq, V::Boolean(true)), vec!["i0"]),
        (meta("vip", Comparison::Eq, V::Boolean(false)), vec!["i1"]),
        (meta("missing", Comparison::Eq, V::Int(5)), vec![]),
        (combined, vec!["i2"]),
    ];
    for (filter, expected) in cases {
        assert_eq!(
            sources(&store, &f.account, filter.clone()).await,
            expected,
            "{filter:?}"
        );
    }
}

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
