use super::*;
use serde_json::json;

/// An event shaped as the worker will send one.
fn event() -> Value {
    json!({
        "type": "evaluation.completed",
        "id": "evt_01",
        "timestamp": "2025-01-02T03:04:05Z",
        "data": {
            "evaluation": {
                "id": "sub_1",
                "score": { "earned": 3.0, "possible": 4.0, "percentage": 75.0 },
            },
            "interaction": {
                "id": "int_1",
                "title": "He said \"refund\"",
                "metadata": { "agent": "Ana" },
            },
            "criteria": [
                { "name": "Greeting", "passed": true },
                { "name": "Close", "passed": false },
            ],
        },
    })
}

enum Want {
    /// Renders to exactly this JSON value.
    Json(Value),
    Syntax,
    Render,
    NotJson,
    TooLarge,
}

#[test]
fn render_payload_table() {
    let big_source = format!("{{\"x\": \"{}\"}}", "a".repeat(MAX_SOURCE_BYTES));
    let cases: Vec<(&str, String, Want)> = vec![
        (
            "a field and a whole object",
            r#"{"text": "Scored {{ data.evaluation.score.percentage }}%",
                "pct": {{ data.evaluation.score.percentage }},
                "interaction": {{ data.interaction | tojson }}}"#
                .into(),
            Want::Json(json!({
                "text": "Scored 75.0%",
                "pct": 75.0,
                "interaction": {
                    "id": "int_1",
                    "title": "He said \"refund\"",
                    "metadata": { "agent": "Ana" },
                },
            })),
        ),
        (
            "top-level fields and the whole event",
            r#"{"type": {{ type | tojson }}, "id": {{ id | tojson }}, "at": {{ timestamp | tojson }},
                "same": {{ (event.id == id) | tojson }}}"#
                .into(),
            Want::Json(json!({
                "type": "evaluation.completed",
                "id": "evt_01",
                "at": "2025-01-02T03:04:05Z",
                "same": true,
            })),
        ),
        (
            "a for loop producing an array",
            r#"{"failed": [{% for c in data.criteria if not c.passed %}{{ c.name | tojson }}{% if not loop.last %},{% endif %}{% endfor %}],
                "all": [{% for c in data.criteria %}{"n": {{ c.name | tojson }}}{{ "," if not loop.last }}{% endfor %}]}"#
                .into(),
            Want::Json(json!({ "failed": ["Close"], "all": [{ "n": "Greeting" }, { "n": "Close" }] })),
        ),
        (
            "no HTML escaping",
            r#"{"who": "{{ data.interaction.metadata.agent }} & <team>"}"#.into(),
            Want::Json(json!({ "who": "Ana & <team>" })),
        ),
        (
            "an optional field tested with `is defined`",
            r#"{"c": {{ (data.evaluation.comment if data.evaluation.comment is defined else "none") | tojson }}}"#
                .into(),
            Want::Json(json!({ "c": "none" })),
        ),
        (
            "an optional field with a default",
            r#"{"c": {{ data.evaluation.comment | default("none") | tojson }}}"#.into(),
            Want::Json(json!({ "c": "none" })),
        ),
        (
            "tojson with an indent",
            r#"{{ data.evaluation.score | tojson(indent=2) }}"#.into(),
            Want::Json(json!({ "earned": 3.0, "possible": 4.0, "percentage": 75.0 })),
        ),
        (
            "surrounding whitespace is trimmed",
            "\n\n  [1, 2]  \n".into(),
            Want::Json(json!([1, 2])),
        ),
        (
            "a quoted string inserted without tojson",
            r#"{"title": "{{ data.interaction.title }}"}"#.into(),
            Want::NotJson,
        ),
        ("plain text", "Scored {{ data.evaluation.score.percentage }}".into(), Want::NotJson),
        ("an empty template", "".into(), Want::NotJson),
        ("an unclosed tag", r#"{"a": {{ data.evaluation.id }"#.into(), Want::Syntax),
        ("an unknown block", "{% frobnicate %}".into(), Want::Syntax),
        ("an unclosed for", "[{% for c in data.criteria %}1".into(), Want::Syntax),
        ("a misspelt variable", r#"{"a": {{ dta | tojson }}}"#.into(), Want::Render),
        (
            "a misspelt field",
            r#"{"a": {{ data.evaluation.scroe.percentage }}}"#.into(),
            Want::Render,
        ),
        (
            "a misspelt field through tojson",
            r#"{"a": {{ data.evaluation.scroe | tojson }}}"#.into(),
            Want::Render,
        ),
        ("an unknown filter", r#"{"a": {{ id | shout }}}"#.into(), Want::Render),
        (
            "an undefined value tested for truth",
            r#"{% if data.evaluation.comment %}1{% else %}2{% endif %}"#.into(),
            Want::Render,
        ),
        ("oversize source", big_source, Want::TooLarge),
        (
            "oversize output",
            r#"[{% for i in range(100000) %}"{{ "x" * 20 }}",{% endfor %}1]"#.into(),
            Want::TooLarge,
        ),
        (
            "a loop that would run for ages",
            "[{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}]".into(),
            Want::Render,
        ),
    ];
    for (what, source, want) in cases {
        let got = render_payload(&source, &event());
        match (&got, want) {
            (Ok(text), Want::Json(value)) => {
                assert_eq!(
                    serde_json::from_str::<Value>(text).unwrap(),
                    value,
                    "{what}"
                );
                assert_eq!(text.trim(), text, "{what}");
            }
            (Err(TemplateError::Syntax(_)), Want::Syntax)
            | (Err(TemplateError::Render(_)), Want::Render)
            | (Err(TemplateError::NotJson(_)), Want::NotJson)
            | (Err(TemplateError::TooLarge(_)), Want::TooLarge) => {}
            _ => panic!("{what}: unexpected {got:?}"),
        }
    }
}

#[test]
fn messages_name_the_line_or_position() {
    let cases = [
        (
            "{\n  \"a\": {{ data.evaluation.scroe | tojson }}\n}",
            "the payload template failed to render: line 2: undefined value: tojson was given",
        ),
        (
            "{\n  \"a\": 1,\n  \"b\": {{ nope }}\n}",
            "the payload template failed to render: line 3: undefined value (at `nope`)",
        ),
        (
            "[\n{% if %}\n]",
            "the payload template has a syntax error: line 2: syntax error: unexpected end of block",
        ),
        (
            "{\"a\": {{ id | shout }}}",
            "line 1: unknown filter: filter shout is unknown (at `shout`)",
        ),
        (
            "[{% for i in range(100000) %}\"{{ \"x\" * 20 }}\",{% endfor %}1]",
            "the payload template is too large: the rendered payload exceeds 1048576 bytes",
        ),
        (
            "{\n  \"t\": \"{{ data.interaction.title }}\"\n}",
            "the payload template did not render valid JSON: expected `,` or `}` at line 2 column 18; \
             the line reads:   \"t\": \"He said \"refund\"\"",
        ),
        (
            "[{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}]",
            "ran too long",
        ),
    ];
    for (source, want) in cases {
        let got = render_payload(source, &event()).unwrap_err().to_string();
        assert!(got.contains(want), "{source:?}:\n got {got}\nwant {want}");
    }
}

#[test]
fn an_event_that_is_not_an_object_is_only_event() {
    assert_eq!(
        render_payload("{{ event | tojson }}", &json!([1, "two"])).unwrap(),
        r#"[1,"two"]"#
    );
    assert!(matches!(
        render_payload("{{ data | tojson }}", &json!(null)),
        Err(TemplateError::Render(_))
    ));
}

#[test]
fn the_source_cap_is_exact() {
    // A source of exactly the cap is accepted; one byte more is not.
    let at_cap = format!("[{}1]", " ".repeat(MAX_SOURCE_BYTES - 3));
    assert_eq!(at_cap.len(), MAX_SOURCE_BYTES);
    assert_eq!(
        render_payload(&at_cap, &event()).unwrap(),
        "[ ".to_owned() + &" ".repeat(MAX_SOURCE_BYTES - 4) + "1]"
    );
    let over = format!("{at_cap} ");
    assert!(matches!(
        render_payload(&over, &event()),
        Err(TemplateError::TooLarge(_))
    ));
}
