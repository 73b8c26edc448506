//! Table tests of the scoring arithmetic, on scorecards in the stored normal form.

use serde_json::{json, Value};

use super::*;

/// A scorecard with one section per entry of `sections` (each a list of questions).
fn card(sections: Vec<Vec<Value>>, passing: Option<f64>) -> ScoringCard {
    let sections: Vec<Value> = sections
        .into_iter()
        .enumerate()
        .map(|(i, qs)| json!({"id": format!("s{i}"), "name": format!("Section {i}"), "questions": qs}))
        .collect();
    ScoringCard::from_stored(&Value::Array(sections), passing).unwrap()
}

fn yes_no(id: &str) -> Value {
    json!({"id": id, "text": id, "type": "SINGLE", "answers": [
        {"label": "Yes", "points": 1, "autoFail": false},
        {"label": "No", "points": 0, "autoFail": false},
        {"label": "Not asked", "points": null, "autoFail": false}]})
}

fn chosen(id: &str, labels: &[&str]) -> (String, Response) {
    (
        id.into(),
        Response::Chosen(labels.iter().map(|l| l.to_string()).collect()),
    )
}

fn value(id: &str, v: f64) -> (String, Response) {
    (id.into(), Response::Value(v))
}

fn na(id: &str) -> (String, Response) {
    (id.into(), Response::NotApplicable)
}

#[test]
fn totals_percentages_and_pass_follow_the_answers() {
    let weighted = json!({"id": "w", "text": "w", "type": "SINGLE", "weight": 3, "answers": [
        {"label": "Yes", "points": 2, "autoFail": false}, {"label": "No", "points": 0, "autoFail": false}]});
    let multiple = json!({"id": "m", "text": "m", "type": "MULTIPLE", "answers": [
        {"label": "a", "points": 1, "autoFail": false}, {"label": "b", "points": 2, "autoFail": false},
        {"label": "penalty", "points": -1, "autoFail": false}, {"label": "none", "points": null, "autoFail": false}]});
    let slider =
        json!({"id": "sl", "text": "sl", "type": "SLIDER", "min": 0, "max": 10, "step": 0.5});
    let fatal = json!({"id": "f", "text": "f", "type": "SINGLE", "answers": [
        {"label": "Fine", "points": 1, "autoFail": false}, {"label": "Breach", "points": 0, "autoFail": true}]});
    let sc = card(
        vec![vec![yes_no("q"), weighted], vec![multiple, slider, fatal]],
        Some(70.0),
    );
    // (responses, earned, possible, percentage, passed, autoFailed)
    type Case = (
        Vec<(String, Response)>,
        f64,
        f64,
        Option<f64>,
        Option<bool>,
        Vec<&'static str>,
    );
    let cases: Vec<Case> = vec![
        // Everything at its best: 1 + 3×2 + (1+2) + 10 + 1 of 1 + 6 + 3 + 10 + 1.
        (
            vec![
                chosen("q", &["Yes"]),
                chosen("w", &["Yes"]),
                chosen("m", &["a", "b"]),
                value("sl", 10.0),
                chosen("f", &["Fine"]),
            ],
            21.0,
            21.0,
            Some(100.0),
            Some(true),
            vec![],
        ),
        // N/A by label and by the engine leave both earned and possible.
        (
            vec![
                chosen("q", &["Not asked"]),
                na("w"),
                chosen("m", &["b"]),
                value("sl", 7.5),
                chosen("f", &["Fine"]),
            ],
            10.5,
            14.0,
            Some(75.0),
            Some(true),
            vec![],
        ),
        // A penalty answer subtracts; an empty MULTIPLE earns nothing of its possible.
        (
            vec![
                chosen("q", &["No"]),
                chosen("w", &["No"]),
                chosen("m", &["a", "penalty"]),
                value("sl", 0.0),
                chosen("f", &["Fine"]),
            ],
            1.0,
            21.0,
            Some(4.76),
            Some(false),
            vec![],
        ),
        (
            vec![
                chosen("q", &["Yes"]),
                chosen("w", &["Yes"]),
                chosen("m", &[]),
                value("sl", 10.0),
                chosen("f", &["Fine"]),
            ],
            18.0,
            21.0,
            Some(85.71),
            Some(true),
            vec![],
        ),
        // Only null-points answers chosen in a MULTIPLE: N/A.
        (
            vec![
                chosen("q", &["Yes"]),
                chosen("w", &["Yes"]),
                chosen("m", &["none"]),
                value("sl", 10.0),
                chosen("f", &["Fine"]),
            ],
            18.0,
            18.0,
            Some(100.0),
            Some(true),
            vec![],
        ),
        // An auto-fail answer: 0 % and failed whatever was earned.
        (
            vec![
                chosen("q", &["Yes"]),
                chosen("w", &["Yes"]),
                chosen("m", &["a", "b"]),
                value("sl", 10.0),
                chosen("f", &["Breach"]),
            ],
            20.0,
            21.0,
            Some(0.0),
            Some(false),
            vec!["f"],
        ),
        // Nothing applies: no percentage, no verdict.
        (
            vec![na("q"), na("w"), na("m"), na("sl"), na("f")],
            0.0,
            0.0,
            None,
            None,
            vec![],
        ),
    ];
    for (i, (responses, earned, possible, percentage, passed, auto_failed)) in
        cases.into_iter().enumerate()
    {
        let s = score(&sc, &responses).unwrap();
        assert_eq!(
            (
                s.earned,
                s.possible,
                s.percentage,
                s.passed,
                s.auto_failed.clone()
            ),
            (
                earned,
                possible,
                percentage,
                passed,
                auto_failed.iter().map(|s| s.to_string()).collect()
            ),
            "case {i}: {s:?}"
        );
    }
}

#[test]
fn the_threshold_decides_pass_on_the_shown_percentage_and_is_optional() {
    let sc = |passing| card(vec![vec![yes_no("a"), yes_no("b"), yes_no("c")]], passing);
    let two_of_three = [
        chosen("a", &["Yes"]),
        chosen("b", &["Yes"]),
        chosen("c", &["No"]),
    ];
    // 66.67 % as shown.
    let cases = [
        (None, None),
        (Some(66.67), Some(true)),
        (Some(66.68), Some(false)),
        (Some(0.0), Some(true)),
    ];
    for (passing, expected) in cases {
        let s = score(&sc(passing), &two_of_three).unwrap();
        assert_eq!(
            (s.percentage, s.passed),
            (Some(66.67), expected),
            "{passing:?}"
        );
    }
}

#[test]
fn sections_get_subtotals_without_weighing_the_total() {
    let big = json!({"id": "big", "text": "big", "type": "SINGLE", "answers": [
        {"label": "Yes", "points": 9, "autoFail": false}, {"label": "No", "points": 0, "autoFail": false}]});
    let sc = card(vec![vec![yes_no("small")], vec![big]], None);
    let s = score(&sc, &[chosen("small", &["Yes"]), chosen("big", &["No"])]).unwrap();
    let subtotals: Vec<_> = s
        .sections
        .iter()
        .map(|x| (x.id.as_str(), x.earned, x.possible, x.percentage))
        .collect();
    assert_eq!(
        subtotals,
        [("s0", 1.0, 1.0, Some(100.0)), ("s1", 0.0, 9.0, Some(0.0))]
    );
    // 1 of 10 points, not the mean of 100 % and 0 %.
    assert_eq!(s.percentage, Some(10.0));
    let per_question: Vec<_> = s
        .questions
        .iter()
        .map(|q| (q.question_id.as_str(), q.points, q.possible, q.na))
        .collect();
    assert_eq!(
        per_question,
        [
            ("small", Some(1.0), Some(1.0), false),
            ("big", Some(0.0), Some(9.0), false)
        ]
    );
}

#[test]
fn a_null_points_auto_fail_answer_is_na_and_still_fails() {
    let q = json!({"id": "x", "text": "x", "type": "SINGLE", "answers": [
        {"label": "Ok", "points": 1, "autoFail": false}, {"label": "Abusive", "points": null, "autoFail": true}]});
    let sc = card(vec![vec![q, yes_no("y")]], Some(50.0));
    let s = score(&sc, &[chosen("x", &["Abusive"]), chosen("y", &["Yes"])]).unwrap();
    assert_eq!(
        (s.earned, s.possible, s.percentage, s.passed),
        (1.0, 1.0, Some(0.0), Some(false))
    );
    assert!(s.questions[0].na && s.questions[0].auto_fail);
}

#[test]
fn responses_outside_the_allowed_set_are_refused() {
    let slider = json!({"id": "s", "text": "s", "type": "SLIDER", "min": 1, "max": 5, "step": 0.5});
    let multi = json!({"id": "m", "text": "m", "type": "MULTIPLE", "answers": [
        {"label": "a", "points": 1, "autoFail": false}]});
    let sc = card(vec![vec![yes_no("q"), slider, multi]], None);
    let ok = |q: (String, Response)| {
        let mut all = vec![chosen("q", &["Yes"]), value("s", 3.0), chosen("m", &["a"])];
        all.retain(|(id, _)| *id != q.0);
        all.push(q);
        all
    };
    let q = |s: &str| s.to_string();
    let cases: Vec<(Vec<(String, Response)>, ResponseError)> = vec![
        (
            ok(chosen("q", &["Maybe"])),
            ResponseError::UnknownLabel {
                question: q("q"),
                label: q("Maybe"),
            },
        ),
        (
            ok(chosen("q", &["Yes", "No"])),
            ResponseError::NotOne {
                question: q("q"),
                count: 2,
            },
        ),
        (
            ok(chosen("q", &[])),
            ResponseError::NotOne {
                question: q("q"),
                count: 0,
            },
        ),
        (
            ok(chosen("m", &["a", "a"])),
            ResponseError::RepeatedLabel {
                question: q("m"),
                label: q("a"),
            },
        ),
        (
            ok(value("s", 3.25)),
            ResponseError::OffScale {
                question: q("s"),
                value: 3.25,
                min: 1.0,
                max: 5.0,
                step: 0.5,
            },
        ),
        (
            ok(value("s", 5.5)),
            ResponseError::OffScale {
                question: q("s"),
                value: 5.5,
                min: 1.0,
                max: 5.0,
                step: 0.5,
            },
        ),
        (
            ok(value("s", 0.5)),
            ResponseError::OffScale {
                question: q("s"),
                value: 0.5,
                min: 1.0,
                max: 5.0,
                step: 0.5,
            },
        ),
        (
            ok(chosen("s", &["3"])),
            ResponseError::ValueExpected { question: q("s") },
        ),
        (
            ok(value("q", 1.0)),
            ResponseError::LabelsExpected { question: q("q") },
        ),
        (ok(na("nope")), ResponseError::UnknownQuestion(q("nope"))),
        (
            vec![chosen("q", &["Yes"]), value("s", 3.0)],
            ResponseError::Missing(q("m")),
        ),
        (
            vec![chosen("q", &["Yes"]), chosen("q", &["No"])],
            ResponseError::Duplicate(q("q")),
        ),
    ];
    for (responses, expected) in cases {
        assert_eq!(score(&sc, &responses), Err(expected.clone()), "{expected}");
    }
}

#[test]
fn slider_values_are_on_step_counted_from_min() {
    let slider = |step: Value| json!({"id": "s", "text": "s", "type": "SLIDER", "min": 0.5, "max": 2, "step": step});
    // 0.1 steps are not exact in binary; 1.7 is still on them.
    for (step, v, ok) in [
        (json!(0.1), 1.7, true),
        (json!(0.5), 1.5, true),
        (json!(0.5), 1.25, false),
        (json!(1), 1.5, true),
        (json!(1), 2.0, false),
    ] {
        let sc = card(vec![vec![slider(step.clone())]], None);
        assert_eq!(
            score(&sc, &[value("s", v)]).is_ok(),
            ok,
            "step {step}, value {v}"
        );
    }
    let weighted =
        json!({"id": "s", "text": "s", "type": "SLIDER", "min": 0, "max": 4, "weight": 2.5});
    let s = score(&card(vec![vec![weighted]], None), &[value("s", 3.0)]).unwrap();
    assert_eq!(
        (s.earned, s.possible, s.percentage),
        (7.5, 10.0, Some(75.0))
    );
}

#[test]
fn snapping_clamps_and_rounds_to_the_nearest_step() {
    // (value, min, max, step, snapped)
    let cases = [
        (7.3, 0.0, 10.0, Some(1.0), 7.0),
        (7.5, 0.0, 10.0, Some(1.0), 8.0),
        (-3.0, 0.0, 10.0, Some(1.0), 0.0),
        (42.0, 0.0, 10.0, Some(1.0), 10.0),
        (2.9, 1.0, 4.0, Some(2.0), 3.0),
        // 1..4 on steps of 2 ends at 3: 4 would be past the last step, so it snaps down.
        (4.0, 1.0, 4.0, Some(2.0), 3.0),
        (3.33, 0.0, 5.0, None, 3.33),
    ];
    for (v, min, max, step, expected) in cases {
        let snapped = snap_slider(v, min, max, step);
        assert!(
            (snapped - expected).abs() < 1e-12,
            "{v} → {snapped}, expected {expected}"
        );
    }
}

#[test]
fn stored_scorecards_read_with_defaults_and_bad_rows_are_reported() {
    let sc = card(vec![vec![yes_no("q")]], Some(80.0));
    assert_eq!(sc.sections[0].questions[0].weight, 1.0);
    assert_eq!(sc.passing_score, Some(80.0));
    let QuestionKind::Single(answers) = &sc.sections[0].questions[0].kind else {
        panic!()
    };
    assert_eq!(answers[2].points, None);
    let bad = [
        json!([{"id": "s", "name": "S", "questions": [{"id": "q", "type": "ESSAY"}]}]),
        json!([{"id": "s", "name": "S", "questions": [{"id": "q", "type": "SLIDER", "min": 1}]}]),
        json!({"not": "an array"}),
    ];
    for sections in bad {
        assert!(
            ScoringCard::from_stored(&sections, None).is_err(),
            "{sections}"
        );
    }
}

#[test]
fn a_validated_scorecard_reads_back_for_scoring() {
    // The normal form written by `crate::scorecard` is what scoring reads.
    let body = json!({"name": "QA", "status": "ACTIVE", "passingScore": 50, "sections": [
        {"title": "Opening", "questions": [{"id": "greet", "text": "Greeted?", "type": "SINGLE",
          "answers": [{"label": "Yes", "points": 1}, {"label": "No", "points": 0}]}]}]});
    let fields = crate::scorecard::parse_scorecard(&body).unwrap();
    let sc = ScoringCard::from_stored(&fields.sections, fields.passing_score).unwrap();
    let s = score(&sc, &[chosen("greet", &["Yes"])]).unwrap();
    assert_eq!((s.percentage, s.passed), (Some(100.0), Some(true)));
    assert_eq!(s.sections[0].name, "Opening");
}
