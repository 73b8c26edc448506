//! Arbitrary JSON at the upload endpoint never yields a 500 (nor a panic, which would be one):
//! random values, and random mutations of a valid payload, generated with proptest.

use crate::harness::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{json, Map, Value};

crate::backend_tests!(arbitrary_json_never_500);

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        prop_oneof![
            Just("INBOUND"),
            Just("AUDIO"),
            Just("SMS"),
            Just("2026-06-23T14:30:00Z"),
            Just("https://example.com/a.mp3"),
            Just("a@b.co")
        ]
        .prop_map(Value::from),
    ]
}

fn any_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("sourceIdentifier".to_string()),
            Just("direction".to_string()),
            Just("timestamp".to_string()),
            Just("interactionType".to_string()),
            Just("duration".to_string()),
            Just("downloadUrl".to_string()),
            Just("agent".to_string()),
            Just("customer".to_string()),
            Just("tags".to_string()),
            Just("customMetadata".to_string()),
            Just("transcript".to_string()),
            Just("email".to_string()),
            Just("evaluation".to_string()),
            Just("segments".to_string()),
            Just("text".to_string()),
            Just("start".to_string()),
            Just("end".to_string()),
            Just("words".to_string()),
            Just("from".to_string()),
            Just("to".to_string()),
            "[a-z]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys, inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

async fn arbitrary_json_never_500(app: &TestApp) {
    let mut runner = TestRunner::deterministic();
    let strategy = any_json();
    let base = json!({ "sourceIdentifier": "fz", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "transcript": { "text": "hi" } });
    for i in 0..150 {
        let value = strategy.new_tree(&mut runner).unwrap().current();
        // Half the cases graft the random value onto a valid payload so deeper rules are reached.
        let body = if i % 2 == 0 {
            value
        } else {
            let mut b = base.clone();
            if let Value::Object(map) = value {
                for (k, v) in map {
                    b[k] = v;
                }
            }
            b["sourceIdentifier"] = json!(format!("fz-{i}"));
            b
        };
        let (status, resp) = app.upload(&body).await;
        assert!(status.as_u16() < 500, "{body} → {status} {resp}");
        if !status.is_success() {
            assert_eq!(resp["success"], json!(false), "{resp}");
            assert!(resp["error"]["code"].is_string(), "{resp}");
        }
    }
}
