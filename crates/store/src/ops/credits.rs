//! Balances and the credit ledger. Every movement is one guarded UPDATE (so a balance can
//! never go below zero, whatever runs concurrently) followed by its ledger row with
//! `balance_after`. A movement of zero writes no ledger row.

use crate::sql::{args, Db, SqlError};
use crate::{StoreError, StoreResult};
use scorejar_core::cursor::from_micros;
use scorejar_core::ids::new_id;
use scorejar_core::model::LedgerEntry;

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

/// The balance and the newest `limit` ledger entries, newest first.
pub(crate) async fn credits<D: Db>(
    db: &mut D,
    account_id: &str,
    limit: u32,
) -> StoreResult<(i64, Vec<LedgerEntry>)> {
    let balance = balance(db, account_id).await?;
    let rows = db
        .fetch_all(
            "SELECT id, amount, balance_after, reason, interaction_id, created_at FROM credit_ledger
             WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
            args![account_id, i64::from(limit)],
        )
        .await?;
    let entries = rows
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
        .collect::<Result<_, _>>()?;
    Ok((balance, entries))
}
