//! The query string of `GET /api/v1/score-submissions`, parsed into an [`EvaluationFilter`].
//!
//! Parameters: `scorecard` (scorecard id), `agent` (agent participant id or sourceIdentifier),
//! `from` (inclusive) / `to` (exclusive) on the evaluation's creation time (RFC 3339), `status`
//! (QUEUED, PROCESSING, COMPLETED, FAILED), `passed` and `needsReview` (`true`/`false`), `limit`
//! (1..=100, default 50) and `cursor` (a `nextCursor`). The same rules as the interaction list:
//! an empty value counts as absent; an unknown or repeated parameter is a 400.

use time::OffsetDateTime;

use crate::cursor::Cursor;
use crate::error::ApiError;
use crate::filters::{boolean, limit, reference, spelled, time_bound, DEFAULT_LIMIT};
use crate::model::EvaluationStatus;

/// What to list, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvaluationFilter {
    pub scorecard_id: Option<String>,
    pub agent: Option<String>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
    pub status: Option<EvaluationStatus>,
    pub passed: Option<bool>,
    pub needs_review: Option<bool>,
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

/// A page of evaluations (summary rows: `result` holds only `engine`, `score.percentage`,
/// `passed` and `needsReview`).
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationPage {
    pub data: Vec<crate::model::EvaluationRecord>,
    pub next_cursor: Option<String>,
}

const PARAMS: [&str; 9] = [
    "scorecard",
    "agent",
    "from",
    "to",
    "status",
    "passed",
    "needsReview",
    "limit",
    "cursor",
];

/// Parses the decoded query pairs of a score-submission listing.
pub fn parse_evaluation_filter(pairs: &[(String, String)]) -> Result<EvaluationFilter, ApiError> {
    let mut filter = EvaluationFilter {
        limit: DEFAULT_LIMIT,
        ..Default::default()
    };
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in pairs {
        let Some(param) = PARAMS.iter().find(|p| **p == name) else {
            return Err(ApiError::bad_request(
                "unknown_parameter",
                format!(
                    "unknown query parameter `{name}`; supported: {}",
                    PARAMS.join(", ")
                ),
            )
            .with_field(name));
        };
        if value.is_empty() {
            continue;
        }
        if seen.contains(param) {
            return Err(ApiError::invalid(
                name,
                format!("`{name}` is given more than once"),
            ));
        }
        seen.push(param);
        match *param {
            "scorecard" => filter.scorecard_id = Some(reference(name, value)?),
            "agent" => filter.agent = Some(reference(name, value)?),
            "from" => filter.from = Some(time_bound(name, value)?),
            "to" => filter.to = Some(time_bound(name, value)?),
            "status" => {
                filter.status = Some(spelled(
                    name,
                    value,
                    EvaluationStatus::ALL,
                    EvaluationStatus::as_str,
                )?)
            }
            "passed" => filter.passed = Some(boolean(name, value)?),
            "needsReview" => filter.needs_review = Some(boolean(name, value)?),
            "limit" => filter.limit = limit(value)?,
            _ => {
                filter.cursor = Some(Cursor::decode(value).ok_or_else(|| {
                    ApiError::invalid(
                        "cursor",
                        "`cursor` is not a `nextCursor` returned by this API",
                    )
                })?)
            }
        }
    }
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        if from >= to {
            return Err(ApiError::invalid("to", "`to` must be after `from`"));
        }
    }
    Ok(filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &[(&str, &str)]) -> Result<EvaluationFilter, String> {
        let pairs: Vec<(String, String)> = q
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse_evaluation_filter(&pairs).map_err(|e| format!("{:?}", e.field))
    }

    #[test]
    fn filters_parse_or_name_the_parameter() {
        let ok = parse(&[
            ("scorecard", "sc"),
            ("status", "COMPLETED"),
            ("passed", "false"),
            ("needsReview", "true"),
            ("limit", "10"),
            ("agent", ""),
        ])
        .unwrap();
        assert_eq!(
            (
                ok.scorecard_id.as_deref(),
                ok.status,
                ok.passed,
                ok.needs_review,
                ok.limit,
                ok.agent
            ),
            (
                Some("sc"),
                Some(EvaluationStatus::Completed),
                Some(false),
                Some(true),
                10,
                None
            )
        );
        assert_eq!(parse(&[]).unwrap().limit, DEFAULT_LIMIT);
        let cases: [(&[(&str, &str)], &str); 6] = [
            (&[("score", "1")], "Some(\"score\")"),
            (&[("status", "DONE")], "Some(\"status\")"),
            (&[("passed", "yes")], "Some(\"passed\")"),
            (&[("limit", "0")], "Some(\"limit\")"),
            (&[("cursor", "!!")], "Some(\"cursor\")"),
            (
                &[
                    ("from", "2026-02-01T00:00:00Z"),
                    ("to", "2026-01-01T00:00:00Z"),
                ],
                "Some(\"to\")",
            ),
        ];
        for (q, field) in cases {
            assert_eq!(parse(q).unwrap_err(), field, "{q:?}");
        }
    }
}
