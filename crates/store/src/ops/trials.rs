//! Tries of a scorecard that ask the AI (the web app's "Try it"): a row and its `TryScorecard`
//! job written together, the outcome written with the job's own row (`effects.rs`). A try is
//! never billed and never an evaluation; an account has only a few waiting at once.

use crate::codec::{from_json, to_json};
use crate::queue::TrialOutcome;
use crate::sql::{args, Db, Row};
use crate::{NewTrial, StoreResult, Trial};
use scorejar_core::cursor::from_micros;
use scorejar_core::jobs::TRY_SCORECARD;
use scorejar_core::model::NewJob;
use serde_json::json;

const QUEUED: &str = "QUEUED";

/// Writes the try and its job, unless the account already has `max_waiting` tries waiting:
/// then nothing, and false.
pub(crate) async fn create_trial<D: Db>(
    db: &mut D,
    trial: &NewTrial,
    max_waiting: i64,
    now: i64,
) -> StoreResult<bool> {
    let waiting: i64 = db
        .fetch_one(
            "SELECT COUNT(*) AS n FROM scorecard_trials WHERE account_id = $1 AND status = $2",
            args![&trial.account_id, QUEUED],
        )
        .await?
        .get("n")?;
    if waiting >= max_waiting {
        return Ok(false);
    }
    db.execute(
        "INSERT INTO scorecard_trials (id, account_id, scorecard_id, version, interaction_id, \
         status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![
            &trial.id,
            &trial.account_id,
            &trial.scorecard_id,
            trial.version,
            &trial.interaction_id,
            QUEUED,
            now
        ],
    )
    .await?;
    let job = NewJob {
        id: uuid::Uuid::new_v4().to_string(),
        kind: TRY_SCORECARD.into(),
        interaction_id: Some(trial.interaction_id.clone()),
        payload: json!({ "trialId": trial.id }),
    };
    super::jobs::enqueue(db, &[job], now).await?;
    Ok(true)
}

fn trial_from_row(r: Row) -> StoreResult<Trial> {
    Ok(Trial {
        id: r.get("id")?,
        account_id: r.get("account_id")?,
        scorecard_id: r.get("scorecard_id")?,
        version: r.get("version")?,
        interaction_id: r.get("interaction_id")?,
        status: r.get("status")?,
        result: from_json(r.get("result")?, "scorecard_trials.result")?,
        error: r.get("error")?,
        created_at: from_micros(r.get("created_at")?),
    })
}

/// The account's try `id`.
pub(crate) async fn get_trial<D: Db>(
    db: &mut D,
    account_id: &str,
    id: &str,
) -> StoreResult<Option<Trial>> {
    let row = db
        .fetch_optional(
            "SELECT id, account_id, scorecard_id, version, interaction_id, status, result, error, \
             created_at FROM scorecard_trials WHERE id = $1 AND account_id = $2",
            args![id, account_id],
        )
        .await?;
    row.map(trial_from_row).transpose()
}

/// Records how a waiting try ended; a finished one stays as it is.
pub(crate) async fn finish_trial<D: Db>(
    db: &mut D,
    trial: &TrialOutcome,
    now: i64,
) -> StoreResult<()> {
    let (status, result, error) = match &trial.outcome {
        Ok(result) => ("COMPLETED", Some(to_json(result)?), None),
        Err(error) => ("FAILED", None, Some(error.clone())),
    };
    db.execute(
        "UPDATE scorecard_trials SET status = $1, result = $2, error = $3, finished_at = $4 \
         WHERE id = $5 AND status = $6",
        args![status, &result, &error, now, &trial.trial_id, QUEUED],
    )
    .await?;
    Ok(())
}
