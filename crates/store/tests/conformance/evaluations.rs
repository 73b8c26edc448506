//! Evaluations queued for an existing interaction (`queue_evaluation`): the order of its checks,
//! then the debit, the evaluation and its job written together.

use crate::support::*;
use scorejar_core::ids::new_id;
use scorejar_core::jobs::EVALUATE;
use scorejar_core::model::*;
use scorejar_store::{Store, StoreError};
use std::sync::Arc;

fn request(
    account_id: &str,
    interaction_id: &str,
    scorecard_id: &str,
    charge: i64,
) -> NewEvaluation {
    NewEvaluation {
        account_id: account_id.into(),
        interaction_id: interaction_id.into(),
        spec: NewEvaluationSpec {
            score_submission_id: new_id(),
            scorecard_id: scorecard_id.into(),
        },
        charge,
        charge_reason: "evaluation 1 min".into(),
        job: job(EVALUATE, interaction_id),
    }
}

pub async fn queue_evaluation_checks_in_order_then_debits_and_enqueues(store: Arc<dyn Store>) {
    let a = account(&store, 10).await;
    let b = account(&store, 100).await;
    let active = scorecard(&store, &a, ScorecardStatus::Active).await;
    let draft = scorecard(&store, &a, ScorecardStatus::Draft).await;
    let mut up = upload(&a, "later-eval");
    up.charge = 2;
    let receipt = created(&store, up).await;
    let id = receipt.interaction_id.clone();
    let queue = |scorecard_id: &str, charge: i64, interaction_id: &str| {
        request(&a, interaction_id, scorecard_id, charge)
    };

    // The checks come in order: interaction, then scorecard, then credits. Each refused
    // request below would also fail every later check.
    let missing = store.queue_evaluation(queue(&draft, 99, &new_id())).await;
    assert!(
        matches!(missing, Err(StoreError::NotFound("interaction"))),
        "{missing:?}"
    );
    // Another account's interaction is missing too, even with a scorecard (of the interaction's
    // account) that it could not use either.
    let foreign = store.queue_evaluation(request(&b, &id, &active, 1)).await;
    assert!(
        matches!(foreign, Err(StoreError::NotFound("interaction"))),
        "{foreign:?}"
    );
    let inactive = store.queue_evaluation(queue(&draft, 99, &id)).await;
    assert!(
        matches!(inactive, Err(StoreError::ScorecardNotActive)),
        "{inactive:?}"
    );
    assert_insufficient(store.queue_evaluation(queue(&active, 9, &id)).await, 9, 8);
    assert!(
        interaction(&store, &a, &id).await.evaluations.is_empty(),
        "refusals wrote nothing"
    );
    assert!(store.interaction_jobs(&id).await.unwrap().is_empty());
    assert_eq!(
        (balance(&store, &a).await, balance(&store, &b).await),
        (8, 100)
    );

    let evaluation = queue(&active, 3, &id);
    store.queue_evaluation(evaluation.clone()).await.unwrap();
    assert_eq!(balance(&store, &a).await, 5);
    let debit = ledger(&store, &a).await.remove(0);
    assert_eq!(
        (
            debit.amount,
            debit.balance_after,
            debit.interaction_id.as_deref()
        ),
        (-3, 5, Some(id.as_str()))
    );
    let got = interaction(&store, &a, &id).await;
    assert_eq!(got.credits_charged, 5);
    assert_eq!(got.evaluations.len(), 1);
    assert_eq!(
        got.evaluations[0].score_submission_id,
        evaluation.spec.score_submission_id
    );
    assert_eq!(got.evaluations[0].status, EvaluationStatus::Queued);
    assert_eq!(
        got.processing,
        Processing::default(),
        "the upload's processing flags are unchanged"
    );
    let jobs = store.interaction_jobs(&id).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        (
            jobs[0].id.as_str(),
            jobs[0].kind.as_str(),
            jobs[0].status.as_str()
        ),
        (evaluation.job.id.as_str(), EVALUATE, "QUEUED")
    );
    assert_eq!(jobs[0].payload, evaluation.job.payload);
    // The upload's receipt is unchanged by a later evaluation.
    let mut found = store.find_upload(&a, "later-eval").await.unwrap().unwrap();
    found.warnings = receipt.warnings.clone();
    assert_eq!(found, receipt);
}
