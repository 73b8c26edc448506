//! Scorecard actions: stored with their webhook target (same id) when they are WEBHOOKs, and
//! the at-most-once run of the others (`action_runs` written with the effect).

use super::{catalog, evaluations, interaction_tags, webhook_targets};
use crate::codec::{from_json, now_micros, to_json};
use crate::sql::{args, Db, Row};
use crate::webhooks::{
    ActionChange, ActionEffect, ActionRecord, ActionRunRecord, NewAction, NewTarget, TargetKind,
    MAX_ACTIONS_PER_SCORECARD,
};
use crate::{StoreError, StoreResult};
use scorejar_core::cursor::from_micros;

const ACTION_COLUMNS: &str =
    "id, scorecard_id, trigger_spec, action_spec, enabled, disabled_reason, created_at, updated_at";

fn action_from_row(row: &Row) -> StoreResult<ActionRecord> {
    Ok(ActionRecord {
        id: row.get("id")?,
        scorecard_id: row.get("scorecard_id")?,
        trigger: from_json(row.get("trigger_spec")?, "scorecard_actions.trigger_spec")?
            .unwrap_or_default(),
        action: from_json(row.get("action_spec")?, "scorecard_actions.action_spec")?
            .unwrap_or_default(),
        enabled: row.get("enabled")?,
        disabled_reason: row.get("disabled_reason")?,
        created_at: from_micros(row.get("created_at")?),
        updated_at: from_micros(row.get("updated_at")?),
    })
}

async fn scorecard_is_the_accounts<D: Db>(
    db: &mut D,
    account_id: &str,
    scorecard_id: &str,
) -> StoreResult<bool> {
    Ok(catalog::get_scorecard(db, account_id, scorecard_id)
        .await?
        .is_some())
}

pub(crate) async fn create<D: Db>(db: &mut D, action: &NewAction) -> StoreResult<ActionRecord> {
    if !scorecard_is_the_accounts(db, &action.account_id, &action.scorecard_id).await? {
        return Err(StoreError::NotFound("scorecard"));
    }
    let count: i64 = db
        .fetch_one(
            "SELECT COUNT(*) AS n FROM scorecard_actions WHERE scorecard_id = $1",
            args![&action.scorecard_id],
        )
        .await?
        .get("n")?;
    if count >= MAX_ACTIONS_PER_SCORECARD {
        return Err(StoreError::Conflict("action"));
    }
    let now = now_micros();
    if let Some(target) = &action.webhook {
        webhook_targets::insert(db, target, now).await?;
    }
    db.execute(
        "INSERT INTO scorecard_actions (id, account_id, scorecard_id, trigger_spec, action_spec,
             enabled, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        args![
            &action.id,
            &action.account_id,
            &action.scorecard_id,
            to_json(&action.trigger)?.as_str(),
            to_json(&action.action)?.as_str(),
            action.enabled,
            now
        ],
    )
    .await?;
    get(db, &action.account_id, &action.scorecard_id, &action.id)
        .await?
        .ok_or(StoreError::NotFound("action"))
}

pub(crate) async fn list<D: Db>(
    db: &mut D,
    account_id: &str,
    scorecard_id: &str,
) -> StoreResult<Option<Vec<ActionRecord>>> {
    if !scorecard_is_the_accounts(db, account_id, scorecard_id).await? {
        return Ok(None);
    }
    let sql = format!(
        "SELECT {ACTION_COLUMNS} FROM scorecard_actions WHERE scorecard_id = $1 AND account_id = $2
         ORDER BY created_at, id"
    );
    let rows = db.fetch_all(&sql, args![scorecard_id, account_id]).await?;
    Ok(Some(
        rows.iter()
            .map(action_from_row)
            .collect::<StoreResult<_>>()?,
    ))
}

pub(crate) async fn get<D: Db>(
    db: &mut D,
    account_id: &str,
    scorecard_id: &str,
    action_id: &str,
) -> StoreResult<Option<ActionRecord>> {
    let sql = format!(
        "SELECT {ACTION_COLUMNS} FROM scorecard_actions
         WHERE id = $1 AND scorecard_id = $2 AND account_id = $3"
    );
    db.fetch_optional(&sql, args![action_id, scorecard_id, account_id])
        .await?
        .as_ref()
        .map(action_from_row)
        .transpose()
}

/// Writes the action's new state and keeps its target in step: created when it becomes a
/// WEBHOOK, its URL and state updated, deleted (with its messages) when it no longer is one.
pub(crate) async fn update<D: Db>(
    db: &mut D,
    account_id: &str,
    scorecard_id: &str,
    action_id: &str,
    change: &ActionChange,
) -> StoreResult<Option<ActionRecord>> {
    if get(db, account_id, scorecard_id, action_id)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let now = now_micros();
    db.execute(
        "UPDATE scorecard_actions SET trigger_spec = $1, action_spec = $2, enabled = $3,
             disabled_reason = CASE WHEN $3 THEN NULL ELSE disabled_reason END, updated_at = $4
         WHERE id = $5",
        args![
            to_json(&change.trigger)?.as_str(),
            to_json(&change.action)?.as_str(),
            change.enabled,
            now,
            action_id
        ],
    )
    .await?;
    let target = webhook_targets::get(db, account_id, action_id).await?;
    match (&change.webhook_url, target) {
        (Some(url), Some(_)) => {
            db.execute(
                "UPDATE webhook_targets SET url = $1, enabled = $2,
                     disabled_reason = CASE WHEN $2 THEN NULL ELSE disabled_reason END,
                     failing_since = CASE WHEN $2 THEN NULL ELSE failing_since END,
                     updated_at = $3
                 WHERE id = $4",
                args![url, change.enabled, now, action_id],
            )
            .await?;
        }
        (Some(url), None) => {
            let target = NewTarget {
                id: action_id.to_owned(),
                account_id: account_id.to_owned(),
                kind: TargetKind::Action,
                url: url.clone(),
                event_types: None,
                description: None,
                enabled: change.enabled,
                secret: change.new_secret.clone(),
            };
            webhook_targets::insert(db, &target, now).await?;
        }
        (None, Some(_)) => {
            webhook_targets::delete(db, account_id, action_id, TargetKind::Action).await?;
        }
        (None, None) => {}
    }
    get(db, account_id, scorecard_id, action_id).await
}

pub(crate) async fn delete<D: Db>(
    db: &mut D,
    account_id: &str,
    scorecard_id: &str,
    action_id: &str,
) -> StoreResult<bool> {
    if get(db, account_id, scorecard_id, action_id)
        .await?
        .is_none()
    {
        return Ok(false);
    }
    db.execute(
        "DELETE FROM scorecard_actions WHERE id = $1",
        args![action_id],
    )
    .await?;
    db.execute(
        "DELETE FROM action_runs WHERE action_id = $1",
        args![action_id],
    )
    .await?;
    webhook_targets::delete(db, account_id, action_id, TargetKind::Action).await?;
    Ok(true)
}

/// The enabled actions of a scorecard.
pub(crate) async fn enabled_for<D: Db>(
    db: &mut D,
    account_id: &str,
    scorecard_id: &str,
) -> StoreResult<Vec<ActionRecord>> {
    let sql = format!(
        "SELECT {ACTION_COLUMNS} FROM scorecard_actions
         WHERE scorecard_id = $1 AND account_id = $2 AND enabled = $3 ORDER BY created_at, id"
    );
    db.fetch_all(&sql, args![scorecard_id, account_id, true])
        .await?
        .iter()
        .map(action_from_row)
        .collect()
}

/// Claims the run of `action_id` for `dedupe_key` (on `interaction_id`): true when this is
/// the first.
pub(crate) async fn claim_run<D: Db>(
    db: &mut D,
    action_id: &str,
    dedupe_key: &str,
    interaction_id: &str,
    outcome: &str,
) -> StoreResult<bool> {
    let inserted = db
        .execute(
            "INSERT INTO action_runs (action_id, dedupe_key, outcome, ran_at, interaction_id)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (action_id, dedupe_key) DO NOTHING",
            args![action_id, dedupe_key, outcome, now_micros(), interaction_id],
        )
        .await?;
    Ok(inserted > 0)
}

/// The runs of the account's actions on one interaction, oldest first.
pub(crate) async fn runs_on<D: Db>(
    db: &mut D,
    account_id: &str,
    interaction_id: &str,
) -> StoreResult<Vec<ActionRunRecord>> {
    let rows = db
        .fetch_all(
            "SELECT r.action_id, a.scorecard_id, a.action_spec, r.outcome, r.ran_at
             FROM action_runs r JOIN scorecard_actions a ON a.id = r.action_id
             WHERE r.interaction_id = $1 AND a.account_id = $2
             ORDER BY r.ran_at, r.action_id",
            args![interaction_id, account_id],
        )
        .await?;
    rows.iter()
        .map(|row| {
            Ok(ActionRunRecord {
                action_id: row.get("action_id")?,
                scorecard_id: row.get("scorecard_id")?,
                action: from_json(row.get("action_spec")?, "scorecard_actions.action_spec")?
                    .unwrap_or_default(),
                outcome: row.get("outcome")?,
                ran_at: from_micros(row.get("ran_at")?),
            })
        })
        .collect()
}

/// Applies an action's effect; the caller has claimed its run in the same transaction.
pub(crate) async fn apply<D: Db>(db: &mut D, effect: &ActionEffect) -> StoreResult<()> {
    match effect {
        ActionEffect::Skip { .. } => Ok(()),
        ActionEffect::AddTag {
            interaction_id,
            tag,
        } => interaction_tags::add_tag(db, interaction_id, tag).await,
        ActionEffect::QueueEvaluation { evaluation, depth } => {
            evaluations::queue(db, evaluation).await?;
            db.execute(
                "UPDATE evaluations SET action_depth = $1 WHERE id = $2",
                args![*depth, &evaluation.spec.score_submission_id],
            )
            .await?;
            Ok(())
        }
    }
}

/// An evaluation's place in a chain of QUEUE_EVALUATION actions (0 when it is not in one).
pub(crate) async fn depth<D: Db>(db: &mut D, score_submission_id: &str) -> StoreResult<i64> {
    let row = db
        .fetch_optional(
            "SELECT action_depth FROM evaluations WHERE id = $1",
            args![score_submission_id],
        )
        .await?;
    Ok(row.map(|r| r.get("action_depth")).transpose()?.unwrap_or(0))
}
