//! Schemas of every route but the upload: request bodies as the handlers read them
//! (`required_str` and friends in `routes/`) and answers as they build them with `json!`.
//! Mirrors, like `upload.rs`; `tests/api/openapi_document.rs` checks real answers against them.

use super::upload::{DirectionDoc, InteractionTypeDoc};
use utoipa::ToSchema;

/// The envelope of every error answer (4xx/5xx), whatever produced it: a handler, an extractor,
/// the router (404, 405), a limit (413, 429, 503) or the HTTP parser (400, 414, 431).
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = Error)]
pub struct ErrorDoc {
    /// Always `false`.
    success: bool,
    error: ErrorDetailDoc,
}

#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = ErrorDetail)]
pub struct ErrorDetailDoc {
    /// Stable machine-readable code (`docs/api.md` lists them).
    #[schema(example = "invalid_field")]
    code: String,
    /// For people; may change.
    message: String,
    /// The request field at fault (a JSON path such as `agent.email`), when there is one.
    field: Option<String>,
}

/// Body of `POST /api/v1/tags` and `PATCH /api/v1/tags/{id}`.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = CreateTag)]
pub struct CreateTagDoc {
    /// Unique per account, case-insensitively; trimmed; 1–100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    name: String,
}

#[derive(ToSchema)]
#[allow(dead_code, non_camel_case_types)]
#[schema(as = Scope)]
pub enum ScopeDoc {
    upload,
    read,
    evaluate,
    scorecards,
    admin,
}

/// Body of `POST /api/v1/tokens`.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = CreateToken, rename_all = "camelCase")]
pub struct CreateTokenDoc {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    name: String,
    /// At least one; absent = the caller's own. A scope the caller lacks is a 403.
    #[schema(min_items = 1)]
    scopes: Option<Vec<ScopeDoc>>,
    /// In the future; absent = never (or the caller's own expiry, if it has one).
    #[schema(value_type = Option<String>, format = DateTime, example = "2027-01-31T00:00:00Z")]
    expires_at: Option<String>,
}

/// A new API token: the only time `token`, the secret, is shown.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = CreatedToken, rename_all = "camelCase")]
pub struct CreatedTokenDoc {
    id: String,
    name: String,
    /// The secret; send it as `Authorization: Bearer <token>`.
    token: String,
    scopes: Vec<ScopeDoc>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    expires_at: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    last_used_at: Option<String>,
}

/// Body of `POST /api/v1/auth/login`.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = Login)]
pub struct LoginDoc {
    #[schema(min_length = 1, pattern = r"\S", example = "jane@example.com")]
    email: String,
    #[schema(min_length = 1, pattern = r"\S", format = Password)]
    password: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = Session, rename_all = "camelCase")]
pub struct SessionDoc {
    /// A session access token, for `Authorization: Bearer …`.
    access_token: String,
    #[schema(format = DateTime)]
    expires_at: String,
}

/// Body of `POST /api/v1/ai/queue`.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = QueueEvaluation, rename_all = "camelCase")]
pub struct QueueEvaluationDoc {
    #[schema(min_length = 1, pattern = r"\S")]
    interaction_id: String,
    /// An ACTIVE scorecard of the account.
    #[schema(min_length = 1, pattern = r"\S")]
    scorecard_id: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = QueuedEvaluation, rename_all = "camelCase")]
pub struct QueuedEvaluationDoc {
    success: bool,
    score_submission_id: String,
}

#[derive(ToSchema)]
#[allow(dead_code, clippy::upper_case_acronyms)]
#[schema(as = ScorecardStatus)]
pub enum ScorecardStatusDoc {
    DRAFT,
    ACTIVE,
    ARCHIVED,
}

/// Body of `POST /api/v1/scorecards` (and, every field optional, of `PATCH`). `sections`,
/// their questions, answers and rules are checked by `scorejar_core::scorecard`
/// (`docs/scorecards.md`); an ACTIVE scorecard needs at least one question.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = ScorecardInput, rename_all = "camelCase")]
pub struct ScorecardInputDoc {
    #[schema(min_length = 1, pattern = r"\S")]
    name: String,
    description: Option<String>,
    /// DRAFT when absent.
    status: Option<ScorecardStatusDoc>,
    prompt: Option<String>,
    model: Option<String>,
    #[schema(minimum = 0, maximum = 100)]
    passing_score: Option<f64>,
    #[schema(value_type = Option<Vec<Object>>)]
    sections: Option<Vec<serde_json::Value>>,
    /// AI answers per question, majority wins (1 when absent).
    #[schema(minimum = 1, maximum = 5)]
    samples: Option<i64>,
}

/// Body of `PATCH /api/v1/scorecards/{id}`: the fields to change; the result is validated as a
/// whole, like a new scorecard.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = ScorecardPatch, rename_all = "camelCase")]
pub struct ScorecardPatchDoc {
    #[schema(min_length = 1, pattern = r"\S")]
    name: Option<String>,
    description: Option<String>,
    status: Option<ScorecardStatusDoc>,
    prompt: Option<String>,
    model: Option<String>,
    #[schema(minimum = 0, maximum = 100)]
    passing_score: Option<f64>,
    #[schema(value_type = Option<Vec<Object>>)]
    sections: Option<Vec<serde_json::Value>>,
    /// AI answers per question, majority wins (1 when absent).
    #[schema(minimum = 1, maximum = 5)]
    samples: Option<i64>,
}

/// A stored scorecard: its fields as given (normalised) plus `id`, `createdAt`, `updatedAt`.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = Scorecard, rename_all = "camelCase")]
pub struct ScorecardDoc {
    id: String,
    name: String,
    description: Option<String>,
    status: ScorecardStatusDoc,
    prompt: Option<String>,
    model: Option<String>,
    passing_score: Option<f64>,
    #[schema(value_type = Vec<Object>)]
    sections: Vec<serde_json::Value>,
    samples: Option<i64>,
    /// The current version: a change of sections, prompt, model or passing score makes the
    /// next one.
    version: i64,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// One immutable version of a scorecard.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = ScorecardVersion, rename_all = "camelCase")]
pub struct ScorecardVersionDoc {
    scorecard_id: String,
    version: i64,
    name: String,
    prompt: Option<String>,
    model: Option<String>,
    passing_score: Option<f64>,
    #[schema(value_type = Vec<Object>)]
    sections: Vec<serde_json::Value>,
    samples: Option<i64>,
    #[schema(format = DateTime)]
    created_at: String,
}

/// An evaluation (score submission); the result fields appear once it is COMPLETED
/// (`docs/evaluation.md`).
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = ScoreSubmission, rename_all = "camelCase")]
pub struct ScoreSubmissionDoc {
    id: String,
    /// The same as `id`.
    score_submission_id: String,
    interaction_id: String,
    scorecard_id: String,
    scorecard_version: Option<i64>,
    /// QUEUED, PROCESSING, COMPLETED or FAILED.
    status: String,
    error: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    completed_at: Option<String>,
    /// AI, RULES or MIXED.
    engine: Option<String>,
    /// `provider/model`, or `rules`.
    model: Option<String>,
    /// `{earned, possible, percentage}`.
    #[schema(value_type = Option<Object>)]
    score: Option<serde_json::Value>,
    passed: Option<bool>,
    auto_failed: Option<Vec<String>>,
    needs_review: Option<bool>,
    #[schema(value_type = Option<Vec<Object>>)]
    sections: Option<Vec<serde_json::Value>>,
    /// `{questionId, answers, value, points, possible, na, autoFail, explanation, evidence
    /// [{text, start, end, speaker, line}], source, needsReview, confidence}`.
    #[schema(value_type = Option<Vec<Object>>)]
    answers: Option<Vec<serde_json::Value>>,
    /// `{promptTokens, completionTokens, latencyMs, cost, requests}`.
    #[schema(value_type = Option<Object>)]
    usage: Option<serde_json::Value>,
    prompt_sha256: Option<String>,
    /// The model's raw replies (single-evaluation endpoint only).
    raw_output: Option<Vec<String>>,
    /// Reviewer overrides, oldest first: `{by, at, reason, questionIds, percentageBefore,
    /// percentageAfter}`.
    #[schema(value_type = Option<Vec<Object>>)]
    reviews: Option<Vec<serde_json::Value>>,
    /// Attempts of the job that drives it (interaction view).
    attempts: Option<i64>,
    /// The error of its latest failed attempt (interaction view).
    last_error: Option<String>,
}

/// An interaction as `GET /api/v1/interactions/{id}` shows it (`docs/api.md` describes every
/// field). The list shows the same rows as summaries: `transcript.preview` instead of
/// `text`/`segments`, `email.bodyPreview` instead of `body`, and no `jobs`.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = Interaction, rename_all = "camelCase")]
pub struct InteractionDoc {
    id: String,
    source_identifier: String,
    interaction_type: InteractionTypeDoc,
    direction: DirectionDoc,
    #[schema(format = DateTime)]
    timestamp: String,
    duration: Option<i64>,
    download_url: Option<String>,
    #[schema(value_type = Option<Object>)]
    agent: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    customer: Option<serde_json::Value>,
    tags: Vec<crate::routes::tags::TagView>,
    #[schema(value_type = Object)]
    custom_metadata: serde_json::Value,
    #[schema(value_type = Object)]
    custom_metadata_types: serde_json::Value,
    #[schema(value_type = Option<Object>)]
    media: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    transcript: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    email: Option<serde_json::Value>,
    evaluations: Vec<ScoreSubmissionDoc>,
    processing: InteractionProcessingDoc,
    credits_charged: i64,
    #[schema(format = DateTime)]
    created_at: String,
    /// The interaction's jobs (`kind`, `status`, `attempts`, `lastError`, …); detail view only.
    #[schema(value_type = Option<Vec<Object>>)]
    jobs: Option<Vec<serde_json::Value>>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = InteractionProcessing)]
pub struct InteractionProcessingDoc {
    transcription: bool,
    evaluation: bool,
    /// True once no step and no job is left to run.
    complete: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = InteractionList, rename_all = "camelCase")]
pub struct InteractionListDoc {
    data: Vec<InteractionDoc>,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = Health)]
pub struct HealthDoc {
    /// `ok` or `unavailable`.
    status: String,
    /// `sqlite` or `postgres` (only when healthy).
    database: Option<String>,
}

/// Body of `PATCH /api/v1/score-submissions/{id}`.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = Override)]
pub struct OverrideDoc {
    /// Each `{questionId, answers: [labels]}`, `{questionId, value}` (SLIDER) or
    /// `{questionId, na: true}`.
    #[schema(value_type = Vec<Object>)]
    answers: Vec<serde_json::Value>,
    /// Why; required.
    reason: String,
}

/// A page of `GET /api/v1/score-submissions`: summary rows (no answers, sections or usage).
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = ScoreSubmissionList, rename_all = "camelCase")]
pub struct ScoreSubmissionListDoc {
    data: Vec<ScoreSubmissionDoc>,
    next_cursor: Option<String>,
}

/// Body of `POST /api/v1/scorecards/{id}/actions` (and `…/actions/preview`).
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = ActionInput)]
pub struct ActionInputDoc {
    /// When it runs: `{"type": "EVALUATION_COMPLETED"}`, `{"type": "ANSWER", "questionId",
    /// "answer"}`, `{"type": "SCORE", "op": ">=" | ">" | "<=" | "<", "percentage" | "points"}`,
    /// `{"type": "PASS_FAIL", "passed"}`, `{"type": "NEEDS_REVIEW"}`.
    #[schema(value_type = Object)]
    trigger: serde_json::Value,
    /// What it does: `{"type": "WEBHOOK", "url", "payload"?, "includeTranscript"?,
    /// "includeMedia"?}`, `{"type": "QUEUE_EVALUATION", "scorecardId"}`, `{"type": "ADD_TAG",
    /// "tag"}`.
    #[schema(value_type = Object)]
    action: serde_json::Value,
    /// Default true.
    enabled: Option<bool>,
}

/// Body of `PATCH /api/v1/scorecards/{id}/actions/{actionId}`: at least one field.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = ActionPatch)]
pub struct ActionPatchDoc {
    #[schema(value_type = Option<Object>)]
    trigger: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    action: Option<serde_json::Value>,
    enabled: Option<bool>,
}

/// Body of `POST /api/v1/webhook-deliveries/replay`.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = Replay, rename_all = "camelCase")]
pub struct ReplayDoc {
    /// An endpoint's or a WEBHOOK action's id.
    #[schema(min_length = 1)]
    endpoint_id: String,
    /// FAILED messages created at or after this time are sent again.
    #[schema(format = DateTime)]
    since: String,
}

#[derive(ToSchema)]
#[allow(dead_code, non_camel_case_types)]
#[schema(as = EventType)]
pub enum EventTypeDoc {
    #[schema(rename = "interaction.created")]
    interaction_created,
    #[schema(rename = "transcription.completed")]
    transcription_completed,
    #[schema(rename = "transcription.failed")]
    transcription_failed,
    #[schema(rename = "evaluation.completed")]
    evaluation_completed,
    #[schema(rename = "evaluation.failed")]
    evaluation_failed,
    #[schema(rename = "message.attempt.exhausted")]
    message_attempt_exhausted,
}

/// Body of `POST /api/v1/webhook-endpoints`.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = EndpointInput, rename_all = "camelCase")]
pub struct EndpointInputDoc {
    /// http(s); checked against the SSRF rules (`fetch.allowed_internal_hosts` applies).
    #[schema(min_length = 1, pattern = r"\S")]
    url: String,
    /// The event types it receives; absent or null: every type.
    #[schema(min_items = 1)]
    event_types: Option<Vec<EventTypeDoc>>,
    #[schema(max_length = 500)]
    description: Option<String>,
    /// Default true.
    enabled: Option<bool>,
}

/// Body of `PATCH /api/v1/webhook-endpoints/{id}`: at least one field.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = EndpointPatch, rename_all = "camelCase")]
pub struct EndpointPatchDoc {
    #[schema(min_length = 1, pattern = r"\S")]
    url: Option<String>,
    #[schema(min_items = 1)]
    event_types: Option<Vec<EventTypeDoc>>,
    #[schema(max_length = 500)]
    description: Option<String>,
    enabled: Option<bool>,
}
