//! Proptest strategies shared by the property tests of this crate: arbitrary JSON whose object
//! keys are often the real field names of the API, so random values reach the nested checks.

use proptest::prelude::*;
use serde_json::{Map, Value};

/// Strings that are valid (or nearly valid) somewhere in the API.
const INTERESTING_STRINGS: &[&str] = &[
    "",
    " ",
    "INBOUND",
    "OUTBOUND",
    "inbound",
    "AUDIO",
    "VIDEO",
    "CHAT",
    "EMAIL",
    "SMS",
    "SINGLE",
    "MULTIPLE",
    "SLIDER",
    "DRAFT",
    "ACTIVE",
    "ARCHIVED",
    "2026-06-23T14:30:00Z",
    "2026-06-23T14:30:00",
    "9999-12-31T23:59:59-23:59",
    "-9999-01-01T00:00:00+23:59",
    "https://example.com/a.mp3",
    "http://[::1]:0/",
    "a@example.com",
    "en",
    "english",
    "SPEAKER_00",
    "line\nbreak",
    "é",
    "\u{0}",
    "q1",
];

/// A key: mostly one of `names`, sometimes anything short.
pub fn arb_key(names: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(names).prop_map(str::to_string),
        1 => ".{0,8}",
    ]
}

/// Any scalar JSON value, biased towards edge cases.
pub fn arb_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(vec![-1.0, 0.0, -0.0, 0.5, 1.0, 2.0, 100.0, 1e300])
            .prop_map(Value::from),
        prop::sample::select(INTERESTING_STRINGS).prop_map(Value::from),
        ".{0,24}".prop_map(Value::from),
    ]
}

/// Any JSON value up to four levels deep, with object keys drawn from `names`.
pub fn arb_json(names: &'static [&'static str]) -> impl Strategy<Value = Value> {
    arb_leaf().prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(arb_key(names), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}
