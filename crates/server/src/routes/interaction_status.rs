//! The job side of an interaction's status (`GET /api/v1/interactions/{id}`): each step object
//! gets `attempts` and `lastError` from the job that drives it, `processing.complete` also
//! waits for every job to be finished, and `jobs` lists the jobs themselves. Pure.
//!
//! Which job drives which step: `FetchMedia` the media, `Transcribe` the transcript, `Evaluate`
//! the evaluation named by its payload's `scoreSubmissionId`. When several jobs drive one step
//! (a step run again), the latest enqueued one speaks for it. A step no job drives (media
//! uploaded as a file, a transcript given in the upload) shows `attempts: 0, lastError: null`.

use scorejar_core::jobs::{EVALUATE, FETCH_MEDIA, TRANSCRIBE};
use scorejar_store::queue::JobState;
use serde_json::{json, Value};

/// True while a job may still run (waiting, or held by a worker).
fn unfinished(job: &JobState) -> bool {
    matches!(job.status.as_str(), "QUEUED" | "RUNNING")
}

/// The latest of `jobs` (in enqueue order) that `drives` the step.
fn latest(jobs: &[JobState], drives: impl Fn(&JobState) -> bool) -> Option<&JobState> {
    jobs.iter().rev().find(|j| drives(j))
}

/// Adds `attempts` and `lastError` to a step object (if the step exists).
fn annotate(step: &mut Value, job: Option<&JobState>) {
    if let Value::Object(fields) = step {
        fields.insert("attempts".into(), json!(job.map_or(0, |j| j.attempts)));
        fields.insert(
            "lastError".into(),
            json!(job.and_then(|j| j.last_error.as_deref())),
        );
    }
}

/// Adds the job side to `body`, an interaction rendered by `render::interaction`; `jobs` are the
/// interaction's jobs in enqueue order.
pub fn attach(body: &mut Value, jobs: &[JobState]) {
    annotate(&mut body["media"], latest(jobs, |j| j.kind == FETCH_MEDIA));
    annotate(
        &mut body["transcript"],
        latest(jobs, |j| j.kind == TRANSCRIBE),
    );
    if let Some(evaluations) = body["evaluations"].as_array_mut() {
        for evaluation in evaluations {
            let id = evaluation["scoreSubmissionId"].as_str().map(str::to_owned);
            let job = latest(jobs, |j| {
                j.kind == EVALUATE && id.is_some() && j.score_submission_id() == id.as_deref()
            });
            annotate(evaluation, job);
        }
    }
    let steps_done = body["processing"]["complete"].as_bool().unwrap_or(false);
    body["processing"]["complete"] = json!(steps_done && !jobs.iter().any(unfinished));
    body["jobs"] = jobs
        .iter()
        .map(|j| {
            json!({
                "kind": j.kind,
                "status": j.status,
                "attempts": j.attempts,
                "maxAttempts": j.max_attempts,
                "lastError": j.last_error,
            })
        })
        .collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(kind: &str, status: &str, attempts: i64, error: Option<&str>, eval: &str) -> JobState {
        JobState {
            id: format!("{kind}-{attempts}"),
            kind: kind.into(),
            interaction_id: Some("i".into()),
            payload: if eval.is_empty() {
                json!({})
            } else {
                json!({ "scoreSubmissionId": eval })
            },
            status: status.into(),
            attempts,
            max_attempts: 5,
            last_error: error.map(str::to_owned),
            worker: None,
            run_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn body(complete: bool) -> Value {
        json!({
            "media": { "status": "COMPLETED" },
            "transcript": { "status": "PENDING" },
            "evaluations": [
                { "scoreSubmissionId": "e1", "status": "QUEUED" },
                { "scoreSubmissionId": "e2", "status": "COMPLETED" }
            ],
            "processing": { "complete": complete },
        })
    }

    /// (attempts, lastError) of one step.
    type Progress = (i64, Value);

    /// (media, transcript, e1, e2) as (attempts, lastError) pairs.
    fn steps(b: &Value) -> Vec<Progress> {
        [
            &b["media"],
            &b["transcript"],
            &b["evaluations"][0],
            &b["evaluations"][1],
        ]
        .iter()
        .map(|s| (s["attempts"].as_i64().unwrap(), s["lastError"].clone()))
        .collect()
    }

    #[test]
    fn each_step_takes_its_latest_job() {
        let none = Value::Null;
        let cases: Vec<(Vec<JobState>, Vec<Progress>)> = vec![
            (
                vec![],
                vec![
                    (0, none.clone()),
                    (0, none.clone()),
                    (0, none.clone()),
                    (0, none.clone()),
                ],
            ),
            (
                vec![
                    job(FETCH_MEDIA, "DONE", 3, Some("HTTP 503"), ""),
                    job(TRANSCRIBE, "QUEUED", 1, Some("engine busy"), ""),
                    job(EVALUATE, "DONE", 1, None, "e2"),
                ],
                vec![
                    (3, json!("HTTP 503")),
                    (1, json!("engine busy")),
                    (0, none.clone()),
                    (1, none.clone()),
                ],
            ),
            (
                // e1 evaluated twice: the later job speaks; Noop jobs drive nothing.
                vec![
                    job(EVALUATE, "FAILED", 5, Some("first"), "e1"),
                    job("Noop", "DONE", 9, Some("noop"), "e1"),
                    job(EVALUATE, "RUNNING", 2, Some("second"), "e1"),
                ],
                vec![
                    (0, none.clone()),
                    (0, none.clone()),
                    (2, json!("second")),
                    (0, none),
                ],
            ),
        ];
        for (jobs, want) in cases {
            let mut b = body(false);
            attach(&mut b, &jobs);
            assert_eq!(steps(&b), want, "{jobs:?}");
            assert_eq!(b["jobs"].as_array().unwrap().len(), jobs.len());
        }
    }

    #[test]
    fn complete_needs_finished_steps_and_no_job_left() {
        let cases = [
            (true, vec![job(FETCH_MEDIA, "DONE", 1, None, "")], true),
            (
                true,
                vec![job(FETCH_MEDIA, "FAILED", 5, Some("x"), "")],
                true,
            ),
            (true, vec![], true),
            (true, vec![job("Noop", "QUEUED", 0, None, "")], false),
            (true, vec![job(TRANSCRIBE, "RUNNING", 1, None, "")], false),
            (false, vec![job(FETCH_MEDIA, "DONE", 1, None, "")], false),
        ];
        for (steps_done, jobs, complete) in cases {
            let mut b = body(steps_done);
            attach(&mut b, &jobs);
            assert_eq!(b["processing"]["complete"], json!(complete), "{jobs:?}");
        }
    }

    #[test]
    fn missing_steps_stay_null() {
        let mut b = json!({ "media": null, "transcript": null, "evaluations": [],
            "processing": { "complete": true } });
        attach(&mut b, &[job(TRANSCRIBE, "DONE", 1, None, "")]);
        assert_eq!(b["media"], Value::Null);
        assert_eq!(b["transcript"], Value::Null);
    }
}
