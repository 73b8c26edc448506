//! Balances and the credit ledger. Every movement is one guarded UPDATE (so a balance can never
//! go below zero, whatever runs concurrently) followed by its ledger row with `balance_after`.
//! A movement of zero writes no ledger row.

use super::accounts::require_account;
use super::codec::now_micros;
use crate::{StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension};
use scorejar_core::cursor::from_micros;
use scorejar_core::ids::new_id;
use scorejar_core::model::LedgerEntry;

/// Applies a signed `amount` (grant > 0, charge < 0) with its ledger row; returns the balance.
/// `NotFound("account")`, or `InsufficientCredits` when the balance would drop below zero.
pub(super) fn apply(
    conn: &Connection,
    account_id: &str,
    amount: i64,
    reason: &str,
    interaction_id: Option<&str>,
    now: i64,
) -> StoreResult<i64> {
    if amount == 0 {
        require_account(conn, account_id)?;
        return balance(conn, account_id);
    }
    let updated: Option<i64> = conn
        .prepare_cached(
            "UPDATE accounts SET credits = credits + ?1
             WHERE id = ?2 AND credits + ?1 >= 0
             RETURNING credits",
        )?
        .query_row(params![amount, account_id], |row| row.get(0))
        .optional()?;
    let Some(balance_after) = updated else {
        let balance = balance(conn, account_id)?;
        return Err(StoreError::InsufficientCredits {
            required: -amount,
            balance,
        });
    };
    insert_ledger_entry(
        conn,
        account_id,
        amount,
        balance_after,
        reason,
        interaction_id,
        now,
    )?;
    Ok(balance_after)
}

/// Debits `charge` (≥ 0) for an interaction.
pub(super) fn debit(
    conn: &Connection,
    account_id: &str,
    charge: i64,
    reason: &str,
    interaction_id: &str,
    now: i64,
) -> StoreResult<i64> {
    apply(conn, account_id, -charge, reason, Some(interaction_id), now)
}

pub(super) fn add_credits(
    conn: &Connection,
    account_id: &str,
    amount: i64,
    reason: &str,
) -> StoreResult<i64> {
    apply(conn, account_id, amount, reason, None, now_micros())
}

pub(super) fn insert_ledger_entry(
    conn: &Connection,
    account_id: &str,
    amount: i64,
    balance_after: i64,
    reason: &str,
    interaction_id: Option<&str>,
    now: i64,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO credit_ledger
             (id, account_id, amount, balance_after, reason, interaction_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        new_id(),
        account_id,
        amount,
        balance_after,
        reason,
        interaction_id,
        now
    ])?;
    Ok(())
}

/// The balance; `NotFound("account")` for an unknown account.
pub(super) fn balance(conn: &Connection, account_id: &str) -> StoreResult<i64> {
    conn.prepare_cached("SELECT credits FROM accounts WHERE id = ?1")?
        .query_row([account_id], |row| row.get(0))
        .optional()?
        .ok_or(StoreError::NotFound("account"))
}

/// The balance and the newest `limit` ledger entries, newest first.
pub(super) fn credits(
    conn: &Connection,
    account_id: &str,
    limit: u32,
) -> StoreResult<(i64, Vec<LedgerEntry>)> {
    let balance = balance(conn, account_id)?;
    let mut statement = conn.prepare_cached(
        "SELECT id, amount, balance_after, reason, interaction_id, created_at
         FROM credit_ledger WHERE account_id = ?1
         ORDER BY created_at DESC, rowid DESC LIMIT ?2",
    )?;
    let entries = statement
        .query_map(params![account_id, limit], |row| {
            Ok(LedgerEntry {
                id: row.get("id")?,
                amount: row.get("amount")?,
                balance_after: row.get("balance_after")?,
                reason: row.get("reason")?,
                interaction_id: row.get("interaction_id")?,
                created_at: from_micros(row.get("created_at")?),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok((balance, entries))
}
