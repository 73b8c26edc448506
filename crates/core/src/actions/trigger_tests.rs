//! Every trigger type and operator against a table of results, and the checks of a trigger
//! and an action as a client sends them.

use super::spec::{ActionPatch, ActionSpec};
use super::trigger::Trigger;
use crate::evaluation::result::EvaluationResult;
use serde_json::{json, Value};

/// A result scoring `earned` of 20 points (`percentage` of 100), with question `q1` answered
/// `labels` (or N/A when `labels` is None).
fn result(
    percentage: Option<f64>,
    earned: f64,
    passed: Option<bool>,
    needs_review: bool,
    labels: Option<&[&str]>,
) -> EvaluationResult {
    serde_json::from_value(json!({
        "engine": "AI", "model": "local/m", "scorecardVersion": 1,
        "score": {"earned": earned, "possible": 20.0, "percentage": percentage},
        "passed": passed, "autoFailed": [], "needsReview": needs_review, "sections": [],
        "answers": [{
            "questionId": "q1", "answers": labels.unwrap_or_default(), "value": null,
            "points": null, "possible": null, "na": labels.is_none(), "autoFail": false,
            "explanation": null, "evidence": [], "source": "AI", "needsReview": false,
            "confidence": null
        }],
        "usage": {"promptTokens": 0, "completionTokens": 0, "latencyMs": 0, "cost": null, "requests": 0},
        "promptSha256": null
    }))
    .expect("a valid result")
}

fn trigger(value: Value) -> Trigger {
    serde_json::from_value(value).expect("a valid trigger")
}

#[test]
fn triggers_fire_on_the_results_they_name() {
    let good = result(Some(85.0), 17.0, Some(true), false, Some(&["Yes"]));
    let poor = result(Some(40.0), 8.0, Some(false), true, Some(&["No", "Partly"]));
    let unscored = result(None, 0.0, None, false, None);
    let cases: Vec<(Value, [bool; 3])> = vec![
        (json!({"type": "EVALUATION_COMPLETED"}), [true, true, true]),
        (
            json!({"type": "ANSWER", "questionId": "q1", "answer": "Yes"}),
            [true, false, false],
        ),
        (
            json!({"type": "ANSWER", "questionId": "q1", "answer": " yes "}),
            [true, false, false],
        ),
        (
            json!({"type": "ANSWER", "questionId": "q1", "answer": "Partly"}),
            [false, true, false],
        ),
        (
            json!({"type": "ANSWER", "questionId": "q2", "answer": "Yes"}),
            [false, false, false],
        ),
        (
            json!({"type": "SCORE", "op": ">=", "percentage": 85}),
            [true, false, false],
        ),
        (
            json!({"type": "SCORE", "op": ">", "percentage": 85}),
            [false, false, false],
        ),
        (
            json!({"type": "SCORE", "op": "<=", "percentage": 40}),
            [false, true, false],
        ),
        (
            json!({"type": "SCORE", "op": "<", "percentage": 40}),
            [false, false, false],
        ),
        (
            json!({"type": "SCORE", "op": "<", "percentage": 50}),
            [false, true, false],
        ),
        (
            json!({"type": "SCORE", "op": ">=", "points": 17}),
            [true, false, false],
        ),
        (
            json!({"type": "SCORE", "op": "<", "points": 10}),
            [false, true, true],
        ),
        (
            json!({"type": "PASS_FAIL", "passed": true}),
            [true, false, false],
        ),
        (
            json!({"type": "PASS_FAIL", "passed": false}),
            [false, true, false],
        ),
        (json!({"type": "NEEDS_REVIEW"}), [false, true, false]),
    ];
    for (value, want) in cases {
        let t = trigger(value.clone());
        let got = [t.fires(&good), t.fires(&poor), t.fires(&unscored)];
        assert_eq!(got, want, "{value}");
    }
}

#[test]
fn action_specs_name_the_field_in_error() {
    let webhook = json!({"type": "WEBHOOK", "url": "https://example.com/hook"});
    let cases: Vec<(Value, Option<(&str, &str)>)> = vec![
        (
            json!({"trigger": {"type": "NEEDS_REVIEW"}, "action": webhook}),
            None,
        ),
        (
            json!({"trigger": {"type": "PASS_FAIL", "passed": false},
                   "action": {"type": "ADD_TAG", "tag": "coaching"}, "enabled": false}),
            None,
        ),
        (
            json!({"action": webhook}),
            Some(("trigger", "missing_field")),
        ),
        (
            json!({"trigger": {"type": "NEEDS_REVIEW"}}),
            Some(("action", "missing_field")),
        ),
        (json!([]), Some(("body", "invalid_field"))),
        (
            json!({"trigger": {"type": "NEEDS_REVIEW"}, "action": webhook, "x": 1}),
            Some(("x", "invalid_field")),
        ),
        (
            json!({"trigger": {"type": "SOMETIMES"}, "action": webhook}),
            Some(("trigger", "invalid_field")),
        ),
        (
            json!({"trigger": {"type": "SCORE", "op": "==", "percentage": 5}, "action": webhook}),
            Some(("trigger", "invalid_field")),
        ),
        (
            json!({"trigger": {"type": "SCORE", "op": ">=", "percentage": 101}, "action": webhook}),
            Some(("trigger.percentage", "invalid_field")),
        ),
        (
            json!({"trigger": {"type": "SCORE", "op": ">=", "percentage": 5, "points": 1},
                   "action": webhook}),
            Some(("trigger.percentage", "invalid_field")),
        ),
        (
            json!({"trigger": {"type": "SCORE", "op": ">="}, "action": webhook}),
            Some(("trigger.percentage", "invalid_field")),
        ),
        (
            json!({"trigger": {"type": "ANSWER", "questionId": "", "answer": "Yes"},
                   "action": webhook}),
            Some(("trigger.questionId", "invalid_field")),
        ),
        (
            json!({"trigger": {"type": "NEEDS_REVIEW", "extra": 1}, "action": webhook}),
            Some(("trigger", "invalid_field")),
        ),
        (
            json!({"trigger": {"type": "NEEDS_REVIEW"}, "action": {"type": "WEBHOOK", "url": " "}}),
            Some(("action.url", "invalid_field")),
        ),
        (
            json!({"trigger": {"type": "NEEDS_REVIEW"},
                   "action": {"type": "QUEUE_EVALUATION", "scorecardId": ""}}),
            Some(("action.scorecardId", "invalid_field")),
        ),
        (
            json!({"trigger": {"type": "NEEDS_REVIEW"},
                   "action": {"type": "ADD_TAG", "tag": "x".repeat(256)}}),
            Some(("action.tag", "invalid_field")),
        ),
        (
            json!({"trigger": {"type": "NEEDS_REVIEW"}, "action": webhook, "enabled": "yes"}),
            Some(("enabled", "invalid_field")),
        ),
    ];
    for (body, want) in cases {
        let got = ActionSpec::parse(&body);
        match want {
            None => assert!(got.is_ok(), "{body}: {got:?}"),
            Some((field, code)) => {
                let err = got.expect_err(&body.to_string());
                assert_eq!(
                    (err.field.as_deref(), err.code),
                    (Some(field), code),
                    "{body}"
                );
            }
        }
    }
}

#[test]
fn a_patch_replaces_only_what_it_names() {
    let spec = ActionSpec::parse(&json!({
        "trigger": {"type": "NEEDS_REVIEW"},
        "action": {"type": "ADD_TAG", "tag": "review"}
    }))
    .unwrap();
    assert!(spec.enabled, "enabled by default");
    let patch = ActionPatch::parse(&json!({"enabled": false})).unwrap();
    let patched = patch.apply(spec.clone());
    assert_eq!(patched.trigger, spec.trigger);
    assert!(!patched.enabled);
    let empty = ActionPatch::parse(&json!({})).expect_err("an empty patch");
    assert_eq!(empty.field.as_deref(), Some("body"));
}
