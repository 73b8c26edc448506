//! `list_interactions`: every filter, their combination, ordering and cursor pagination.

use super::support::*;
use scorejar_core::model::*;
use scorejar_store::Store;
use time::macros::datetime;
use time::OffsetDateTime;

struct Row {
    sid: &'static str,
    at: OffsetDateTime,
    kind: InteractionType,
    direction: Direction,
    agent: Option<&'static str>,
    tags: &'static [&'static str],
    metadata: Vec<(&'static str, MetadataValue)>,
}

fn dataset() -> Vec<Row> {
    use MetadataValue::*;
    vec![
        Row {
            sid: "i1",
            at: datetime!(2026-06-23 10:00 UTC),
            kind: InteractionType::Chat,
            direction: Direction::Inbound,
            agent: Some("a-1"),
            tags: &["VIP"],
            metadata: vec![
                ("disposition", String("sale".into())),
                ("amount", Int(100)),
                ("vip", Boolean(true)),
            ],
        },
        Row {
            sid: "i2",
            at: datetime!(2026-06-23 11:00 UTC),
            kind: InteractionType::Sms,
            direction: Direction::Outbound,
            agent: Some("a-2"),
            tags: &["Billing"],
            metadata: vec![
                ("disposition", String("lost".into())),
                ("amount", Float(99.5)),
            ],
        },
        Row {
            sid: "i3",
            at: datetime!(2026-06-23 12:00 UTC),
            kind: InteractionType::Chat,
            direction: Direction::Outbound,
            agent: None,
            tags: &["VIP", "Billing"],
            metadata: vec![("amount", Int(200)), ("vip", Boolean(false))],
        },
        Row {
            sid: "i4",
            at: datetime!(2026-06-23 12:00 UTC),
            kind: InteractionType::Email,
            direction: Direction::Inbound,
            agent: Some("a-1"),
            tags: &[],
            metadata: vec![],
        },
        Row {
            sid: "i5",
            at: datetime!(2026-06-23 13:00 UTC),
            kind: InteractionType::Chat,
            direction: Direction::Inbound,
            agent: Some("a-1"),
            tags: &[],
            metadata: vec![("disposition", String("sale".into()))],
        },
    ]
}

async fn sids(
    store: &scorejar_store::postgres::PgStore,
    acc: &str,
    filter: InteractionFilter,
) -> Vec<String> {
    let page = store
        .list_interactions(
            acc,
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

fn meta(key: &str, op: Comparison, value: MetadataValue) -> Vec<MetadataFilter> {
    vec![MetadataFilter {
        key: key.into(),
        op,
        value,
    }]
}

#[tokio::test]
async fn filters_ordering_and_cursor_pages() {
    let db = TestDb::new().await;
    let store = &db.store;
    let acc = account(store, 0).await;
    let billing = tag(store, &acc, "Billing").await;
    tag(store, &acc, "VIP").await;
    for row in dataset() {
        let mut upload = at(chat_upload(&acc, row.sid, 0), row.at);
        upload.interaction_type = row.kind;
        upload.direction = row.direction;
        upload.agent = row.agent.map(|sid| participant(Some(sid), None, None));
        upload.tags = row.tags.iter().map(|t| t.to_string()).collect();
        upload.custom_metadata = row
            .metadata
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        created(store.create_upload(upload).await.unwrap());
    }
    // Another account's interaction in the middle of the time range never shows.
    let other = account(store, 0).await;
    created(
        store
            .create_upload(at(
                chat_upload(&other, "x", 0),
                datetime!(2026-06-23 12:00 UTC),
            ))
            .await
            .unwrap(),
    );
    let a2_id = sqlx::query_scalar::<_, std::string::String>(
        "SELECT id FROM participants WHERE source_identifier = 'a-2'",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();

    use Comparison::*;
    use MetadataValue::*;
    let cases: Vec<(&str, InteractionFilter, Vec<&str>)> = vec![
        (
            "all, newest first, ties by id desc",
            InteractionFilter::default(),
            vec!["i5", "i4", "i3", "i2", "i1"],
        ),
        (
            "type",
            InteractionFilter {
                interaction_type: Some(InteractionType::Chat),
                ..Default::default()
            },
            vec!["i5", "i3", "i1"],
        ),
        (
            "direction",
            InteractionFilter {
                direction: Some(Direction::Outbound),
                ..Default::default()
            },
            vec!["i3", "i2"],
        ),
        (
            "from inclusive, to exclusive",
            InteractionFilter {
                from: Some(datetime!(2026-06-23 11:00 UTC)),
                to: Some(datetime!(2026-06-23 12:00 UTC)),
                ..Default::default()
            },
            vec!["i2"],
        ),
        (
            "agent by sourceIdentifier",
            InteractionFilter {
                agent: Some("a-1".into()),
                ..Default::default()
            },
            vec!["i5", "i4", "i1"],
        ),
        (
            "agent by id",
            InteractionFilter {
                agent: Some(a2_id),
                ..Default::default()
            },
            vec!["i2"],
        ),
        (
            "tag by name, any case",
            InteractionFilter {
                tag: Some("vip".into()),
                ..Default::default()
            },
            vec!["i3", "i1"],
        ),
        (
            "tag by id",
            InteractionFilter {
                tag: Some(billing.id.clone()),
                ..Default::default()
            },
            vec!["i3", "i2"],
        ),
        (
            "unknown tag",
            InteractionFilter {
                tag: Some("nope".into()),
                ..Default::default()
            },
            vec![],
        ),
        (
            "string eq",
            InteractionFilter {
                metadata: meta("disposition", Eq, String("sale".into())),
                ..Default::default()
            },
            vec!["i5", "i1"],
        ),
        (
            "string ne",
            InteractionFilter {
                metadata: meta("disposition", Ne, String("sale".into())),
                ..Default::default()
            },
            vec!["i2"],
        ),
        (
            "number gte",
            InteractionFilter {
                metadata: meta("amount", Gte, Int(100)),
                ..Default::default()
            },
            vec!["i3", "i1"],
        ),
        (
            "number lt, int vs float",
            InteractionFilter {
                metadata: meta("amount", Lt, Int(100)),
                ..Default::default()
            },
            vec!["i2"],
        ),
        (
            "float eq matches int",
            InteractionFilter {
                metadata: meta("amount", Eq, Float(100.0)),
                ..Default::default()
            },
            vec!["i1"],
        ),
        (
            "number gt / lte",
            InteractionFilter {
                metadata: [
                    meta("amount", Gt, Float(99.0)),
                    meta("amount", Lte, Int(100)),
                ]
                .concat(),
                ..Default::default()
            },
            vec!["i2", "i1"],
        ),
        (
            "boolean",
            InteractionFilter {
                metadata: meta("vip", Eq, Boolean(false)),
                ..Default::default()
            },
            vec!["i3"],
        ),
        (
            "combined",
            InteractionFilter {
                interaction_type: Some(InteractionType::Chat),
                tag: Some("VIP".into()),
                metadata: meta("amount", Gt, Int(150)),
                ..Default::default()
            },
            vec!["i3"],
        ),
    ];
    for (name, filter, expected) in cases {
        assert_eq!(sids(store, &acc, filter).await, expected, "{name}");
    }

    // Pages of two walk the whole list once, in order, and end without a cursor.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let filter = InteractionFilter {
            limit: 2,
            cursor: cursor.clone(),
            ..Default::default()
        };
        let page = store.list_interactions(&acc, &filter).await.unwrap();
        assert!(page.data.len() <= 2);
        seen.extend(page.data.iter().map(|r| r.source_identifier.clone()));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, ["i5", "i4", "i3", "i2", "i1"]);

    // Limits are clamped to 1..=100; records come with their tags.
    let one = store
        .list_interactions(
            &acc,
            &InteractionFilter {
                limit: 0,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(one.data.len(), 1);
    assert!(one.next_cursor.is_some());
    let all = store
        .list_interactions(
            &acc,
            &InteractionFilter {
                limit: 5000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(all.data.len(), 5);
    let i3 = all
        .data
        .iter()
        .find(|r| r.source_identifier == "i3")
        .unwrap();
    assert_eq!(
        i3.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["Billing", "VIP"]
    );
    assert_eq!(
        i3.custom_metadata[0],
        ("amount".into(), MetadataValue::Int(200))
    );
}
