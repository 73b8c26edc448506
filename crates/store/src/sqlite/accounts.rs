//! Accounts, users and sessions. E-mails are matched case-insensitively through `email_lower`
//! (lower-cased in Rust, so non-ASCII letters fold too).

use super::codec::now_micros;
use super::errors::is_unique_violation;
use super::{credits, tokens};
use crate::{NewApiToken, NewSession, StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension, Row};
use scorejar_core::cursor::{from_micros, to_micros};
use scorejar_core::model::{Account, SessionRecord, UserRecord};

/// Ledger reason of the credits an account starts with.
const INITIAL_GRANT_REASON: &str = "grant: initial credits";

pub(super) fn create_account(
    conn: &Connection,
    account_id: &str,
    name: &str,
    credits: i64,
    token: NewApiToken,
) -> StoreResult<Account> {
    let now = now_micros();
    if credits < 0 {
        return Err(StoreError::InsufficientCredits {
            required: -credits,
            balance: 0,
        });
    }
    conn.prepare_cached(
        "INSERT INTO accounts (id, name, credits, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![account_id, name, credits, now])?;
    if credits > 0 {
        credits::insert_ledger_entry(
            conn,
            account_id,
            credits,
            credits,
            INITIAL_GRANT_REASON,
            None,
            now,
        )?;
    }
    tokens::insert_token(conn, account_id, &token, now)?;
    Ok(Account {
        id: account_id.to_owned(),
        name: name.to_owned(),
        credits,
        created_at: from_micros(now),
    })
}

pub(super) fn account_count(conn: &Connection) -> StoreResult<i64> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*) FROM accounts")?
        .query_row([], |row| row.get(0))?)
}

pub(super) fn get_account(conn: &Connection, account_id: &str) -> StoreResult<Option<Account>> {
    Ok(conn
        .prepare_cached("SELECT id, name, credits, created_at FROM accounts WHERE id = ?1")?
        .query_row([account_id], |row| {
            Ok(Account {
                id: row.get("id")?,
                name: row.get("name")?,
                credits: row.get("credits")?,
                created_at: from_micros(row.get("created_at")?),
            })
        })
        .optional()?)
}

/// `NotFound("account")` unless the account exists.
pub(super) fn require_account(conn: &Connection, account_id: &str) -> StoreResult<()> {
    let found = conn
        .prepare_cached("SELECT 1 FROM accounts WHERE id = ?1")?
        .query_row([account_id], |_| Ok(()))
        .optional()?;
    found.ok_or(StoreError::NotFound("account"))
}

pub(super) fn create_user(
    conn: &Connection,
    user_id: &str,
    account_id: &str,
    email: &str,
    password_hash: &str,
) -> StoreResult<()> {
    require_account(conn, account_id)?;
    let inserted = conn
        .prepare_cached(
            "INSERT INTO users (id, account_id, email, email_lower, password_hash, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            user_id,
            account_id,
            email,
            email.to_lowercase(),
            password_hash,
            now_micros()
        ]);
    match inserted {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict("user email")),
        Err(e) => Err(e.into()),
    }
}

const USER_COLUMNS: &str = "SELECT id, account_id, email, password_hash FROM users";

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        id: row.get("id")?,
        account_id: row.get("account_id")?,
        email: row.get("email")?,
        password_hash: row.get("password_hash")?,
    })
}

pub(super) fn find_user_by_email(
    conn: &Connection,
    email: &str,
) -> StoreResult<Option<UserRecord>> {
    Ok(conn
        .prepare_cached(&format!("{USER_COLUMNS} WHERE email_lower = ?1"))?
        .query_row([email.to_lowercase()], user_from_row)
        .optional()?)
}

pub(super) fn find_user(conn: &Connection, user_id: &str) -> StoreResult<Option<UserRecord>> {
    Ok(conn
        .prepare_cached(&format!("{USER_COLUMNS} WHERE id = ?1"))?
        .query_row([user_id], user_from_row)
        .optional()?)
}

pub(super) fn create_session(conn: &Connection, session: NewSession) -> StoreResult<()> {
    let user_found = conn
        .prepare_cached("SELECT 1 FROM users WHERE id = ?1 AND account_id = ?2")?
        .query_row(params![session.user_id, session.account_id], |_| Ok(()))
        .optional()?;
    user_found.ok_or(StoreError::NotFound("user"))?;
    conn.prepare_cached(
        "INSERT INTO sessions (token_hash, user_id, account_id, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        session.token_hash,
        session.user_id,
        session.account_id,
        to_micros(session.expires_at),
        now_micros()
    ])?;
    Ok(())
}

pub(super) fn find_session(
    conn: &Connection,
    token_hash: &str,
) -> StoreResult<Option<SessionRecord>> {
    Ok(conn
        .prepare_cached(
            "SELECT user_id, account_id, expires_at FROM sessions WHERE token_hash = ?1",
        )?
        .query_row([token_hash], |row| {
            Ok(SessionRecord {
                user_id: row.get("user_id")?,
                account_id: row.get("account_id")?,
                expires_at: from_micros(row.get("expires_at")?),
            })
        })
        .optional()?)
}

pub(super) fn delete_session(conn: &Connection, token_hash: &str) -> StoreResult<bool> {
    let deleted = conn
        .prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")?
        .execute([token_hash])?;
    Ok(deleted > 0)
}
