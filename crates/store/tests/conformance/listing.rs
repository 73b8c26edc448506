//! `list_interactions`: each filter alone and combined, and the records a listing shows.
//! Ordering, cursor pagination and limits are in `listing_pages.rs`.

use crate::support::*;
use scorejar_core::model::*;
use scorejar_store::Store;
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
            // Listed by name, not in upload order.
            vec!["Sales", "Billing"],
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
    // Listed records are whole: tags (by name), metadata and the rest as `get_interaction`
    // shows them.
    let listed = store
        .list_interactions(
            &f.account,
            &InteractionFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .data;
    assert_eq!(listed.len(), 5);
    for record in &listed {
        assert_eq!(*record, interaction(&store, &f.account, &record.id).await);
    }
    let i2 = listed.iter().find(|r| r.source_identifier == "i2").unwrap();
    assert_eq!(i2.tags, vec![f.billing.clone(), f.sales.clone()]);
    assert_eq!(
        i2.custom_metadata,
        vec![
            ("score".to_string(), V::Float(7.5)),
            ("plan".to_string(), V::String("gold".into()))
        ]
    );

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
    // Two bounds on one key: a range.
    let mut range = meta("score", Comparison::Gt, V::Int(3));
    range.metadata.push(MetadataFilter {
        key: "score".into(),
        op: Comparison::Lte,
        value: V::Float(7.5),
    });
    // Metadata with the other filters: each alone matches two of i0, i2, i4.
    let with_others = InteractionFilter {
        interaction_type: Some(InteractionType::Chat),
        tag: Some("billing".into()),
        ..meta("plan", Comparison::Eq, V::String("gold".into()))
    };
    let cases: Vec<(InteractionFilter, Vec<&str>)> = vec![
        (meta("score", Comparison::Eq, V::Int(5)), vec!["i0"]),
        (meta("score", Comparison::Eq, V::Float(7.5)), vec!["i2"]),
        // A FLOAT equals an INT of the same value.
        (meta("score", Comparison::Eq, V::Float(5.0)), vec!["i0"]),
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
        (range, vec!["i2", "i0"]),
        (with_others, vec!["i0"]),
    ];
    for (filter, expected) in cases {
        assert_eq!(
            sources(&store, &f.account, filter.clone()).await,
            expected,
            "{filter:?}"
        );
    }
}
