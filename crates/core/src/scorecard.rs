//! Scorecards: validation of the JSON for create (`POST`) and edit (`PATCH`), and the JSON a
//! scorecard is shown as.
//!
//! Rules:
//! - `name` is required (not blank, at most 200 characters); `description`, `prompt`, `model`
//!   are optional strings; `status` is DRAFT (default), ACTIVE or ARCHIVED; `passingScore` is a
//!   number in 0..=100 or null; `samples` an integer in 1..=5 or null (AI answers per
//!   question, majority wins); `sections` an array (absent or null → empty). Unknown
//!   top-level keys are ignored.
//! - Stored normal form of `sections`: each section `{id, name, description?, questions}` (an
//!   input `title` becomes `name`); each question `{id, text, type, prompt?, answers? | min,
//!   max, step?, rules?, weight?}`; each answer `{label, points, autoFail}` (`points: null` =
//!   N/A, absent `points` = null, absent `autoFail` = false). Missing ids are generated; numbers
//!   are kept as sent; `rules` (object or array) is stored as-is; other keys are dropped.
//! - Questions: `type` SINGLE or MULTIPLE needs a non-empty `answers` (labels unique within the
//!   question) and rejects `min`/`max`/`step`; SLIDER needs `min < max`, an optional
//!   `0 < step <= max - min`, and rejects `answers`. `weight` is a number >= 0.
//! - Question ids are unique within the scorecard, section ids among the sections.
//! - An ACTIVE scorecard has at least one question.
//! - PATCH changes only the keys it names (`null` clears an optional field; `name` and `status`
//!   cannot be null); the merged result is validated like a new scorecard, so ids already
//!   stored are kept.

mod sections;

use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::model::{Scorecard, ScorecardFields, ScorecardStatus, ScorecardVersion};
use crate::payload::fields::{
    as_finite_f64, describe, optional, optional_enum, optional_string, required_text, wrong,
};

/// Size limits of a scorecard.
pub mod limits {
    /// `name`, in characters.
    pub const MAX_NAME_CHARS: usize = 200;
    /// `description`, in characters.
    pub const MAX_DESCRIPTION_CHARS: usize = 5_000;
    /// `prompt` (scorecard-level instructions for the evaluator), in characters.
    pub const MAX_PROMPT_CHARS: usize = 100_000;
    /// `model`, in characters.
    pub const MAX_MODEL_CHARS: usize = 200;
    /// Entries of `sections`.
    pub const MAX_SECTIONS: usize = 100;
    /// A section's `name`/`title`, in characters.
    pub const MAX_SECTION_NAME_CHARS: usize = 200;
    /// Questions over all sections.
    pub const MAX_QUESTIONS: usize = 500;
    /// Answers of one question.
    pub const MAX_ANSWERS: usize = 50;
    /// A question's `text` or `prompt`, a section's `description`, in characters.
    pub const MAX_QUESTION_TEXT_CHARS: usize = 5_000;
    /// An answer's `label`, in characters.
    pub const MAX_LABEL_CHARS: usize = 500;
    /// A client-chosen section or question `id`, in characters.
    pub const MAX_ID_CHARS: usize = 100;
}

use limits::{MAX_DESCRIPTION_CHARS, MAX_MODEL_CHARS, MAX_NAME_CHARS, MAX_PROMPT_CHARS};

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuestionType {
    /// Exactly one of `answers`.
    Single,
    /// Any number of `answers`.
    Multiple,
    /// A number between `min` and `max`.
    Slider,
}

impl QuestionType {
    pub const ALL: &'static [QuestionType] = &[Self::Single, Self::Multiple, Self::Slider];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Single => "SINGLE",
            Self::Multiple => "MULTIPLE",
            Self::Slider => "SLIDER",
        }
    }

    /// Parses the exact API spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.as_str() == s)
    }
}

impl std::fmt::Display for QuestionType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Validates the body of a scorecard create request.
pub fn parse_scorecard(value: &Value) -> Result<ScorecardFields, ApiError> {
    let obj = object_body(value)?;
    let name = required_text(obj, "name", "name", MAX_NAME_CHARS)?;
    let description = optional_string(obj, "description", "description", MAX_DESCRIPTION_CHARS)?;
    let status = optional_enum(
        obj,
        "status",
        "status",
        ScorecardStatus::ALL,
        ScorecardStatus::as_str,
    )?
    .unwrap_or(ScorecardStatus::Draft);
    let prompt = optional_string(obj, "prompt", "prompt", MAX_PROMPT_CHARS)?;
    let model = optional_string(obj, "model", "model", MAX_MODEL_CHARS)?;
    let passing_score = optional(obj, "passingScore")
        .map(parse_passing_score)
        .transpose()?;
    let samples = optional(obj, "samples").map(parse_samples).transpose()?;
    let (sections, question_count) = match optional(obj, "sections") {
        Some(v) => sections::normalise_sections(v)?,
        None => (Value::Array(Vec::new()), 0),
    };
    if status == ScorecardStatus::Active && question_count == 0 {
        return Err(ApiError::invalid(
            "sections",
            "`sections` must contain at least one question when `status` is \"ACTIVE\"",
        ));
    }
    Ok(ScorecardFields {
        name,
        description,
        status,
        prompt,
        model,
        passing_score,
        sections,
        samples,
    })
}

/// Most AI samples per question a scorecard may ask for (each is a full model call).
pub const MAX_SAMPLES: i64 = 5;

fn parse_samples(value: &Value) -> Result<i64, ApiError> {
    match value.as_i64() {
        Some(n) if (1..=MAX_SAMPLES).contains(&n) => Ok(n),
        _ => Err(wrong("samples", "an integer from 1 to 5", value)),
    }
}

/// Applies a PATCH body to `existing`: only the keys present change; the result is validated
/// as a whole.
pub fn apply_patch(existing: &ScorecardFields, patch: &Value) -> Result<ScorecardFields, ApiError> {
    let changes = object_body(patch)?;
    if let Some(key) = ["name", "status"]
        .into_iter()
        .find(|k| changes.get(*k).is_some_and(Value::is_null))
    {
        return Err(ApiError::invalid(key, format!("`{key}` cannot be null")));
    }
    let mut merged = match fields_to_json(existing) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    for (key, value) in changes {
        if merged.contains_key(key) {
            merged.insert(key.clone(), value.clone());
        }
    }
    parse_scorecard(&Value::Object(merged))
}

/// The editable fields as API JSON (camelCase, absent values as null).
pub fn fields_to_json(fields: &ScorecardFields) -> Value {
    json!({
        "name": fields.name,
        "description": fields.description,
        "status": fields.status.as_str(),
        "prompt": fields.prompt,
        "model": fields.model,
        "passingScore": fields.passing_score,
        "sections": fields.sections,
        "samples": fields.samples,
    })
}

/// A stored scorecard as the API shows it: `id`, the fields, `createdAt`/`updatedAt` in
/// RFC 3339 (null in the impossible case of a time RFC 3339 cannot express).
pub fn scorecard_to_json(sc: &Scorecard) -> Value {
    let mut value = fields_to_json(&sc.fields);
    if let Value::Object(map) = &mut value {
        map.insert("id".into(), Value::from(sc.id.as_str()));
        map.insert("version".into(), Value::from(sc.version));
        map.insert("createdAt".into(), rfc3339(sc.created_at));
        map.insert("updatedAt".into(), rfc3339(sc.updated_at));
    }
    value
}

/// A scorecard version as `GET /api/v1/scorecards/{id}/versions/{n}` shows it.
pub fn version_to_json(v: &ScorecardVersion) -> Value {
    serde_json::json!({
        "scorecardId": v.scorecard_id,
        "version": v.version,
        "name": v.name,
        "prompt": v.prompt,
        "model": v.model,
        "passingScore": v.passing_score,
        "sections": v.sections,
        "samples": v.samples,
        "createdAt": rfc3339(v.created_at),
    })
}

fn rfc3339(t: OffsetDateTime) -> Value {
    t.format(&Rfc3339).map(Value::from).unwrap_or(Value::Null)
}

fn object_body(value: &Value) -> Result<&Map<String, Value>, ApiError> {
    value.as_object().ok_or_else(|| {
        ApiError::bad_request(
            "invalid_json",
            format!("a scorecard must be a JSON object, got {}", describe(value)),
        )
    })
}

fn parse_passing_score(value: &Value) -> Result<f64, ApiError> {
    let score = as_finite_f64(value, "passingScore")?;
    if (0.0..=100.0).contains(&score) {
        Ok(score)
    } else {
        Err(wrong("passingScore", "a number from 0 to 100", value))
    }
}

#[cfg(test)]
mod patch_tests;
#[cfg(test)]
mod tests;
