//! The stored scorecard and its editable fields (its status enum is in `enums.rs`). Plain data:
//! the JSON validation of scorecards is the separate `crate::scorecard` module.

use time::OffsetDateTime;

use super::ScorecardStatus;

/// A scorecard's editable fields. `sections` is validated JSON (see `scorecard` module).
#[derive(Debug, Clone, PartialEq)]
pub struct ScorecardFields {
    pub name: String,
    pub description: Option<String>,
    pub status: ScorecardStatus,
    pub prompt: Option<String>,
    pub model: Option<String>,
    pub passing_score: Option<f64>,
    pub sections: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    pub id: String,
    pub fields: ScorecardFields,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}
