//! Accounts, credits, users, API tokens and sessions.
//!
//! Multi-table writes (account + grant + token, credit + ledger entry) are single statements
//! with data-modifying CTEs: one statement is one transaction, and one round trip.

use super::codec::now_us;
use super::errors::{db, on_constraint};
use crate::{NewApiToken, NewSession, StoreError, StoreResult};
use scorejar_core::cursor::from_micros;
use scorejar_core::ids::new_id;
use scorejar_core::model::{Account, ApiTokenInfo, LedgerEntry, SessionRecord, UserRecord};
use sqlx::{PgPool, Row};

/// Ledger reason of an account's opening balance (the same text as the SQLite backend's).
const GRANT_REASON: &str = "grant: initial credits";

pub(crate) async fn create_account(
    pool: &PgPool,
    account_id: &str,
    name: &str,
    credits: i64,
    token: NewApiToken,
) -> StoreResult<Account> {
    if credits < 0 {
        return Err(StoreError::InsufficientCredits {
            required: -credits,
            balance: 0,
        });
    }
    let now = now_us();
    sqlx::query(
        "WITH account AS (
             INSERT INTO accounts (id, name, credits, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id),
         opening AS (
             INSERT INTO credit_ledger
                 (id, account_id, amount, balance_after, reason, interaction_id, created_at)
             SELECT $5, account.id, $3, $3, $6, NULL, $4 FROM account WHERE $3 > 0),
         token AS (
             INSERT INTO api_tokens (id, account_id, name, token_hash, created_at)
             SELECT $7, account.id, $8, $9, $4 FROM account)
         SELECT 1",
    )
    .bind(account_id)
    .bind(name)
    .bind(credits)
    .bind(now)
    .bind(new_id())
    .bind(GRANT_REASON)
    .bind(&token.id)
    .bind(&token.name)
    .bind(&token.token_hash)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(Account {
        id: account_id.to_owned(),
        name: name.to_owned(),
        credits,
        created_at: from_micros(now),
    })
}

pub(crate) async fn account_count(pool: &PgPool) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(pool)
        .await
        .map_err(db)
}

pub(crate) async fn get_account(pool: &PgPool, account_id: &str) -> StoreResult<Option<Account>> {
    let row: Option<(String, String, i64, i64)> =
        sqlx::query_as("SELECT id, name, credits, created_at FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(pool)
            .await
            .map_err(db)?;
    Ok(row.map(|(id, name, credits, created_at)| Account {
        id,
        name,
        credits,
        created_at: from_micros(created_at),
    }))
}

pub(crate) async fn add_credits(
    pool: &PgPool,
    account_id: &str,
    amount: i64,
    reason: &str,
) -> StoreResult<i64> {
    // The second column reads the balance as of the statement's snapshot, i.e. before the move:
    // it tells an unknown account (NULL) from one without enough credits.
    let (moved, before): (Option<i64>, Option<i64>) = sqlx::query_as(
        "WITH moved AS (
             UPDATE accounts SET credits = credits + $2
             WHERE id = $1 AND credits + $2 >= 0
             RETURNING credits),
         entry AS (
             INSERT INTO credit_ledger
                 (id, account_id, amount, balance_after, reason, interaction_id, created_at)
             SELECT $3, $1, $2, moved.credits, $4, NULL, $5 FROM moved WHERE $2 <> 0)
         SELECT (SELECT credits FROM moved), (SELECT credits FROM accounts WHERE id = $1)",
    )
    .bind(account_id)
    .bind(amount)
    .bind(new_id())
    .bind(reason)
    .bind(now_us())
    .fetch_one(pool)
    .await
    .map_err(db)?;
    match (moved, before) {
        (Some(balance), _) => Ok(balance),
        (None, None) => Err(StoreError::NotFound("account")),
        (None, Some(balance)) => Err(StoreError::InsufficientCredits {
            required: -amount,
            balance,
        }),
    }
}

pub(crate) async fn credits(
    pool: &PgPool,
    account_id: &str,
    limit: u32,
) -> StoreResult<(i64, Vec<LedgerEntry>)> {
    let balance: Option<i64> = sqlx::query_scalar("SELECT credits FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_optional(pool)
        .await
        .map_err(db)?;
    let balance = balance.ok_or(StoreError::NotFound("account"))?;
    let rows = sqlx::query(
        "SELECT id, amount, balance_after, reason, interaction_id, created_at
         FROM credit_ledger WHERE account_id = $1
         ORDER BY created_at DESC, id COLLATE \"C\" DESC LIMIT $2",
    )
    .bind(account_id)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let entries = rows
        .iter()
        .map(|r| {
            Ok(LedgerEntry {
                id: r.try_get("id")?,
                amount: r.try_get("amount")?,
                balance_after: r.try_get("balance_after")?,
                reason: r.try_get("reason")?,
                interaction_id: r.try_get("interaction_id")?,
                created_at: from_micros(r.try_get("created_at")?),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db)?;
    Ok((balance, entries))
}

pub(crate) async fn create_user(
    pool: &PgPool,
    user_id: &str,
    account_id: &str,
    email: &str,
    password_hash: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO users (id, account_id, email, email_lower, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user_id)
    .bind(account_id)
    .bind(email)
    .bind(email.to_lowercase())
    .bind(password_hash)
    .bind(now_us())
    .execute(pool)
    .await
    .map_err(|e| {
        on_constraint(e, |name| match name {
            "users_email_unique" => Some(StoreError::Conflict("user email")),
            "users_account_fk" => Some(StoreError::NotFound("account")),
            _ => None,
        })
    })?;
    Ok(())
}

const USER_COLUMNS: &str = "SELECT id, account_id, email, password_hash FROM users";

pub(crate) async fn find_user_by_email(
    pool: &PgPool,
    email: &str,
) -> StoreResult<Option<UserRecord>> {
    find_user_where(pool, "email_lower", &email.to_lowercase()).await
}

pub(crate) async fn find_user(pool: &PgPool, user_id: &str) -> StoreResult<Option<UserRecord>> {
    find_user_where(pool, "id", user_id).await
}

async fn find_user_where(
    pool: &PgPool,
    column: &str,
    value: &str,
) -> StoreResult<Option<UserRecord>> {
    let row: Option<(String, String, String, String)> =
        sqlx::query_as(&format!("{USER_COLUMNS} WHERE {column} = $1"))
            .bind(value)
            .fetch_optional(pool)
            .await
            .map_err(db)?;
    Ok(
        row.map(|(id, account_id, email, password_hash)| UserRecord {
            id,
            account_id,
            email,
            password_hash,
        }),
    )
}

pub(crate) async fn create_api_token(
    pool: &PgPool,
    account_id: &str,
    token: NewApiToken,
) -> StoreResult<ApiTokenInfo> {
    let now = now_us();
    sqlx::query(
        "INSERT INTO api_tokens (id, account_id, name, token_hash, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&token.id)
    .bind(account_id)
    .bind(&token.name)
    .bind(&token.token_hash)
    .bind(now)
    .execute(pool)
    .await
    .map_err(|e| {
        on_constraint(e, |name| {
            (name == "api_tokens_account_fk").then_some(StoreError::NotFound("account"))
        })
    })?;
    Ok(ApiTokenInfo {
        id: token.id,
        name: token.name,
        created_at: from_micros(now),
        last_used_at: None,
    })
}

pub(crate) async fn list_api_tokens(
    pool: &PgPool,
    account_id: &str,
) -> StoreResult<Vec<ApiTokenInfo>> {
    let rows: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, name, created_at, last_used_at FROM api_tokens
         WHERE account_id = $1 AND revoked_at IS NULL
         ORDER BY created_at DESC, id COLLATE \"C\" DESC",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, created_at, last_used_at)| ApiTokenInfo {
            id,
            name,
            created_at: from_micros(created_at),
            last_used_at: last_used_at.map(from_micros),
        })
        .collect())
}

pub(crate) async fn revoke_api_token(
    pool: &PgPool,
    account_id: &str,
    token_id: &str,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3
         WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL",
    )
    .bind(token_id)
    .bind(account_id)
    .bind(now_us())
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

/// The authentication hot path: one indexed read, no write.
pub(crate) async fn account_for_api_token(
    pool: &PgPool,
    token_hash: &str,
) -> StoreResult<Option<String>> {
    sqlx::query_scalar(
        "SELECT account_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await
    .map_err(db)
}

pub(crate) async fn create_session(pool: &PgPool, session: NewSession) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, account_id, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&session.token_hash)
    .bind(&session.user_id)
    .bind(&session.account_id)
    .bind(scorejar_core::cursor::to_micros(session.expires_at))
    .bind(now_us())
    .execute(pool)
    .await
    .map_err(|e| {
        on_constraint(e, |name| match name {
            "sessions_user_fk" => Some(StoreError::NotFound("user")),
            "sessions_account_fk" => Some(StoreError::NotFound("account")),
            _ => None,
        })
    })?;
    Ok(())
}

pub(crate) async fn find_session(
    pool: &PgPool,
    token_hash: &str,
) -> StoreResult<Option<SessionRecord>> {
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT user_id, account_id, expires_at FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    Ok(row.map(|(user_id, account_id, expires_at)| SessionRecord {
        user_id,
        account_id,
        expires_at: from_micros(expires_at),
    }))
}

pub(crate) async fn delete_session(pool: &PgPool, token_hash: &str) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(done.rows_affected() == 1)
}
