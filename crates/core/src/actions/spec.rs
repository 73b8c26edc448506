//! An action as a client sends it (`POST …/actions`, `PATCH …/actions/{id}`): parsed into
//! typed parts, every error naming its field.

use serde_json::Value;

use super::{Action, Trigger};
use crate::ApiError;

/// A new action: `{"trigger", "action", "enabled"?}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionSpec {
    pub trigger: Trigger,
    pub action: Action,
    pub enabled: bool,
}

/// A change to an action: the fields present are replaced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionPatch {
    pub trigger: Option<Trigger>,
    pub action: Option<Action>,
    pub enabled: Option<bool>,
}

const FIELDS: [&str; 3] = ["trigger", "action", "enabled"];

fn object(body: &Value) -> Result<&serde_json::Map<String, Value>, ApiError> {
    let map = body
        .as_object()
        .ok_or_else(|| ApiError::invalid("body", "the body must be a JSON object"))?;
    if let Some(key) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(ApiError::invalid(
            key.as_str(),
            format!("unknown field `{key}`; expected trigger, action, enabled"),
        ));
    }
    Ok(map)
}

fn parse<T: serde::de::DeserializeOwned>(field: &str, value: &Value) -> Result<T, ApiError> {
    serde_json::from_value(value.clone())
        .map_err(|e| ApiError::invalid(field, format!("`{field}` is not valid: {e}")))
}

fn trigger(value: &Value) -> Result<Trigger, ApiError> {
    let trigger: Trigger = parse("trigger", value)?;
    trigger
        .check()
        .map_err(|(field, reason)| ApiError::invalid(format!("trigger.{field}"), reason))?;
    Ok(trigger)
}

fn action(value: &Value) -> Result<Action, ApiError> {
    let action: Action = parse("action", value)?;
    action
        .check()
        .map_err(|(field, reason)| ApiError::invalid(format!("action.{field}"), reason))?;
    Ok(action)
}

fn enabled(value: &Value) -> Result<bool, ApiError> {
    value
        .as_bool()
        .ok_or_else(|| ApiError::invalid("enabled", "`enabled` must be true or false"))
}

impl ActionSpec {
    pub fn parse(body: &Value) -> Result<Self, ApiError> {
        let map = object(body)?;
        let required = |name: &str| map.get(name).ok_or_else(|| ApiError::missing(name));
        Ok(ActionSpec {
            trigger: trigger(required("trigger")?)?,
            action: action(required("action")?)?,
            enabled: map.get("enabled").map(enabled).transpose()?.unwrap_or(true),
        })
    }
}

impl ActionPatch {
    pub fn parse(body: &Value) -> Result<Self, ApiError> {
        let map = object(body)?;
        let patch = ActionPatch {
            trigger: map.get("trigger").map(trigger).transpose()?,
            action: map.get("action").map(action).transpose()?,
            enabled: map.get("enabled").map(enabled).transpose()?,
        };
        if patch == ActionPatch::default() {
            return Err(ApiError::invalid(
                "body",
                "nothing to change: send trigger, action or enabled",
            ));
        }
        Ok(patch)
    }

    /// `spec` with this patch applied.
    pub fn apply(self, spec: ActionSpec) -> ActionSpec {
        ActionSpec {
            trigger: self.trigger.unwrap_or(spec.trigger),
            action: self.action.unwrap_or(spec.action),
            enabled: self.enabled.unwrap_or(spec.enabled),
        }
    }
}
