use super::*;
use crate::ids::looks_like_id;

fn single(id: &str) -> Value {
    json!({
        "id": id, "text": "Did the agent greet?", "type": "SINGLE",
        "answers": [{"label": "Yes", "points": 1}, {"label": "No", "points": 0, "autoFail": true}]
    })
}

fn with_question(question: Value) -> Value {
    json!({"name": "QA", "sections": [{"id": "s1", "name": "Opening", "questions": [question]}]})
}

fn err(value: Value) -> ApiError {
    let e = parse_scorecard(&value).unwrap_err();
    assert_eq!(e.status, 400, "{e:?}");
    e
}

#[test]
fn minimal_scorecard() {
    let f = parse_scorecard(&json!({"name": "QA"})).unwrap();
    assert_eq!(f.name, "QA");
    assert_eq!(f.status, ScorecardStatus::Draft);
    assert_eq!(
        (f.description, f.prompt, f.model, f.passing_score),
        (None, None, None, None)
    );
    assert_eq!(f.sections, json!([]));
}

#[test]
fn full_scorecard_is_normalised() {
    let f = parse_scorecard(&json!({
        "name": "Support QA", "description": "d", "status": "ACTIVE", "prompt": "Be fair",
        "model": "rules", "passingScore": 70, "unknown": true,
        "sections": [
            {"title": "Opening", "color": "red", "questions": [
                {"text": "Greeting?", "type": "SINGLE", "prompt": "Look at the first line",
                 "answers": [{"label": "Yes", "points": 1}, {"label": "No", "points": 0, "autoFail": true},
                             {"label": "N/A", "points": null}, {"label": "Skip"}],
                 "rules": {"if": {"phrase": "hello", "by": "AGENT"}, "then": "Yes", "else": "No"}, "weight": 2, "extra": 1},
                {"id": "q-multi", "text": "Which topics?", "type": "MULTIPLE",
                 "answers": [{"label": "Billing", "points": 0.5}]}
            ]},
            {"id": "s2", "name": "Tone", "description": "How it felt", "questions": [
                {"id": "q-slider", "text": "Empathy", "type": "SLIDER", "min": 0, "max": 10, "step": 0.5, "rules": {"value": {"metric": "agentTurns"}}}
            ]}
        ]
    }))
    .unwrap();
    assert_eq!(f.status, ScorecardStatus::Active);
    assert_eq!(f.passing_score, Some(70.0));
    assert_eq!(f.prompt.as_deref(), Some("Be fair"));

    let sections = f.sections.as_array().unwrap();
    let opening = &sections[0];
    assert!(
        looks_like_id(opening["id"].as_str().unwrap()),
        "generated section id"
    );
    assert_eq!(opening["name"], "Opening");
    assert!(opening.get("title").is_none() && opening.get("color").is_none());
    let greeting = &opening["questions"][0];
    assert!(
        looks_like_id(greeting["id"].as_str().unwrap()),
        "generated question id"
    );
    assert_eq!(
        greeting,
        &json!({
            "id": greeting["id"], "text": "Greeting?", "type": "SINGLE", "prompt": "Look at the first line",
            "answers": [
                {"label": "Yes", "points": 1, "autoFail": false},
                {"label": "No", "points": 0, "autoFail": true},
                {"label": "N/A", "points": null, "autoFail": false},
                {"label": "Skip", "points": null, "autoFail": false}
            ],
            "rules": {"if": {"phrase": "hello", "by": "AGENT"}, "then": "Yes", "else": "No"}, "weight": 2
        })
    );
    assert_eq!(opening["questions"][1]["id"], "q-multi");
    assert_eq!(
        sections[1],
        json!({"id": "s2", "name": "Tone", "description": "How it felt", "questions": [
            {"id": "q-slider", "text": "Empathy", "type": "SLIDER", "min": 0, "max": 10, "step": 0.5, "rules": {"value": {"metric": "agentTurns"}}}
        ]})
    );
}

#[test]
fn parsing_the_normal_form_is_stable() {
    let first = parse_scorecard(&with_question(json!({
        "text": "t", "type": "SLIDER", "min": -5, "max": 5
    })))
    .unwrap();
    let again = parse_scorecard(&fields_to_json(&first)).unwrap();
    assert_eq!(again, first, "ids and values survive a round trip");
}

#[test]
fn status_rules() {
    let no_questions = json!({"name": "QA", "status": "ACTIVE", "sections": [{"name": "Empty"}]});
    let cases = [
        (json!({"name": "QA", "status": "ACTIVE"}), Err("sections")),
        (no_questions, Err("sections")),
        (
            json!({"name": "QA", "status": "ARCHIVED"}),
            Ok(ScorecardStatus::Archived),
        ),
        (
            json!({"name": "QA", "status": null}),
            Ok(ScorecardStatus::Draft),
        ),
        (json!({"name": "QA", "status": "active"}), Err("status")),
        (json!({"name": "QA", "status": 1}), Err("status")),
    ];
    for (value, expected) in cases {
        match expected {
            Ok(status) => assert_eq!(parse_scorecard(&value).unwrap().status, status),
            Err(field) => assert_eq!(err(value).field.as_deref(), Some(field)),
        }
    }
    let mut active = with_question(single("q1"));
    active["status"] = json!("ACTIVE");
    assert_eq!(
        parse_scorecard(&active).unwrap().status,
        ScorecardStatus::Active
    );
}

#[test]
fn top_level_rejections() {
    let long_name = "n".repeat(limits::MAX_NAME_CHARS + 1);
    let cases = [
        (json!({}), "name", "missing_field"),
        (json!({"name": null}), "name", "missing_field"),
        (json!({"name": ""}), "name", "invalid_field"),
        (json!({"name": "  "}), "name", "invalid_field"),
        (json!({"name": 7}), "name", "invalid_field"),
        (json!({"name": long_name}), "name", "invalid_field"),
        (
            json!({"name": "QA", "description": 1}),
            "description",
            "invalid_field",
        ),
        (
            json!({"name": "QA", "prompt": []}),
            "prompt",
            "invalid_field",
        ),
        (json!({"name": "QA", "model": {}}), "model", "invalid_field"),
        (
            json!({"name": "QA", "passingScore": -1}),
            "passingScore",
            "invalid_field",
        ),
        (
            json!({"name": "QA", "passingScore": 100.5}),
            "passingScore",
            "invalid_field",
        ),
        (
            json!({"name": "QA", "passingScore": "70"}),
            "passingScore",
            "invalid_field",
        ),
        (
            json!({"name": "QA", "sections": {}}),
            "sections",
            "invalid_field",
        ),
    ];
    for (value, field, code) in cases {
        let e = err(value.clone());
        assert_eq!((e.code, e.field.as_deref()), (code, Some(field)), "{value}");
        assert!(e.message.contains(field), "{}", e.message);
    }
    assert_eq!(err(json!([])).code, "invalid_json");
    let at_limit = "é".repeat(limits::MAX_NAME_CHARS);
    assert!(parse_scorecard(&json!({ "name": at_limit })).is_ok());
    for score in [json!(0), json!(100), json!(55.5), json!(null)] {
        assert!(parse_scorecard(&json!({"name": "QA", "passingScore": score})).is_ok());
    }
}

#[test]
fn section_and_question_rejections() {
    let q = |patch: Value| {
        let mut question = single("q1");
        for (k, v) in patch.as_object().unwrap() {
            question[k] = v.clone();
        }
        with_question(question)
    };
    let slider = |patch: Value| {
        let mut question = json!({"id": "q1", "text": "t", "type": "SLIDER", "min": 0, "max": 10});
        for (k, v) in patch.as_object().unwrap() {
            question[k] = v.clone();
        }
        with_question(question)
    };
    let p = "sections[0].questions[0]";
    let cases: Vec<(Value, String, &str)> = vec![
        (
            json!({"name": "QA", "sections": ["x"]}),
            "sections[0]".into(),
            "invalid_field",
        ),
        (
            json!({"name": "QA", "sections": [{}]}),
            "sections[0].name".into(),
            "missing_field",
        ),
        (
            json!({"name": "QA", "sections": [{"title": ""}]}),
            "sections[0].title".into(),
            "invalid_field",
        ),
        (
            json!({"name": "QA", "sections": [{"name": "a", "id": " "}]}),
            "sections[0].id".into(),
            "invalid_field",
        ),
        (
            json!({"name": "QA", "sections": [{"name": "a", "id": 1}]}),
            "sections[0].id".into(),
            "invalid_field",
        ),
        (
            json!({"name": "QA", "sections": [{"name": "a", "id": "s"}, {"name": "b", "id": "s"}]}),
            "sections[1].id".into(),
            "invalid_field",
        ),
        (
            json!({"name": "QA", "sections": [{"name": "a", "questions": {}}]}),
            "sections[0].questions".into(),
            "invalid_field",
        ),
        (with_question(json!("q")), p.into(), "invalid_field"),
        (
            q(json!({"text": null})),
            format!("{p}.text"),
            "missing_field",
        ),
        (
            q(json!({"text": " "})),
            format!("{p}.text"),
            "invalid_field",
        ),
        (
            q(json!({"type": null})),
            format!("{p}.type"),
            "missing_field",
        ),
        (
            q(json!({"type": "single"})),
            format!("{p}.type"),
            "invalid_field",
        ),
        (
            q(json!({"prompt": 1})),
            format!("{p}.prompt"),
            "invalid_field",
        ),
        (
            q(json!({"answers": null})),
            format!("{p}.answers"),
            "missing_field",
        ),
        (
            q(json!({"answers": []})),
            format!("{p}.answers"),
            "invalid_field",
        ),
        (
            q(json!({"answers": [{}]})),
            format!("{p}.answers[0].label"),
            "missing_field",
        ),
        (
            q(json!({"answers": [{"label": "a"}, {"label": "a"}]})),
            format!("{p}.answers[1].label"),
            "invalid_field",
        ),
        (
            q(json!({"answers": [{"label": "a", "points": "1"}]})),
            format!("{p}.answers[0].points"),
            "invalid_field",
        ),
        (
            q(json!({"answers": [{"label": "a", "autoFail": "yes"}]})),
            format!("{p}.answers[0].autoFail"),
            "invalid_field",
        ),
        (q(json!({"min": 0})), format!("{p}.min"), "invalid_field"),
        (
            q(json!({"rules": "contains hello"})),
            format!("{p}.rules"),
            "invalid_field",
        ),
        (
            q(json!({"rules": 1})),
            format!("{p}.rules"),
            "invalid_field",
        ),
        // The rules engine checks rules on save, naming the path inside them.
        (
            q(
                json!({"answers": [{"label": "Yes"}], "rules": {"if": {"any": [{"regex": "("}]}, "then": "Yes"}}),
            ),
            format!("{p}.rules.if.any[0].regex"),
            "invalid_field",
        ),
        (
            q(
                json!({"answers": [{"label": "Yes"}], "rules": {"if": {"phrase": "hi"}, "then": "No"}}),
            ),
            format!("{p}.rules.then"),
            "invalid_field",
        ),
        (
            q(json!({"weight": -1})),
            format!("{p}.weight"),
            "invalid_field",
        ),
        (
            q(json!({"weight": "1"})),
            format!("{p}.weight"),
            "invalid_field",
        ),
        (q(json!({"id": ""})), format!("{p}.id"), "invalid_field"),
        (
            slider(json!({"min": null})),
            format!("{p}.min"),
            "missing_field",
        ),
        (
            slider(json!({"max": null})),
            format!("{p}.max"),
            "missing_field",
        ),
        (
            slider(json!({"min": 10})),
            format!("{p}.max"),
            "invalid_field",
        ),
        (
            slider(json!({"min": 11})),
            format!("{p}.max"),
            "invalid_field",
        ),
        (
            slider(json!({"min": "0"})),
            format!("{p}.min"),
            "invalid_field",
        ),
        (
            slider(json!({"step": 0})),
            format!("{p}.step"),
            "invalid_field",
        ),
        (
            slider(json!({"step": -1})),
            format!("{p}.step"),
            "invalid_field",
        ),
        (
            slider(json!({"step": 10.5})),
            format!("{p}.step"),
            "invalid_field",
        ),
        (
            slider(json!({"answers": [{"label": "a"}]})),
            format!("{p}.answers"),
            "invalid_field",
        ),
        (
            json!({"name": "QA", "sections": [
                {"name": "a", "questions": [single("dup")]},
                {"name": "b", "questions": [single("other"), single("dup")]}
            ]}),
            "sections[1].questions[1].id".into(),
            "invalid_field",
        ),
    ];
    for (value, field, code) in cases {
        let e = err(value.clone());
        assert_eq!(
            (e.code, e.field.as_deref()),
            (code, Some(field.as_str())),
            "{value}"
        );
        assert!(e.message.contains(&field), "{}", e.message);
    }
    assert!(
        parse_scorecard(&slider(json!({"step": 10}))).is_ok(),
        "step == range is fine"
    );
    assert!(parse_scorecard(&slider(json!({"min": -10.5, "max": -10}))).is_ok());
}

#[test]
fn question_limit_counts_all_sections() {
    let questions: Vec<Value> = (0..limits::MAX_QUESTIONS / 2)
        .map(|i| json!({"text": format!("q{i}"), "type": "SLIDER", "min": 0, "max": 1}))
        .collect();
    let ok = json!({"name": "QA", "sections": [
        {"name": "a", "questions": questions}, {"name": "b", "questions": questions}
    ]});
    assert!(parse_scorecard(&ok).is_ok());
    let over = json!({"name": "QA", "sections": [
        {"name": "a", "questions": questions}, {"name": "b", "questions": questions},
        {"name": "c", "questions": [questions[0]]}
    ]});
    assert_eq!(err(over).field.as_deref(), Some("sections[2].questions"));
}

#[test]
fn question_type_spellings() {
    for t in QuestionType::ALL {
        assert_eq!(QuestionType::parse(t.as_str()), Some(*t));
    }
    assert_eq!(QuestionType::parse("single"), None);
}
