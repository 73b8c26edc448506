//! What changed between two versions of a scorecard, for the web app's version diff: the
//! scoring fields (prompt, model, passing score, samples), then section by section and
//! question by question — matched by id, so a renamed question is a change, not a removal and
//! an addition. Values are shown as compact JSON (answers and rules compare as a whole).

use crate::model::ScorecardVersion;
use serde_json::Value;

/// One difference: where, and the value before and after (`None`: absent on that side).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The question fields compared, in the order shown.
const QUESTION_FIELDS: [&str; 9] = [
    "text", "type", "prompt", "answers", "min", "max", "step", "rules", "weight",
];

/// Every difference from `a` to `b`, in a stable order.
pub fn diff_versions(a: &ScorecardVersion, b: &ScorecardVersion) -> Vec<Change> {
    let mut changes = Vec::new();
    let text = |v: Option<&str>| v.map(str::to_owned);
    let number = |v: Option<f64>| v.map(|n| n.to_string());
    push(
        &mut changes,
        "name",
        text(Some(&a.name)),
        text(Some(&b.name)),
    );
    push(
        &mut changes,
        "prompt",
        text(a.prompt.as_deref()),
        text(b.prompt.as_deref()),
    );
    push(
        &mut changes,
        "model",
        text(a.model.as_deref()),
        text(b.model.as_deref()),
    );
    push(
        &mut changes,
        "passingScore",
        number(a.passing_score),
        number(b.passing_score),
    );
    push(
        &mut changes,
        "samples",
        a.samples.map(|s| s.to_string()),
        b.samples.map(|s| s.to_string()),
    );
    let (before, after) = (sections(&a.sections), sections(&b.sections));
    for (id, section) in &before {
        let label = format!("section {}", name_of(section));
        match after.iter().find(|(other, _)| other == id) {
            None => push(&mut changes, &label, Some(compact(section)), None),
            Some((_, other)) => {
                push(
                    &mut changes,
                    &format!("{label}: name"),
                    field(section, "name"),
                    field(other, "name"),
                );
            }
        }
    }
    for (id, section) in &after {
        if !before.iter().any(|(other, _)| other == id) {
            let label = format!("section {}", name_of(section));
            push(&mut changes, &label, None, Some(compact(section)));
        }
    }
    let (before, after) = (questions(&a.sections), questions(&b.sections));
    for (id, question) in &before {
        match after.iter().find(|(other, _)| other == id) {
            None => push(
                &mut changes,
                &format!("question {id}"),
                Some(compact(question)),
                None,
            ),
            Some((_, other)) => {
                for name in QUESTION_FIELDS {
                    push(
                        &mut changes,
                        &format!("question {id}: {name}"),
                        field(question, name),
                        field(other, name),
                    );
                }
            }
        }
    }
    for (id, question) in &after {
        if !before.iter().any(|(other, _)| other == id) {
            push(
                &mut changes,
                &format!("question {id}"),
                None,
                Some(compact(question)),
            );
        }
    }
    changes
}

fn push(changes: &mut Vec<Change>, path: &str, before: Option<String>, after: Option<String>) {
    if before != after {
        changes.push(Change {
            path: path.to_owned(),
            before,
            after,
        });
    }
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn field(v: &Value, name: &str) -> Option<String> {
    v.get(name).filter(|f| !f.is_null()).map(compact)
}

fn name_of(section: &Value) -> String {
    field(section, "name").unwrap_or_else(|| field(section, "id").unwrap_or_default())
}

/// (id, section) of the stored sections; a section without an id is keyed by its place.
fn sections(sections: &Value) -> Vec<(String, &Value)> {
    sections
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, s)| (field(s, "id").unwrap_or_else(|| format!("#{i}")), s))
        .collect()
}

/// (id, question) of every question of the stored sections.
fn questions(sections: &Value) -> Vec<(String, &Value)> {
    sections
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["questions"].as_array().into_iter().flatten())
        .enumerate()
        .map(|(i, q)| (field(q, "id").unwrap_or_else(|| format!("#{i}")), q))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    fn version(passing: Option<f64>, sections: Value) -> ScorecardVersion {
        ScorecardVersion {
            scorecard_id: "card".into(),
            version: 1,
            name: "QA".into(),
            prompt: None,
            model: Some("rules".into()),
            passing_score: passing,
            sections,
            samples: None,
            created_at: datetime!(2026-12-01 0:00 UTC),
        }
    }

    fn greet(text: &str, yes: f64) -> Value {
        json!({"id": "greet", "text": text, "type": "SINGLE",
               "answers": [{"label": "Yes", "points": yes, "autoFail": false}]})
    }

    /// (path, before, after)
    type Expected = (&'static str, Option<&'static str>, Option<&'static str>);

    #[test]
    fn differences_by_field_and_question() {
        let one = json!([{"id": "s1", "name": "Opening", "questions": [greet("Greeted?", 2.0)]}]);
        let cases: Vec<(ScorecardVersion, ScorecardVersion, Vec<Expected>)> = vec![
            (
                version(Some(60.0), one.clone()),
                version(Some(60.0), one.clone()),
                vec![],
            ),
            (
                version(Some(60.0), one.clone()),
                version(Some(70.0), one.clone()),
                vec![("passingScore", Some("60"), Some("70"))],
            ),
            (
                version(None, one.clone()),
                version(
                    None,
                    json!([{"id": "s1", "name": "Start", "questions": [greet("Did they greet?", 3.0)]}]),
                ),
                vec![
                    ("section Opening: name", Some("Opening"), Some("Start")),
                    (
                        "question greet: text",
                        Some("Greeted?"),
                        Some("Did they greet?"),
                    ),
                    (
                        "question greet: answers",
                        Some(r#"[{"autoFail":false,"label":"Yes","points":2.0}]"#),
                        Some(r#"[{"autoFail":false,"label":"Yes","points":3.0}]"#),
                    ),
                ],
            ),
            (
                version(None, one.clone()),
                version(
                    None,
                    json!([{"id": "s1", "name": "Opening", "questions": [
                        {"id": "close", "text": "Closed?", "type": "SINGLE"}]}]),
                ),
                vec![
                    (
                        "question greet",
                        Some(
                            r#"{"answers":[{"autoFail":false,"label":"Yes","points":2.0}],"id":"greet","text":"Greeted?","type":"SINGLE"}"#,
                        ),
                        None,
                    ),
                    (
                        "question close",
                        None,
                        Some(r#"{"id":"close","text":"Closed?","type":"SINGLE"}"#),
                    ),
                ],
            ),
        ];
        for (a, b, want) in cases {
            let got = diff_versions(&a, &b);
            let got: Vec<(&str, Option<&str>, Option<&str>)> = got
                .iter()
                .map(|c| (c.path.as_str(), c.before.as_deref(), c.after.as_deref()))
                .collect();
            assert_eq!(got, want);
        }
    }
}
