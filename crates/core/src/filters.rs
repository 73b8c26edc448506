//! The query string of `GET /api/v1/interactions`, parsed into an [`InteractionFilter`].
//!
//! Parameters (values already percent-decoded by the caller):
//! - `type` (alias `interactionType`), `direction`: exact API spellings.
//! - `from` (inclusive), `to` (exclusive): event-time bounds, parsed like an upload `timestamp`
//!   (RFC 3339; no offset = UTC). A `+` offset that form-decoding turned into a space
//!   (`...T16:30:00 02:00`) is read as `+`. `from` must be before `to`.
//! - `agent` (participant id or sourceIdentifier), `tag` (tag id or name): at most 255 chars.
//! - `q`: full-text search of transcripts and e-mails (`crate::search`: words and "phrases",
//!   all of them required).
//! - `limit`: 1..=100, default 50. `cursor`: a `nextCursor` from a previous page.
//! - `metadata.<key>=<value>` (equality) and `metadata.<key>[op]=<value>` with `op` one of
//!   `eq`, `ne`, `gt`, `gte`, `lt`, `lte`; at most 20 of them, all combined with AND. The value
//!   is typed: `true`/`false` → BOOLEAN, a JSON integer literal within i64 → INT, another JSON
//!   number literal → FLOAT, anything else → STRING (so `007` or `+5` stay strings). Ordering
//!   operators need a number.
//!
//! - `evaluationStatus` (QUEUED, PROCESSING, COMPLETED, FAILED), `passed` and `needsReview`
//!   (`true`/`false`), `scoreMin` / `scoreMax` (inclusive, 0..=100): interactions with one
//!   evaluation matching every one of these given (`needsReview` is the evaluation's flag).
//!
//! A parameter with an empty value counts as absent (except metadata equality, where the empty
//! string is a value). Other parameters, and a parameter given twice, are 400.

use crate::cursor::Cursor;
use crate::error::ApiError;
use crate::model::{
    Comparison, Direction, EvaluationStatus, InteractionFilter, InteractionType, MetadataFilter,
    MetadataValue,
};
use crate::payload::fields::{one_of, quote};
use crate::payload::{check_metadata_key, parse_timestamp};

/// Page size when `limit` is absent.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest accepted `limit`.
pub const MAX_LIMIT: u32 = 100;
/// Most `metadata.*` filters in one query.
pub const MAX_METADATA_FILTERS: usize = 20;
/// Longest `agent` or `tag` value, in characters.
pub const MAX_REFERENCE_CHARS: usize = 255;

/// Listed in the message for an unknown parameter.
const SUPPORTED: &str = "type (or interactionType), direction, from, to, agent, tag, q, \
                         evaluationStatus, passed, needsReview, scoreMin, scoreMax, \
                         limit, cursor, metadata.<key>, metadata.<key>[op]";

/// Parses the decoded query pairs of an interaction listing.
pub fn parse_interaction_filter(pairs: &[(String, String)]) -> Result<InteractionFilter, ApiError> {
    let mut filter = InteractionFilter {
        limit: DEFAULT_LIMIT,
        ..InteractionFilter::default()
    };
    let mut seen: Vec<Param> = Vec::new();
    for (name, value) in pairs {
        if let Some(spec) = name.strip_prefix("metadata.") {
            if filter.metadata.len() == MAX_METADATA_FILTERS {
                return Err(ApiError::invalid(
                    name,
                    format!("at most {MAX_METADATA_FILTERS} metadata filters are allowed"),
                ));
            }
            filter
                .metadata
                .push(parse_metadata_filter(name, spec, value)?);
            continue;
        }
        let Some(param) = Param::from_name(name) else {
            return Err(ApiError::bad_request(
                "unknown_parameter",
                format!("unknown query parameter `{name}`; supported: {SUPPORTED}"),
            )
            .with_field(name));
        };
        if value.is_empty() {
            continue;
        }
        if seen.contains(&param) {
            let message = if name == param.canonical() {
                format!("`{name}` is given more than once")
            } else {
                format!(
                    "`{name}` repeats `{}`: they are the same parameter",
                    param.canonical()
                )
            };
            return Err(ApiError::invalid(name, message));
        }
        seen.push(param);
        apply(&mut filter, param, name, value)?;
    }
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        if from >= to {
            return Err(ApiError::invalid("to", "`to` must be after `from`"));
        }
    }
    let e = &filter.evaluation;
    if let (Some(min), Some(max)) = (e.score_min, e.score_max) {
        if min > max {
            return Err(ApiError::invalid(
                "scoreMax",
                "`scoreMax` must not be below `scoreMin`",
            ));
        }
    }
    Ok(filter)
}

/// `true` or `false`.
pub(crate) fn boolean(name: &str, value: &str) -> Result<bool, ApiError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ApiError::invalid(
            name,
            format!("`{name}` must be true or false, got {}", quote(value)),
        )),
    }
}

/// A percentage bound: a number from 0 to 100.
fn score_bound(name: &str, value: &str) -> Result<f64, ApiError> {
    value
        .parse::<f64>()
        .ok()
        .filter(|v| (0.0..=100.0).contains(v))
        .ok_or_else(|| {
            ApiError::invalid(
                name,
                format!(
                    "`{name}` must be a number from 0 to 100, got {}",
                    quote(value)
                ),
            )
        })
}

/// The plain (non-metadata) parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Param {
    Type,
    Direction,
    From,
    To,
    Agent,
    Tag,
    Query,
    EvaluationStatus,
    Passed,
    NeedsReview,
    ScoreMin,
    ScoreMax,
    Limit,
    Cursor,
}

impl Param {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "type" | "interactionType" => Self::Type,
            "direction" => Self::Direction,
            "from" => Self::From,
            "to" => Self::To,
            "agent" => Self::Agent,
            "tag" => Self::Tag,
            "q" => Self::Query,
            "evaluationStatus" => Self::EvaluationStatus,
            "passed" => Self::Passed,
            "needsReview" => Self::NeedsReview,
            "scoreMin" => Self::ScoreMin,
            "scoreMax" => Self::ScoreMax,
            "limit" => Self::Limit,
            "cursor" => Self::Cursor,
            _ => return None,
        })
    }

    fn canonical(self) -> &'static str {
        match self {
            Self::Type => "type",
            Self::Direction => "direction",
            Self::From => "from",
            Self::To => "to",
            Self::Agent => "agent",
            Self::Tag => "tag",
            Self::Query => "q",
            Self::EvaluationStatus => "evaluationStatus",
            Self::Passed => "passed",
            Self::NeedsReview => "needsReview",
            Self::ScoreMin => "scoreMin",
            Self::ScoreMax => "scoreMax",
            Self::Limit => "limit",
            Self::Cursor => "cursor",
        }
    }
}

fn apply(
    filter: &mut InteractionFilter,
    param: Param,
    name: &str,
    value: &str,
) -> Result<(), ApiError> {
    match param {
        Param::Type => {
            filter.interaction_type = Some(spelled(
                name,
                value,
                InteractionType::ALL,
                InteractionType::as_str,
            )?)
        }
        Param::Direction => {
            filter.direction = Some(spelled(name, value, Direction::ALL, Direction::as_str)?)
        }
        Param::From => filter.from = Some(time_bound(name, value)?),
        Param::To => filter.to = Some(time_bound(name, value)?),
        Param::Agent => filter.agent = Some(reference(name, value)?),
        Param::Tag => filter.tag = Some(reference(name, value)?),
        Param::Query => filter.search = crate::search::parse_query(value)?,
        Param::EvaluationStatus => {
            filter.evaluation.status = Some(spelled(
                name,
                value,
                EvaluationStatus::ALL,
                EvaluationStatus::as_str,
            )?)
        }
        Param::Passed => filter.evaluation.passed = Some(boolean(name, value)?),
        Param::NeedsReview => filter.evaluation.needs_review = Some(boolean(name, value)?),
        Param::ScoreMin => filter.evaluation.score_min = Some(score_bound(name, value)?),
        Param::ScoreMax => filter.evaluation.score_max = Some(score_bound(name, value)?),
        Param::Limit => filter.limit = limit(value)?,
        Param::Cursor => {
            if Cursor::decode(value).is_none() {
                return Err(ApiError::invalid(
                    "cursor",
                    "`cursor` is not a `nextCursor` returned by this API",
                ));
            }
            filter.cursor = Some(value.to_string());
        }
    }
    Ok(())
}

pub(crate) fn spelled<T: Copy>(
    name: &str,
    value: &str,
    all: &[T],
    spell: fn(T) -> &'static str,
) -> Result<T, ApiError> {
    all.iter()
        .copied()
        .find(|t| spell(*t) == value)
        .ok_or_else(|| {
            ApiError::invalid(
                name,
                format!(
                    "`{name}` must be {}, got {}",
                    one_of(all.iter().map(|t| spell(*t))),
                    quote(value)
                ),
            )
        })
}

pub(crate) fn time_bound(name: &str, value: &str) -> Result<time::OffsetDateTime, ApiError> {
    parse_timestamp(value)
        .or_else(|| {
            // `+02:00` sent unencoded arrives as ` 02:00` after form decoding.
            let (head, tail) = value.rsplit_once(' ')?;
            parse_timestamp(&format!("{head}+{tail}"))
        })
        .ok_or_else(|| {
            ApiError::invalid(
                name,
                format!(
                    "`{name}` must be an RFC 3339 date-time such as 2026-06-23T14:30:00Z, got {}",
                    quote(value)
                ),
            )
        })
}

pub(crate) fn reference(name: &str, value: &str) -> Result<String, ApiError> {
    if value.chars().count() > MAX_REFERENCE_CHARS {
        return Err(ApiError::invalid(
            name,
            format!("`{name}` must be at most {MAX_REFERENCE_CHARS} characters long"),
        ));
    }
    Ok(value.to_string())
}

pub(crate) fn limit(value: &str) -> Result<u32, ApiError> {
    let parsed = value
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| value.parse::<u32>().ok())
        .flatten();
    match parsed {
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(ApiError::invalid(
            "limit",
            format!(
                "`limit` must be an integer from 1 to {MAX_LIMIT}, got {}",
                quote(value)
            ),
        )),
    }
}

/// `spec` is what follows `metadata.`: `<key>` or `<key>[op]`.
fn parse_metadata_filter(name: &str, spec: &str, value: &str) -> Result<MetadataFilter, ApiError> {
    let (key, op) = match spec.strip_suffix(']').and_then(|s| s.rsplit_once('[')) {
        Some((key, op)) => (key, comparison(name, op)?),
        None => (spec, Comparison::Eq),
    };
    check_metadata_key(key)
        .map_err(|reason| ApiError::invalid(name, format!("`{name}`: {reason}")))?;
    let typed = typed_query_value(value);
    let ordering = matches!(
        op,
        Comparison::Gt | Comparison::Gte | Comparison::Lt | Comparison::Lte
    );
    if ordering && typed.as_f64().is_none() {
        return Err(ApiError::invalid(
            name,
            format!(
                "`{name}` compares by order and needs a number, got {}",
                quote(value)
            ),
        ));
    }
    Ok(MetadataFilter {
        key: key.to_string(),
        op,
        value: typed,
    })
}

fn comparison(name: &str, op: &str) -> Result<Comparison, ApiError> {
    Ok(match op {
        "eq" => Comparison::Eq,
        "ne" => Comparison::Ne,
        "gt" => Comparison::Gt,
        "gte" => Comparison::Gte,
        "lt" => Comparison::Lt,
        "lte" => Comparison::Lte,
        _ => {
            return Err(ApiError::invalid(
                name,
                format!(
                    "`{name}`: unknown comparison {}; use eq, ne, gt, gte, lt or lte",
                    quote(op)
                ),
            ))
        }
    })
}

/// The typed form of a metadata filter value (see the module rules).
pub fn typed_query_value(value: &str) -> MetadataValue {
    match value {
        "true" => return MetadataValue::Boolean(true),
        "false" => return MetadataValue::Boolean(false),
        _ => {}
    }
    if is_json_number(value) {
        if let Ok(i) = value.parse::<i64>() {
            return MetadataValue::Int(i);
        }
        if let Some(f) = value.parse::<f64>().ok().filter(|f| f.is_finite()) {
            return MetadataValue::Float(f);
        }
    }
    MetadataValue::String(value.to_string())
}

/// The JSON number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_json_number(s: &str) -> bool {
    fn digits(b: &[u8], mut i: usize) -> usize {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    }
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(b, i),
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        let end = digits(b, i + 1);
        if end == i + 1 {
            return false;
        }
        i = end;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let end = digits(b, i);
        if end == i {
            return false;
        }
        i = end;
    }
    i == b.len()
}

#[cfg(test)]
#[path = "filters_tests.rs"]
mod tests;
