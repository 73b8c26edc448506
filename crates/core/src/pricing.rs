//! What an upload (or a queued evaluation) costs, in credits. Work is charged when it is queued.
//!
//! Rules:
//! - Transcription (media without a provided transcript; a transcript of hints only still
//!   needs transcription): per started minute of media. Media always costs at least one
//!   minute, so a 0 ms file costs 1; an unknown duration (a `downloadUrl` upload without
//!   `duration`) reserves one minute.
//! - Evaluation: per started minute when a media duration is known; otherwise, when media still
//!   has to be transcribed (duration unknown), one minute; otherwise per started 100 words of the
//!   transcript text (whitespace-separated). An evaluation always costs at least one unit.
//! - Negative rates count as 0; every sum and product saturates instead of overflowing.

use crate::model::{InteractionRecord, InteractionType};
use crate::payload::UploadPayload;

/// Credits per unit of work. The defaults charge one credit per unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rates {
    pub transcription_per_minute: i64,
    pub evaluation_per_minute: i64,
    pub evaluation_per_100_words: i64,
}

impl Default for Rates {
    fn default() -> Self {
        Self {
            transcription_per_minute: 1,
            evaluation_per_minute: 1,
            evaluation_per_100_words: 1,
        }
    }
}

/// The facts pricing depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceInput<'a> {
    /// Media that has to go through speech-to-text.
    pub needs_transcription: bool,
    /// An evaluation is queued.
    pub evaluation: bool,
    /// Probed media duration, or the declared `duration` when the media is not fetched yet;
    /// `None` when unknown or when there is no media.
    pub media_duration_ms: Option<i64>,
    /// The transcript text (given or derived), when there is one.
    pub transcript_text: Option<&'a str>,
}

impl<'a> PriceInput<'a> {
    /// The facts of an upload of `interaction_type`. `has_media`: a file was uploaded or a
    /// `downloadUrl` given. `duration_ms`: the declared or probed duration, counted for audio
    /// and video only. The text priced is the provided transcript's, else the e-mail body.
    pub fn for_upload(
        payload: &'a UploadPayload,
        interaction_type: InteractionType,
        has_media: bool,
        duration_ms: Option<i64>,
    ) -> Self {
        let provided = payload.provided_transcript();
        let is_av = matches!(
            interaction_type,
            InteractionType::Audio | InteractionType::Video
        );
        PriceInput {
            needs_transcription: has_media && provided.is_none(),
            evaluation: payload.evaluation.is_some(),
            media_duration_ms: duration_ms.filter(|_| is_av),
            transcript_text: provided
                .map(|t| t.text.as_str())
                .or_else(|| payload.email.as_ref().and_then(|e| e.body.as_deref())),
        }
    }
}

impl<'a> PriceInput<'a> {
    /// The facts of one more evaluation of a stored interaction (`POST /api/v1/ai/queue`, and
    /// what a failed evaluation gives back): its media minutes for audio and video, else its
    /// transcript text or e-mail body.
    pub fn for_evaluation(interaction: &'a InteractionRecord) -> Self {
        let is_av = matches!(
            interaction.interaction_type,
            InteractionType::Audio | InteractionType::Video
        );
        let duration = interaction
            .duration_ms
            .or_else(|| interaction.media.as_ref().and_then(|m| m.info.duration_ms));
        PriceInput {
            needs_transcription: false,
            evaluation: true,
            media_duration_ms: if is_av { duration } else { None },
            transcript_text: interaction
                .transcript
                .as_ref()
                .and_then(|t| t.text.as_deref())
                .or_else(|| interaction.email.as_ref().and_then(|e| e.body.as_deref())),
        }
    }
}

/// A priced upload. `total` is what to debit; `reason` is the ledger text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Price {
    pub transcription: i64,
    pub evaluation: i64,
    pub total: i64,
    /// E.g. `transcription 2 min + evaluation 2 min`, `evaluation 3 × 100 words`, `no charge`.
    pub reason: String,
}

/// Prices one upload (see the module rules).
pub fn price(input: &PriceInput, rates: &Rates) -> Price {
    let media_minutes = input.media_duration_ms.map(|ms| started_minutes(ms).max(1));
    let mut parts = Vec::new();

    let transcription = if input.needs_transcription {
        let minutes = media_minutes.unwrap_or(1);
        parts.push(format!("transcription {minutes} min"));
        minutes.saturating_mul(rates.transcription_per_minute.max(0))
    } else {
        0
    };

    let evaluation = if !input.evaluation {
        0
    } else if let Some(minutes) = media_minutes.or(input.needs_transcription.then_some(1)) {
        parts.push(format!("evaluation {minutes} min"));
        minutes.saturating_mul(rates.evaluation_per_minute.max(0))
    } else {
        let hundreds = started_hundreds_of_words(input.transcript_text.unwrap_or("")).max(1);
        parts.push(format!("evaluation {hundreds} × 100 words"));
        hundreds.saturating_mul(rates.evaluation_per_100_words.max(0))
    };

    let reason = if parts.is_empty() {
        "no charge".to_string()
    } else {
        parts.join(" + ")
    };
    Price {
        transcription,
        evaluation,
        total: transcription.saturating_add(evaluation),
        reason,
    }
}

/// Minutes begun by `duration_ms` (ceiling): 0 → 0, 1..=60 000 → 1, 60 001 → 2. Negative → 0.
pub fn started_minutes(duration_ms: i64) -> i64 {
    const MINUTE_MS: i64 = 60_000;
    if duration_ms <= 0 {
        return 0;
    }
    duration_ms / MINUTE_MS + i64::from(duration_ms % MINUTE_MS != 0)
}

/// Hundreds of whitespace-separated words begun by `text` (ceiling): 0 words → 0,
/// 1..=100 → 1, 101 → 2.
pub fn started_hundreds_of_words(text: &str) -> i64 {
    let words = text.split_whitespace().count();
    i64::try_from(words.div_ceil(100)).unwrap_or(i64::MAX)
}

#[cfg(test)]
#[path = "pricing_tests.rs"]
mod tests;

/// An evaluation of `interaction` against `scorecard_id`, priced at `rates`, with its job: what
/// `POST /api/v1/ai/queue` and a QUEUE_EVALUATION action hand to the store.
pub fn new_evaluation(
    account_id: &str,
    interaction: &crate::model::InteractionRecord,
    scorecard_id: &str,
    rates: &Rates,
) -> crate::model::NewEvaluation {
    use crate::model::{NewEvaluation, NewEvaluationSpec, NewJob};
    let cost = price(&PriceInput::for_evaluation(interaction), rates);
    let score_submission_id = crate::ids::new_id();
    NewEvaluation {
        account_id: account_id.to_owned(),
        interaction_id: interaction.id.clone(),
        job: NewJob::new(
            crate::jobs::EVALUATE,
            Some(interaction.id.clone()),
            serde_json::json!({
                "interactionId": interaction.id,
                "scoreSubmissionId": score_submission_id,
            }),
        ),
        spec: NewEvaluationSpec {
            score_submission_id,
            scorecard_id: scorecard_id.to_owned(),
        },
        charge: cost.total,
        charge_reason: format!(
            "evaluation of {}: {}",
            interaction.source_identifier, cost.reason
        ),
    }
}
