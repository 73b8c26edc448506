//! Background jobs: one to enqueue with a change (`NewJob`) and one as queued (`JobRecord`).
//! Job kinds and retry budgets are in `crate::jobs`.

/// A background job to enqueue in the same transaction as the upload.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub id: String,
    /// Imperative noun: `FetchMedia`, `Transcribe`, `Evaluate`, ...
    pub kind: String,
    pub interaction_id: Option<String>,
    pub payload: serde_json::Value,
}

impl NewJob {
    /// A job with a fresh id.
    pub fn new(
        kind: impl Into<String>,
        interaction_id: Option<String>,
        payload: serde_json::Value,
    ) -> Self {
        Self {
            id: crate::ids::new_id(),
            kind: kind.into(),
            interaction_id,
            payload,
        }
    }
}

/// A queued job, as the status endpoint and tests see it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}
