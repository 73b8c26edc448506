//! The actions page's form and the API's action body, both ways: the fields a person filled in
//! become the `{trigger, action}` body that `POST` and `PATCH /api/v1/scorecards/{id}/actions`
//! take (the API checks it), and a stored action becomes the fields its edit form starts from.

use scorejar_core::ApiError;
use serde_json::{json, Value};

/// The trimmed value of the form's field `name` (empty when absent).
pub(super) fn field(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

/// The form's fields as the API's `{trigger, action}`, or the field at fault and why.
pub(super) fn action_body(fields: &[(String, String)]) -> Result<Value, ApiError> {
    let field = |name: &str| field(fields, name);
    let number = |name: &str| {
        field(name)
            .parse::<f64>()
            .map_err(|_| ApiError::invalid(name, "must be a number"))
    };
    let trigger = match field("trigger").as_str() {
        // A score compared in points when only points are given, else as a percentage.
        "SCORE" if field("percentage").is_empty() && !field("points").is_empty() => {
            json!({"type": "SCORE", "op": field("op"), "points": number("points")?})
        }
        "SCORE" => json!({"type": "SCORE", "op": field("op"), "percentage": number("percentage")?}),
        "FAILED" => json!({"type": "PASS_FAIL", "passed": false}),
        "PASSED" => json!({"type": "PASS_FAIL", "passed": true}),
        "ANSWER" => {
            json!({"type": "ANSWER", "questionId": field("questionId"), "answer": field("answer")})
        }
        other => json!({"type": other}),
    };
    let checked = |name: &str| fields.iter().any(|(k, _)| k == name);
    let action = match field("action").as_str() {
        "WEBHOOK" => {
            let mut a = json!({"type": "WEBHOOK", "url": field("url"),
                "includeTranscript": checked("includeTranscript"),
                "includeMedia": checked("includeMedia")});
            let template = field("payload");
            if !template.is_empty() {
                a["payload"] = json!(template);
            }
            a
        }
        "ADD_TAG" => json!({"type": "ADD_TAG", "tag": field("tag")}),
        "QUEUE_EVALUATION" => {
            json!({"type": "QUEUE_EVALUATION", "scorecardId": field("scorecardId")})
        }
        other => json!({"type": other}),
    };
    Ok(json!({"trigger": trigger, "action": action}))
}

/// The fields of the form that edits `stored` (an action as the API shows it).
pub(super) fn form_of(stored: &Value) -> Vec<(String, String)> {
    let mut form = Vec::new();
    let mut put = |name: &str, value: &Value| {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(true) => "1".to_owned(),
            _ => return,
        };
        form.push((name.to_owned(), text));
    };
    let trigger = &stored["trigger"];
    let trigger_type = match (trigger["type"].as_str(), trigger["passed"].as_bool()) {
        (Some("PASS_FAIL"), Some(true)) => json!("PASSED"),
        (Some("PASS_FAIL"), _) => json!("FAILED"),
        _ => trigger["type"].clone(),
    };
    put("trigger", &trigger_type);
    for name in ["op", "percentage", "points", "questionId", "answer"] {
        put(name, &trigger[name]);
    }
    let action = &stored["action"];
    put("action", &action["type"]);
    for name in [
        "url",
        "payload",
        "includeTranscript",
        "includeMedia",
        "tag",
        "scorecardId",
    ] {
        put(name, &action[name]);
    }
    form
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_form_becomes_the_apis_action_and_back() {
        let cases = [
            (
                form(&[
                    ("trigger", "FAILED"),
                    ("action", "WEBHOOK"),
                    ("url", "https://x.io/h"),
                    ("payload", "{\"id\": \"{{ id }}\"}"),
                    ("includeMedia", "1"),
                ]),
                json!({"trigger": {"type": "PASS_FAIL", "passed": false},
                       "action": {"type": "WEBHOOK", "url": "https://x.io/h", "includeTranscript": false,
                                  "includeMedia": true, "payload": "{\"id\": \"{{ id }}\"}"}}),
            ),
            (
                form(&[
                    ("trigger", "PASSED"),
                    ("action", "ADD_TAG"),
                    ("tag", "good"),
                ]),
                json!({"trigger": {"type": "PASS_FAIL", "passed": true},
                       "action": {"type": "ADD_TAG", "tag": "good"}}),
            ),
            (
                form(&[
                    ("trigger", "SCORE"),
                    ("op", "<"),
                    ("percentage", "60.5"),
                    ("action", "ADD_TAG"),
                    ("tag", "coaching"),
                ]),
                json!({"trigger": {"type": "SCORE", "op": "<", "percentage": 60.5},
                       "action": {"type": "ADD_TAG", "tag": "coaching"}}),
            ),
            (
                form(&[
                    ("trigger", "SCORE"),
                    ("op", ">="),
                    ("points", "7.5"),
                    ("action", "ADD_TAG"),
                    ("tag", "top"),
                ]),
                json!({"trigger": {"type": "SCORE", "op": ">=", "points": 7.5},
                       "action": {"type": "ADD_TAG", "tag": "top"}}),
            ),
            (
                form(&[
                    ("trigger", "ANSWER"),
                    ("questionId", "greet"),
                    ("answer", "No"),
                    ("action", "QUEUE_EVALUATION"),
                    ("scorecardId", "c2"),
                ]),
                json!({"trigger": {"type": "ANSWER", "questionId": "greet", "answer": "No"},
                       "action": {"type": "QUEUE_EVALUATION", "scorecardId": "c2"}}),
            ),
            (
                form(&[
                    ("trigger", "NEEDS_REVIEW"),
                    ("action", "QUEUE_EVALUATION"),
                    ("scorecardId", "c2"),
                ]),
                json!({"trigger": {"type": "NEEDS_REVIEW"},
                       "action": {"type": "QUEUE_EVALUATION", "scorecardId": "c2"}}),
            ),
        ];
        for (fields, want) in cases {
            let body = action_body(&fields).unwrap();
            assert_eq!(body, want);
            // The edit form of the stored action makes the same body again.
            assert_eq!(action_body(&form_of(&body)).unwrap(), want, "{fields:?}");
        }
        let error =
            action_body(&form(&[("trigger", "SCORE"), ("percentage", "lots")])).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("percentage"));
    }
}
