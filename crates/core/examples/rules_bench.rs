//! bench/evaluate, part 1: the rules engine on a one-hour call (1,200 segments, about 9,000
//! words) with a 20-question scorecard — every construct of the rule language, fuzzy phrases
//! included — through the same path as the `Evaluate` job: scorecard parsed, interaction lines,
//! every question answered, scored. Prints milliseconds per evaluation.

use std::time::Instant;

use scorejar_core::evaluation::by_rules::answer_by_rules;
use scorejar_core::evaluation::card::EvalCard;
use scorejar_core::evaluation::lines::transcript_lines;
use scorejar_core::evaluation::result::assemble;
use scorejar_core::model::Segment;
use serde_json::{json, Value};

const AGENT: [&str; 6] = [
    "thank you for calling acme this is dana",
    "I understand how frustrating that must be",
    "can you confirm your date of birth please",
    "may I put you on hold for a moment",
    "thank you for holding I applied a credit",
    "is there anything else I can help with",
];
const CUSTOMER: [&str; 4] = [
    "hi my bill is wrong again this month",
    "sure it is the fourth of may 1980",
    "okay that sounds fine I will wait",
    "no that is all thank you very much",
];

fn call() -> Vec<Segment> {
    (0..1200)
        .map(|i| {
            let agent = i % 2 == 0;
            let text = if agent {
                AGENT[(i / 2) % AGENT.len()]
            } else {
                CUSTOMER[(i / 2) % CUSTOMER.len()]
            };
            Segment {
                start: i as f64 * 3.0,
                end: i as f64 * 3.0 + 2.6,
                text: text.to_owned(),
                channel: Some(if agent { 0 } else { 1 }),
                speaker: None,
                words: None,
            }
        })
        .collect()
}

fn yes_no(id: usize, rules: Value) -> Value {
    json!({"id": format!("q{id}"), "text": format!("Question {id}"), "type": "SINGLE",
           "answers": [{"label": "Yes", "points": 1}, {"label": "No", "points": 0}], "rules": rules})
}

fn scorecard() -> Value {
    let phrase =
        |p: &str, by: &str| json!({"if": {"phrase": p, "by": by}, "then": "Yes", "else": "No"});
    let mut questions = vec![
        yes_no(
            1,
            json!({"if": {"phrase": ["thank you for calling", "thanks for calling"], "by": "AGENT", "within": {"to": 30}, "fuzzy": 0.85}, "then": "Yes", "else": "No"}),
        ),
        yes_no(2, phrase("date of birth", "AGENT")),
        yes_no(
            3,
            json!({"if": {"phrase": ["sorry", "apologise", "understand how"], "by": "AGENT"}, "then": "Yes", "else": "No"}),
        ),
        yes_no(
            4,
            json!({"if": {"all": [{"phrase": "on hold", "by": "AGENT"}, {"phrase": "thank you for holding", "by": "AGENT"}]}, "then": "Yes", "else": "No"}),
        ),
        yes_no(
            5,
            json!({"if": {"phrase": "anything else", "by": "AGENT", "within": {"from": -60}}, "then": "Yes", "else": "No"}),
        ),
        yes_no(
            6,
            json!({"if": {"not": {"regex": "(?i)\\b(guarantee[ds]?|promise)\\b", "by": "AGENT"}}, "then": "Yes", "else": "No"}),
        ),
        yes_no(
            7,
            json!({"if": {"phrase": "refund processed", "fuzzy": 0.8}, "then": "Yes", "else": "No"}),
        ),
        yes_no(
            8,
            json!({"if": {"any": [{"phrase": "supervisor"}, {"phrase": "manager"}, {"regex": "escalat"}]}, "then": "Yes", "else": "No"}),
        ),
        yes_no(
            9,
            json!({"if": {"metric": "longestSilenceSeconds", "op": "<", "value": 20}, "then": "Yes", "else": "No"}),
        ),
        yes_no(
            10,
            json!({"if": {"metric": "interruptions", "op": "<=", "value": 3}, "then": "Yes", "else": "No"}),
        ),
        yes_no(
            11,
            json!({"if": {"metric": "agentWordsPerMinute", "op": "<", "value": 180}, "then": "Yes", "else": "No"}),
        ),
        yes_no(
            12,
            json!({"if": {"metric": "agentTurns", "op": ">", "value": 10}, "then": "Yes", "else": "No"}),
        ),
        yes_no(13, phrase("my name is", "AGENT")),
        yes_no(
            14,
            json!({"if": {"regex": "\\b\\d{4}\\b", "by": "CUSTOMER"}, "then": "Yes", "else": "No"}),
        ),
        yes_no(
            15,
            json!({"if": {"phrase": "credit", "by": "AGENT", "within": {"from": 600, "to": 1800}}, "then": "Yes", "else": "No"}),
        ),
        yes_no(
            16,
            json!({"if": {"phrase": "cancel my account", "by": "CUSTOMER", "fuzzy": 0.85}, "then": "Yes", "else": "No"}),
        ),
        yes_no(
            17,
            json!({"if": {"all": [{"phrase": "postcode"}, {"not": {"phrase": "social security"}}]}, "then": "Yes", "else": "No"}),
        ),
        yes_no(18, phrase("have a great day", "ANY")),
    ];
    questions.push(json!({"id": "q19", "text": "Talk ratio", "type": "SLIDER", "min": 0, "max": 1, "step": 0.05,
                          "rules": {"value": {"metric": "agentTalkRatio"}}}));
    questions.push(
        json!({"id": "q20", "text": "Duration", "type": "SLIDER", "min": 0, "max": 7200, "step": 60,
                          "rules": {"value": {"metric": "durationSeconds"}}}),
    );
    json!([{"id": "s", "name": "All", "questions": questions}])
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let segments = call();
    let words: usize = segments
        .iter()
        .map(|s| s.text.split_whitespace().count())
        .sum();
    let sections = scorecard();
    // Through the scorecard validation, as a saved scorecard is.
    let saved = scorejar_core::scorecard::parse_scorecard(
        &json!({"name": "bench", "model": "rules", "sections": sections}),
    )
    .expect("a valid scorecard");
    let mut best = f64::MAX;
    let mut total = 0.0;
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        let card =
            EvalCard::from_stored(&saved.sections, Some(80.0), None, Some("rules".into())).unwrap();
        let lines = transcript_lines("", &segments, Some(0));
        let answers = answer_by_rules(&card, &lines);
        let result = assemble(&card, 1, answers, None).unwrap();
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        best = best.min(ms);
        total += ms;
        last = Some(result);
    }
    let result = last.unwrap();
    println!(
        "rules engine: {} segments, {words} words, {} questions: mean {:.2} ms, best {:.2} ms per evaluation ({runs} runs; score {:?}%)",
        segments.len(),
        result.answers.len(),
        total / runs as f64,
        best,
        result.score.percentage
    );
}
