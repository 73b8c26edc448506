//! Balances and the credit ledger. Every movement is one guarded UPDATE (so a balance can
//! never go below zero, whatever runs concurrently) followed by its ledger row with
//! `balance_after`. A movement of zero writes no ledger row.

use crate::rules::paging::{keyset, Order};
use crate::sql::{args, Db, Param, Query, SqlError};
use crate::{StoreError, StoreResult};
use scorejar_core::cursor::{from_micros, to_micros, Cursor};
use scorejar_core::ids::new_id;
use scorejar_core::model::LedgerEntry;
use scorejar_core::paging::{Page, PageRequest};

/// Applies a signed `amount` (grant > 0, charge < 0) with its ledger row; returns the balance.
/// `NotFound("account")`, or `InsufficientCredits` when the balance would drop below zero.
pub(crate) async fn apply<D: Db>(
    db: &mut D,
    account_id: &str,
    amount: i64,
    reason: &str,
    interaction_id: Option<&str>,
    now: i64,
) -> StoreResult<i64> {
    if amount == 0 {
        return balance(db, account_id).await;
    }
    let moved = db
        .fetch_optional(
            "UPDATE accounts SET credits = credits + $1 WHERE id = $2 AND credits + $1 >= 0 RETURNING credits",
            args![amount, account_id],
        )
        .await?;
    let Some(moved) = moved else {
        let balance = balance(db, account_id).await?;
        return Err(StoreError::InsufficientCredits {
            required: -amount,
            balance,
        });
    };
    let balance_after: i64 = moved.get("credits")?;
    insert_ledger_entry(
        db,
        account_id,
        amount,
        balance_after,
        reason,
        interaction_id,
        now,
    )
    .await?;
    Ok(balance_after)
}

pub(crate) async fn insert_ledger_entry<D: Db>(
    db: &mut D,
    account_id: &str,
    amount: i64,
    balance_after: i64,
    reason: &str,
    interaction_id: Option<&str>,
    now: i64,
) -> StoreResult<()> {
    db.execute(
        "INSERT INTO credit_ledger (id, account_id, amount, balance_after, reason, interaction_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![new_id().as_str(), account_id, amount, balance_after, reason, interaction_id, now],
    )
    .await?;
    Ok(())
}

/// The balance; `NotFound("account")` for an unknown account.
pub(crate) async fn balance<D: Db>(db: &mut D, account_id: &str) -> StoreResult<i64> {
    let row = db
        .fetch_optional(
            "SELECT credits FROM accounts WHERE id = $1",
            args![account_id],
        )
        .await?;
    let row = row.ok_or(StoreError::NotFound("account"))?;
    Ok(row.get("credits")?)
}

/// The balance and a page of the ledger, newest first (`rules::paging`).
pub(crate) async fn credits<D: Db>(
    db: &mut D,
    account_id: &str,
    page: &PageRequest<Cursor>,
) -> StoreResult<(i64, Page<LedgerEntry>)> {
    let balance = balance(db, account_id).await?;
    let mut q = Query::new(
        "SELECT id, amount, balance_after, reason, interaction_id, created_at FROM credit_ledger
         WHERE account_id = $1",
    );
    q.param(Param::Text(account_id.to_owned()));
    keyset(&mut q, "created_at", "id", Order::Desc, page);
    let entries = db
        .fetch_all(&q.sql, &q.args())
        .await?
        .into_iter()
        .map(|r| -> Result<LedgerEntry, SqlError> {
            Ok(LedgerEntry {
                id: r.get("id")?,
                amount: r.get("amount")?,
                balance_after: r.get("balance_after")?,
                reason: r.get("reason")?,
                interaction_id: r.get("interaction_id")?,
                created_at: from_micros(r.get("created_at")?),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let page = Page::from_rows(entries, page, |e| Cursor {
        occurred_at_us: to_micros(e.created_at),
        id: e.id.clone(),
    });
    Ok((balance, page))
}
