//! What an action does once its trigger fires: send a signed webhook, queue another
//! evaluation, or tag the interaction.

use serde::{Deserialize, Serialize};

/// JSON: `{"type": "WEBHOOK", "url", "payload"?, "includeTranscript"?, "includeMedia"?}`,
/// `{"type": "QUEUE_EVALUATION", "scorecardId"}`, `{"type": "ADD_TAG", "tag"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub enum Action {
    /// POST the event (or the rendered `payload` template) to `url`, signed.
    #[serde(rename_all = "camelCase")]
    Webhook {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payload: Option<String>,
        #[serde(default)]
        include_transcript: bool,
        #[serde(default)]
        include_media: bool,
    },
    /// Queue an evaluation of the same interaction against another scorecard, billed like
    /// any evaluation.
    #[serde(rename_all = "camelCase")]
    QueueEvaluation { scorecard_id: String },
    /// Link a tag (by id or name; a name not yet known is created) to the interaction.
    AddTag { tag: String },
}

/// Longest `tag` name an ADD_TAG action may carry (the upload's limit for tag names).
pub const MAX_TAG_CHARS: usize = 255;

impl Action {
    /// The webhook URL, for the SSRF check at save time.
    pub fn url(&self) -> Option<&str> {
        match self {
            Action::Webhook { url, .. } => Some(url),
            _ => None,
        }
    }

    /// The payload template of a webhook, to render at save time.
    pub fn template(&self) -> Option<&str> {
        match self {
            Action::Webhook { payload, .. } => payload.as_deref(),
            _ => None,
        }
    }

    /// Checks what serde cannot. `Err((field, reason))`, the field relative to the action.
    pub fn check(&self) -> Result<(), (String, String)> {
        match self {
            Action::Webhook { url, .. } if url.trim().is_empty() => {
                Err(("url".into(), "`url` must not be empty".into()))
            }
            Action::QueueEvaluation { scorecard_id } if scorecard_id.trim().is_empty() => Err((
                "scorecardId".into(),
                "`scorecardId` must not be empty".into(),
            )),
            Action::AddTag { tag } if tag.trim().is_empty() => {
                Err(("tag".into(), "`tag` must not be empty".into()))
            }
            Action::AddTag { tag } if tag.chars().count() > MAX_TAG_CHARS => Err((
                "tag".into(),
                format!("`tag` must be at most {MAX_TAG_CHARS} characters"),
            )),
            _ => Ok(()),
        }
    }

    /// The kind as stored and listed: WEBHOOK, QUEUE_EVALUATION or ADD_TAG.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Webhook { .. } => "WEBHOOK",
            Action::QueueEvaluation { .. } => "QUEUE_EVALUATION",
            Action::AddTag { .. } => "ADD_TAG",
        }
    }
}
