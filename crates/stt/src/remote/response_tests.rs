//! Table tests of `verbose_json` parsing: OpenAI's shape and the lenient variants.

use super::*;
use serde_json::json;

fn parse(answer: serde_json::Value) -> PieceTranscript {
    parse_verbose_json(answer.to_string().as_bytes(), 30.0).unwrap()
}

fn word(w: &str, start: f64, end: f64) -> Word {
    Word {
        word: w.into(),
        start,
        end,
    }
}

/// `(text, start, end, words)` of each segment.
type Shape = Vec<(String, f64, f64, Option<Vec<String>>)>;

fn shape(t: &PieceTranscript) -> Shape {
    t.segments
        .iter()
        .map(|s| {
            let words = s
                .words
                .as_ref()
                .map(|ws| ws.iter().map(|w| w.word.clone()).collect());
            (s.text.clone(), s.start, s.end, words)
        })
        .collect()
}

fn seg(
    text: &str,
    start: f64,
    end: f64,
    words: Option<&[&str]>,
) -> (String, f64, f64, Option<Vec<String>>) {
    (
        text.into(),
        start,
        end,
        words.map(|ws| ws.iter().map(|w| w.to_string()).collect()),
    )
}

#[test]
fn openai_shape_with_top_level_words() {
    let got = parse(json!({
        "task": "transcribe", "language": "english", "duration": 4.2,
        "text": "Hello there. How can I help?",
        "segments": [
            {"id": 0, "seek": 0, "start": 0.0, "end": 1.6, "text": " Hello there.",
             "tokens": [1, 2], "temperature": 0.0, "avg_logprob": -0.2,
             "compression_ratio": 1.1, "no_speech_prob": 0.01},
            {"id": 1, "seek": 0, "start": 1.8, "end": 4.0, "text": " How can I help?",
             "tokens": [3], "temperature": 0.0, "avg_logprob": -0.3,
             "compression_ratio": 1.1, "no_speech_prob": 0.02}
        ],
        "words": [
            {"word": "Hello", "start": 0.0, "end": 0.6},
            {"word": "there.", "start": 0.7, "end": 1.5},
            {"word": "How", "start": 1.8, "end": 2.1},
            {"word": "can", "start": 2.2, "end": 2.4},
            {"word": "I", "start": 2.5, "end": 2.6},
            {"word": "help?", "start": 2.7, "end": 3.9}
        ]
    }));
    assert_eq!(got.language.as_deref(), Some("en"));
    assert_eq!(
        shape(&got),
        vec![
            seg("Hello there.", 0.0, 1.6, Some(&["Hello", "there."])),
            seg(
                "How can I help?",
                1.8,
                4.0,
                Some(&["How", "can", "I", "help?"])
            ),
        ]
    );
    assert_eq!(
        got.segments[0].words.as_ref().unwrap()[1],
        word("there.", 0.7, 1.5)
    );
}

#[test]
fn lenient_variants() {
    let cases: Vec<(&str, serde_json::Value, Shape, Option<&str>)> = vec![
        (
            "text only: one segment over the piece",
            json!({"text": " Just text. "}),
            vec![seg("Just text.", 0.0, 30.0, None)],
            None,
        ),
        (
            "text and words, no segments: spans the words",
            json!({"text": "Hi you", "language": "es",
                   "words": [{"word": "you", "start": 2.0, "end": 2.5}, {"word": "Hi", "start": 1.0, "end": 1.4}]}),
            vec![seg("Hi you", 1.0, 2.5, Some(&["Hi", "you"]))],
            Some("es"),
        ),
        (
            "empty answer",
            json!({"text": "", "segments": []}),
            vec![],
            None,
        ),
        (
            "segments without words",
            json!({"text": "a b", "language": "Spanish",
                   "segments": [{"start": 0.0, "end": 1.0, "text": "a"}, {"start": 1.0, "end": 2.0, "text": "b"}]}),
            vec![seg("a", 0.0, 1.0, None), seg("b", 1.0, 2.0, None)],
            Some("es"),
        ),
        (
            "words nested in segments (whisper.cpp style), with spaces",
            json!({"segments": [
                {"start": 0.0, "end": 1.0, "text": " one", "words": [{"word": " one", "start": 0.1, "end": 0.9}]},
                {"start": 1.0, "end": 2.0, "text": " two", "words": [{"word": " two", "start": 1.1, "end": 1.9}]}
            ]}),
            vec![
                seg("one", 0.0, 1.0, Some(&["one"])),
                seg("two", 1.0, 2.0, Some(&["two"])),
            ],
            None,
        ),
        (
            "blank segments dropped, their words with them; unsorted segments sorted",
            json!({"segments": [
                {"start": 3.0, "end": 4.0, "text": "late"},
                {"start": 0.0, "end": 1.0, "text": "   "},
                {"start": 1.0, "end": 2.0, "text": "early"}
            ], "words": [
                {"word": "ghost", "start": 0.2, "end": 0.4},
                {"word": "early", "start": 1.2, "end": 1.8},
                {"word": "late", "start": 3.1, "end": 3.9}
            ]}),
            vec![
                seg("early", 1.0, 2.0, Some(&["early"])),
                seg("late", 3.0, 4.0, Some(&["late"])),
            ],
            None,
        ),
        (
            "a word in a gap goes to the nearer segment",
            json!({"segments": [
                {"start": 0.0, "end": 1.0, "text": "a"},
                {"start": 3.0, "end": 4.0, "text": "b"}
            ], "words": [
                {"word": "near-a", "start": 1.1, "end": 1.3},
                {"word": "near-b", "start": 2.6, "end": 2.8},
                {"word": "before", "start": -0.5, "end": -0.1},
                {"word": "after", "start": 5.0, "end": 5.5}
            ]}),
            vec![
                seg("a", 0.0, 1.0, Some(&["before", "near-a"])),
                seg("b", 3.0, 4.0, Some(&["near-b", "after"])),
            ],
            None,
        ),
        (
            "whisper's no-speech rule drops an invented segment",
            json!({"segments": [
                {"start": 0.0, "end": 2.0, "text": "Thank you.", "no_speech_prob": 0.9, "avg_logprob": -1.4},
                {"start": 2.0, "end": 3.0, "text": "Real words", "no_speech_prob": 0.9, "avg_logprob": -0.2}
            ]}),
            vec![seg("Real words", 2.0, 3.0, None)],
            None,
        ),
    ];
    for (name, answer, want, language) in cases {
        let got = parse(answer);
        assert_eq!(shape(&got), want, "{name}");
        assert_eq!(got.language.as_deref(), language, "{name}");
    }
}

#[test]
fn not_json_is_an_error() {
    let err = parse_verbose_json(b"<html>Bad gateway</html>", 1.0).unwrap_err();
    assert!(err.contains("not verbose_json"), "{err}");
}

#[test]
fn shift_moves_segments_and_words() {
    let mut t = parse(
        json!({"segments": [{"start": 0.5, "end": 1.0, "text": "x"}],
                             "words": [{"word": "x", "start": 0.6, "end": 0.9}]}),
    );
    shift(&mut t.segments, 100.0);
    assert_eq!(t.segments[0].start, 100.5);
    assert_eq!(t.segments[0].end, 101.0);
    assert_eq!(
        t.segments[0].words.as_ref().unwrap()[0],
        word("x", 100.6, 100.9)
    );
}
