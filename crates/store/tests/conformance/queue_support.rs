//! Fixtures of the queue tests: an interaction waiting on all three pipeline steps, and short
//! ways to claim and inspect jobs.

use crate::support::*;
use scorejar_core::ids::new_id;
use scorejar_core::jobs::{EVALUATE, FETCH_MEDIA, TRANSCRIBE};
use scorejar_core::model::*;
use scorejar_store::queue::{ClaimedJob, JobState};
use scorejar_store::Store;
use std::sync::Arc;
use std::time::Duration;

/// A lease long enough that it never expires during a test.
pub const LEASE: Duration = Duration::from_secs(60);

/// An uploaded audio interaction with media, transcript and an evaluation pending, and one
/// job per step.
pub struct Pipeline {
    pub account: String,
    pub interaction: String,
    pub evaluation: String,
}

/// Uploads a [`Pipeline`] on an account holding `credits`, charged `charge`.
pub async fn pipeline(store: &Arc<dyn Store>, credits: i64, charge: i64) -> Pipeline {
    let account = account(store, credits).await;
    let card = scorecard(store, &account, ScorecardStatus::Active).await;
    let evaluation = new_id();
    let mut up = upload(&account, &new_id());
    let interaction = up.interaction_id.clone();
    up.interaction_type = InteractionType::Audio;
    up.download_url = Some("https://example.com/a.mp3".into());
    up.media_status = Some(StepStatus::Pending);
    up.media.content_type = Some("audio/mpeg".into());
    up.transcript = None;
    up.transcript_status = Some(StepStatus::Pending);
    up.transcript_source = None;
    up.evaluation = Some(NewEvaluationSpec {
        score_submission_id: evaluation.clone(),
        scorecard_id: card,
    });
    up.processing = Processing {
        transcription: true,
        evaluation: true,
    };
    up.charge = charge;
    let mut evaluate = job(EVALUATE, &interaction);
    evaluate.payload = serde_json::json!({ "scoreSubmissionId": evaluation });
    up.jobs = vec![
        job(FETCH_MEDIA, &interaction),
        job(TRANSCRIBE, &interaction),
        evaluate,
    ];
    created(store, up).await;
    Pipeline {
        account,
        interaction,
        evaluation,
    }
}

pub fn kinds(kinds: &[&str]) -> Vec<String> {
    kinds.iter().map(|k| k.to_string()).collect()
}

pub async fn claim(
    store: &Arc<dyn Store>,
    worker: &str,
    of: &[&str],
    limit: u32,
    lease: Duration,
) -> Vec<ClaimedJob> {
    store
        .claim_jobs(worker, &kinds(of), limit, lease)
        .await
        .expect("claim_jobs")
}

/// Claims exactly one job of `kind`.
pub async fn claim_one(store: &Arc<dyn Store>, worker: &str, kind: &str) -> ClaimedJob {
    let mut jobs = claim(store, worker, &[kind], 10, LEASE).await;
    assert_eq!(jobs.len(), 1, "one {kind} job due: {jobs:?}");
    jobs.remove(0)
}

/// The interaction's job of `kind` as `interaction_jobs` shows it.
pub async fn job_row(store: &Arc<dyn Store>, interaction: &str, kind: &str) -> JobState {
    store
        .interaction_jobs(interaction)
        .await
        .expect("interaction_jobs")
        .into_iter()
        .find(|j| j.kind == kind)
        .expect("the job exists")
}

pub async fn record(store: &Arc<dyn Store>, p: &Pipeline) -> InteractionRecord {
    interaction(store, &p.account, &p.interaction).await
}

pub fn media_status(r: &InteractionRecord) -> StepStatus {
    r.media.as_ref().expect("media").status
}

pub fn transcript_status(r: &InteractionRecord) -> StepStatus {
    r.transcript.as_ref().expect("transcript").status
}

pub fn evaluation_status(r: &InteractionRecord) -> EvaluationStatus {
    r.evaluations[0].status
}

/// `count` jobs of kind `Noop` without an interaction.
pub fn noop_jobs(count: usize) -> Vec<NewJob> {
    (0..count)
        .map(|i| NewJob::new("Noop", None, serde_json::json!({ "n": i })))
        .collect()
}
