use serde_json::json;

use super::*;
use crate::evaluation::card::EvalCard;
use crate::evaluation::result::{assemble, AnswerSource, EngineAnswer};
use crate::scoring::{Response, ResponseError};

fn card() -> EvalCard {
    let sections = json!([{"id": "s", "name": "Call", "questions": [
        {"id": "greet", "text": "Greeted?", "type": "SINGLE",
         "answers": [{"label": "Yes", "points": 2, "autoFail": false}, {"label": "No", "points": 0, "autoFail": false}]},
        {"id": "verify", "text": "Verified?", "type": "SINGLE",
         "answers": [{"label": "Yes", "points": 1, "autoFail": false}, {"label": "No", "points": 0, "autoFail": true}]},
        {"id": "tone", "text": "Tone", "type": "SLIDER", "min": 0, "max": 4, "step": 1}
    ]}]);
    EvalCard::from_stored(&sections, Some(70.0), None, None).unwrap()
}

fn engine(id: &str, response: Response) -> EngineAnswer {
    EngineAnswer {
        question_id: id.into(),
        response,
        explanation: Some("engine".into()),
        evidence: Vec::new(),
        source: AnswerSource::Ai,
        needs_review: id == "verify",
        confidence: None,
    }
}

fn evaluated() -> crate::evaluation::result::EvaluationResult {
    let answers = vec![
        engine("greet", Response::Chosen(vec!["Yes".into()])),
        engine("verify", Response::Chosen(vec!["No".into()])),
        engine("tone", Response::Value(2.0)),
    ];
    assemble(&card(), 1, answers, None).unwrap()
}

fn fix(id: &str, response: Response) -> Correction {
    Correction {
        question_id: id.into(),
        response,
    }
}

#[test]
fn an_override_rescores_and_keeps_the_engines_answer_beside() {
    let before = evaluated();
    assert_eq!(before.score.percentage, Some(0.0), "auto-failed");
    let after = apply_override(
        &card(),
        &before,
        &[fix("verify", Response::Chosen(vec!["Yes".into()]))],
        "user:1",
        "t1",
        "heard the DOB",
    )
    .unwrap();
    assert_eq!(
        (
            after.score.earned,
            after.score.possible,
            after.score.percentage
        ),
        (5.0, 7.0, Some(71.43))
    );
    assert_eq!(
        (after.passed, after.auto_failed.len(), after.needs_review),
        (Some(true), 0, false)
    );
    let verify = &after.answers[1];
    assert_eq!(
        (verify.source, verify.answers.clone()),
        (AnswerSource::Reviewer, vec!["Yes".to_string()])
    );
    assert_eq!(verify.engine_answer.as_ref().unwrap().answers, ["No"]);
    assert_eq!(after.reviews.len(), 1);
    assert_eq!(
        (
            after.reviews[0].percentage_before,
            after.reviews[0].percentage_after
        ),
        (Some(0.0), Some(71.43))
    );

    // A second override keeps the engine's first answer, not the first reviewer's.
    let again = apply_override(
        &card(),
        &after,
        &[fix("verify", Response::NotApplicable)],
        "user:2",
        "t2",
        "no verification needed",
    )
    .unwrap();
    assert_eq!(
        again.answers[1].engine_answer.as_ref().unwrap().answers,
        ["No"]
    );
    assert!(again.answers[1].na);
    assert_eq!(again.reviews.len(), 2);
}

#[test]
fn bad_overrides_name_what_is_wrong() {
    let before = evaluated();
    let cases = [
        (
            vec![fix("greet", Response::Chosen(vec!["Maybe".into()]))],
            "why",
            OverrideError::Answer {
                index: 0,
                error: ResponseError::UnknownLabel {
                    question: "greet".into(),
                    label: "Maybe".into(),
                },
            },
        ),
        (
            vec![fix("nope", Response::NotApplicable)],
            "why",
            OverrideError::Answer {
                index: 0,
                error: ResponseError::UnknownQuestion("nope".into()),
            },
        ),
        (
            vec![
                fix("greet", Response::NotApplicable),
                fix("tone", Response::Value(9.0)),
            ],
            "why",
            OverrideError::Answer {
                index: 1,
                error: ResponseError::OffScale {
                    question: "tone".into(),
                    value: 9.0,
                    min: 0.0,
                    max: 4.0,
                    step: 1.0,
                },
            },
        ),
        (
            vec![fix("greet", Response::NotApplicable)],
            " ",
            OverrideError::NoReason,
        ),
        (vec![], "why", OverrideError::Empty),
    ];
    for (corrections, reason, want) in cases {
        assert_eq!(
            apply_override(&card(), &before, &corrections, "u", "t", reason),
            Err(want.clone()),
            "{want}"
        );
    }
}

#[test]
fn agreement_counts_what_stood_and_kappa_corrects_for_chance() {
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    let cases = [
        (vec![], 0, None, None),
        (
            vec![pair("Yes", "Yes"), pair("No", "No")],
            2,
            Some(1.0),
            Some(1.0),
        ),
        // Always "Yes" on both sides: agreement, but κ is undefined.
        (
            vec![pair("Yes", "Yes"), pair("Yes", "Yes")],
            2,
            Some(1.0),
            None,
        ),
        (
            vec![pair("Yes", "No"), pair("No", "Yes")],
            2,
            Some(0.0),
            Some(-1.0),
        ),
        // 3 of 4 stood; chance agreement 0.5 → κ 0.5.
        (
            vec![
                pair("Yes", "Yes"),
                pair("Yes", "Yes"),
                pair("No", "No"),
                pair("No", "Yes"),
            ],
            4,
            Some(0.75),
            Some(0.5),
        ),
    ];
    for (pairs, count, agreed, kappa) in cases {
        assert_eq!(
            agreement(&pairs),
            Agreement {
                count,
                agreed,
                kappa
            },
            "{pairs:?}"
        );
    }
    let reviewed = apply_override(
        &card(),
        &evaluated(),
        &[fix("verify", Response::Chosen(vec!["Yes".into()]))],
        "u",
        "t",
        "why",
    )
    .unwrap();
    let pairs = reviewed_pairs(&reviewed);
    assert_eq!(pairs[1], ("verify".into(), "No".into(), "Yes".into()));
    assert_eq!(pairs[0], ("greet".into(), "Yes".into(), "Yes".into()));
    assert!(
        reviewed_pairs(&evaluated()).is_empty(),
        "an unreviewed evaluation counts for nothing"
    );
}
