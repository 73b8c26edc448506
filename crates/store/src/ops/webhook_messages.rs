//! Webhook messages and their attempts: inserted once per target and cause with their
//! delivery job, read for each attempt, updated with the attempt's outcome, listed in the
//! delivery log, queued again on request.

use super::jobs;
use crate::codec::now_micros;
use crate::rules::paging::{keyset, Order};
use crate::sql::{args, Db, Param, Query, Row};
use crate::webhooks::{
    AttemptNext, AttemptRecord, Delivery, MessageFilter, MessageRecord, NewAttempt, NewMessage,
    TargetKind,
};
use crate::StoreResult;
use scorejar_core::cursor::{from_micros, to_micros, Cursor};
use scorejar_core::jobs::DELIVER_WEBHOOK;
use scorejar_core::model::NewJob;
use scorejar_core::paging::{Page, PageRequest};
use serde_json::json;

pub(crate) const PENDING: &str = "PENDING";
pub(crate) const DELIVERED: &str = "DELIVERED";
pub(crate) const FAILED: &str = "FAILED";

fn delivery_job(message_id: &str) -> NewJob {
    NewJob::new(DELIVER_WEBHOOK, None, json!({ "messageId": message_id }))
}

/// Inserts the messages not there yet, each with its delivery job; returns how many were new.
pub(crate) async fn enqueue<D: Db>(
    db: &mut D,
    messages: &[NewMessage],
    now: i64,
) -> StoreResult<u64> {
    let mut jobs_to_add = Vec::new();
    for m in messages {
        let inserted = db
            .execute(
                "INSERT INTO webhook_messages (id, account_id, target_id, event_type, event_id,
                     dedupe_key, body, status, attempts, round_attempts, next_attempt_at,
                     created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, $9, $9, $9)
                 ON CONFLICT (target_id, dedupe_key) DO NOTHING",
                args![
                    &m.id,
                    &m.account_id,
                    &m.target_id,
                    &m.event_type,
                    &m.event_id,
                    &m.dedupe_key,
                    &m.body,
                    PENDING,
                    now
                ],
            )
            .await?;
        if inserted > 0 {
            jobs_to_add.push(delivery_job(&m.id));
        }
    }
    let added = jobs_to_add.len() as u64;
    jobs::enqueue(db, &jobs_to_add, now).await?;
    Ok(added)
}

pub(crate) async fn delivery<D: Db>(db: &mut D, message_id: &str) -> StoreResult<Option<Delivery>> {
    let Some(row) = db
        .fetch_optional(
            "SELECT m.id, m.account_id, m.target_id, m.event_type, m.body, m.status, m.attempts,
                    m.round_attempts, m.next_attempt_at, t.url, t.enabled, t.secret,
                    t.previous_secret, t.previous_secret_until, t.failing_since
             FROM webhook_messages m JOIN webhook_targets t ON t.id = m.target_id
             WHERE m.id = $1",
            args![message_id],
        )
        .await?
    else {
        return Ok(None);
    };
    let mut secrets = vec![row.get::<String>("secret")?];
    let previous: Option<String> = row.get("previous_secret")?;
    let until: Option<i64> = row.get("previous_secret_until")?;
    if let (Some(previous), Some(until)) = (previous, until) {
        if until > now_micros() {
            secrets.push(previous);
        }
    }
    Ok(Some(Delivery {
        message_id: row.get("id")?,
        account_id: row.get("account_id")?,
        target_id: row.get("target_id")?,
        event_type: row.get("event_type")?,
        body: row.get("body")?,
        status: row.get("status")?,
        attempts: row.get("attempts")?,
        round_attempts: row.get("round_attempts")?,
        next_attempt_at: row.get::<Option<i64>>("next_attempt_at")?.map(from_micros),
        url: row.get("url")?,
        target_enabled: row.get("enabled")?,
        secrets,
        failing_since: row.get::<Option<i64>>("failing_since")?.map(from_micros),
    }))
}

/// Records one attempt with the message's new state and the target's failing state.
pub(crate) async fn record_attempt<D: Db>(db: &mut D, attempt: &NewAttempt) -> StoreResult<()> {
    let at = to_micros(attempt.at);
    let now = now_micros();
    let (status, next_at) = match &attempt.next {
        AttemptNext::Delivered => (DELIVERED, None),
        AttemptNext::RetryAt(t) => (PENDING, Some(to_micros(*t))),
        AttemptNext::Failed { .. } => (FAILED, None),
    };
    let Some(row) = db
        .fetch_optional(
            "UPDATE webhook_messages SET attempts = attempts + 1,
                 round_attempts = round_attempts + 1, status = $1, next_attempt_at = $2,
                 last_error = $3, updated_at = $4
             WHERE id = $5 RETURNING attempts",
            args![status, next_at, &attempt.error, now, &attempt.message_id],
        )
        .await?
    else {
        // Deleted with its target while the attempt ran: nothing left to record.
        return Ok(());
    };
    let number: i64 = row.get("attempts")?;
    db.execute(
        "INSERT INTO webhook_attempts (message_id, attempt, attempted_at, status_code,
             duration_ms, response, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![
            &attempt.message_id,
            number,
            at,
            attempt.status_code.map(i64::from),
            attempt.duration_ms,
            &attempt.response,
            &attempt.error
        ],
    )
    .await?;
    // A success ends the target's failing run; a failure starts one if none is running. Only
    // a change is written: every delivery to one endpoint would otherwise update (and, on
    // PostgreSQL, lock until commit) the same target row, one transaction after another.
    match attempt.next {
        AttemptNext::Delivered => {
            db.execute(
                "UPDATE webhook_targets SET failing_since = NULL
                 WHERE id = $1 AND failing_since IS NOT NULL",
                args![&attempt.target_id],
            )
            .await?
        }
        _ => {
            db.execute(
                "UPDATE webhook_targets SET failing_since = $2
                 WHERE id = $1 AND failing_since IS NULL",
                args![&attempt.target_id, at],
            )
            .await?
        }
    };
    if let Some(reason) = &attempt.disable {
        for table in ["webhook_targets", "scorecard_actions"] {
            db.execute(
                &format!(
                    "UPDATE {table} SET enabled = $1, disabled_reason = $2, updated_at = $3
                     WHERE id = $4"
                ),
                args![false, reason, now, &attempt.target_id],
            )
            .await?;
        }
    }
    if let AttemptNext::Failed { exhausted } = &attempt.next {
        enqueue(db, exhausted, now).await?;
    }
    Ok(())
}

const MESSAGE_COLUMNS: &str = "m.id, m.target_id, t.kind, m.event_type, m.event_id, m.status, \
     m.attempts, m.next_attempt_at, m.last_error, m.created_at, m.updated_at";

fn message_from_row(row: &Row) -> StoreResult<MessageRecord> {
    let kind: String = row.get("kind")?;
    Ok(MessageRecord {
        id: row.get("id")?,
        target_id: row.get("target_id")?,
        target_kind: if kind == "ACTION" {
            TargetKind::Action
        } else {
            TargetKind::Endpoint
        },
        event_type: row.get("event_type")?,
        event_id: row.get("event_id")?,
        status: row.get("status")?,
        attempts: row.get("attempts")?,
        next_attempt_at: row.get::<Option<i64>>("next_attempt_at")?.map(from_micros),
        last_error: row.get("last_error")?,
        created_at: from_micros(row.get("created_at")?),
        updated_at: from_micros(row.get("updated_at")?),
        attempt_log: Vec::new(),
    })
}

/// Fills each message's attempt log, oldest attempt first.
async fn with_attempts<D: Db>(
    db: &mut D,
    mut messages: Vec<MessageRecord>,
) -> StoreResult<Vec<MessageRecord>> {
    if messages.is_empty() {
        return Ok(messages);
    }
    let mut q = Query::new(
        "SELECT message_id, attempt, attempted_at, status_code, duration_ms, response, error
         FROM webhook_attempts WHERE message_id IN (",
    );
    for (i, m) in messages.iter().enumerate() {
        let p = q.param(Param::Text(m.id.clone()));
        q.push(&format!("{}{p}", if i > 0 { ", " } else { "" }));
    }
    q.push(") ORDER BY message_id, attempt");
    for row in db.fetch_all(&q.sql, &q.args()).await? {
        let id: String = row.get("message_id")?;
        let record = AttemptRecord {
            attempt: row.get("attempt")?,
            at: from_micros(row.get("attempted_at")?),
            status_code: row
                .get::<Option<i64>>("status_code")?
                .and_then(|c| u16::try_from(c).ok()),
            duration_ms: row.get("duration_ms")?,
            response: row.get("response")?,
            error: row.get("error")?,
        };
        if let Some(m) = messages.iter_mut().find(|m| m.id == id) {
            m.attempt_log.push(record);
        }
    }
    Ok(messages)
}

/// The account's messages, newest first, with their attempts.
pub(crate) async fn list<D: Db>(
    db: &mut D,
    account_id: &str,
    filter: &MessageFilter,
    page: &PageRequest<Cursor>,
) -> StoreResult<Page<MessageRecord>> {
    let mut q = Query::new(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM webhook_messages m JOIN webhook_targets t ON t.id = m.target_id
         WHERE m.account_id = "
    ));
    let account = q.param(Param::Text(account_id.to_owned()));
    q.push(&account);
    let text_filters = [
        ("m.target_id", &filter.target_id),
        ("m.status", &filter.status),
        ("m.event_type", &filter.event_type),
    ];
    for (column, value) in text_filters {
        if let Some(value) = value {
            let p = q.param(Param::Text(value.clone()));
            q.push(&format!(" AND {column} = {p}"));
        }
    }
    if let Some(since) = filter.since {
        let p = q.param(Param::Int(to_micros(since)));
        q.push(&format!(" AND m.created_at >= {p}"));
    }
    if let Some(until) = filter.until {
        let p = q.param(Param::Int(to_micros(until)));
        q.push(&format!(" AND m.created_at < {p}"));
    }
    keyset(&mut q, "m.created_at", "m.id", Order::Desc, page);
    let rows = db
        .fetch_all(&q.sql, &q.args())
        .await?
        .iter()
        .map(message_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    let page = Page::from_rows(rows, page, |m| Cursor {
        occurred_at_us: to_micros(m.created_at),
        id: m.id.clone(),
    });
    Ok(Page {
        data: with_attempts(db, page.data).await?,
        next_cursor: page.next_cursor,
    })
}

pub(crate) async fn get<D: Db>(
    db: &mut D,
    account_id: &str,
    message_id: &str,
) -> StoreResult<Option<MessageRecord>> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM webhook_messages m JOIN webhook_targets t ON t.id = m.target_id
         WHERE m.id = $1 AND m.account_id = $2"
    );
    let Some(row) = db
        .fetch_optional(&sql, args![message_id, account_id])
        .await?
    else {
        return Ok(None);
    };
    let message = message_from_row(&row)?;
    Ok(with_attempts(db, vec![message]).await?.pop())
}

/// Queues a message that is not PENDING for a new round of the schedule: `Ok(None)` when it
/// is not the account's, `Ok(Some(false))` when it is still being delivered.
pub(crate) async fn redeliver<D: Db>(
    db: &mut D,
    account_id: &str,
    message_id: &str,
) -> StoreResult<Option<bool>> {
    let now = now_micros();
    let changed = db
        .execute(
            "UPDATE webhook_messages SET status = $1, round_attempts = 0, next_attempt_at = $2,
                 updated_at = $2
             WHERE id = $3 AND account_id = $4 AND status <> $1",
            args![PENDING, now, message_id, account_id],
        )
        .await?;
    if changed > 0 {
        jobs::enqueue(db, &[delivery_job(message_id)], now).await?;
        return Ok(Some(true));
    }
    let exists = db
        .fetch_optional(
            "SELECT id FROM webhook_messages WHERE id = $1 AND account_id = $2",
            args![message_id, account_id],
        )
        .await?;
    Ok(exists.map(|_| false))
}

/// Queues again every FAILED message of the target created at or after `since`.
pub(crate) async fn replay<D: Db>(db: &mut D, target_id: &str, since: i64) -> StoreResult<u64> {
    let now = now_micros();
    let ids: Vec<String> = db
        .fetch_all(
            "UPDATE webhook_messages SET status = $1, round_attempts = 0, next_attempt_at = $2,
                 updated_at = $2
             WHERE target_id = $3 AND status = $4 AND created_at >= $5
             RETURNING id",
            args![PENDING, now, target_id, FAILED, since],
        )
        .await?
        .iter()
        .map(|r| r.get("id"))
        .collect::<Result<_, _>>()?;
    let jobs_to_add: Vec<NewJob> = ids.iter().map(|id| delivery_job(id)).collect();
    jobs::enqueue(db, &jobs_to_add, now).await?;
    Ok(ids.len() as u64)
}
