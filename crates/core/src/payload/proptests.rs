//! Property tests: no JSON value makes the parser (or type inference on its output) panic, and
//! every rejection is a well-formed 400.

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::*;
use crate::inference::{infer_type, MediaKind};
use crate::test_support::{arb_json as arb_json_with, arb_key as arb_key_with, arb_leaf};

fn arb_json() -> impl Strategy<Value = Value> {
    arb_json_with(FIELD_NAMES)
}

fn arb_key() -> impl Strategy<Value = String> {
    arb_key_with(FIELD_NAMES)
}

const FIELD_NAMES: &[&str] = &[
    "sourceIdentifier",
    "direction",
    "timestamp",
    "interactionType",
    "duration",
    "downloadUrl",
    "agent",
    "customer",
    "tags",
    "customMetadata",
    "transcript",
    "email",
    "evaluation",
    "file",
    "media",
    "audio",
    "text",
    "language",
    "agentChannel",
    "segments",
    "start",
    "end",
    "channel",
    "speaker",
    "words",
    "word",
    "name",
    "phone",
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "body",
    "threadId",
    "sourceId",
    "timeToReply",
    "isReply",
    "scorecardId",
];

/// Objects shaped like uploads: the required fields mostly right, the rest random, so the
/// parser gets past the first checks and exercises the nested ones.
fn arb_upload_like() -> impl Strategy<Value = Value> {
    let segment = prop::collection::btree_map(
        prop::sample::select(vec!["start", "end", "text", "channel", "speaker", "words"]),
        prop_oneof![arb_leaf(), arb_json()],
        0..6,
    );
    let transcript = (
        prop::option::of(arb_leaf()),
        prop::collection::vec(segment, 0..4),
        prop::option::of(arb_leaf()),
    )
        .prop_map(|(text, segments, channel)| {
            let segments: Vec<Value> = segments
                .into_iter()
                .map(|s| Value::Object(s.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
                .collect();
            let mut t = Map::new();
            if let Some(text) = text {
                t.insert("text".into(), text);
            }
            if let Some(channel) = channel {
                t.insert("agentChannel".into(), channel);
            }
            t.insert("segments".into(), Value::Array(segments));
            Value::Object(t)
        });
    (
        prop_oneof![Just(Value::from("call-1")), arb_leaf()],
        prop_oneof![Just(Value::from("INBOUND")), arb_leaf()],
        prop_oneof![Just(Value::from("2026-06-23T14:30:00Z")), arb_leaf()],
        prop::collection::btree_map(arb_key(), arb_json(), 0..6),
        prop::option::of(transcript),
    )
        .prop_map(|(id, direction, timestamp, extra, transcript)| {
            let mut obj: Map<String, Value> = extra.into_iter().collect();
            obj.insert("sourceIdentifier".into(), id);
            obj.insert("direction".into(), direction);
            obj.insert("timestamp".into(), timestamp);
            if let Some(t) = transcript {
                obj.insert("transcript".into(), t);
            }
            Value::Object(obj)
        })
}

fn check(value: &Value) {
    match parse_upload(value) {
        Ok(payload) => {
            for media in [None, Some(MediaKind::Audio), Some(MediaKind::Video)] {
                if let Err(e) = infer_type(&payload, media) {
                    assert_eq!(e.status, 400);
                    assert!(!e.message.is_empty());
                }
            }
        }
        Err(e) => {
            assert_eq!(e.status, 400, "{e:?}");
            assert!(!e.message.is_empty());
            assert!(!e.code.is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_json_never_panics(value in arb_json()) {
        check(&value);
    }

    #[test]
    fn upload_shaped_json_never_panics(value in arb_upload_like()) {
        check(&value);
    }

    #[test]
    fn valid_minimal_payloads_round_trip(
        id in "[a-zA-Z0-9_-]{1,64}",
        inbound in any::<bool>(),
        secs in 0i64..4_102_444_800,
        duration in prop::option::of(0i64..i64::MAX),
    ) {
        let direction = if inbound { "INBOUND" } else { "OUTBOUND" };
        let ts = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
        let text = ts.format(&time::format_description::well_known::Rfc3339).unwrap();
        let mut value = serde_json::json!({
            "sourceIdentifier": id, "direction": direction, "timestamp": text,
        });
        if let Some(d) = duration {
            value["duration"] = Value::from(d);
        }
        let p = parse_upload(&value).unwrap();
        prop_assert_eq!(p.source_identifier, id);
        prop_assert_eq!(p.direction.as_str(), direction);
        prop_assert_eq!(p.occurred_at, ts);
        prop_assert_eq!(p.duration_ms, duration);
    }
}
