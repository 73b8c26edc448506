//! Turning a validated upload into one store transaction.
//!
//! Order matters: everything that can reject the request (payload, media probe, type, duplicate,
//! price) runs before the media object is written; the media object is removed again if the
//! store then refuses the upload (402, 404, or a duplicate that won a race).

use super::body::{SpooledFile, UploadBody};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use scorejar_core::actions::event;
use scorejar_core::ids::new_id;
use scorejar_core::inference::{infer_type, MediaKind};
use scorejar_core::model::*;
use scorejar_core::payload::{parse_upload, UploadPayload};
use scorejar_core::pricing::{price, PriceInput};
use scorejar_core::{jobs, ApiError};
use scorejar_media::probe::{probe_file, Probe, ProbeError};
use scorejar_media::storage::MediaStorage;
use serde_json::json;

pub async fn accept_upload(
    state: &AppState,
    principal: &Principal,
    body: UploadBody,
) -> AppResult<serde_json::Value> {
    let payload = parse_upload(&body.payload)?;
    if payload.evaluation.is_some() {
        // Queuing an evaluation spends credits like `POST /api/v1/ai/queue` does.
        principal.require(scorejar_core::tokens::Scope::Evaluate)?;
    }
    if body.file.is_some() && payload.download_url.is_some() {
        return Err(AppError(ApiError::invalid(
            "downloadUrl",
            "send either a `file` part or a `downloadUrl`, not both",
        )));
    }
    // A retry answers before any work: before the file is probed and copied, and before a
    // `downloadUrl` is checked — a presigned URL may have expired since the first attempt,
    // and the interaction exists all the same. Without media the transaction's own
    // duplicate check suffices, and a query is saved.
    if body.file.is_some() || payload.download_url.is_some() {
        if let Some(receipt) = state
            .store
            .find_upload(&principal.account_id, &payload.source_identifier)
            .await?
        {
            return Ok(receipt_json(&receipt, true));
        }
    }
    let probe = match &body.file {
        Some(file) => Some(probe_upload(file).await?),
        None => None,
    };
    let mut media_kind = probe.as_ref().map(|p| match p.kind {
        scorejar_media::probe::MediaKind::Audio => MediaKind::Audio,
        scorejar_media::probe::MediaKind::Video => MediaKind::Video,
    });
    if let Some(url) = &payload.download_url {
        media_kind = Some(super::download::check_download_url(state, url).await?);
    }
    let interaction_type = infer_type(&payload, media_kind)?;

    let interaction_id = new_id();
    let mut upload = plan_upload(
        state,
        principal,
        &payload,
        &probe,
        interaction_type,
        &interaction_id,
    );
    // Endpoints that want `interaction.created` hear of it through a job queued with the
    // upload itself, so the event cannot be lost (an endpoint created while this upload runs
    // may miss it).
    let (_, listeners) = state
        .store
        .dispatch_targets(&principal.account_id, None, event::INTERACTION_CREATED)
        .await?;
    if !listeners.is_empty() {
        upload.jobs.push(event::dispatch_job(
            event::INTERACTION_CREATED,
            &interaction_id,
            None,
            event::Reason::Completed,
        ));
    }
    let media_key = match (&body.file, &probe) {
        (Some(file), Some(_)) => {
            let key = MediaStorage::media_key(&principal.account_id, &interaction_id);
            state.media.move_file(&key, &file.path).await?;
            upload.media.object_key = Some(key.clone());
            upload.media.size_bytes = Some(file.size as i64);
            Some(key)
        }
        _ => None,
    };
    let charge = upload.charge;
    let outcome = state.store.create_upload(upload).await;
    let discard_media = !matches!(outcome, Ok(UploadOutcome::Created(_)));
    if let (true, Some(key)) = (discard_media, &media_key) {
        if let Err(err) = state.media.delete(key).await {
            tracing::warn!(%key, error = ?err, "could not remove media of a rejected upload");
        }
    }
    match outcome? {
        UploadOutcome::Created(receipt) => {
            metrics::counter!("scorejar_credits_charged_total").increment(charge.max(0) as u64);
            Ok(receipt_json(&receipt, false))
        }
        UploadOutcome::Duplicate(receipt) => Ok(receipt_json(&receipt, true)),
    }
}

async fn probe_upload(file: &SpooledFile) -> AppResult<Probe> {
    let path = file.path.clone();
    let result = tokio::task::spawn_blocking(move || probe_file(&path))
        .await
        .map_err(anyhow::Error::from)?;
    match result {
        Ok(probe) => Ok(probe),
        Err(ProbeError::NotMedia(reason)) => Err(AppError(
            ApiError::bad_request(
                "unsupported_media",
                format!("`file` is not a supported audio/video file: {reason}"),
            )
            .with_field("file"),
        )),
        Err(other) => Err(anyhow::anyhow!("probing upload: {other}").into()),
    }
}

/// Builds the store's input: statuses, price, jobs. Pure apart from reading settings.
fn plan_upload(
    state: &AppState,
    principal: &Principal,
    payload: &UploadPayload,
    probe: &Option<Probe>,
    interaction_type: InteractionType,
    interaction_id: &str,
) -> NewUpload {
    let has_file = probe.is_some();
    let has_download = payload.download_url.is_some();
    let probed_ms = probe.as_ref().and_then(|p| p.duration_ms);
    // The client's `duration` stays as the interaction's metadata, but it never lowers a
    // price: a file is billed for the longer of what was declared and what the probe read
    // (and settled on the decoded length when it is transcribed).
    let duration_ms = payload.duration_ms.or(probed_ms);
    let billed_ms = payload.duration_ms.max(probed_ms);
    // Media with no provided transcript (none, or hints only) is transcribed and billed for it.
    let price_input = PriceInput::for_upload(
        payload,
        interaction_type,
        has_file || has_download,
        billed_ms,
    );
    let needs_transcription = price_input.needs_transcription;
    let cost = price(&price_input, &state.settings.rates());

    let evaluation = payload
        .evaluation
        .as_ref()
        .map(|scorecard_id| NewEvaluationSpec {
            score_submission_id: new_id(),
            scorecard_id: scorecard_id.clone(),
        });
    let mut jobs_to_queue = Vec::new();
    let job = |kind: &str, payload: serde_json::Value| NewJob {
        id: new_id(),
        kind: kind.to_string(),
        interaction_id: Some(interaction_id.to_string()),
        payload,
    };
    if has_download {
        // An explicit AUDIO/VIDEO is the client's word; only an inferred type follows the bytes.
        jobs_to_queue.push(job(
            jobs::FETCH_MEDIA,
            json!({ "interactionId": interaction_id, "typeGiven": payload.interaction_type.is_some() }),
        ));
    } else if has_file && needs_transcription {
        jobs_to_queue.push(job(
            jobs::TRANSCRIBE,
            json!({ "interactionId": interaction_id }),
        ));
    }
    // With the transcript already in hand the evaluation can start now; otherwise the
    // transcription step queues it when it completes.
    if let (Some(spec), false) = (&evaluation, needs_transcription) {
        jobs_to_queue.push(job(
            jobs::EVALUATE,
            json!({ "interactionId": interaction_id, "scoreSubmissionId": spec.score_submission_id }),
        ));
    }

    let media = probe
        .as_ref()
        .map(|p| MediaInfo {
            object_key: None,
            content_type: Some(p.content_type.clone()),
            size_bytes: None,
            duration_ms: p.duration_ms,
            channels: p.channels.map(i64::from),
            sample_rate: p.sample_rate.map(i64::from),
            codec: p.codec.clone(),
            container: Some(format!("{:?}", p.container).to_ascii_lowercase()),
        })
        .unwrap_or_default();

    NewUpload {
        account_id: principal.account_id.clone(),
        interaction_id: interaction_id.to_string(),
        source_identifier: payload.source_identifier.clone(),
        direction: payload.direction,
        interaction_type,
        occurred_at: payload.occurred_at,
        duration_ms,
        download_url: payload.download_url.clone(),
        media_status: if has_file {
            Some(StepStatus::Completed)
        } else if has_download {
            Some(StepStatus::Pending)
        } else {
            None
        },
        media,
        agent: payload.agent.clone(),
        customer: payload.customer.clone(),
        tags: payload.tags.clone(),
        custom_metadata: payload.custom_metadata.clone(),
        // Hints travel with the PENDING transcript for the Transcribe job to read.
        transcript: payload.transcript.clone(),
        transcript_status: if payload.provided_transcript().is_some() {
            Some(StepStatus::Completed)
        } else if needs_transcription {
            Some(StepStatus::Pending)
        } else {
            None
        },
        transcript_source: payload
            .provided_transcript()
            .map(|_| TranscriptSource::Provided),
        email: payload.email.clone(),
        evaluation,
        processing: Processing {
            transcription: needs_transcription,
            evaluation: payload.evaluation.is_some(),
        },
        charge: cost.total,
        charge_reason: format!("upload {}: {}", payload.source_identifier, cost.reason),
        jobs: jobs_to_queue,
        warnings: Vec::new(),
    }
}

/// The upload response: the reference's fields plus `warnings` and `duplicate`.
pub fn receipt_json(receipt: &UploadReceipt, duplicate: bool) -> serde_json::Value {
    json!({
        "success": true,
        "interactionId": receipt.interaction_id,
        "interactionType": receipt.interaction_type.as_str(),
        "statusUrl": format!("/api/v1/interactions/{}", receipt.interaction_id),
        "processing": {
            "transcription": receipt.processing.transcription,
            "evaluation": receipt.processing.evaluation,
        },
        "scoreSubmissionId": receipt.score_submission_id,
        "warnings": if duplicate { Vec::new() } else { receipt.warnings.clone() },
        "duplicate": duplicate,
    })
}
