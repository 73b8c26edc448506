use super::*;
use proptest::prelude::*;

#[test]
fn started_minutes_table() {
    let cases = [
        (i64::MIN, 0),
        (-1, 0),
        (0, 0),
        (1, 1),
        (59_999, 1),
        (60_000, 1),
        (60_001, 2),
        (120_000, 2),
        (125_000, 3),
        (i64::MAX, i64::MAX / 60_000 + 1),
    ];
    for (ms, minutes) in cases {
        assert_eq!(started_minutes(ms), minutes, "{ms}");
    }
}

#[test]
fn started_hundreds_of_words_table() {
    let words = |n: usize| vec!["w"; n].join(" ");
    let cases = [
        (String::new(), 0),
        ("   \n\t".to_string(), 0),
        (words(1), 1),
        (words(100), 1),
        (words(101), 2),
        (words(200), 2),
        (words(201), 3),
        ("Agent: hello\nCustomer:   hi  there".to_string(), 1),
    ];
    for (text, units) in cases {
        assert_eq!(started_hundreds_of_words(&text), units, "{text:?}");
    }
}

fn input(
    needs_transcription: bool,
    evaluation: bool,
    media_duration_ms: Option<i64>,
    transcript_text: Option<&str>,
) -> PriceInput<'_> {
    PriceInput {
        needs_transcription,
        evaluation,
        media_duration_ms,
        transcript_text,
    }
}

#[test]
fn price_table() {
    let words_250 = vec!["w"; 250].join(" ");
    let rates = Rates::default();
    let cases: Vec<(PriceInput, (i64, i64), &str)> = vec![
        (input(false, false, None, None), (0, 0), "no charge"),
        (
            input(false, false, Some(125_000), None),
            (0, 0),
            "no charge",
        ),
        (
            input(true, false, Some(125_000), None),
            (3, 0),
            "transcription 3 min",
        ),
        (
            input(true, false, Some(0), None),
            (1, 0),
            "transcription 1 min",
        ),
        (
            input(true, false, None, None),
            (1, 0),
            "transcription 1 min",
        ),
        (
            input(true, true, Some(120_000), None),
            (2, 2),
            "transcription 2 min + evaluation 2 min",
        ),
        (
            input(true, true, None, None),
            (1, 1),
            "transcription 1 min + evaluation 1 min",
        ),
        // Provided transcript on audio: no transcription, evaluation by the media's minutes.
        (
            input(false, true, Some(60_001), Some(&words_250)),
            (0, 2),
            "evaluation 2 min",
        ),
        // Text only: evaluation by words.
        (
            input(false, true, None, Some(&words_250)),
            (0, 3),
            "evaluation 3 × 100 words",
        ),
        (
            input(false, true, None, Some("hi")),
            (0, 1),
            "evaluation 1 × 100 words",
        ),
        (
            input(false, true, None, Some("")),
            (0, 1),
            "evaluation 1 × 100 words",
        ),
        (
            input(false, true, None, None),
            (0, 1),
            "evaluation 1 × 100 words",
        ),
    ];
    for (inp, (transcription, evaluation), reason) in cases {
        let p = price(&inp, &rates);
        assert_eq!(
            (p.transcription, p.evaluation),
            (transcription, evaluation),
            "{inp:?}"
        );
        assert_eq!(p.total, transcription + evaluation);
        assert_eq!(p.reason, reason);
    }
}

/// One upload for [`PriceInput::for_upload`] and what it must yield.
struct UploadCase<'a> {
    transcript: Option<serde_json::Value>,
    email_body: Option<&'a str>,
    evaluation: bool,
    kind: InteractionType,
    has_media: bool,
    duration_ms: Option<i64>,
    /// needs transcription, priced text, counted media duration.
    facts: (bool, Option<&'a str>, Option<i64>),
    /// Credits for (transcription, evaluation) at the default rates.
    credits: (i64, i64),
}

#[test]
fn upload_facts_table() {
    use serde_json::json;
    use InteractionType::*;
    let words = vec!["w"; 150].join(" ");
    let words_150 = words.as_str();
    let hints = || Some(json!({"language": "es", "agentChannel": 1}));
    let case = |transcript, email_body, evaluation, kind, has_media, duration_ms| UploadCase {
        transcript,
        email_body,
        evaluation,
        kind,
        has_media,
        duration_ms,
        facts: (false, None, None),
        credits: (0, 0),
    };
    let cases = [
        // Media without a transcript, and media with hints only: both are transcribed.
        UploadCase {
            facts: (true, None, Some(125_000)),
            credits: (3, 3),
            ..case(None, None, true, Audio, true, Some(125_000))
        },
        UploadCase {
            facts: (true, None, Some(125_000)),
            credits: (3, 3),
            ..case(hints(), None, true, Audio, true, Some(125_000))
        },
        UploadCase {
            facts: (true, None, None),
            credits: (1, 0),
            ..case(hints(), None, false, Video, true, None)
        },
        UploadCase {
            facts: (true, None, None),
            credits: (1, 1),
            ..case(hints(), None, true, Audio, true, None)
        },
        // A provided transcript on media: no transcription, evaluation by the media's minutes.
        UploadCase {
            facts: (false, Some(words_150), Some(60_001)),
            credits: (0, 2),
            ..case(
                Some(json!({ "text": words_150 })),
                None,
                true,
                Audio,
                true,
                Some(60_001),
            )
        },
        UploadCase {
            facts: (false, Some("hi"), Some(60_000)),
            credits: (0, 0),
            ..case(
                Some(json!({"text": "hi", "language": "es"})),
                None,
                false,
                Audio,
                true,
                Some(60_000),
            )
        },
        // Text interactions: a declared duration is not media; evaluation by words.
        UploadCase {
            facts: (false, Some(words_150), None),
            credits: (0, 2),
            ..case(
                Some(json!({ "text": words_150 })),
                None,
                true,
                Chat,
                false,
                Some(600_000),
            )
        },
        UploadCase {
            facts: (false, Some("hello there"), None),
            credits: (0, 1),
            ..case(None, Some("hello there"), true, Email, false, None)
        },
        UploadCase {
            facts: (false, Some("hi"), None),
            credits: (0, 1),
            ..case(
                Some(json!({"text": "hi"})),
                Some("the body"),
                true,
                Email,
                false,
                None,
            )
        },
    ];
    for (i, c) in cases.into_iter().enumerate() {
        let mut value = json!({"sourceIdentifier": "s", "direction": "INBOUND",
            "timestamp": "2026-06-23T14:30:00Z"});
        if let Some(t) = c.transcript {
            value["transcript"] = t;
        }
        if let Some(body) = c.email_body {
            value["email"] =
                json!({"from": "a@example.com", "to": ["b@example.com"], "body": body});
        }
        if c.evaluation {
            value["evaluation"] = json!({"scorecardId": "sc"});
        }
        let payload = crate::payload::parse_upload(&value).unwrap();
        let input = PriceInput::for_upload(&payload, c.kind, c.has_media, c.duration_ms);
        assert_eq!(
            (
                input.needs_transcription,
                input.transcript_text,
                input.media_duration_ms
            ),
            c.facts,
            "case {i}"
        );
        assert_eq!(input.evaluation, c.evaluation, "case {i}");
        let p = price(&input, &Rates::default());
        assert_eq!((p.transcription, p.evaluation), c.credits, "case {i}");
    }
}

#[test]
fn rates_apply_per_unit() {
    let rates = Rates {
        transcription_per_minute: 3,
        evaluation_per_minute: 5,
        evaluation_per_100_words: 7,
    };
    let p = price(&input(true, true, Some(120_000), None), &rates);
    assert_eq!((p.transcription, p.evaluation, p.total), (6, 10, 16));
    let p = price(
        &input(false, true, None, Some(&vec!["w"; 150].join(" "))),
        &rates,
    );
    assert_eq!((p.transcription, p.evaluation, p.total), (0, 14, 14));
}

#[test]
fn negative_rates_count_as_zero_and_sums_saturate() {
    let negative = Rates {
        transcription_per_minute: -5,
        evaluation_per_minute: -5,
        evaluation_per_100_words: -5,
    };
    assert_eq!(
        price(&input(true, true, Some(60_000), None), &negative).total,
        0
    );
    let huge = Rates {
        transcription_per_minute: i64::MAX,
        evaluation_per_minute: i64::MAX,
        evaluation_per_100_words: i64::MAX,
    };
    let p = price(&input(true, true, Some(i64::MAX), None), &huge);
    assert_eq!(
        (p.transcription, p.evaluation, p.total),
        (i64::MAX, i64::MAX, i64::MAX)
    );
}

proptest! {
    #[test]
    fn started_minutes_is_the_ceiling(ms in 1i64..=i64::MAX) {
        let m = started_minutes(ms);
        prop_assert!(i128::from(m) * 60_000 >= i128::from(ms));
        prop_assert!(i128::from(m - 1) * 60_000 < i128::from(ms));
    }

    #[test]
    fn price_is_consistent_and_monotonic(
        needs_transcription in any::<bool>(),
        evaluation in any::<bool>(),
        ms in prop::option::of(any::<i64>()),
        extra in 0i64..10_000_000,
        words in 0usize..1000,
        t in -3i64..1000, e in -3i64..1000, w in -3i64..1000,
    ) {
        let text = vec!["w"; words].join(" ");
        let rates = Rates { transcription_per_minute: t, evaluation_per_minute: e, evaluation_per_100_words: w };
        let p = price(&input(needs_transcription, evaluation, ms, Some(&text)), &rates);
        prop_assert_eq!(p.total, p.transcription.saturating_add(p.evaluation));
        prop_assert!(p.transcription >= 0 && p.evaluation >= 0);
        prop_assert_eq!(p.transcription > 0, needs_transcription && t > 0);
        prop_assert_eq!(p.reason == "no charge", !needs_transcription && !evaluation);
        if let Some(ms) = ms {
            let longer = price(&input(needs_transcription, evaluation, Some(ms.saturating_add(extra)), Some(&text)), &rates);
            prop_assert!(longer.total >= p.total);
        }
    }
}
