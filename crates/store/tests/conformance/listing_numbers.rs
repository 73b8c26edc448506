//! INT metadata filters compare integers exactly: a double cannot tell integers above 2^53
//! apart, so a filter on one of them must not match its neighbours.

use crate::support::*;
use scorejar_core::model::*;
use scorejar_store::Store;
use std::sync::Arc;

pub async fn int_metadata_filters_are_exact_beyond_2_pow_53(store: Arc<dyn Store>) {
    let a = account(&store, 0).await;
    let base = 1i64 << 53;
    let values = [
        ("n0", base),
        ("n1", base + 1),
        ("n2", base + 2),
        ("max", i64::MAX),
        ("below-max", i64::MAX - 1),
    ];
    for (source, value) in values {
        let mut up = upload(&a, source);
        up.custom_metadata = vec![("big".into(), MetadataValue::Int(value))];
        created(&store, up).await;
    }
    let cases: Vec<(Comparison, i64, Vec<&str>)> = vec![
        (Comparison::Eq, base + 1, vec!["n1"]),
        (
            Comparison::Ne,
            base + 1,
            vec!["below-max", "max", "n0", "n2"],
        ),
        (Comparison::Gt, base, vec!["below-max", "max", "n1", "n2"]),
        (Comparison::Gte, base + 2, vec!["below-max", "max", "n2"]),
        (Comparison::Lt, base + 2, vec!["n0", "n1"]),
        (Comparison::Lte, base + 1, vec!["n0", "n1"]),
        (Comparison::Eq, i64::MAX, vec!["max"]),
        (
            Comparison::Lt,
            i64::MAX,
            vec!["below-max", "n0", "n1", "n2"],
        ),
    ];
    for (op, value, expected) in cases {
        let filter = InteractionFilter {
            metadata: vec![MetadataFilter {
                key: "big".into(),
                op,
                value: MetadataValue::Int(value),
            }],
            limit: 100,
            ..Default::default()
        };
        let page = store.list_interactions(&a, &filter).await.unwrap();
        let mut found: Vec<&str> = page
            .data
            .iter()
            .map(|r| r.source_identifier.as_str())
            .collect();
        found.sort();
        assert_eq!(found, expected, "{op:?} {value}");
    }
    // The stored value reads back exactly too.
    let page = store
        .list_interactions(
            &a,
            &InteractionFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let n1 = page
        .data
        .iter()
        .find(|r| r.source_identifier == "n1")
        .unwrap();
    assert_eq!(
        n1.custom_metadata,
        vec![("big".to_string(), MetadataValue::Int(base + 1))]
    );
}
