use super::*;
use proptest::prelude::*;
use time::macros::datetime;

fn existing() -> ScorecardFields {
    parse_scorecard(&json!({
        "name": "QA", "description": "old", "status": "ACTIVE", "model": "rules", "passingScore": 80,
        "sections": [{"name": "Opening", "questions": [{"text": "Greeting?", "type": "SINGLE", "answers": [{"label": "Yes", "points": 1}]}]}]
    }))
    .unwrap()
}

#[test]
fn patch_changes_only_given_keys() {
    let before = existing();
    let after = apply_patch(
        &before,
        &json!({"name": "QA v2", "id": "ignored", "createdAt": "x"}),
    )
    .unwrap();
    assert_eq!(after.name, "QA v2");
    assert_eq!(
        ScorecardFields {
            name: before.name.clone(),
            ..after.clone()
        },
        before,
        "everything else, generated ids included, is unchanged"
    );

    let cleared =
        apply_patch(&before, &json!({"description": null, "passingScore": null})).unwrap();
    assert_eq!((cleared.description, cleared.passing_score), (None, None));
    assert_eq!(cleared.model.as_deref(), Some("rules"));

    let archived = apply_patch(&before, &json!({"status": "ARCHIVED", "sections": []})).unwrap();
    assert_eq!(archived.status, ScorecardStatus::Archived);
    assert_eq!(archived.sections, json!([]));
}

#[test]
fn patch_is_revalidated() {
    let before = existing();
    let cases = [
        (json!({"sections": []}), "sections"),
        (json!({"sections": null}), "sections"),
        (json!({"name": null}), "name"),
        (json!({"status": null}), "status"),
        (json!({"name": ""}), "name"),
        (json!({"passingScore": 101}), "passingScore"),
        (json!({"status": "DELETED"}), "status"),
    ];
    for (patch, field) in cases {
        let e = apply_patch(&before, &patch).unwrap_err();
        assert_eq!(
            (e.status, e.field.as_deref()),
            (400, Some(field)),
            "{patch}"
        );
    }
    assert_eq!(
        apply_patch(&before, &json!("x")).unwrap_err().code,
        "invalid_json"
    );
}

#[test]
fn scorecard_json_shape() {
    let sc = Scorecard {
        id: "sc-1".into(),
        fields: existing(),
        version: 3,
        created_at: datetime!(2026-06-23 14:30:00 UTC),
        updated_at: datetime!(2026-06-24 08:00:00.5 UTC),
    };
    let v = scorecard_to_json(&sc);
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "createdAt",
            "description",
            "id",
            "model",
            "name",
            "passingScore",
            "prompt",
            "samples",
            "sections",
            "status",
            "updatedAt",
            "version"
        ]
    );
    assert_eq!(v["id"], "sc-1");
    assert_eq!(v["status"], "ACTIVE");
    assert_eq!(v["version"], 3);
    assert_eq!(v["prompt"], Value::Null);
    assert_eq!(v["passingScore"], json!(80.0));
    assert_eq!(v["createdAt"], "2026-06-23T14:30:00Z");
    assert_eq!(v["updatedAt"], "2026-06-24T08:00:00.5Z");
    assert_eq!(v["sections"], sc.fields.sections);
}

const SCORECARD_KEYS: &[&str] = &[
    "name",
    "title",
    "description",
    "status",
    "prompt",
    "model",
    "passingScore",
    "sections",
    "id",
    "questions",
    "text",
    "type",
    "answers",
    "label",
    "points",
    "autoFail",
    "min",
    "max",
    "step",
    "rules",
    "weight",
];

proptest! {
    #[test]
    fn arbitrary_json_never_panics(value in crate::test_support::arb_json(SCORECARD_KEYS)) {
        for result in [parse_scorecard(&value), apply_patch(&existing(), &value)] {
            match result {
                Ok(fields) => prop_assert_eq!(parse_scorecard(&fields_to_json(&fields)).unwrap(), fields),
                Err(e) => {
                    prop_assert_eq!(e.status, 400);
                    prop_assert!(!e.message.is_empty());
                }
            }
        }
    }
}
