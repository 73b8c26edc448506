//! Keeping data no longer than an account wants, and sweeping what nobody needs: the
//! account's retention (days after arrival to keep a recording, and the whole interaction),
//! what is due under it at a given moment, and the sweeps of expired sessions and of old
//! finished jobs. When (`now`) is always the caller's, so a test can run the clock forward.

use crate::sql::{args, Db};
use crate::{Retention, StoreResult};

const DAY_MICROS: i64 = 86_400 * 1_000_000;

/// The account's retention; `None` for an unknown account.
pub(crate) async fn get_retention<D: Db>(
    db: &mut D,
    account_id: &str,
) -> StoreResult<Option<Retention>> {
    let row = db
        .fetch_optional(
            "SELECT retention_media_days, retention_interaction_days FROM accounts WHERE id = $1",
            args![account_id],
        )
        .await?;
    Ok(match row {
        None => None,
        Some(r) => Some(Retention {
            media_days: r.get("retention_media_days")?,
            interaction_days: r.get("retention_interaction_days")?,
        }),
    })
}

/// Sets the account's retention; false for an unknown account.
pub(crate) async fn set_retention<D: Db>(
    db: &mut D,
    account_id: &str,
    retention: &Retention,
) -> StoreResult<bool> {
    let updated = db
        .execute(
            "UPDATE accounts SET retention_media_days = $2, retention_interaction_days = $3 \
             WHERE id = $1",
            args![account_id, retention.media_days, retention.interaction_days],
        )
        .await?;
    Ok(updated > 0)
}

/// Interactions (account, id) older than their account keeps them, oldest first, at most
/// `limit`.
pub(crate) async fn expired_interactions<D: Db>(
    db: &mut D,
    now: i64,
    limit: i64,
) -> StoreResult<Vec<(String, String)>> {
    let rows = db
        .fetch_all(
            "SELECT i.account_id, i.id FROM interactions i JOIN accounts a ON a.id = i.account_id \
             WHERE a.retention_interaction_days IS NOT NULL \
             AND i.created_at < $1 - a.retention_interaction_days * $2 \
             ORDER BY i.created_at LIMIT $3",
            args![now, DAY_MICROS, limit],
        )
        .await?;
    rows.into_iter()
        .map(|r| Ok((r.get("account_id")?, r.get("id")?)))
        .collect()
}

/// Recordings (interaction id, object key) older than their account keeps them, oldest first,
/// at most `limit`.
pub(crate) async fn expired_media<D: Db>(
    db: &mut D,
    now: i64,
    limit: i64,
) -> StoreResult<Vec<(String, String)>> {
    let rows = db
        .fetch_all(
            "SELECT i.id, i.media_object_key FROM interactions i JOIN accounts a ON a.id = i.account_id \
             WHERE a.retention_media_days IS NOT NULL AND i.media_object_key IS NOT NULL \
             AND i.created_at < $1 - a.retention_media_days * $2 \
             ORDER BY i.created_at LIMIT $3",
            args![now, DAY_MICROS, limit],
        )
        .await?;
    rows.into_iter()
        .map(|r| Ok((r.get("id")?, r.get("media_object_key")?)))
        .collect()
}

/// Records that the recording `key` of an interaction was removed (its object is gone
/// already); false when the interaction no longer names that key.
pub(crate) async fn media_removed<D: Db>(
    db: &mut D,
    interaction_id: &str,
    key: &str,
    now: i64,
) -> StoreResult<bool> {
    let updated = db
        .execute(
            "UPDATE interactions SET media_object_key = NULL, media_removed_at = $3 \
             WHERE id = $1 AND media_object_key = $2",
            args![interaction_id, key, now],
        )
        .await?;
    Ok(updated > 0)
}

/// Deletes sessions expired before `now`; how many.
pub(crate) async fn sweep_sessions<D: Db>(db: &mut D, now: i64) -> StoreResult<u64> {
    Ok(db
        .execute("DELETE FROM sessions WHERE expires_at < $1", args![now])
        .await?)
}

/// Deletes jobs that finished (DONE or FAILED) before `before`; how many.
pub(crate) async fn sweep_jobs<D: Db>(db: &mut D, before: i64) -> StoreResult<u64> {
    Ok(db
        .execute(
            "DELETE FROM jobs WHERE status IN ('DONE', 'FAILED') AND updated_at < $1",
            args![before],
        )
        .await?)
}
