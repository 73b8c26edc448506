//! Tries of a scorecard that ask the AI: the try and its `TryScorecard` job written together,
//! a limit on tries waiting per account, the outcome written with the job's row — once.

use crate::queue_support::*;
use crate::support::*;
use scorejar_core::ids::new_id;
use scorejar_core::jobs::TRY_SCORECARD;
use scorejar_core::model::*;
use scorejar_store::queue::{JobEffects, JobOutcome, TrialOutcome};
use scorejar_store::{NewTrial, Store};
use serde_json::json;
use std::sync::Arc;

fn new_trial(p: &Pipeline, scorecard_id: &str) -> NewTrial {
    NewTrial {
        id: new_id(),
        account_id: p.account.clone(),
        scorecard_id: scorecard_id.into(),
        version: 1,
        interaction_id: p.interaction.clone(),
    }
}

fn ended(trial_id: &str, outcome: Result<serde_json::Value, String>) -> JobOutcome {
    JobOutcome::Done(JobEffects {
        trial: Some(TrialOutcome {
            trial_id: trial_id.into(),
            outcome,
        }),
        ..Default::default()
    })
}

pub async fn a_try_and_its_job_are_written_together_within_the_limit(store: Arc<dyn Store>) {
    let p = pipeline(&store, 10, 0).await;
    let card = scorecard(&store, &p.account, ScorecardStatus::Draft).await;
    let first = new_trial(&p, &card);
    assert!(store.create_trial(first.clone(), 2).await.unwrap());
    assert!(store.create_trial(new_trial(&p, &card), 2).await.unwrap());
    // A third waiting try is refused, and nothing of it is written.
    let refused = new_trial(&p, &card);
    assert!(!store.create_trial(refused.clone(), 2).await.unwrap());
    assert!(store
        .get_trial(&p.account, &refused.id)
        .await
        .unwrap()
        .is_none());

    let stored = store.get_trial(&p.account, &first.id).await.unwrap();
    let stored = stored.expect("the try is stored");
    assert_eq!(stored.status, "QUEUED");
    assert_eq!(
        (stored.scorecard_id.as_str(), stored.version),
        (card.as_str(), 1)
    );
    assert!(stored.result.is_none() && stored.error.is_none());
    // Another account cannot read it.
    let other = account(&store, 0).await;
    assert!(store.get_trial(&other, &first.id).await.unwrap().is_none());

    let jobs = claim(&store, "w1", &[TRY_SCORECARD], 10, LEASE).await;
    assert_eq!(jobs.len(), 2, "{jobs:?}");
    let ids: Vec<&str> = jobs
        .iter()
        .map(|j| j.payload["trialId"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&first.id.as_str()), "{ids:?}");
    assert!(jobs
        .iter()
        .all(|j| j.interaction_id.as_deref() == Some(p.interaction.as_str())));
}

pub async fn a_try_ends_once_with_its_job(store: Arc<dyn Store>) {
    let p = pipeline(&store, 10, 0).await;
    let card = scorecard(&store, &p.account, ScorecardStatus::Active).await;
    let trial = new_trial(&p, &card);
    assert!(store.create_trial(trial.clone(), 3).await.unwrap());
    let job = claim_one(&store, "w1", TRY_SCORECARD).await;
    let result = json!({ "score": { "percentage": 50.0 } });
    assert!(store
        .finish_job(&job.id, "w1", ended(&trial.id, Ok(result.clone())))
        .await
        .unwrap());
    let done = store
        .get_trial(&p.account, &trial.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.status, "COMPLETED");
    assert_eq!(done.result, Some(result));
    // A finished try stays as it is (a job run again cannot overwrite it); nothing was
    // charged and the interaction's evaluations are untouched.
    let again = new_trial(&p, &card);
    assert!(store.create_trial(again.clone(), 3).await.unwrap());
    let second = claim_one(&store, "w1", TRY_SCORECARD).await;
    assert!(store
        .finish_job(&second.id, "w1", ended(&trial.id, Err("late".into())))
        .await
        .unwrap());
    let still = store
        .get_trial(&p.account, &trial.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((still.status.as_str(), still.error), ("COMPLETED", None));
    assert_eq!(balance(&store, &p.account).await, 10);
    let r = record(&store, &p).await;
    assert_eq!(r.evaluations.len(), 1);
    assert_eq!(evaluation_status(&r), EvaluationStatus::Queued);
}
