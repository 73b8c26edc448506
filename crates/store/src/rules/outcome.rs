//! What a job's outcome changes, decided once for both backends: the job row's new state, the
//! state the step it drives goes to, and which credit movements are real.

use crate::queue::{step_of, ClaimedJob, CreditChange, JobEffects, JobOutcome};
use scorejar_core::cursor::to_micros;
use scorejar_core::ids::new_id;
use scorejar_core::jobs::EVALUATE;
use scorejar_core::model::{NewJob, StepStatus};

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
        JobOutcome::Wait { error, run_at } => {
            ("QUEUED", Some(to_micros(*run_at)), Some(error.as_str()), -1)
        }
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
        // A completed transcript may start waiting evaluations (`evaluations_to_start`).
        JobOutcome::Done(effects) | JobOutcome::Failed { effects, .. } => {
            !effects.enqueue.is_empty()
                || effects
                    .transcript
                    .as_ref()
                    .is_some_and(|t| t.status == StepStatus::Completed)
        }
        JobOutcome::Retry { .. } | JobOutcome::Wait { .. } | JobOutcome::Release => true,
    }
}

/// Whether an evaluation queued now can start at once: yes unless its interaction's
/// transcript is still on its way (PENDING or PROCESSING), in which case the transcript's
/// completion starts it ([`evaluations_to_start`]).
pub(crate) fn evaluation_can_start(transcript_status: Option<&str>) -> bool {
    !matches!(transcript_status, Some("PENDING" | "PROCESSING"))
}

/// The `Evaluate` jobs a transcript's completion starts: one per evaluation still QUEUED
/// (`waiting`), except those the effects already enqueue.
pub(crate) fn evaluations_to_start(
    interaction_id: &str,
    waiting: &[String],
    effects: &JobEffects,
) -> Vec<NewJob> {
    let completes = effects
        .transcript
        .as_ref()
        .is_some_and(|t| t.status == StepStatus::Completed);
    if !completes {
        return Vec::new();
    }
    waiting
        .iter()
        .filter(|id| {
            !effects.enqueue.iter().any(|j| {
                j.kind == EVALUATE && j.payload["scoreSubmissionId"].as_str() == Some(id.as_str())
            })
        })
        .map(|id| NewJob {
            id: new_id(),
            kind: EVALUATE.to_owned(),
            interaction_id: Some(interaction_id.to_owned()),
            payload: serde_json::json!({"interactionId": interaction_id, "scoreSubmissionId": id}),
        })
        .collect()
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
            due_at: datetime!(2026-01-01 00:00 UTC),
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
            (
                JobOutcome::Wait {
                    error: "no model".into(),
                    run_at: at,
                },
                ("QUEUED", Some(to_micros(at)), Some("no model"), -1),
            ),
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
        assert!(requeues(&JobOutcome::Wait {
            error: "no model".into(),
            run_at: datetime!(2026-01-01 00:00 UTC),
        }));
        let moves = credit_moves(&with_job);
        assert_eq!(moves.len(), 1);
        assert_eq!(moves[0].amount, 3);
        assert!(touches_interaction(&with_job));
        assert!(!touches_interaction(&JobEffects::default()));
    }

    #[test]
    fn an_evaluation_waits_only_for_a_transcript_on_its_way() {
        let cases = [
            (None, true),
            (Some("COMPLETED"), true),
            (Some("FAILED"), true),
            (Some("PENDING"), false),
            (Some("PROCESSING"), false),
        ];
        for (status, starts) in cases {
            assert_eq!(evaluation_can_start(status), starts, "{status:?}");
        }
    }

    #[test]
    fn a_completed_transcript_starts_each_waiting_evaluation_once() {
        use crate::queue::TranscriptUpdate;
        let transcript = |status| TranscriptUpdate {
            status,
            source: None,
            text: None,
            language: None,
            segments: None,
            error: None,
            engine: None,
            model: None,
        };
        let waiting = ["e1".to_string(), "e2".to_string()];
        let mut effects = JobEffects {
            transcript: Some(transcript(StepStatus::Completed)),
            ..Default::default()
        };
        effects.enqueue.push(NewJob {
            id: "j".into(),
            kind: EVALUATE.into(),
            interaction_id: Some("i".into()),
            payload: serde_json::json!({"scoreSubmissionId": "e1"}),
        });
        let started = evaluations_to_start("i", &waiting, &effects);
        let ids: Vec<_> = started
            .iter()
            .map(|j| j.payload["scoreSubmissionId"].clone())
            .collect();
        assert_eq!(ids, [serde_json::json!("e2")]);
        assert_eq!(started[0].kind, EVALUATE);
        effects.transcript = Some(transcript(StepStatus::Failed));
        assert!(evaluations_to_start("i", &waiting, &effects).is_empty());
        effects.transcript = None;
        assert!(evaluations_to_start("i", &waiting, &effects).is_empty());
    }
}
