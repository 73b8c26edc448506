//! Evaluations queued on an existing interaction (`POST /api/v1/ai/queue`): the evaluation,
//! its job, the debit with its ledger row and the interaction's `credits_charged`, in the
//! caller's transaction. The interaction's receipt (processing flags, score submission id)
//! stays that of its upload.
//!
//! The interaction row is locked first (its `credits_charged` update, which also proves it
//! exists; it also tells whether the transcript is still on its way, in which case its
//! completion starts the evaluation and no job is queued here), then the account: the order a finishing job takes them in, so the two cannot
//! deadlock. Failed checks come in the trait's order: interaction, scorecard, credits.

use super::interactions::{
    evaluation_from_row, evaluation_from_row_without_result, EVALUATION_COLUMNS,
};
use super::{catalog, credits, events, jobs};
use crate::codec::{from_json, now_micros, to_json};
use crate::queue::EvaluationSummary;
use crate::rules::evaluation_listing::page_query;
use crate::rules::listing::next_cursor;
use crate::rules::outcome::evaluation_can_start;
use crate::sql::{args, Db};
use crate::{StoreError, StoreResult};
use scorejar_core::actions::event::{Reason, EVALUATION_COMPLETED};
use scorejar_core::evaluation::listing::{EvaluationFilter, EvaluationPage};
use scorejar_core::model::{EvaluationRecord, EvaluationStatus, NewEvaluation, NewEvaluationSpec};

pub(crate) async fn queue<D: Db>(db: &mut D, evaluation: &NewEvaluation) -> StoreResult<()> {
    let account_id = evaluation.account_id.as_str();
    let interaction_id = evaluation.interaction_id.as_str();
    let row = db
        .fetch_optional(
            "UPDATE interactions SET credits_charged = credits_charged + $1 WHERE id = $2 AND account_id = $3
             RETURNING transcript_status",
            args![evaluation.charge, interaction_id, account_id],
        )
        .await?
        .ok_or(StoreError::NotFound("interaction"))?;
    let transcript_status: Option<String> = row.get("transcript_status")?;
    catalog::require_active_scorecard(db, account_id, &evaluation.spec.scorecard_id).await?;
    let now = now_micros();
    credits::apply(
        db,
        account_id,
        -evaluation.charge,
        &evaluation.charge_reason,
        Some(interaction_id),
        now,
    )
    .await?;
    insert(db, account_id, interaction_id, &evaluation.spec, now).await?;
    if !evaluation_can_start(transcript_status.as_deref()) {
        // The transcript's completion starts it (`effects`): a job now would be a second one.
        return Ok(());
    }
    jobs::enqueue(db, std::slice::from_ref(&evaluation.job), now).await
}

/// A QUEUED evaluation row.
pub(crate) async fn insert<D: Db>(
    db: &mut D,
    account_id: &str,
    interaction_id: &str,
    spec: &NewEvaluationSpec,
    now: i64,
) -> StoreResult<()> {
    db.execute(
        "INSERT INTO evaluations (id, account_id, interaction_id, scorecard_id, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
        args![
            &spec.score_submission_id,
            account_id,
            interaction_id,
            &spec.scorecard_id,
            EvaluationStatus::Queued.as_str(),
            now
        ],
    )
    .await?;
    Ok(())
}

/// One evaluation of this account.
pub(crate) async fn get<D: Db>(
    db: &mut D,
    account_id: &str,
    score_submission_id: &str,
) -> StoreResult<Option<EvaluationRecord>> {
    let sql =
        format!("SELECT {EVALUATION_COLUMNS} FROM evaluations WHERE id = $1 AND account_id = $2");
    db.fetch_optional(&sql, args![score_submission_id, account_id])
        .await?
        .map(|row| evaluation_from_row(&row))
        .transpose()
}

/// Writes a reviewer's corrected result if the evaluation is still COMPLETED and unchanged
/// since `seen_updated_at` (micros); `false` otherwise (another write came first).
pub(crate) async fn review<D: Db>(
    db: &mut D,
    account_id: &str,
    score_submission_id: &str,
    seen_updated_at: i64,
    result: &serde_json::Value,
    summary: &EvaluationSummary,
) -> StoreResult<bool> {
    let now = now_micros().max(seen_updated_at + 1);
    let changed = db
        .execute(
            "UPDATE evaluations SET result = $1, percentage = $2, passed = $3, needs_review = $4,
                    reviewed_at = $5, updated_at = $5
             WHERE id = $6 AND account_id = $7 AND status = $8 AND updated_at = $9",
            args![
                to_json(result)?.as_str(),
                summary.percentage,
                summary.passed,
                summary.needs_review,
                now,
                score_submission_id,
                account_id,
                EvaluationStatus::Completed.as_str(),
                seen_updated_at
            ],
        )
        .await?;
    if changed != 1 {
        return Ok(false);
    }
    // An override changes the result its actions and endpoints saw: they hear of it again.
    if events::evaluation_listened(db, score_submission_id, true).await? {
        let interaction_id: String = db
            .fetch_one(
                "SELECT interaction_id FROM evaluations WHERE id = $1",
                args![score_submission_id],
            )
            .await?
            .get("interaction_id")?;
        let job = events::dispatch_job(
            EVALUATION_COMPLETED,
            &interaction_id,
            Some(score_submission_id),
            Reason::Override,
        );
        jobs::enqueue(db, &[job], now).await?;
    }
    Ok(true)
}

/// The results of this scorecard's evaluations a reviewer has corrected.
pub(crate) async fn reviewed_results<D: Db>(
    db: &mut D,
    account_id: &str,
    scorecard_id: &str,
) -> StoreResult<Vec<serde_json::Value>> {
    let rows = db
        .fetch_all(
            "SELECT result FROM evaluations
             WHERE scorecard_id = $1 AND account_id = $2 AND reviewed_at IS NOT NULL
             ORDER BY reviewed_at, id",
            args![scorecard_id, account_id],
        )
        .await?;
    rows.iter()
        .filter_map(|r| from_json(r.get("result").ok()?, "evaluations.result").transpose())
        .collect()
}

/// A page of this account's evaluations, newest first, as summary rows.
pub(crate) async fn list<D: Db>(
    db: &mut D,
    account_id: &str,
    filter: &EvaluationFilter,
) -> StoreResult<EvaluationPage> {
    let query = page_query(account_id, filter);
    let rows = db.fetch_all(&query.sql, &query.args()).await?;
    let limit = filter.limit.clamp(1, 100) as usize;
    let mut data = Vec::with_capacity(rows.len().min(limit));
    for row in rows.iter().take(limit) {
        let mut record = evaluation_from_row_without_result(row)?;
        let engine: Option<String> = row.get("engine")?;
        if engine.is_some() {
            record.result = Some(serde_json::json!({
                "engine": engine,
                "score": { "percentage": row.get::<Option<f64>>("percentage")? },
                "passed": row.get::<Option<bool>>("passed")?,
                "needsReview": row.get::<Option<bool>>("needs_review")?,
            }));
        }
        data.push(record);
    }
    let next_cursor = next_cursor(
        rows.len() > limit,
        data.last()
            .map(|r| (r.created_at, r.score_submission_id.as_str())),
    );
    Ok(EvaluationPage { data, next_cursor })
}
