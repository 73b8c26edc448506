use serde_json::json;

use super::quotes::{find_quote, verify, Found};
use super::reply::{parse_reply, Quote, ReplyError};
use super::request::{reply_schema, user_content};
use crate::evaluation::card::EvalCard;
use crate::evaluation::lines::{Line, Speaker};
use crate::scoring::Response;

fn card() -> EvalCard {
    let sections = json!([{"id": "s", "name": "Call", "questions": [
        {"id": "greet", "text": "Did the agent greet?", "type": "SINGLE",
         "answers": [{"label": "Yes", "points": 1, "autoFail": false},
                     {"label": "No", "points": 0, "autoFail": false}]},
        {"id": "topics", "text": "Topics?", "type": "MULTIPLE", "naWhen": "no topics",
         "answers": [{"label": "Billing", "points": 1, "autoFail": false},
                     {"label": "Refund", "points": 1, "autoFail": false}]},
        {"id": "tone", "text": "Tone 1-5", "type": "SLIDER", "min": 1, "max": 5, "step": 1}
    ]}]);
    EvalCard::from_stored(&sections, None, None, None).unwrap()
}

fn line(number: usize, speaker: Speaker, text: &str) -> Line {
    Line {
        number,
        start: Some(number as f64 * 2.0),
        end: Some(number as f64 * 2.0 + 1.5),
        speaker,
        text: text.into(),
    }
}

#[test]
fn replies_are_read_or_refused_with_the_question_named() {
    let card = card();
    let qs: Vec<_> = card.questions.iter().collect();
    let good = r#"{"q1": {"answer": "Yes", "explanation": "said hi", "evidence": [{"line": 1, "quote": "Hello"}]},
                   "q2": {"answer": ["Refund", "N/A", "Refund"], "explanation": "", "evidence": []},
                   "q3": {"answer": 3.6, "explanation": "calm", "evidence": []}}"#;
    type Case<'a> = (&'a str, String, Result<Vec<Response>, ReplyError>);
    let cases: Vec<Case> = vec![
        (
            "well formed, with mended slips",
            good.to_string(),
            Ok(vec![
                Response::Chosen(vec!["Yes".into()]),
                Response::Chosen(vec!["Refund".into()]),
                Response::Value(4.0),
            ]),
        ),
        (
            "fenced",
            format!("```json\n{good}\n```"),
            Ok(vec![
                Response::Chosen(vec!["Yes".into()]),
                Response::Chosen(vec!["Refund".into()]),
                Response::Value(4.0),
            ]),
        ),
        (
            "N/A everywhere",
            r#"{"q1": {"answer": "N/A"}, "q2": {"answer": ["N/A"]}, "q3": {"answer": "N/A"}}"#
                .into(),
            Ok(vec![Response::NotApplicable; 3]),
        ),
        (
            "a label it does not have",
            good.replace("\"Yes\"", "\"Maybe\""),
            Err(ReplyError::Invalid {
                key: "q1".into(),
                reason: "\"Maybe\" is not one of its answers".into(),
            }),
        ),
        (
            "a question left out",
            r#"{"q1": {"answer": "Yes"}, "q3": {"answer": 2}}"#.into(),
            Err(ReplyError::Missing("q2".into())),
        ),
        (
            "cut off",
            good[..40].to_string(),
            Err(ReplyError::NotJson(
                serde_json::from_str::<serde_json::Value>(good[..40].trim())
                    .unwrap_err()
                    .to_string(),
            )),
        ),
    ];
    for (name, content, want) in cases {
        let got = parse_reply(&content, &qs).map(|a| a.into_iter().map(|a| a.response).collect());
        assert_eq!(got, want, "{name}");
    }
    let answers = parse_reply(good, &qs).unwrap();
    assert_eq!(answers[0].question_id, "greet");
    assert_eq!(
        answers[0].quotes,
        [Quote {
            line: 1,
            quote: "Hello".into()
        }]
    );
}

#[test]
fn quotes_are_found_exactly_normalised_or_fuzzily_in_their_own_line() {
    let cases = [
        (
            "Thank you for calling",
            "Hi, thank you for calling Acme.",
            Some(Found::Normalised),
        ),
        (
            "thank you for calling",
            "Hi, thank you for calling Acme.",
            Some(Found::Exact),
        ),
        (
            "THANK YOU, for calling!",
            "Hi, thank you for calling Acme.",
            Some(Found::Normalised),
        ),
        (
            "thank you for colling",
            "Hi, thank you for calling Acme.",
            Some(Found::Fuzzy),
        ),
        (
            "I will cancel your account",
            "Hi, thank you for calling Acme.",
            None,
        ),
        ("", "anything", None),
    ];
    for (quote, line, want) in cases {
        assert_eq!(find_quote(quote, line), want, "{quote:?} in {line:?}");
    }
    let lines = [
        line(
            1,
            Speaker::Agent,
            "Thank you for calling Acme, this is Dana.",
        ),
        line(2, Speaker::Customer, "My bill is wrong."),
    ];
    let quotes = [
        Quote {
            line: 1,
            quote: "this is Dana".into(),
        },
        Quote {
            line: 2,
            quote: "this is Dana".into(),
        },
        Quote {
            line: 9,
            quote: "My bill".into(),
        },
    ];
    let (found, unfound) = verify(&quotes, &lines);
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].line, found[0].start, found[0].speaker),
        (1, Some(2.0), Speaker::Agent)
    );
    assert_eq!(unfound, quotes[1..]);
}

#[test]
fn the_request_numbers_lines_and_constrains_every_answer() {
    let card = card();
    let qs: Vec<_> = card.questions.iter().collect();
    let content = user_content("AUDIO, INBOUND", &[line(1, Speaker::Agent, "Hello")], &qs);
    assert!(content.contains("[1] 00:02 Agent: Hello"), "{content}");
    assert!(
        content.contains(
            "q2 (choose any of \"Billing\", \"Refund\"): Topics? Answer \"N/A\" when: no topics"
        ),
        "{content}"
    );
    let schema = reply_schema(&qs);
    assert_eq!(schema["required"], json!(["q1", "q2", "q3"]));
    assert_eq!(
        schema["properties"]["q1"]["properties"]["answer"]["enum"],
        json!(["Yes", "No", "N/A"])
    );
    assert_eq!(
        schema["properties"]["q3"]["properties"]["answer"]["anyOf"][0]["maximum"],
        json!(5.0)
    );
    assert_eq!(
        schema["properties"]["q1"]["additionalProperties"],
        json!(false)
    );
}

#[test]
fn long_interactions_split_into_overlapping_parts_that_cover_every_line() {
    let lines: Vec<Line> = (1..=10).map(|n| line(n, Speaker::Agent, "x")).collect();
    let cost = |_: &Line| 10;
    let numbers = |parts: Vec<&[Line]>| -> Vec<Vec<usize>> {
        parts
            .iter()
            .map(|p| p.iter().map(|l| l.number).collect())
            .collect()
    };
    assert_eq!(
        numbers(super::combine::split(&lines, 1000, 2, cost)),
        [(1..=10).collect::<Vec<_>>()]
    );
    assert_eq!(
        numbers(super::combine::split(&lines, 40, 1, cost)),
        [vec![1, 2, 3, 4], vec![4, 5, 6, 7], vec![7, 8, 9, 10]]
    );
    // A line longer than the budget still goes, alone; the overlap never stalls the walk.
    assert_eq!(
        numbers(super::combine::split(&lines[..3], 5, 2, cost)),
        [vec![1], vec![2], vec![3]]
    );
}

#[test]
fn parts_answers_combine_by_evidence_then_majority() {
    use super::combine::{combine, PartAnswer};
    use super::reply::ModelAnswer;
    let card = card();
    let qs: Vec<_> = card.questions.iter().collect();
    let part = |greet: Response, verified: usize, topics: Response, tone: Response| {
        let a = |id: &str, r: Response, v: usize| PartAnswer {
            answer: ModelAnswer {
                question_id: id.into(),
                response: r,
                explanation: format!("{v}"),
                quotes: Vec::new(),
            },
            verified: v,
        };
        vec![
            a("greet", greet, verified),
            a("topics", topics, 0),
            a("tone", tone, 0),
        ]
    };
    let yes = || Response::Chosen(vec!["Yes".into()]);
    let no = || Response::Chosen(vec!["No".into()]);
    let parts = vec![
        part(
            no(),
            0,
            Response::Chosen(vec!["Billing".into()]),
            Response::Value(2.0),
        ),
        part(no(), 0, Response::NotApplicable, Response::NotApplicable),
        part(
            yes(),
            1,
            Response::Chosen(vec!["Refund".into(), "Billing".into()]),
            Response::Value(5.0),
        ),
    ];
    let combined = combine(&qs, &parts);
    assert_eq!(combined[0].response, yes(), "evidence beats the majority");
    assert_eq!(
        combined[1].response,
        Response::Chosen(vec!["Billing".into(), "Refund".into()])
    );
    assert_eq!(
        combined[2].response,
        Response::Value(4.0),
        "mean 3.5 snapped to the step"
    );
    let unbacked = vec![
        part(no(), 0, Response::NotApplicable, Response::NotApplicable),
        part(yes(), 0, Response::NotApplicable, Response::NotApplicable),
        part(no(), 0, Response::NotApplicable, Response::NotApplicable),
    ];
    let combined = combine(&qs, &unbacked);
    assert_eq!(combined[0].response, no(), "the majority without evidence");
    assert_eq!(
        combined[1].response,
        Response::NotApplicable,
        "N/A only when every part says so"
    );
}

#[test]
fn samples_vote_and_confidence_is_the_winning_share() {
    use super::combine::vote;
    use super::reply::ModelAnswer;
    let a = |r: Response, why: &str| ModelAnswer {
        question_id: "q".into(),
        response: r,
        explanation: why.into(),
        quotes: Vec::new(),
    };
    let yes = || Response::Chosen(vec!["Yes".into()]);
    let no = || Response::Chosen(vec!["No".into()]);
    let cases = [
        (vec![yes()], yes(), 1.0, "first"),
        (vec![no(), yes(), yes()], yes(), 0.6667, "second"),
        (vec![no(), yes()], no(), 0.5, "first"),
        (
            vec![yes(), Response::NotApplicable, no(), no()],
            no(),
            0.5,
            "third",
        ),
    ];
    for (responses, want, confidence, why) in cases {
        let names = ["first", "second", "third", "fourth"];
        let samples: Vec<Vec<ModelAnswer>> = responses
            .iter()
            .zip(names)
            .map(|(r, n)| vec![a(r.clone(), n)])
            .collect();
        let voted = vote(&samples);
        assert_eq!(
            (
                voted[0].0.response.clone(),
                voted[0].1,
                voted[0].0.explanation.as_str()
            ),
            (want, confidence, why)
        );
    }
}
