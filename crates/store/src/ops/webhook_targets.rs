//! Webhook targets — the endpoint half of a WEBHOOK action and the account's event
//! endpoints — and their secrets. Deleting a target deletes its messages and their attempts.

use crate::codec::{from_json, now_micros, to_json};
use crate::rules::paging::{keyset, Order};
use crate::sql::{args, Db, Param, Query, Row};
use crate::webhooks::{NewTarget, TargetChange, TargetKind, TargetRecord};
use crate::StoreResult;
use scorejar_core::cursor::{from_micros, to_micros, Cursor};
use scorejar_core::paging::{Page, PageRequest};

pub(crate) const TARGET_COLUMNS: &str = "id, kind, url, event_types, description, enabled, \
     disabled_reason, failing_since, previous_secret_until, created_at, updated_at";

pub(crate) fn target_from_row(row: &Row) -> StoreResult<TargetRecord> {
    let kind: String = row.get("kind")?;
    Ok(TargetRecord {
        id: row.get("id")?,
        kind: if kind == "ACTION" {
            TargetKind::Action
        } else {
            TargetKind::Endpoint
        },
        url: row.get("url")?,
        event_types: from_json(row.get("event_types")?, "webhook_targets.event_types")?,
        description: row.get("description")?,
        enabled: row.get("enabled")?,
        disabled_reason: row.get("disabled_reason")?,
        failing_since: row.get::<Option<i64>>("failing_since")?.map(from_micros),
        previous_secret_until: row
            .get::<Option<i64>>("previous_secret_until")?
            .map(from_micros),
        created_at: from_micros(row.get("created_at")?),
        updated_at: from_micros(row.get("updated_at")?),
    })
}

pub(crate) async fn insert<D: Db>(db: &mut D, target: &NewTarget, now: i64) -> StoreResult<()> {
    let event_types = target.event_types.as_ref().map(to_json).transpose()?;
    db.execute(
        "INSERT INTO webhook_targets (id, account_id, kind, url, event_types, description, enabled,
             secret, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        args![
            &target.id,
            &target.account_id,
            target.kind.as_str(),
            &target.url,
            &event_types,
            &target.description,
            target.enabled,
            &target.secret,
            now
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn get<D: Db>(
    db: &mut D,
    account_id: &str,
    target_id: &str,
) -> StoreResult<Option<TargetRecord>> {
    let sql =
        format!("SELECT {TARGET_COLUMNS} FROM webhook_targets WHERE id = $1 AND account_id = $2");
    db.fetch_optional(&sql, args![target_id, account_id])
        .await?
        .as_ref()
        .map(target_from_row)
        .transpose()
}

pub(crate) async fn count_endpoints<D: Db>(db: &mut D, account_id: &str) -> StoreResult<i64> {
    let row = db
        .fetch_one(
            "SELECT COUNT(*) AS n FROM webhook_targets WHERE account_id = $1 AND kind = 'ENDPOINT'",
            args![account_id],
        )
        .await?;
    Ok(row.get("n")?)
}

/// The account's endpoints, oldest first.
pub(crate) async fn list_endpoints<D: Db>(
    db: &mut D,
    account_id: &str,
    page: &PageRequest<Cursor>,
) -> StoreResult<Page<TargetRecord>> {
    let mut q = Query::new(&format!(
        "SELECT {TARGET_COLUMNS} FROM webhook_targets WHERE account_id = $1 AND kind = 'ENDPOINT'"
    ));
    q.param(Param::Text(account_id.to_owned()));
    keyset(&mut q, "created_at", "id", Order::Asc, page);
    let rows = db
        .fetch_all(&q.sql, &q.args())
        .await?
        .iter()
        .map(target_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Page::from_rows(rows, page, |t| Cursor {
        occurred_at_us: to_micros(t.created_at),
        id: t.id.clone(),
    }))
}

/// Applies `change` to an endpoint of the account; `None` when there is none.
pub(crate) async fn update_endpoint<D: Db>(
    db: &mut D,
    account_id: &str,
    target_id: &str,
    change: &TargetChange,
) -> StoreResult<Option<TargetRecord>> {
    let now = now_micros();
    let event_types = match &change.event_types {
        Some(types) => Some(types.as_ref().map(to_json).transpose()?),
        None => None,
    };
    let (set_types, types) = (event_types.is_some(), event_types.flatten());
    let (set_description, description) = (
        change.description.is_some(),
        change.description.clone().flatten(),
    );
    let changed = db
        .execute(
            "UPDATE webhook_targets SET
                 url = COALESCE($1, url),
                 event_types = CASE WHEN $2 THEN $3 ELSE event_types END,
                 description = CASE WHEN $4 THEN $5 ELSE description END,
                 enabled = COALESCE($6, enabled),
                 disabled_reason = CASE WHEN $6 IS NULL THEN disabled_reason ELSE NULL END,
                 failing_since = CASE WHEN $6 THEN NULL ELSE failing_since END,
                 updated_at = $7
             WHERE id = $8 AND account_id = $9 AND kind = 'ENDPOINT'",
            args![
                &change.url,
                set_types,
                &types,
                set_description,
                &description,
                change.enabled,
                now,
                target_id,
                account_id
            ],
        )
        .await?;
    if changed == 0 {
        return Ok(None);
    }
    get(db, account_id, target_id).await
}

/// Deletes a target with its messages and their attempts.
pub(crate) async fn delete<D: Db>(
    db: &mut D,
    account_id: &str,
    target_id: &str,
    kind: TargetKind,
) -> StoreResult<bool> {
    let owned = db
        .fetch_optional(
            "SELECT id FROM webhook_targets WHERE id = $1 AND account_id = $2 AND kind = $3",
            args![target_id, account_id, kind.as_str()],
        )
        .await?;
    if owned.is_none() {
        return Ok(false);
    }
    db.execute(
        "DELETE FROM webhook_attempts WHERE message_id IN
             (SELECT id FROM webhook_messages WHERE target_id = $1)",
        args![target_id],
    )
    .await?;
    db.execute(
        "DELETE FROM webhook_messages WHERE target_id = $1",
        args![target_id],
    )
    .await?;
    db.execute(
        "DELETE FROM webhook_targets WHERE id = $1",
        args![target_id],
    )
    .await?;
    Ok(true)
}

pub(crate) async fn rotate_secret<D: Db>(
    db: &mut D,
    account_id: &str,
    target_id: &str,
    secret: &str,
    previous_until: i64,
) -> StoreResult<bool> {
    let changed = db
        .execute(
            "UPDATE webhook_targets SET previous_secret = secret, previous_secret_until = $1,
                 secret = $2, updated_at = $3
             WHERE id = $4 AND account_id = $5",
            args![previous_until, secret, now_micros(), target_id, account_id],
        )
        .await?;
    Ok(changed > 0)
}

/// The account's enabled endpoints that receive `event_type` (an endpoint without a list
/// receives every type).
pub(crate) async fn subscribed_endpoints<D: Db>(
    db: &mut D,
    account_id: &str,
    event_type: &str,
) -> StoreResult<Vec<TargetRecord>> {
    let sql = format!(
        "SELECT {TARGET_COLUMNS} FROM webhook_targets
         WHERE account_id = $1 AND kind = 'ENDPOINT' AND enabled = $2 ORDER BY created_at, id"
    );
    let all = db
        .fetch_all(&sql, args![account_id, true])
        .await?
        .iter()
        .map(target_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(all
        .into_iter()
        .filter(|t| {
            t.event_types
                .as_ref()
                .is_none_or(|types| types.iter().any(|t| t == event_type))
        })
        .collect())
}
