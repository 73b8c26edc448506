//! A background job to enqueue with the change it follows (`NewJob`). Job kinds and retry
//! budgets are in `crate::jobs`; jobs as stored are the store's `JobState`.

/// A background job to enqueue in the same transaction as the change it follows.
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
