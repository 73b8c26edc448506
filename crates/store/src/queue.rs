//! The job queue: jobs are rows in the `jobs` table, enqueued in the same transaction as the
//! change they follow, and claimed by workers with a lease.
//!
//! Contract every backend keeps:
//! - `claim_jobs` takes jobs of the given kinds that are due (`QUEUED` with `run_at <= now`, or
//!   `RUNNING` with an expired lease — a worker that died, even by `kill -9`), marks them
//!   `RUNNING` with `lease_owner = worker`, `lease_expires_at = now + lease`, `attempts + 1`, and
//!   sets the job's *step* to PROCESSING (see [`step_of`]). PostgreSQL claims with
//!   `FOR UPDATE SKIP LOCKED`; SQLite through its single writer. A job is never held by two
//!   workers at once: every later call checks `lease_owner` and `status = 'RUNNING'`.
//! - `finish_job` applies an outcome only while the caller still holds the lease; otherwise it
//!   returns `Ok(false)` and changes nothing (another worker may own the job now). The job row and
//!   every effect are written in one transaction.
//! - Effects name the interaction by the job's `interaction_id`.
//! - A finished job (DONE or FAILED) keeps the `lease_owner` of the worker that finished it, so
//!   operators and tests can tell who ran it; a job that goes back to QUEUED (retry, release)
//!   has none. Only `status = 'RUNNING'` rows are held: a kept owner holds nothing.

use async_trait::async_trait;
use scorejar_core::model::{
    EvaluationStatus, InteractionRecord, InteractionType, MediaInfo, NewJob, Segment, StepStatus,
    TranscriptSource,
};
use std::collections::BTreeMap;
use std::time::Duration;
use time::OffsetDateTime;

use crate::StoreResult;

/// A job a worker holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    pub id: String,
    pub kind: String,
    pub interaction_id: Option<String>,
    pub payload: serde_json::Value,
    /// This attempt, 1-based (the row's `attempts` after the claim).
    pub attempt: i64,
    pub max_attempts: i64,
    /// When the job became due (its `run_at`): how long it waited is the claim's delay.
    pub due_at: time::OffsetDateTime,
}

/// New state of the interaction's media. `info` fields that are `Some` are written; `None` ones
/// are left as they are.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaUpdate {
    pub status: StepStatus,
    pub info: MediaInfo,
    pub error: Option<String>,
}

/// New state of the interaction's transcript. `None` fields are left as they are, except
/// `error`, which is always written (cleared on success).
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptUpdate {
    pub status: StepStatus,
    pub source: Option<TranscriptSource>,
    pub text: Option<String>,
    pub language: Option<String>,
    pub segments: Option<Vec<Segment>>,
    pub error: Option<String>,
    /// Engine and model names of an ENGINE transcript (`None`: unchanged).
    pub engine: Option<String>,
    pub model: Option<String>,
}

/// New state of one evaluation (score submission).
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationUpdate {
    pub score_submission_id: String,
    pub status: EvaluationStatus,
    pub result: Option<serde_json::Value>,
    pub error: Option<String>,
    /// The figures of a finished evaluation, kept as columns for listing filters (and the
    /// time it finished); `None` leaves them as they are.
    pub summary: Option<EvaluationSummary>,
}

/// A finished evaluation's figures, as stored beside its result.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationSummary {
    pub scorecard_version: i64,
    /// AI, RULES or MIXED.
    pub engine: String,
    pub percentage: Option<f64>,
    pub passed: Option<bool>,
    pub needs_review: bool,
}

impl EvaluationSummary {
    /// The figures of a result, as the listing columns keep them.
    pub fn of(result: &scorejar_core::evaluation::result::EvaluationResult) -> Self {
        EvaluationSummary {
            scorecard_version: result.scorecard_version,
            engine: result.engine.as_str().to_owned(),
            percentage: result.score.percentage,
            passed: result.passed,
            needs_review: result.needs_review,
        }
    }
}

/// A credit movement: `amount < 0` charges, `> 0` refunds. Charges are guarded like uploads:
/// if the balance cannot pay, the whole `finish_job` fails with `InsufficientCredits` and
/// nothing is written (the worker then finishes the job differently). The interaction's
/// `credits_charged` moves by `-amount`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditChange {
    pub amount: i64,
    pub reason: String,
}

/// Everything a finished job changes besides its own row, in the same transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobEffects {
    pub media: Option<MediaUpdate>,
    /// Corrects the type once the bytes are known (e.g. AUDIO → VIDEO after a download).
    pub interaction_type: Option<InteractionType>,
    /// Sets the interaction's `duration_ms` (e.g. the probed duration of downloaded media).
    pub duration_ms: Option<i64>,
    pub transcript: Option<TranscriptUpdate>,
    pub evaluations: Vec<EvaluationUpdate>,
    /// Applied to the account of the job's interaction, each with a ledger row.
    pub credits: Vec<CreditChange>,
    /// Follow-up jobs (the next step of the pipeline).
    pub enqueue: Vec<NewJob>,
    /// The outcome of a scorecard try (`TryScorecard`); it touches nothing else.
    pub trial: Option<TrialOutcome>,
}

/// How a try of a scorecard ended: its result (an `EvaluationResult`, JSON) or why it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialOutcome {
    pub trial_id: String,
    pub outcome: Result<serde_json::Value, String>,
}

/// How a job attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum JobOutcome {
    /// Status DONE; effects applied.
    Done(JobEffects),
    /// Status QUEUED again at `run_at`; `last_error` kept; the step goes back to PENDING
    /// (QUEUED for an evaluation).
    Retry {
        error: String,
        run_at: OffsetDateTime,
    },
    /// Status FAILED for good; `last_error` kept; effects applied (typically the step FAILED
    /// with the error, and a refund).
    Failed { error: String, effects: JobEffects },
    /// Not runnable before an operator acts (a speech model not installed): QUEUED again at
    /// `run_at`, this attempt not counted, `last_error` kept (it says what the job waits for),
    /// step back to PENDING. However long the wait, the job is never given up.
    Wait {
        error: String,
        run_at: OffsetDateTime,
    },
    /// Graceful shutdown: QUEUED again now, this attempt not counted (`attempts - 1`), step back
    /// to PENDING.
    Release,
}

/// A job row as operators and the status endpoint see it ([`JobQueue::job`],
/// [`JobQueue::interaction_jobs`]).
#[derive(Debug, Clone, PartialEq)]
pub struct JobState {
    pub id: String,
    pub kind: String,
    pub interaction_id: Option<String>,
    pub payload: serde_json::Value,
    /// QUEUED, RUNNING, DONE or FAILED.
    pub status: String,
    /// Attempts started so far (a released attempt is not counted).
    pub attempts: i64,
    pub max_attempts: i64,
    /// The error of the latest failed attempt, kept through retries and after success.
    pub last_error: Option<String>,
    /// The worker holding the job (RUNNING) or the one that finished it (DONE, FAILED);
    /// `None` while it waits in QUEUED.
    pub worker: Option<String>,
    /// When it is (or was last) due.
    pub run_at: OffsetDateTime,
}

impl JobState {
    /// The evaluation an `Evaluate` job drives (its payload's `scoreSubmissionId`).
    pub fn score_submission_id(&self) -> Option<&str> {
        self.payload.get("scoreSubmissionId")?.as_str()
    }
}

/// Which step of an interaction a job kind drives (for PROCESSING / PENDING on claim and retry).
pub fn step_of(kind: &str) -> Option<&'static str> {
    match kind {
        scorejar_core::jobs::FETCH_MEDIA => Some("media"),
        scorejar_core::jobs::TRANSCRIBE => Some("transcript"),
        // The evaluation named by the payload's `scoreSubmissionId`.
        scorejar_core::jobs::EVALUATE => Some("evaluation"),
        _ => None,
    }
}

/// The queue half of the storage boundary. See the module docs for the contract.
#[async_trait]
pub trait JobQueue: Send + Sync {
    async fn claim_jobs(
        &self,
        worker_id: &str,
        kinds: &[String],
        limit: u32,
        lease: Duration,
    ) -> StoreResult<Vec<ClaimedJob>>;

    /// Extends the leases this worker still holds; returns how many it still holds.
    async fn extend_leases(
        &self,
        worker_id: &str,
        job_ids: &[String],
        lease: Duration,
    ) -> StoreResult<u64>;

    /// Applies `outcome` if `worker_id` still holds the job's lease (`Ok(true)`); `Ok(false)`
    /// and no change otherwise.
    async fn finish_job(
        &self,
        job_id: &str,
        worker_id: &str,
        outcome: JobOutcome,
    ) -> StoreResult<bool>;

    /// Marks every job of `job_ids` that `worker_id` still holds DONE with no effects, in one
    /// transaction; returns how many it marked (jobs it no longer holds are left alone, as
    /// `finish_job` leaves them). The batch form of `finish_job(id, worker, Done(default))`
    /// for high-volume kinds whose outcome has no effects.
    async fn finish_jobs_done(&self, worker_id: &str, job_ids: &[String]) -> StoreResult<u64>;

    /// Returns when new jobs may be due (PostgreSQL LISTEN/NOTIFY on channel `scorejar_jobs`,
    /// sent by every transaction that inserts jobs; an in-process signal on SQLite) or after
    /// `timeout` — callers poll as a fallback.
    async fn wait_for_jobs(&self, timeout: Duration);

    /// Enqueues jobs on their own (tests, benchmarks, admin tools).
    async fn enqueue_jobs(&self, jobs: Vec<NewJob>) -> StoreResult<()>;

    /// An interaction and its account, whatever the account (workers are not tenants).
    async fn interaction_for_job(
        &self,
        interaction_id: &str,
    ) -> StoreResult<Option<(String, InteractionRecord)>>;

    /// One job by id, whatever its status.
    async fn job(&self, job_id: &str) -> StoreResult<Option<JobState>>;

    /// The jobs of an interaction, oldest first (jobs enqueued by one transaction come in an
    /// order of the store's choosing).
    async fn interaction_jobs(&self, interaction_id: &str) -> StoreResult<Vec<JobState>>;

    /// Number of jobs per status (QUEUED, RUNNING, DONE, FAILED), optionally of one kind.
    async fn job_counts(&self, kind: Option<&str>) -> StoreResult<BTreeMap<String, i64>>;

    /// Jobs not DONE, by (kind, status): the queue's backlog, for metrics.
    async fn job_backlog(&self) -> StoreResult<BTreeMap<(String, String), i64>>;
}
