use super::*;
use serde_json::json;

fn seg(text: &str, channel: Option<i64>, speaker: Option<&str>) -> Segment {
    Segment {
        start: 0.0,
        end: 1.0,
        text: text.to_string(),
        channel,
        speaker: speaker.map(str::to_string),
        words: None,
    }
}

#[test]
fn derive_text_table() {
    let two_channels = vec![
        seg("Hello", Some(0), None),
        seg("I need help", Some(1), None),
    ];
    let cases: Vec<(Vec<Segment>, Option<i64>, &str)> = vec![
        (
            two_channels.clone(),
            None,
            "Agent: Hello\nCustomer: I need help",
        ),
        (
            two_channels.clone(),
            Some(0),
            "Agent: Hello\nCustomer: I need help",
        ),
        (two_channels, Some(1), "Customer: Hello\nAgent: I need help"),
        (vec![seg("hi", Some(2), None)], None, "Customer: hi"),
        (vec![seg("hi", None, Some("1"))], None, "Speaker 1: hi"),
        (
            vec![seg("hi", None, Some("SPEAKER_00"))],
            None,
            "Speaker SPEAKER_00: hi",
        ),
        (vec![seg("hi", None, Some("agent"))], None, "Agent: hi"),
        (
            vec![seg("hi", None, Some("Customer"))],
            None,
            "Customer: hi",
        ),
        (
            vec![seg("hi", Some(0), Some("SPEAKER_01"))],
            Some(1),
            "Customer: hi",
        ),
        (vec![seg(" Hello world", None, None)], None, "Hello world"),
        (
            vec![
                seg("a", None, None),
                seg("  ", Some(0), None),
                seg("b", None, None),
            ],
            None,
            "a\nb",
        ),
        (
            vec![seg("line one\r\nline two", Some(0), None)],
            None,
            "Agent: line one line two",
        ),
        (vec![], None, ""),
    ];
    for (segments, agent_channel, expected) in cases {
        assert_eq!(
            derive_text(&segments, agent_channel),
            expected,
            "{segments:?}"
        );
    }
}

/// Parses a transcript that must come out as provided content (hints only fail the test).
fn parse(value: Value) -> Result<TranscriptInput, ApiError> {
    parse_transcript(&value, "transcript").map(|t| match t {
        UploadTranscript::Provided(t) => t,
        UploadTranscript::Hints(h) => panic!("expected provided content, got hints {h:?}"),
    })
}

/// What one `transcript` object parses to, in short: hints (language, agent channel),
/// provided content (its text) or a refusal (the field it names).
#[derive(Debug, PartialEq)]
enum Parsed {
    Hints(Option<String>, Option<i64>),
    Provided(String),
    Refused(String),
}

fn hints(language: Option<&str>, agent_channel: Option<i64>) -> Parsed {
    Parsed::Hints(language.map(str::to_string), agent_channel)
}

fn provided(text: &str) -> Parsed {
    Parsed::Provided(text.to_string())
}

fn refused(field: &str) -> Parsed {
    Parsed::Refused(field.to_string())
}

#[test]
fn hints_only_table() {
    let segment = json!([{"start": 0, "end": 1, "text": "hola", "channel": 1}]);
    let cases = [
        (
            json!({"language": "es", "agentChannel": 1}),
            hints(Some("es"), Some(1)),
        ),
        (json!({"language": "ES"}), hints(Some("es"), None)),
        (json!({"language": "english"}), hints(Some("en"), None)),
        (json!({"agentChannel": 0}), hints(None, Some(0))),
        // Blank text, no segments and nulls are absent content: still hints only.
        (
            json!({"language": "es", "text": "  \n"}),
            hints(Some("es"), None),
        ),
        (
            json!({"language": "es", "segments": []}),
            hints(Some("es"), None),
        ),
        (
            json!({"agentChannel": 1, "text": null, "segments": null}),
            hints(None, Some(1)),
        ),
        // Content wins: with text or a segment the object is a provided transcript.
        (
            json!({"language": "es", "agentChannel": 1, "text": "hola"}),
            provided("hola"),
        ),
        (
            json!({"agentChannel": 1, "segments": segment}),
            provided("Agent: hola"),
        ),
        // Neither content nor a hint.
        (json!({}), refused("transcript")),
        (json!({"language": ""}), refused("transcript")),
        (
            json!({"language": null, "agentChannel": null, "text": ""}),
            refused("transcript"),
        ),
        // Hints are checked like any other field.
        (
            json!({"language": "klingon"}),
            refused("transcript.language"),
        ),
        (json!({"language": 7}), refused("transcript.language")),
        (
            json!({"agentChannel": -1}),
            refused("transcript.agentChannel"),
        ),
        (
            json!({"agentChannel": "1"}),
            refused("transcript.agentChannel"),
        ),
        (
            json!({"language": "es", "segments": [{"start": 1, "end": 0, "text": "a"}]}),
            refused("transcript.segments[0].end"),
        ),
    ];
    for (value, expected) in cases {
        let got = match parse_transcript(&value, "transcript") {
            Ok(UploadTranscript::Hints(h)) => Parsed::Hints(h.language, h.agent_channel),
            Ok(UploadTranscript::Provided(t)) => Parsed::Provided(t.text),
            Err(e) => {
                assert_eq!((e.status, e.code), (400, "invalid_field"), "{value}");
                Parsed::Refused(e.field.unwrap_or_default())
            }
        };
        assert_eq!(got, expected, "{value}");
    }
}

#[test]
fn provided_content_keeps_its_hints() {
    let t = parse_transcript(
        &json!({"text": "hola", "language": "es-MX", "agentChannel": 1}),
        "transcript",
    )
    .unwrap();
    assert_eq!((t.language(), t.agent_channel()), (Some("es"), Some(1)));
    assert_eq!(t.provided().map(|t| t.text.as_str()), Some("hola"));
    let h = parse_transcript(&json!({"agentChannel": 1}), "transcript").unwrap();
    assert_eq!((h.language(), h.agent_channel()), (None, Some(1)));
    assert_eq!(h.provided(), None);
}

#[test]
fn missing_content_says_what_a_transcript_needs() {
    let e = parse_transcript(&json!({"language": " "}), "transcript").unwrap_err();
    assert_eq!(e, missing_content("transcript"));
    for needle in [
        "`transcript`",
        "`text`",
        "segment",
        "`language`",
        "`downloadUrl`",
    ] {
        assert!(e.message.contains(needle), "{needle}: {}", e.message);
    }
}

#[test]
fn reference_example_parses() {
    let t = parse(json!({
        "text": "Agent: Hello\nCustomer: I need help",
        "language": "en",
        "agentChannel": 0,
        "segments": [{
            "start": 0.0, "end": 1.0, "text": "Hello world", "channel": 0,
            "words": [{"word": "Hello", "start": 0.0, "end": 0.5}, {"word": "world", "start": 0.5, "end": 1.0}]
        }]
    }))
    .unwrap();
    assert_eq!(t.text, "Agent: Hello\nCustomer: I need help");
    assert_eq!(t.language.as_deref(), Some("en"));
    assert_eq!(t.agent_channel, Some(0));
    assert_eq!(t.segments.len(), 1);
    assert_eq!(t.segments[0].words.as_ref().map(Vec::len), Some(2));
}

#[test]
fn text_is_derived_when_absent_or_blank() {
    let segments = json!([
        {"start": 0, "end": 1, "text": "Hello", "channel": 1},
        {"start": 1, "end": 2, "text": "Hi", "channel": 0}
    ]);
    for text in [json!(null), json!(""), json!("  \n")] {
        let t = parse(json!({"text": text, "agentChannel": 1, "segments": segments})).unwrap();
        assert_eq!(t.text, "Agent: Hello\nCustomer: Hi", "{text}");
    }
    let t = parse(json!({"segments": segments})).unwrap();
    assert_eq!(t.text, "Customer: Hello\nAgent: Hi");
}

#[test]
fn segment_words_win_over_text() {
    let words = json!([{"word": " Hello", "start": 0, "end": 0.5}, {"word": " world", "start": 0.5, "end": 1}]);
    let blank_words = json!([{"word": " ", "start": 0, "end": 0.5}]);
    // (text, words) → the segment's text; `text` is "used when `words` is absent".
    let table = [
        (None, Some(&words), "Hello world"),
        (Some(""), Some(&words), "Hello world"),
        (Some(" "), Some(&words), "Hello world"),
        (Some("Given"), Some(&words), "Hello world"),
        (Some("Given"), None, "Given"),
        (Some("Given"), Some(&blank_words), "Given"),
        (Some("Given"), Some(&json!([])), "Given"),
        (Some(" "), Some(&blank_words), ""),
        (None, Some(&json!([])), ""),
    ];
    for (text, words, expected) in table {
        let mut segment = json!({"start": 0, "end": 1});
        if let Some(text) = text {
            segment["text"] = json!(text);
        }
        if let Some(words) = words {
            segment["words"] = words.clone();
        }
        let t = parse(json!({"text": "whole", "segments": [segment.clone()]})).unwrap();
        assert_eq!(t.segments[0].text, expected, "{segment}");
        // The derived plain view follows the segment text.
        if !expected.is_empty() {
            let t = parse(json!({"segments": [segment.clone()]})).unwrap();
            assert_eq!(t.text, expected, "{segment}");
        }
    }
    let e = parse(json!({"segments": [{"start": 0, "end": 1}]})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("transcript.segments[0].text"));
}

#[test]
fn speakers_and_channels_are_stored() {
    let t = parse(json!({"segments": [
        {"start": 0, "end": 1, "text": "a", "speaker": 1},
        {"start": 1, "end": 2, "text": "b", "speaker": "SPEAKER_00"},
        {"start": 2, "end": 3, "text": "c", "speaker": ""},
        {"start": 3, "end": 4, "text": "d", "channel": 3}
    ]}))
    .unwrap();
    let speakers: Vec<Option<&str>> = t.segments.iter().map(|s| s.speaker.as_deref()).collect();
    assert_eq!(speakers, vec![Some("1"), Some("SPEAKER_00"), None, None]);
    assert_eq!(t.segments[3].channel, Some(3));
    assert_eq!(
        t.text,
        "Speaker 1: a\nSpeaker SPEAKER_00: b\nc\nCustomer: d"
    );
}

#[test]
fn plain_text_only() {
    let t = parse(json!({"text": "hello there"})).unwrap();
    assert_eq!(t.text, "hello there");
    assert!(t.segments.is_empty());
    // Segments whose text is empty still count as content (e.g. silence from an engine).
    let silent = parse(json!({"segments": [{"start": 0, "end": 1, "text": ""}]})).unwrap();
    assert_eq!(silent.text, "");
}

#[test]
fn language_table() {
    let cases = [
        (json!("en"), Ok(Some("en"))),
        (json!("EN"), Ok(Some("en"))),
        (json!("Es"), Ok(Some("es"))),
        (json!("en-US"), Ok(Some("en"))),
        (json!("pt_BR"), Ok(Some("pt"))),
        (json!("fil"), Ok(Some("fil"))),
        (json!("english"), Ok(Some("en"))),
        (json!("Spanish"), Ok(Some("es"))),
        (json!(""), Ok(None)),
        (json!(null), Ok(None)),
        (json!("e"), Err(())),
        (json!("engl"), Err(())),
        (json!("french"), Err(())),
        (json!("en-"), Err(())),
        (json!("e1"), Err(())),
        (json!(1), Err(())),
    ];
    for (language, expected) in cases {
        let got = parse(json!({"text": "x", "language": language}));
        match expected {
            Ok(code) => assert_eq!(got.unwrap().language.as_deref(), code, "{language}"),
            Err(()) => {
                let err = got.unwrap_err();
                assert_eq!(
                    err.field.as_deref(),
                    Some("transcript.language"),
                    "{language}"
                );
            }
        }
    }
}

#[test]
fn rejections_name_the_field() {
    let ok_seg = json!({"start": 0, "end": 1, "text": "a"});
    let with_seg = |patch: Value| {
        let mut s = ok_seg.clone();
        for (k, v) in patch.as_object().unwrap() {
            s[k] = v.clone();
        }
        json!({"segments": [ok_seg, ok_seg, s]})
    };
    let cases = [
        (json!("hello"), "transcript", "invalid_field"),
        (json!({}), "transcript", "invalid_field"),
        (json!({"text": "  "}), "transcript", "invalid_field"),
        (
            json!({"text": "", "segments": []}),
            "transcript",
            "invalid_field",
        ),
        (json!({"text": 5}), "transcript.text", "invalid_field"),
        (
            json!({"text": "x", "agentChannel": -1}),
            "transcript.agentChannel",
            "invalid_field",
        ),
        (
            json!({"text": "x", "agentChannel": 0.5}),
            "transcript.agentChannel",
            "invalid_field",
        ),
        (
            json!({"text": "x", "agentChannel": "0"}),
            "transcript.agentChannel",
            "invalid_field",
        ),
        (
            json!({"segments": {}}),
            "transcript.segments",
            "invalid_field",
        ),
        (
            json!({"segments": ["a"]}),
            "transcript.segments[0]",
            "invalid_field",
        ),
        (
            with_seg(json!({"end": 0.5, "start": 0.6})),
            "transcript.segments[2].end",
            "invalid_field",
        ),
        (
            with_seg(json!({"start": -1})),
            "transcript.segments[2].start",
            "invalid_field",
        ),
        (
            with_seg(json!({"start": "0"})),
            "transcript.segments[2].start",
            "invalid_field",
        ),
        (
            with_seg(json!({"start": null})),
            "transcript.segments[2].start",
            "missing_field",
        ),
        (
            with_seg(json!({"end": null})),
            "transcript.segments[2].end",
            "missing_field",
        ),
        (
            with_seg(json!({"text": null})),
            "transcript.segments[2].text",
            "missing_field",
        ),
        (
            with_seg(json!({"text": 1})),
            "transcript.segments[2].text",
            "invalid_field",
        ),
        (
            with_seg(json!({"channel": -1})),
            "transcript.segments[2].channel",
            "invalid_field",
        ),
        (
            with_seg(json!({"speaker": 1.5})),
            "transcript.segments[2].speaker",
            "invalid_field",
        ),
        (
            with_seg(json!({"speaker": true})),
            "transcript.segments[2].speaker",
            "invalid_field",
        ),
        (
            with_seg(json!({"speaker": "s".repeat(MAX_SPEAKER_CHARS + 1)})),
            "transcript.segments[2].speaker",
            "invalid_field",
        ),
        (
            with_seg(json!({"words": "a b"})),
            "transcript.segments[2].words",
            "invalid_field",
        ),
        (
            with_seg(json!({"words": [{"word": "a", "start": 0}]})),
            "transcript.segments[2].words[0].end",
            "missing_field",
        ),
        (
            with_seg(
                json!({"words": [{"word": "a", "start": 0, "end": 1}, {"start": 1, "end": 2}]}),
            ),
            "transcript.segments[2].words[1].word",
            "missing_field",
        ),
        (
            with_seg(json!({"words": [{"word": "a", "start": 2, "end": 1}]})),
            "transcript.segments[2].words[0].end",
            "invalid_field",
        ),
    ];
    for (value, field, code) in cases {
        let err = parse(value.clone()).unwrap_err();
        assert_eq!((err.status, err.code), (400, code), "{value}");
        assert_eq!(err.field.as_deref(), Some(field), "{value}");
        assert!(err.message.contains(field), "{}", err.message);
    }
}

#[test]
fn equal_start_and_end_are_fine() {
    let t = parse(json!({"segments": [{"start": 2.5, "end": 2.5, "text": "a"}]})).unwrap();
    assert_eq!((t.segments[0].start, t.segments[0].end), (2.5, 2.5));
}

#[test]
fn size_limits() {
    let too_much_text = "a".repeat(MAX_TRANSCRIPT_TEXT_BYTES + 1);
    let err = parse(json!({ "text": too_much_text })).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("transcript.text"));

    let half = "a".repeat(MAX_TRANSCRIPT_TEXT_BYTES / 2 + 1);
    let err = parse(json!({"segments": [
        {"start": 0, "end": 1, "text": half},
        {"start": 1, "end": 2, "text": half}
    ]}))
    .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("transcript.segments[1].text"));

    let one = json!({"start": 0, "end": 1, "text": ""});
    let at_limit = vec![one.clone(); MAX_SEGMENTS];
    assert!(parse(json!({ "segments": at_limit })).is_ok());
    let over = vec![one; MAX_SEGMENTS + 1];
    let err = parse(json!({ "segments": over })).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("transcript.segments"));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn arb_segment() -> impl Strategy<Value = Segment> {
        (
            "[a-z \\n]{0,12}",
            prop::option::of(0i64..3),
            prop::option::of("[A-Z0-9_]{1,6}"),
        )
            .prop_map(|(text, channel, speaker)| Segment {
                start: 0.0,
                end: 1.0,
                text,
                channel,
                speaker,
                words: None,
            })
    }

    proptest! {
        #[test]
        fn one_line_per_non_blank_segment(
            segments in prop::collection::vec(arb_segment(), 0..12),
            agent_channel in prop::option::of(0i64..3),
        ) {
            let text = derive_text(&segments, agent_channel);
            let spoken: Vec<&Segment> = segments.iter().filter(|s| !s.text.trim().is_empty()).collect();
            let lines: Vec<&str> = if text.is_empty() { vec![] } else { text.split('\n').collect() };
            prop_assert_eq!(lines.len(), spoken.len());
            for (line, segment) in lines.iter().zip(spoken) {
                // Line breaks inside a segment become single spaces; other spacing is kept.
                let pieces: Vec<&str> = segment
                    .text
                    .split('\n')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .collect();
                let expected = pieces.join(" ");
                prop_assert!(line.ends_with(&expected), "{line:?}");
                let agent = agent_channel.unwrap_or(0);
                match (segment.channel, &segment.speaker) {
                    (Some(c), _) if c == agent => prop_assert!(line.starts_with("Agent: ")),
                    (Some(_), _) => prop_assert!(line.starts_with("Customer: ")),
                    (None, Some(s)) => {
                        let label = format!("Speaker {s}: ");
                        prop_assert!(line.starts_with(&label));
                    }
                    (None, None) => prop_assert_eq!(*line, expected.as_str()),
                }
            }
        }
    }
}
