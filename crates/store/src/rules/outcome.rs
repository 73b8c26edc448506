//! What a job's outcome changes, decided once for both backends: the job row's new state, the
//! state the step it drives goes to, and which credit movements are real.

use crate::queue::{step_of, ClaimedJob, CreditChange, JobEffects, JobOutcome};
use scorejar_core::cursor::to_micros;

/// The job row after an outcome: `None` fields stay as they are.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JobRowChange<'a> {
    pub status: &'static str,
    pub run_at: Option<i64>,
    pub last_error: Option<&'a str>,
    /// Added to `attempts`: a released attempt is not counted.
    pub attempts_delta: i64,
}

pub(crate) fn job_row_change(outcome: &JobOutcome, now: i64) -> JobRowChange<'_> {
    let (status, run_at, last_error, attempts_delta) = match outcome {
        JobOutcome::Done(_) => ("DONE", None, None, 0),
        JobOutcome::Retry { error, run_at } => {
            ("QUEUED", Some(to_micros(*run_at)), Some(error.as_str()), 0)
        }
        JobOutcome::Failed { error, .. } => ("FAILED", None, Some(error.as_str()), 0),
        JobOutcome::Release => ("QUEUED", Some(now), None, -1),
    };
    JobRowChange {
        status,
        run_at,
        last_error,
        attempts_delta,
    }
}

/// Where a claimed, retried or released job leaves the step it drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StepState {
    Processing,
    Pending,
}

/// The step a job drives and the status to write there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StepChange<'a> {
    Media(&'static str),
    Transcript(&'static str),
    /// The evaluation (score submission) an `Evaluate` job scores.
    Evaluation {
        id: &'a str,
        status: &'static str,
    },
}

/// The step change of `job` entering `state`; `None` for kinds without a step and jobs without
/// an interaction (or an evaluation id) to point at.
pub(crate) fn step_change(job: &ClaimedJob, state: StepState) -> Option<StepChange<'_>> {
    job.interaction_id.as_ref()?;
    let (step, evaluation) = match state {
        StepState::Processing => ("PROCESSING", "PROCESSING"),
        StepState::Pending => ("PENDING", "QUEUED"),
    };
    match step_of(&job.kind)? {
        "media" => Some(StepChange::Media(step)),
        "transcript" => Some(StepChange::Transcript(step)),
        "evaluation" => {
            let id = job.payload.get("scoreSubmissionId")?.as_str()?;
            Some(StepChange::Evaluation {
                id,
                status: evaluation,
            })
        }
        _ => None,
    }
}

/// The credit movements worth a ledger row (a movement of zero is none).
pub(crate) fn credit_moves(effects: &JobEffects) -> Vec<&CreditChange> {
    effects.credits.iter().filter(|c| c.amount != 0).collect()
}

/// Whether the effects change the interaction (and so need the job to name one).
pub(crate) fn touches_interaction(effects: &JobEffects) -> bool {
    effects.media.is_some()
        || effects.interaction_type.is_some()
        || effects.duration_ms.is_some()
        || effects.transcript.is_some()
        || !effects.evaluations.is_empty()
        || !effects.credits.is_empty()
}

/// Whether applying the outcome puts jobs in the queue (new ones, or this one again).
pub(crate) fn requeues(outcome: &JobOutcome) -> bool {
    match outcome {
        JobOutcome::Done(effects) | JobOutcome::Failed { effects, .. } => {
            !effects.enqueue.is_empty()
        }
        JobOutcome::Retry { .. } | JobOutcome::Release => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scorejar_core::jobs::{EVALUATE, FETCH_MEDIA, TRANSCRIBE};
    use scorejar_core::model::NewJob;
    use time::macros::datetime;

    fn job(kind: &str, interaction: Option<&str>, payload: serde_json::Value) -> ClaimedJob {
        ClaimedJob {
            id: "j".into(),
            kind: kind.into(),
            interaction_id: interaction.map(String::from),
            payload,
            attempt: 1,
            max_attempts: 3,
        }
    }

    #[test]
    fn each_outcome_changes_the_row_its_way() {
        let at = datetime!(2026-01-01 00:00 UTC);
        let retry = JobOutcome::Retry {
            error: "slow".into(),
            run_at: at,
        };
        let failed = JobOutcome::Failed {
            error: "bad".into(),
            effects: JobEffects::default(),
        };
        let cases = [
            (
                JobOutcome::Done(JobEffects::default()),
                ("DONE", None, None, 0),
            ),
            (retry, ("QUEUED", Some(to_micros(at)), Some("slow"), 0)),
            (failed, ("FAILED", None, Some("bad"), 0)),
            (JobOutcome::Release, ("QUEUED", Some(7), None, -1)),
        ];
        for (outcome, (status, run_at, error, delta)) in cases {
            let change = job_row_change(&outcome, 7);
            assert_eq!(
                (
                    change.status,
                    change.run_at,
                    change.last_error,
                    change.attempts_delta
                ),
                (status, run_at, error, delta),
                "{outcome:?}"
            );
        }
    }

    #[test]
    fn steps_follow_the_kind() {
        let ev = serde_json::json!({"scoreSubmissionId": "s1"});
        let cases = [
            (
                job(FETCH_MEDIA, Some("i"), ev.clone()),
                StepState::Processing,
                Some(StepChange::Media("PROCESSING")),
            ),
            (
                job(TRANSCRIBE, Some("i"), ev.clone()),
                StepState::Pending,
                Some(StepChange::Transcript("PENDING")),
            ),
            (
                job(EVALUATE, Some("i"), ev.clone()),
                StepState::Pending,
                Some(StepChange::Evaluation {
                    id: "s1",
                    status: "QUEUED",
                }),
            ),
            (
                job(EVALUATE, Some("i"), ev.clone()),
                StepState::Processing,
                Some(StepChange::Evaluation {
                    id: "s1",
                    status: "PROCESSING",
                }),
            ),
            (
                job(EVALUATE, Some("i"), serde_json::json!({})),
                StepState::Pending,
                None,
            ),
            (job(TRANSCRIBE, None, ev.clone()), StepState::Pending, None),
            (job("Noop", Some("i"), ev), StepState::Pending, None),
        ];
        for (job, state, expected) in cases {
            assert_eq!(step_change(&job, state), expected, "{} {state:?}", job.kind);
        }
    }

    #[test]
    fn requeueing_and_zero_moves() {
        let with_job = JobEffects {
            enqueue: vec![NewJob::new("Noop", None, serde_json::json!({}))],
            credits: vec![
                CreditChange {
                    amount: 0,
                    reason: "none".into(),
                },
                CreditChange {
                    amount: 3,
                    reason: "refund".into(),
                },
            ],
            ..Default::default()
        };
        assert!(requeues(&JobOutcome::Done(with_job.clone())));
        assert!(!requeues(&JobOutcome::Done(JobEffects::default())));
        assert!(requeues(&JobOutcome::Release));
        let moves = credit_moves(&with_job);
        assert_eq!(moves.len(), 1);
        assert_eq!(moves[0].amount, 3);
        assert!(touches_interaction(&with_job));
        assert!(!touches_interaction(&JobEffects::default()));
    }
}
