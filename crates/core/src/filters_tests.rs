use super::*;
use proptest::prelude::*;
use time::macros::datetime;

fn q(pairs: &[(&str, &str)]) -> Result<InteractionFilter, ApiError> {
    let owned: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    parse_interaction_filter(&owned)
}

fn cursor() -> String {
    Cursor {
        occurred_at_us: 1_750_000_000_000_000,
        id: "0190-abc".into(),
    }
    .encode()
}

#[test]
fn empty_query_is_the_default_page() {
    let f = q(&[]).unwrap();
    assert_eq!(
        f,
        InteractionFilter {
            limit: DEFAULT_LIMIT,
            ..InteractionFilter::default()
        }
    );
}

#[test]
fn every_parameter() {
    let c = cursor();
    let f = q(&[
        ("type", "AUDIO"),
        ("direction", "OUTBOUND"),
        ("from", "2026-06-01T00:00:00Z"),
        ("to", "2026-07-01T02:00:00+02:00"),
        ("agent", "agent-7"),
        ("tag", "VIP"),
        ("limit", "100"),
        ("cursor", &c),
        ("metadata.disposition", "sale"),
        ("metadata.dealValue[gte]", "1000"),
        ("metadata.score[lt]", "9.5"),
        ("metadata.consent[ne]", "false"),
    ])
    .unwrap();
    assert_eq!(f.interaction_type, Some(InteractionType::Audio));
    assert_eq!(f.direction, Some(Direction::Outbound));
    assert_eq!(f.from, Some(datetime!(2026-06-01 00:00:00 UTC)));
    assert_eq!(f.to, Some(datetime!(2026-07-01 00:00:00 UTC)));
    assert_eq!(f.agent.as_deref(), Some("agent-7"));
    assert_eq!(f.tag.as_deref(), Some("VIP"));
    assert_eq!(f.limit, 100);
    assert_eq!(f.cursor, Some(c));
    let mf = |key: &str, op, value| MetadataFilter {
        key: key.into(),
        op,
        value,
    };
    assert_eq!(
        f.metadata,
        vec![
            mf(
                "disposition",
                Comparison::Eq,
                MetadataValue::String("sale".into())
            ),
            mf("dealValue", Comparison::Gte, MetadataValue::Int(1000)),
            mf("score", Comparison::Lt, MetadataValue::Float(9.5)),
            mf("consent", Comparison::Ne, MetadataValue::Boolean(false)),
        ]
    );
}

#[test]
fn aliases_empty_values_and_form_decoded_plus() {
    let f = q(&[
        ("interactionType", "SMS"),
        ("limit", ""),
        ("cursor", ""),
        ("tag", ""),
    ])
    .unwrap();
    assert_eq!(f.interaction_type, Some(InteractionType::Sms));
    assert_eq!((f.limit, f.cursor, f.tag), (DEFAULT_LIMIT, None, None));
    let f = q(&[("from", "2026-06-23T16:30:00 02:00")]).unwrap();
    assert_eq!(f.from, Some(datetime!(2026-06-23 14:30:00 UTC)));
    let f = q(&[("metadata.note", "")]).unwrap();
    assert_eq!(f.metadata[0].value, MetadataValue::String(String::new()));
}

#[test]
fn metadata_operators() {
    let ops = [
        ("eq", Comparison::Eq),
        ("ne", Comparison::Ne),
        ("gt", Comparison::Gt),
        ("gte", Comparison::Gte),
        ("lt", Comparison::Lt),
        ("lte", Comparison::Lte),
    ];
    for (text, op) in ops {
        let name = format!("metadata.k[{text}]");
        let f = q(&[(name.as_str(), "1")]).unwrap();
        assert_eq!(f.metadata[0].op, op);
        assert_eq!(f.metadata[0].key, "k");
    }
    // Brackets that are not an operator suffix stay part of the key.
    let f = q(&[("metadata.a[b]c", "x")]).unwrap();
    assert_eq!(
        (f.metadata[0].key.as_str(), f.metadata[0].op),
        ("a[b]c", Comparison::Eq)
    );
    let f = q(&[("metadata.a.b", "x")]).unwrap();
    assert_eq!(f.metadata[0].key, "a.b");
}

#[test]
fn typed_values() {
    use MetadataValue::*;
    let cases = [
        ("true", Boolean(true)),
        ("false", Boolean(false)),
        ("True", String("True".into())),
        ("0", Int(0)),
        ("-42", Int(-42)),
        ("9223372036854775807", Int(i64::MAX)),
        ("9223372036854775808", Float(9_223_372_036_854_775_808.0)),
        ("1.0", Float(1.0)),
        ("1e2", Float(100.0)),
        ("-0.5E-1", Float(-0.05)),
        ("-0", Int(0)),
        ("007", String("007".into())),
        ("+5", String("+5".into())),
        ("1.", String("1.".into())),
        (".5", String(".5".into())),
        ("1e", String("1e".into())),
        ("NaN", String("NaN".into())),
        ("inf", String("inf".into())),
        ("1e400", String("1e400".into())),
        ("sale", String("sale".into())),
        ("", String(std::string::String::new())),
    ];
    for (raw, expected) in cases {
        assert_eq!(typed_query_value(raw), expected, "{raw}");
    }
}

#[test]
fn rejections() {
    let long = "a".repeat(MAX_REFERENCE_CHARS + 1);
    let long_key = format!("metadata.{}", "k".repeat(65));
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (vec![("page", "2")], "page", "unknown_parameter"),
        (vec![("metadata", "x")], "metadata", "unknown_parameter"),
        (vec![("Type", "AUDIO")], "Type", "unknown_parameter"),
        (vec![("type", "audio")], "type", "invalid_field"),
        (
            vec![("interactionType", "CALL")],
            "interactionType",
            "invalid_field",
        ),
        (vec![("direction", "in")], "direction", "invalid_field"),
        (vec![("from", "yesterday")], "from", "invalid_field"),
        (vec![("to", "1750000000")], "to", "invalid_field"),
        (
            vec![
                ("from", "2026-06-02T00:00:00Z"),
                ("to", "2026-06-01T00:00:00Z"),
            ],
            "to",
            "invalid_field",
        ),
        (
            vec![
                ("from", "2026-06-01T00:00:00Z"),
                ("to", "2026-06-01T00:00:00Z"),
            ],
            "to",
            "invalid_field",
        ),
        (vec![("limit", "0")], "limit", "invalid_field"),
        (vec![("limit", "101")], "limit", "invalid_field"),
        (vec![("limit", "-1")], "limit", "invalid_field"),
        (vec![("limit", "+5")], "limit", "invalid_field"),
        (vec![("limit", "ten")], "limit", "invalid_field"),
        (vec![("limit", "99999999999")], "limit", "invalid_field"),
        (vec![("cursor", "garbage!")], "cursor", "invalid_field"),
        (vec![("agent", &long)], "agent", "invalid_field"),
        (
            vec![("type", "AUDIO"), ("interactionType", "SMS")],
            "interactionType",
            "invalid_field",
        ),
        (
            vec![("limit", "5"), ("limit", "6")],
            "limit",
            "invalid_field",
        ),
        (vec![("metadata.", "x")], "metadata.", "invalid_field"),
        (
            vec![("metadata.[gt]", "1")],
            "metadata.[gt]",
            "invalid_field",
        ),
        (
            vec![(long_key.as_str(), "x")],
            long_key.as_str(),
            "invalid_field",
        ),
        (
            vec![("metadata.k[like]", "x")],
            "metadata.k[like]",
            "invalid_field",
        ),
        (
            vec![("metadata.k[gt]", "abc")],
            "metadata.k[gt]",
            "invalid_field",
        ),
        (
            vec![("metadata.k[lte]", "true")],
            "metadata.k[lte]",
            "invalid_field",
        ),
        (
            vec![("metadata.k[gte]", "")],
            "metadata.k[gte]",
            "invalid_field",
        ),
    ];
    for (pairs, field, code) in cases {
        let e = q(&pairs).unwrap_err();
        assert_eq!((e.status, e.code), (400, code), "{pairs:?}");
        assert_eq!(e.field.as_deref(), Some(field), "{pairs:?}");
        assert!(
            e.message.contains(field) || e.message.contains("`to`"),
            "{}",
            e.message
        );
    }
    assert!(q(&[("limit", "1")]).is_ok());
}

#[test]
fn evaluation_criteria() {
    use crate::model::{EvaluationCriteria, EvaluationStatus};
    let cases: &[(&[(&str, &str)], EvaluationCriteria)] = &[
        (&[], EvaluationCriteria::default()),
        (
            &[("evaluationStatus", "FAILED"), ("passed", "false")],
            EvaluationCriteria {
                status: Some(EvaluationStatus::Failed),
                passed: Some(false),
                ..Default::default()
            },
        ),
        (
            &[
                ("needsReview", "true"),
                ("scoreMin", "0"),
                ("scoreMax", "100"),
            ],
            EvaluationCriteria {
                needs_review: Some(true),
                score_min: Some(0.0),
                score_max: Some(100.0),
                ..Default::default()
            },
        ),
        // Equal bounds are one exact score.
        (
            &[("scoreMin", "62.5"), ("scoreMax", "62.5")],
            EvaluationCriteria {
                score_min: Some(62.5),
                score_max: Some(62.5),
                ..Default::default()
            },
        ),
    ];
    for (pairs, want) in cases {
        assert_eq!(&q(pairs).unwrap().evaluation, want, "{pairs:?}");
    }
    let refused: &[(&[(&str, &str)], &str)] = &[
        (&[("evaluationStatus", "completed")], "evaluationStatus"),
        (&[("passed", "1")], "passed"),
        (&[("scoreMin", "NaN")], "scoreMin"),
        (&[("scoreMax", "100.01")], "scoreMax"),
        (&[("scoreMin", "50"), ("scoreMax", "49")], "scoreMax"),
    ];
    for (pairs, field) in refused {
        let error = q(pairs).unwrap_err();
        assert_eq!(error.field.as_deref(), Some(*field), "{pairs:?}");
    }
}

#[test]
fn metadata_filter_limit() {
    let names: Vec<String> = (0..=MAX_METADATA_FILTERS)
        .map(|i| format!("metadata.k{i}"))
        .collect();
    let pairs: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "1")).collect();
    assert!(q(&pairs[..MAX_METADATA_FILTERS]).is_ok());
    assert!(q(&pairs).is_err());
}

proptest! {
    #[test]
    fn arbitrary_queries_never_panic(
        pairs in prop::collection::vec((
            prop_oneof![
                prop::sample::select(vec!["type", "direction", "from", "to", "agent", "tag", "limit", "cursor", "metadata.k", "metadata.k[gt]", "metadata.k[ne]"]).prop_map(str::to_string),
                ".{0,12}",
            ],
            ".{0,16}",
        ), 0..6)
    ) {
        match parse_interaction_filter(&pairs) {
            Ok(f) => prop_assert!((1..=MAX_LIMIT).contains(&f.limit)),
            Err(e) => {
                prop_assert_eq!(e.status, 400);
                prop_assert!(!e.message.is_empty());
            }
        }
    }

    #[test]
    fn integers_type_as_int(i in any::<i64>()) {
        prop_assert_eq!(typed_query_value(&i.to_string()), MetadataValue::Int(i));
    }

    #[test]
    fn finite_floats_type_as_numbers(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        let text = format!("{f:e}");
        prop_assert_eq!(typed_query_value(&text).as_f64(), Some(f));
    }
}
