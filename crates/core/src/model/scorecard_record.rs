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
    /// How many times the AI answers each question (majority wins); `None` = 1.
    pub samples: Option<i64>,
}

impl ScorecardFields {
    /// Whether `other` scores differently: a change of sections, prompt, model or passing
    /// score makes a new scorecard version; name, description and status do not.
    pub fn scoring_differs(&self, other: &ScorecardFields) -> bool {
        self.sections != other.sections
            || self.prompt != other.prompt
            || self.model != other.model
            || self.passing_score != other.passing_score
            || self.samples != other.samples
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    pub id: String,
    pub fields: ScorecardFields,
    /// The current version (1 when created; see [`ScorecardFields::scoring_differs`]).
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// One immutable version of a scorecard: what an evaluation scored against.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorecardVersion {
    pub scorecard_id: String,
    pub version: i64,
    pub name: String,
    pub prompt: Option<String>,
    pub model: Option<String>,
    pub passing_score: Option<f64>,
    pub sections: serde_json::Value,
    pub samples: Option<i64>,
    pub created_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields() -> ScorecardFields {
        ScorecardFields {
            name: "QA".into(),
            description: None,
            status: ScorecardStatus::Active,
            prompt: Some("p".into()),
            model: Some("rules".into()),
            passing_score: Some(80.0),
            sections: json!([{"id": "s"}]),
            samples: None,
        }
    }

    #[test]
    fn only_what_scoring_reads_makes_a_new_version() {
        type Change = fn(&mut ScorecardFields);
        let cases: [(&str, Change, bool); 8] = [
            ("name", |f| f.name = "other".into(), false),
            ("description", |f| f.description = Some("d".into()), false),
            ("status", |f| f.status = ScorecardStatus::Archived, false),
            ("prompt", |f| f.prompt = None, true),
            ("model", |f| f.model = Some("local/x".into()), true),
            ("passing score", |f| f.passing_score = Some(70.0), true),
            ("sections", |f| f.sections = json!([]), true),
            ("samples", |f| f.samples = Some(3), true),
        ];
        for (what, change, differs) in cases {
            let mut changed = fields();
            change(&mut changed);
            assert_eq!(fields().scoring_differs(&changed), differs, "{what}");
        }
    }
}
