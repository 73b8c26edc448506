use super::*;
use crate::evaluation::result::{AnswerSource, Engine, ScoreView, Usage};
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-12-07 12:00 UTC);

/// (question id, points, possible, N/A, auto-fail)
type Answer = (&'static str, Option<f64>, Option<f64>, bool, bool);

fn answer((id, points, possible, na, auto_fail): Answer) -> AnswerView {
    AnswerView {
        question_id: id.into(),
        answers: vec![],
        value: None,
        points,
        possible,
        na,
        auto_fail,
        explanation: None,
        evidence: vec![],
        source: AnswerSource::Rules,
        needs_review: false,
        confidence: None,
        engine_answer: None,
    }
}

fn result(answers: &[Answer]) -> EvaluationResult {
    EvaluationResult {
        engine: Engine::Rules,
        model: "rules".into(),
        scorecard_version: 1,
        score: ScoreView {
            earned: 0.0,
            possible: 0.0,
            percentage: None,
        },
        passed: None,
        auto_failed: vec![],
        needs_review: false,
        sections: vec![],
        answers: answers.iter().copied().map(answer).collect(),
        usage: Usage::default(),
        prompt_sha256: None,
        raw_output: vec![],
        reviews: vec![],
    }
}

fn fact(id: &str, hours_ago: i64, percentage: Option<f64>, passed: Option<bool>) -> EvaluationFact {
    EvaluationFact {
        evaluation_id: id.into(),
        interaction_id: format!("i-{id}"),
        scorecard_id: "card".into(),
        agent_id: None,
        agent_name: None,
        completed_at: NOW - Duration::hours(hours_ago),
        percentage,
        passed,
        needs_review: false,
        reviewed: false,
        result: None,
    }
}

/// (percentage, passed) of one evaluation.
type Scored = (Option<f64>, Option<bool>);

#[test]
fn figures_average_only_what_was_scored_and_judged() {
    let cases: &[(&[Scored], Figures)] = &[
        (&[], Figures::default()),
        (
            &[(Some(80.0), Some(true)), (Some(40.0), Some(false))],
            Figures {
                count: 2,
                average: Some(60.0),
                pass_rate: Some(0.5),
            },
        ),
        (
            // No score and no verdict (e.g. only informational questions): counted, not averaged.
            &[(None, None), (Some(90.0), Some(true))],
            Figures {
                count: 2,
                average: Some(90.0),
                pass_rate: Some(1.0),
            },
        ),
        (
            &[(None, None)],
            Figures {
                count: 1,
                average: None,
                pass_rate: None,
            },
        ),
    ];
    for (rows, want) in cases {
        let facts: Vec<EvaluationFact> = rows
            .iter()
            .enumerate()
            .map(|(i, (p, v))| fact(&i.to_string(), 1, *p, *v))
            .collect();
        assert_eq!(&figures(facts.iter()), want, "{rows:?}");
    }
}

#[test]
fn question_outcomes() {
    let cases: &[(Answer, Option<bool>)] = &[
        (("q", Some(5.0), Some(5.0), false, false), Some(true)),
        (("q", Some(3.0), Some(5.0), false, false), Some(false)),
        (("q", None, Some(5.0), false, false), Some(false)),
        // Full points but an auto-fail answer: the question failed the call.
        (("q", Some(5.0), Some(5.0), false, true), Some(false)),
        (("q", None, None, true, false), None),
        (("q", Some(0.0), Some(0.0), false, false), None),
        (("q", None, None, false, false), None),
    ];
    for (a, want) in cases {
        assert_eq!(question_outcome(&answer(*a)), *want, "{a:?}");
    }
}

#[test]
fn questions_that_fail_most_come_first() {
    let mut facts = vec![
        fact("a", 1, Some(50.0), Some(false)),
        fact("b", 2, Some(100.0), Some(true)),
        fact("c", 3, None, None),
    ];
    facts[0].result = Some(result(&[
        ("greet", Some(1.0), Some(1.0), false, false),
        ("verify", Some(0.0), Some(2.0), false, false),
        ("close", None, None, true, false),
    ]));
    facts[1].result = Some(result(&[
        ("greet", Some(1.0), Some(1.0), false, false),
        ("verify", Some(2.0), Some(2.0), false, false),
        ("close", Some(1.0), Some(1.0), false, false),
    ]));
    let summary = summarize(&facts, 7, NOW);
    let got: Vec<(&str, usize, usize)> = summary
        .questions
        .iter()
        .map(|q| (q.question_id.as_str(), q.passed, q.counted))
        .collect();
    // verify 1/2, then the perfect ones: greet (counted twice) before close (once).
    assert_eq!(got, [("verify", 1, 2), ("greet", 2, 2), ("close", 1, 1)]);
}

#[test]
fn trend_buckets_by_day_or_week() {
    let facts = vec![
        fact("today", 1, Some(100.0), Some(true)),
        fact("today2", 2, Some(50.0), Some(false)),
        fact("three-days", 3 * 24 + 1, Some(70.0), Some(true)),
        fact("too-old", 8 * 24, Some(0.0), Some(false)),
    ];
    let week = summarize(&facts, 7, NOW);
    assert_eq!(week.bucket_days, 1);
    assert_eq!(week.trend.len(), 7);
    assert_eq!(week.overall.count, 3, "the old one is outside the period");
    let last = &week.trend[6].figures;
    assert_eq!((last.count, last.average), (2, Some(75.0)));
    assert_eq!(week.trend[3].figures.count, 1);
    assert_eq!(week.trend[3].start, NOW - Duration::days(4));
    let quarter = summarize(&facts, 90, NOW);
    assert_eq!(quarter.bucket_days, 7);
    assert_eq!(quarter.trend.len(), 13);
    assert_eq!(quarter.overall.count, 4);
    let counted: usize = quarter.trend.iter().map(|b| b.figures.count).sum();
    assert_eq!(counted, 4, "every evaluation falls in exactly one bucket");
}

#[test]
fn agents_group_by_participant_and_the_queue_keeps_the_unreviewed() {
    let mut facts = vec![
        fact("a", 1, Some(90.0), Some(true)),
        fact("b", 2, Some(30.0), Some(false)),
        fact("c", 3, Some(60.0), Some(true)),
        fact("d", 4, Some(10.0), Some(false)),
    ];
    for (f, agent) in facts
        .iter_mut()
        .zip([Some("ana"), Some("bo"), Some("ana"), None])
    {
        f.agent_id = agent.map(|a| format!("p-{a}"));
        f.agent_name = agent.map(str::to_owned);
    }
    facts[1].needs_review = true;
    facts[2].needs_review = true;
    facts[3].needs_review = true;
    facts[3].reviewed = true;
    let summary = summarize(&facts, 30, NOW);
    let agents: Vec<(&str, usize, Option<f64>)> = summary
        .agents
        .iter()
        .map(|g| (g.name.as_str(), g.figures.count, g.figures.average))
        .collect();
    assert_eq!(agents, [("ana", 2, Some(75.0)), ("bo", 1, Some(30.0))]);
    assert_eq!(summary.needs_review, 2);
    assert_eq!(
        summary.review_queue,
        [1, 2],
        "newest first, reviewed ones left out"
    );
    assert_eq!(summary.scorecards.len(), 1);
    assert_eq!(summary.scorecards[0].figures.count, 4);
}
