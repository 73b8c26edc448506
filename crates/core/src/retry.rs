//! What `POST /api/v1/interactions/{id}/retry` queues again, and what it costs. Pure.
//!
//! Rules (`docs/api.md`, "Retrying failed work"):
//! - Media that FAILED to download (it has a `downloadUrl`) is fetched again; a transcript that
//!   failed with it waits for the media again.
//! - A FAILED transcript of media that is stored (or fetched again) is transcribed again.
//! - Every FAILED evaluation is queued again, if its transcript is in hand or on its way; it
//!   starts at once when the transcript is there, else when the retried transcript completes.
//! - Nothing of that → nothing to retry.
//! - Billing as the first time: transcription for the billed duration (the larger of declared
//!   and probed; unknown → one minute, settled once the media is known), each evaluation at the
//!   upload's rate. A failure refunds it again, as the first time.
//! - The stored interaction type is kept when media is fetched again: it is the client's, or
//!   was sniffed from the same URL at upload.

use crate::ids::new_id;
use crate::jobs;
use crate::model::{EvaluationStatus, InteractionRecord, InteractionType, NewJob, StepStatus};
use crate::pricing::{price, PriceInput, Rates};
use serde_json::json;

/// The steps to queue again, their jobs and their price.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPlan {
    pub interaction_id: String,
    /// Fetch the `downloadUrl` again (media FAILED → PENDING).
    pub media: bool,
    /// Transcribe again (transcript FAILED → PENDING).
    pub transcript: bool,
    /// Score submission ids to queue again (FAILED → QUEUED).
    pub evaluations: Vec<String>,
    /// Credits to debit (never negative).
    pub charge: i64,
    /// The ledger text, e.g. `retry: transcription 2 min + evaluation 2 min`.
    pub charge_reason: String,
    pub jobs: Vec<NewJob>,
}

impl RetryPlan {
    /// The names of the steps queued again, as the API answers them: `media`, `transcript`,
    /// `evaluation:<id>`.
    pub fn steps(&self) -> Vec<String> {
        let mut steps = Vec::new();
        if self.media {
            steps.push("media".to_owned());
        }
        if self.transcript {
            steps.push("transcript".to_owned());
        }
        steps.extend(self.evaluations.iter().map(|id| format!("evaluation:{id}")));
        steps
    }
}

/// The retry of `interaction`'s failed steps; `None` when nothing can be retried.
pub fn plan_retry(interaction: &InteractionRecord, rates: &Rates) -> Option<RetryPlan> {
    let media_status = interaction.media.as_ref().map(|m| m.status);
    let transcript_status = interaction.transcript.as_ref().map(|t| t.status);
    let media = media_status == Some(StepStatus::Failed) && interaction.download_url.is_some();
    let media_in_hand = media || media_status == Some(StepStatus::Completed);
    let transcript = transcript_status == Some(StepStatus::Failed) && media_in_hand;
    // An evaluation needs a transcript that is (or will be) there; a FAILED one not redone
    // would fail it again.
    let transcript_usable = transcript || transcript_status != Some(StepStatus::Failed);
    let evaluations: Vec<String> = if transcript_usable {
        interaction
            .evaluations
            .iter()
            .filter(|e| e.status == EvaluationStatus::Failed)
            .map(|e| e.score_submission_id.clone())
            .collect()
    } else {
        Vec::new()
    };
    if !media && !transcript && evaluations.is_empty() {
        return None;
    }

    let (charge, charge_reason) = retry_price(interaction, transcript, evaluations.len(), rates);
    let id = &interaction.id;
    let job = |kind: &str, payload: serde_json::Value| NewJob {
        id: new_id(),
        kind: kind.to_owned(),
        interaction_id: Some(id.clone()),
        payload,
    };
    let mut queued = Vec::new();
    if media {
        queued.push(job(
            jobs::FETCH_MEDIA,
            json!({ "interactionId": id, "typeGiven": true }),
        ));
    } else if transcript {
        queued.push(job(jobs::TRANSCRIBE, json!({ "interactionId": id })));
    }
    // A transcript still on its way starts the QUEUED evaluations when it completes.
    let waits_for_transcript = transcript
        || matches!(
            transcript_status,
            Some(StepStatus::Pending | StepStatus::Processing)
        );
    if !waits_for_transcript {
        for evaluation in &evaluations {
            queued.push(job(
                jobs::EVALUATE,
                json!({ "interactionId": id, "scoreSubmissionId": evaluation }),
            ));
        }
    }
    Some(RetryPlan {
        interaction_id: id.clone(),
        media,
        transcript,
        evaluations,
        charge,
        charge_reason,
        jobs: queued,
    })
}

/// What the retried work costs with the upload's rules: `(credits, ledger reason)`.
fn retry_price(
    interaction: &InteractionRecord,
    transcription: bool,
    evaluations: usize,
    rates: &Rates,
) -> (i64, String) {
    let is_av = matches!(
        interaction.interaction_type,
        InteractionType::Audio | InteractionType::Video
    );
    let probed = interaction.media.as_ref().and_then(|m| m.info.duration_ms);
    let billed_ms = interaction.duration_ms.max(probed).filter(|_| is_av);
    let priced = price(
        &PriceInput {
            needs_transcription: transcription,
            evaluation: evaluations > 0,
            media_duration_ms: billed_ms,
            transcript_text: interaction
                .transcript
                .as_ref()
                .and_then(|t| t.text.as_deref())
                .or_else(|| interaction.email.as_ref().and_then(|e| e.body.as_deref())),
        },
        rates,
    );
    let count = i64::try_from(evaluations).unwrap_or(i64::MAX);
    let total = priced
        .transcription
        .saturating_add(priced.evaluation.saturating_mul(count));
    let times = if evaluations > 1 {
        format!(" × {evaluations}")
    } else {
        String::new()
    };
    (total, format!("retry: {}{times}", priced.reason))
}

#[cfg(test)]
#[path = "retry_tests.rs"]
mod tests;
