//! The `agent` and `customer` objects of an upload.
//!
//! Rules: the value must be an object; `name`, `email`, `phone`, `sourceIdentifier` are optional
//! strings, trimmed (identity data: stray whitespace is never meant); a blank string counts as
//! absent; `email` must be an address (see `email`). An object with no field left (`{}`, or only
//! blanks/nulls) is treated as if the participant were absent. Unknown keys are ignored.

use serde_json::Value;

use super::email::parse_address;
use super::fields::{as_object, as_str, check_max_chars, join, optional};
use super::limits::MAX_PARTICIPANT_FIELD_CHARS;
use crate::error::ApiError;
use crate::model::ParticipantInput;

/// Parses the participant at `path`; `Ok(None)` when it carries nothing.
pub(crate) fn parse_participant(
    value: &Value,
    path: &str,
) -> Result<Option<ParticipantInput>, ApiError> {
    let obj = as_object(value, path)?;
    let text = |key: &str| -> Result<Option<String>, ApiError> {
        let field = join(path, key);
        let Some(v) = optional(obj, key) else {
            return Ok(None);
        };
        let s = as_str(v, &field)?.trim();
        if s.is_empty() {
            return Ok(None);
        }
        check_max_chars(s, MAX_PARTICIPANT_FIELD_CHARS, &field)?;
        Ok(Some(s.to_string()))
    };
    let name = text("name")?;
    let phone = text("phone")?;
    let source_identifier = text("sourceIdentifier")?;
    let email = match text("email")? {
        Some(address) => Some(parse_address(&Value::from(address), &join(path, "email"))?),
        None => None,
    };
    let participant = ParticipantInput {
        name,
        email,
        phone,
        source_identifier,
    };
    Ok((participant != ParticipantInput::default()).then_some(participant))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_trims() {
        let value = json!({
            "name": " Jane ", "email": "jane@example.com ", "phone": "+1555",
            "sourceIdentifier": "agent-7", "team": "ignored"
        });
        let p = parse_participant(&value, "agent").unwrap().unwrap();
        assert_eq!(
            p,
            ParticipantInput {
                name: Some("Jane".into()),
                email: Some("jane@example.com".into()),
                phone: Some("+1555".into()),
                source_identifier: Some("agent-7".into()),
            }
        );
    }

    #[test]
    fn empty_participants_are_absent() {
        for value in [
            json!({}),
            json!({"name": "  ", "email": null}),
            json!({"x": 1}),
        ] {
            assert_eq!(
                parse_participant(&value, "customer").unwrap(),
                None,
                "{value}"
            );
        }
        let only_phone = parse_participant(&json!({"phone": "+1"}), "customer").unwrap();
        assert_eq!(only_phone.unwrap().phone.as_deref(), Some("+1"));
    }

    #[test]
    fn rejections() {
        let long = "x".repeat(MAX_PARTICIPANT_FIELD_CHARS + 1);
        let cases = [
            (json!("Jane"), "agent"),
            (json!(["Jane"]), "agent"),
            (json!({"name": 5}), "agent.name"),
            (json!({"email": "not-an-address"}), "agent.email"),
            (json!({"email": "a b@example.com"}), "agent.email"),
            (json!({"phone": {}}), "agent.phone"),
            (json!({"sourceIdentifier": true}), "agent.sourceIdentifier"),
            (json!({"name": long}), "agent.name"),
        ];
        for (value, field) in cases {
            let err = parse_participant(&value, "agent").unwrap_err();
            assert_eq!(err.status, 400);
            assert_eq!(err.field.as_deref(), Some(field), "{value}");
            assert!(err.message.contains(field), "{}", err.message);
        }
    }
}
