//! Listing interactions (`GET /api/v1/interactions`): the filters, metadata comparisons and
//! one page of results.

use time::OffsetDateTime;

use super::{Direction, InteractionRecord, InteractionType, MetadataValue};

/// Comparison for a metadata filter. Ordering comparisons apply to INT/FLOAT values only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetadataFilter {
    pub key: String,
    pub op: Comparison,
    pub value: MetadataValue,
}

/// Filters of `GET /api/v1/interactions`; all optional, combined with AND.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InteractionFilter {
    pub interaction_type: Option<InteractionType>,
    pub direction: Option<Direction>,
    /// Inclusive lower bound on the event time.
    pub from: Option<OffsetDateTime>,
    /// Exclusive upper bound on the event time.
    pub to: Option<OffsetDateTime>,
    /// Agent participant: its id or its sourceIdentifier.
    pub agent: Option<String>,
    /// Only this agent participant's interactions, by id: set by the server for an AGENT
    /// (`scorejar_core::roles`), never from the query string.
    pub restrict_to_agent: Option<String>,
    /// Tag id or name (case-insensitive).
    pub tag: Option<String>,
    /// Full-text search (`q`): every term must occur in the transcript or e-mail; empty = no
    /// search.
    pub search: Vec<crate::search::Term>,
    pub metadata: Vec<MetadataFilter>,
    /// Only interactions with an evaluation matching all of these.
    pub evaluation: EvaluationCriteria,
    /// Opaque cursor from a previous page (`nextCursor`).
    pub cursor: Option<String>,
    /// Page size, 1..=100.
    pub limit: u32,
}

/// What one of an interaction's evaluations must be (`evaluationStatus`, `passed`,
/// `needsReview`, `scoreMin`, `scoreMax`): one evaluation matching every criterion given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvaluationCriteria {
    pub status: Option<super::EvaluationStatus>,
    pub passed: Option<bool>,
    pub needs_review: Option<bool>,
    /// Inclusive bounds on the percentage (0..=100).
    pub score_min: Option<f64>,
    pub score_max: Option<f64>,
}

impl EvaluationCriteria {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Characters of a transcript's text (and of an e-mail's body) a list row carries, as a preview.
/// List pages carry summaries — a page of 100 long calls would otherwise be their whole
/// transcripts; the detail endpoint has everything.
pub const SUMMARY_TEXT_CHARS: usize = 200;

/// One page of interactions, newest event first (ties broken by id, descending). Rows are
/// summaries: a transcript's `text` is cut to [`SUMMARY_TEXT_CHARS`] characters and its
/// `segments` are left out.
#[derive(Debug, Clone, PartialEq)]
pub struct InteractionPage {
    pub data: Vec<InteractionRecord>,
    pub next_cursor: Option<String>,
    /// With a search (`q`): per interaction id, the passage that matched, its matched words
    /// between `search::MARK_START` and `search::MARK_END`.
    pub snippets: std::collections::HashMap<String, String>,
}
