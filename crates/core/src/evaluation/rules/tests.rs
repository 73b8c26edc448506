//! Table tests of the rule language on a hand-built call and chat.

use serde_json::{json, Value};

use super::*;
use crate::evaluation::lines::{transcript_lines, Line, Speaker};
use crate::scoring::{AnswerSpec, QuestionKind, Response};

fn line(n: usize, start: f64, end: f64, speaker: Speaker, text: &str) -> Line {
    Line {
        number: n,
        start: Some(start),
        end: Some(end),
        speaker,
        text: text.into(),
    }
}

/// A 2-minute support call.
fn call() -> Vec<Line> {
    use Speaker::*;
    vec![
        line(
            1,
            0.5,
            4.0,
            Agent,
            "Thank you for calling Acme, this is Jane.",
        ),
        line(2, 4.5, 8.0, Customer, "Hi, my order never arrived!"),
        line(
            3,
            8.0,
            12.0,
            Agent,
            "I'm so sorry to hear that. Can you confirm your date of birth?",
        ),
        line(4, 11.0, 14.0, Customer, "It's 12/03/1985."),
        line(
            5,
            15.0,
            20.0,
            Agent,
            "May I place you on hold for a moment?",
        ),
        line(
            6,
            60.0,
            65.0,
            Agent,
            "Thank you for holding. I've reissued it.",
        ),
        line(
            7,
            110.0,
            115.0,
            Agent,
            "Is there anything else I can help you with?",
        ),
        line(8, 115.0, 118.0, Customer, "No, thanks."),
        line(
            9,
            118.0,
            120.0,
            Agent,
            "Thank you for colling Acme, goodbye.",
        ),
    ]
}

fn yes_no() -> QuestionKind {
    QuestionKind::Single(
        ["Yes", "No"]
            .map(|l| AnswerSpec {
                label: l.into(),
                points: Some(1.0),
                auto_fail: false,
            })
            .to_vec(),
    )
}

fn run(rules: Value, kind: &QuestionKind, lines: &[Line]) -> (Response, Vec<usize>) {
    let parsed = parse(&rules, "rules", kind).unwrap_or_else(|e| panic!("{rules}: {e}"));
    let a = answer(&parsed, kind, lines);
    (a.response, a.evidence)
}

fn yes(evidence: &[usize]) -> (Response, Vec<usize>) {
    (Response::Chosen(vec!["Yes".into()]), evidence.to_vec())
}

fn no() -> (Response, Vec<usize>) {
    (Response::Chosen(vec!["No".into()]), vec![])
}

fn na() -> (Response, Vec<usize>) {
    (Response::NotApplicable, vec![])
}

#[test]
fn conditions_decide_answers_and_name_their_lines() {
    let cases = [
        // Greeting: normalised for case and punctuation, by the agent, in the first 30 s.
        (
            json!({"if": {"phrase": "thank you for calling", "by": "AGENT", "within": {"to": 30}}, "then": "Yes", "else": "No"}),
            yes(&[1]),
        ),
        // Whole words only.
        (
            json!({"if": {"phrase": "order never arrive"}, "then": "Yes", "else": "No"}),
            no(),
        ),
        // A list: any phrase.
        (
            json!({"if": {"phrase": ["date of birth", "postcode"], "by": "AGENT"}, "then": "Yes", "else": "No"}),
            yes(&[3]),
        ),
        // The customer never said it; without `else` the question is N/A.
        (
            json!({"if": {"phrase": "date of birth", "by": "CUSTOMER"}, "then": "Yes"}),
            na(),
        ),
        // Closing in the last 15 s: the misheard line needs fuzzy matching.
        (
            json!({"if": {"phrase": "thank you for calling", "within": {"from": -15}}, "then": "Yes", "else": "No"}),
            no(),
        ),
        (
            json!({"if": {"phrase": "thank you for calling", "within": {"from": -15}, "fuzzy": 0.85}, "then": "Yes", "else": "No"}),
            yes(&[9]),
        ),
        // Regex on the raw text.
        (
            json!({"if": {"regex": "\\d{2}/\\d{2}/\\d{4}", "by": "CUSTOMER"}, "then": "Yes", "else": "No"}),
            yes(&[4]),
        ),
        // Hold etiquette: asked before, thanked after.
        (
            json!({"if": {"all": [{"phrase": "place you on hold"}, {"phrase": "thank you for holding"}]}, "then": "Yes", "else": "No"}),
            yes(&[5, 6]),
        ),
        (
            json!({"if": {"all": [{"phrase": "place you on hold"}, {"phrase": "hold music"}]}, "then": "Yes", "else": "No"}),
            no(),
        ),
        (
            json!({"if": {"any": [{"phrase": "hold music"}, {"phrase": "sorry"}]}, "then": "Yes", "else": "No"}),
            yes(&[3]),
        ),
        // Compliance: no profanity.
        (
            json!({"if": {"not": {"regex": "(?i)\\bdamn\\b", "by": "AGENT"}}, "then": "Yes", "else": "No"}),
            yes(&[]),
        ),
        // Metrics: a 40 s silence (20 → 60 s) and the agent's share of talk.
        (
            json!({"if": {"metric": "longestSilenceSeconds", "op": ">=", "value": 40}, "then": "Yes", "else": "No"}),
            yes(&[]),
        ),
        (
            json!({"if": {"metric": "agentTalkRatio", "op": "<", "value": 0.5}, "then": "Yes", "else": "No"}),
            no(),
        ),
        (
            json!({"if": {"all": [{"metric": "interruptions", "op": "==", "value": 1}, {"phrase": "anything else", "by": "AGENT"}]}, "then": "Yes"}),
            yes(&[7]),
        ),
        // Several rules: the first that answers wins on a SINGLE question.
        (
            json!([{"if": {"phrase": "refund"}, "then": "No"}, {"if": {"phrase": "reissued"}, "then": "Yes"}]),
            yes(&[6]),
        ),
    ];
    for (rules, expected) in cases {
        assert_eq!(run(rules.clone(), &yes_no(), &call()), expected, "{rules}");
    }
}

#[test]
fn multiple_questions_collect_every_rule_s_label_and_sliders_take_a_metric() {
    let topics = QuestionKind::Multiple(
        ["late order", "refund", "identity"]
            .map(|l| AnswerSpec {
                label: l.into(),
                points: Some(1.0),
                auto_fail: false,
            })
            .to_vec(),
    );
    let rules = json!([
        {"if": {"phrase": "never arrived"}, "then": "late order"},
        {"if": {"phrase": "refund"}, "then": "refund"},
        {"if": {"phrase": "date of birth"}, "then": "identity"}]);
    let got = run(rules, &topics, &call());
    assert_eq!(
        got,
        (
            Response::Chosen(vec!["late order".into(), "identity".into()]),
            vec![2, 3]
        )
    );

    let slider = |step| QuestionKind::Slider {
        min: 0.0,
        max: 100.0,
        step,
    };
    let rules = json!({"value": {"metric": "agentWordsPerMinute"}});
    let (response, _) = run(rules.clone(), &slider(Some(10.0)), &call());
    // 52 agent words in 24.5 s of agent speech: 127/min, clamped to 100.
    assert_eq!(response, Response::Value(100.0));
    let (response, _) = run(
        json!({"value": {"metric": "agentTurns"}}),
        &slider(Some(5.0)),
        &call(),
    );
    // Agent runs [1], [3], [5, 6, 7], [9] → 4, snapped to 5.
    assert_eq!(response, Response::Value(5.0));
}

#[test]
fn text_interactions_use_message_positions_and_unmeasurable_metrics_are_na() {
    let chat = transcript_lines(
        "Customer: hello?\nAgent: Hi, thanks for contacting Acme!\nCustomer: where is my parcel\nAgent: Have a great day",
        &[],
        None,
    );
    let cases = [
        // The agent's first message is position 1: within the first two messages.
        (
            json!({"if": {"phrase": "thanks for contacting", "by": "AGENT", "within": {"to": 1}}, "then": "Yes", "else": "No"}),
            yes(&[2]),
        ),
        (
            json!({"if": {"phrase": "great day", "within": {"from": -1}}, "then": "Yes", "else": "No"}),
            yes(&[4]),
        ),
        (
            json!({"if": {"phrase": "great day", "within": {"to": 2}}, "then": "Yes", "else": "No"}),
            no(),
        ),
        // A chat has no times: no silence to measure, so N/A rather than a guess.
        (
            json!({"if": {"metric": "longestSilenceSeconds", "op": "<", "value": 30}, "then": "Yes", "else": "No"}),
            na(),
        ),
        (
            json!({"if": {"any": [{"metric": "durationSeconds", "op": ">", "value": 1}, {"phrase": "parcel"}]}, "then": "Yes", "else": "No"}),
            yes(&[3]),
        ),
        (
            json!({"if": {"not": {"metric": "durationSeconds", "op": ">", "value": 1}}, "then": "Yes", "else": "No"}),
            na(),
        ),
    ];
    for (rules, expected) in cases {
        assert_eq!(run(rules.clone(), &yes_no(), &chat), expected, "{rules}");
    }
    let slider = QuestionKind::Slider {
        min: 0.0,
        max: 10.0,
        step: None,
    };
    assert_eq!(
        run(
            json!({"value": {"metric": "agentTalkRatio"}}),
            &slider,
            &chat
        )
        .0,
        Response::NotApplicable
    );
}

#[test]
fn invalid_rules_name_the_path_of_the_mistake() {
    let slider = QuestionKind::Slider {
        min: 0.0,
        max: 10.0,
        step: None,
    };
    let cases = [
        (
            json!({"if": {"all": [{"phrase": "hi"}, {"regex": "("}]}, "then": "Yes"}),
            yes_no(),
            "rules.if.all[1].regex",
        ),
        (
            json!({"if": {"phrase": "hi"}, "then": "Maybe"}),
            yes_no(),
            "rules.then",
        ),
        (
            json!({"if": {"phrase": "hi"}, "then": "Yes", "else": 3}),
            yes_no(),
            "rules.else",
        ),
        (json!({"if": {"phrase": "hi"}}), yes_no(), "rules.then"),
        (json!({"then": "Yes"}), yes_no(), "rules.if"),
        (
            json!({"if": {"phrase": "hi", "regex": "x"}, "then": "Yes"}),
            yes_no(),
            "rules.if",
        ),
        (json!({"if": {}, "then": "Yes"}), yes_no(), "rules.if"),
        (
            json!({"if": {"phrase": "hi", "by": "BOT"}, "then": "Yes"}),
            yes_no(),
            "rules.if.by",
        ),
        (
            json!({"if": {"phrase": "hi", "fuzzy": 0.2}, "then": "Yes"}),
            yes_no(),
            "rules.if.fuzzy",
        ),
        (
            json!({"if": {"phrase": "hi", "colour": 1}, "then": "Yes"}),
            yes_no(),
            "rules.if.colour",
        ),
        (
            json!({"if": {"phrase": "?!"}, "then": "Yes"}),
            yes_no(),
            "rules.if.phrase[0]",
        ),
        (
            json!({"if": {"phrase": []}, "then": "Yes"}),
            yes_no(),
            "rules.if.phrase",
        ),
        (
            json!({"if": {"phrase": "hi", "within": {"from": 30, "to": 10}}, "then": "Yes"}),
            yes_no(),
            "rules.if.within.to",
        ),
        (
            json!({"if": {"phrase": "hi", "within": {"to": "soon"}}, "then": "Yes"}),
            yes_no(),
            "rules.if.within.to",
        ),
        (
            json!({"if": {"metric": "mood", "op": ">", "value": 1}, "then": "Yes"}),
            yes_no(),
            "rules.if.metric",
        ),
        (
            json!({"if": {"metric": "agentTurns", "op": "=>", "value": 1}, "then": "Yes"}),
            yes_no(),
            "rules.if.op",
        ),
        (
            json!({"if": {"metric": "agentTurns", "op": ">"}, "then": "Yes"}),
            yes_no(),
            "rules.if.value",
        ),
        (
            json!({"if": {"any": []}, "then": "Yes"}),
            yes_no(),
            "rules.if.any",
        ),
        (
            json!({"if": {"not": "x"}, "then": "Yes"}),
            yes_no(),
            "rules.if.not",
        ),
        (json!([]), yes_no(), "rules"),
        (
            json!([{"if": {"phrase": "a"}, "then": "Yes"}, 5]),
            yes_no(),
            "rules[1]",
        ),
        (
            json!({"value": {"metric": "agentTurns"}}),
            yes_no(),
            "rules",
        ),
        (
            json!({"if": {"phrase": "a"}, "then": "Yes"}),
            slider.clone(),
            "rules.if",
        ),
        (
            json!({"value": {"metric": "loudness"}}),
            slider.clone(),
            "rules.value.metric",
        ),
        (json!({"value": 3}), slider, "rules.value"),
    ];
    for (rules, kind, path) in cases {
        let err = parse(&rules, "rules", &kind).expect_err(&rules.to_string());
        assert_eq!(err.path, path, "{rules}: {err}");
    }
    // Nesting is bounded.
    let mut deep = json!({"phrase": "x"});
    for _ in 0..20 {
        deep = json!({"not": deep});
    }
    assert!(parse(&json!({"if": deep, "then": "Yes"}), "rules", &yes_no()).is_err());
}

#[test]
fn the_documented_example_scorecard_scores_the_call() {
    let doc = include_str!("../../../../../docs/scorecards.md");
    let start = doc
        .find("```json\n")
        .expect("an example in docs/scorecards.md")
        + 8;
    let end = start + doc[start..].find("\n```").unwrap();
    let body: Value = serde_json::from_str(&doc[start..end]).unwrap();
    let fields = crate::scorecard::parse_scorecard(&body).unwrap();
    let card =
        crate::scoring::ScoringCard::from_stored(&fields.sections, fields.passing_score).unwrap();
    let sections = fields.sections.as_array().unwrap();
    let mut responses = Vec::new();
    let mut evidence = Vec::new();
    for question in sections
        .iter()
        .flat_map(|s| s["questions"].as_array().unwrap())
    {
        let id = question["id"].as_str().unwrap();
        let spec = card.questions().find(|q| q.id == id).unwrap();
        let rules = parse(&question["rules"], "rules", &spec.kind).unwrap();
        let a = answer(&rules, &spec.kind, &call());
        evidence.push((id.to_owned(), a.evidence));
        responses.push((id.to_owned(), a.response));
    }
    let chosen = |l: &str| Response::Chosen(vec![l.into()]);
    let expected = [
        ("greeting", chosen("Yes")),
        ("identity", chosen("Yes")),
        ("empathy", chosen("Yes")),
        // A 40 s silence: there was a hold, asked for and thanked for.
        ("hold", chosen("Yes")),
        // Agent 24.5 s of 34 s: 0.72, on a step of 0.05.
        ("talk", Response::Value(0.7)),
        ("anything-else", chosen("Yes")),
        ("compliance", chosen("Yes")),
    ];
    for ((id, got), (want_id, want)) in responses.iter().zip(expected) {
        assert_eq!((id.as_str(), got), (want_id, &want));
    }
    let hold = evidence.iter().find(|(id, _)| id == "hold").unwrap();
    assert_eq!(hold.1, [5, 6]);
    let scored = crate::scoring::score(&card, &responses).unwrap();
    assert_eq!(
        (
            scored.earned,
            scored.possible,
            scored.percentage,
            scored.passed
        ),
        (7.0, 7.0, Some(100.0), Some(true))
    );
}
