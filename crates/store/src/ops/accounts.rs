//! Accounts, users, sessions and API tokens. E-mails match case-insensitively through
//! `email_lower` (lower-cased in Rust, so non-ASCII letters fold the same on both backends).
//! A revoked token stays as a row (with `revoked_at`) but never authenticates again.
//! Scopes, expiry and when to write `last_used_at` are decided above the store
//! (`scorejar_core::tokens`); here they are only stored and read.

use super::credits;
use crate::codec::now_micros;
use crate::rules::paging::{keyset, Order};
use crate::sql::{args, Db, Param, Query, Row, Sql, SqlError};
use crate::{NewApiToken, NewSession, StoreError, StoreResult};
use scorejar_core::cursor::{from_micros, to_micros, Cursor};
use scorejar_core::model::{
    Account, ApiTokenAuth, ApiTokenInfo, NewUser, SessionRecord, UserRecord,
};
use scorejar_core::paging::{Page, PageRequest};
use scorejar_core::roles::Role;
use scorejar_core::tokens::ScopeSet;

/// Ledger reason of the credits an account starts with.
const INITIAL_GRANT_REASON: &str = "grant: initial credits";

/// Serialises first starts: on PostgreSQL a transaction-scoped advisory lock (several
/// processes may start at once on an empty database); SQLite's write transaction already
/// holds the whole file.
const FIRST_ACCOUNT_LOCK: Sql = Sql {
    sqlite: "SELECT 1 AS locked",
    postgres: "SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(7460381120392)) AS taken",
};

/// Creates the account only when the database has none yet; `None` when it has one.
pub(crate) async fn create_first_account<D: Db>(
    db: &mut D,
    account_id: &str,
    name: &str,
    credits: i64,
    token: &NewApiToken,
) -> StoreResult<Option<Account>> {
    let lock = FIRST_ACCOUNT_LOCK.text(db.dialect());
    db.fetch_one(lock, args![]).await?;
    let existing: i64 = db
        .fetch_one("SELECT COUNT(*) AS n FROM accounts", args![])
        .await?
        .get("n")?;
    if existing > 0 {
        return Ok(None);
    }
    create_account(db, account_id, name, credits, token)
        .await
        .map(Some)
}

pub(crate) async fn create_account<D: Db>(
    db: &mut D,
    account_id: &str,
    name: &str,
    credits: i64,
    token: &NewApiToken,
) -> StoreResult<Account> {
    if credits < 0 {
        return Err(StoreError::InsufficientCredits {
            required: -credits,
            balance: 0,
        });
    }
    let now = now_micros();
    db.execute(
        "INSERT INTO accounts (id, name, credits, created_at) VALUES ($1, $2, $3, $4)",
        args![account_id, name, credits, now],
    )
    .await?;
    if credits > 0 {
        credits::insert_ledger_entry(
            db,
            account_id,
            credits,
            credits,
            INITIAL_GRANT_REASON,
            None,
            now,
        )
        .await?;
    }
    insert_token(db, account_id, token, now).await?;
    Ok(Account {
        id: account_id.to_owned(),
        name: name.to_owned(),
        credits,
        created_at: from_micros(now),
    })
}

pub(crate) async fn account_count<D: Db>(db: &mut D) -> StoreResult<i64> {
    Ok(db
        .fetch_one("SELECT COUNT(*) AS n FROM accounts", &[])
        .await?
        .get("n")?)
}

pub(crate) async fn get_account<D: Db>(
    db: &mut D,
    account_id: &str,
) -> StoreResult<Option<Account>> {
    let row = db
        .fetch_optional(
            "SELECT id, name, credits, created_at FROM accounts WHERE id = $1",
            args![account_id],
        )
        .await?;
    row.map(|r| -> Result<Account, SqlError> {
        Ok(Account {
            id: r.get("id")?,
            name: r.get("name")?,
            credits: r.get("credits")?,
            created_at: from_micros(r.get("created_at")?),
        })
    })
    .transpose()
    .map_err(Into::into)
}

/// `NotFound("account")` unless the account exists.
pub(crate) async fn require_account<D: Db>(db: &mut D, account_id: &str) -> StoreResult<()> {
    let found = db
        .fetch_optional(
            "SELECT 1 AS one FROM accounts WHERE id = $1",
            args![account_id],
        )
        .await?;
    found.map(|_| ()).ok_or(StoreError::NotFound("account"))
}

pub(crate) async fn create_user<D: Db>(db: &mut D, user: &NewUser) -> StoreResult<()> {
    require_account(db, &user.account_id).await?;
    if let Some(participant) = &user.agent_participant_id {
        db.fetch_optional(
            "SELECT 1 AS one FROM participants WHERE id = $1 AND account_id = $2",
            args![participant, &user.account_id],
        )
        .await?
        .ok_or(StoreError::NotFound("participant"))?;
    }
    let inserted = db
        .execute(
            "INSERT INTO users (id, account_id, email, email_lower, password_hash, role,
                 agent_participant_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            args![
                &user.id,
                &user.account_id,
                &user.email,
                user.email.to_lowercase().as_str(),
                &user.password_hash,
                user.role.as_str(),
                &user.agent_participant_id,
                now_micros()
            ],
        )
        .await;
    match inserted {
        Ok(_) => Ok(()),
        Err(e) if e.is_unique() => Err(StoreError::Conflict("user email")),
        Err(e) => Err(e.into()),
    }
}

pub(crate) const USER_COLUMNS: &str =
    "id, account_id, email, password_hash, role, agent_participant_id, deactivated_at";

pub(crate) fn user_from_row(r: Row) -> Result<UserRecord, SqlError> {
    let role: String = r.get("role")?;
    Ok(UserRecord {
        id: r.get("id")?,
        account_id: r.get("account_id")?,
        email: r.get("email")?,
        password_hash: r.get("password_hash")?,
        // A role this build does not know (a newer one wrote it) gets the least power.
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        agent_participant_id: r.get("agent_participant_id")?,
        active: r.get::<Option<i64>>("deactivated_at")?.is_none(),
    })
}

pub(crate) async fn find_user_by_email<D: Db>(
    db: &mut D,
    email: &str,
) -> StoreResult<Option<UserRecord>> {
    let row = db
        .fetch_optional(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE email_lower = $1"),
            args![email.to_lowercase().as_str()],
        )
        .await?;
    Ok(row.map(user_from_row).transpose()?)
}

pub(crate) async fn find_user<D: Db>(db: &mut D, user_id: &str) -> StoreResult<Option<UserRecord>> {
    let row = db
        .fetch_optional(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
            args![user_id],
        )
        .await?;
    Ok(row.map(user_from_row).transpose()?)
}

pub(crate) async fn create_session<D: Db>(db: &mut D, session: &NewSession) -> StoreResult<()> {
    let user = db
        .fetch_optional(
            "SELECT 1 AS one FROM users WHERE id = $1 AND account_id = $2",
            args![&session.user_id, &session.account_id],
        )
        .await?;
    user.ok_or(StoreError::NotFound("user"))?;
    db.execute(
        "INSERT INTO sessions (token_hash, user_id, account_id, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5)",
        args![
            &session.token_hash,
            &session.user_id,
            &session.account_id,
            to_micros(session.expires_at),
            now_micros()
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn find_session<D: Db>(
    db: &mut D,
    token_hash: &str,
) -> StoreResult<Option<SessionRecord>> {
    let row = db
        .fetch_optional(
            "SELECT user_id, account_id, expires_at, created_at FROM sessions WHERE token_hash = $1",
            args![token_hash],
        )
        .await?;
    row.map(|r| -> Result<SessionRecord, SqlError> {
        Ok(SessionRecord {
            user_id: r.get("user_id")?,
            account_id: r.get("account_id")?,
            expires_at: from_micros(r.get("expires_at")?),
            created_at: from_micros(r.get("created_at")?),
        })
    })
    .transpose()
    .map_err(Into::into)
}

/// Moves a session's expiry to `until`, only ever later (a web session's idle timeout slides).
pub(crate) async fn extend_session<D: Db>(
    db: &mut D,
    token_hash: &str,
    until: i64,
) -> StoreResult<()> {
    db.execute(
        "UPDATE sessions SET expires_at = $2 WHERE token_hash = $1 AND expires_at < $2",
        args![token_hash, until],
    )
    .await?;
    Ok(())
}

pub(crate) async fn delete_session<D: Db>(db: &mut D, token_hash: &str) -> StoreResult<bool> {
    Ok(db
        .execute(
            "DELETE FROM sessions WHERE token_hash = $1",
            args![token_hash],
        )
        .await?
        > 0)
}

async fn insert_token<D: Db>(
    db: &mut D,
    account_id: &str,
    token: &NewApiToken,
    now: i64,
) -> StoreResult<()> {
    db.execute(
        "INSERT INTO api_tokens (id, account_id, name, token_hash, scopes, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![
            &token.id,
            account_id,
            &token.name,
            &token.token_hash,
            token.scopes.to_text().as_str(),
            token.expires_at.map(to_micros),
            now
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn create_api_token<D: Db>(
    db: &mut D,
    account_id: &str,
    token: NewApiToken,
) -> StoreResult<ApiTokenInfo> {
    require_account(db, account_id).await?;
    let now = now_micros();
    insert_token(db, account_id, &token, now).await?;
    Ok(ApiTokenInfo {
        id: token.id,
        name: token.name,
        scopes: token.scopes,
        created_at: from_micros(now),
        last_used_at: None,
        expires_at: token.expires_at.map(to_micros).map(from_micros),
    })
}

/// The stored scope text as a set; an unknown name is a corrupt row (an internal error).
fn scopes_of(row: &Row) -> StoreResult<ScopeSet> {
    let text: String = row.get("scopes")?;
    ScopeSet::from_text(&text)
        .map_err(|why| StoreError::Internal(anyhow::anyhow!("api_tokens.scopes: {why}")))
}

/// Tokens not revoked (expired ones included), newest first.
/// The columns [`token_info`] reads.
const TOKEN_COLUMNS: &str = "id, name, scopes, created_at, last_used_at, expires_at";

fn token_info(r: &Row) -> StoreResult<ApiTokenInfo> {
    Ok(ApiTokenInfo {
        scopes: scopes_of(r)?,
        id: r.get("id")?,
        name: r.get("name")?,
        created_at: from_micros(r.get("created_at")?),
        last_used_at: r.get::<Option<i64>>("last_used_at")?.map(from_micros),
        expires_at: r.get::<Option<i64>>("expires_at")?.map(from_micros),
    })
}

/// A page of the account's live (not revoked) tokens, newest first (`rules::paging`).
pub(crate) async fn list_api_tokens<D: Db>(
    db: &mut D,
    account_id: &str,
    page: &PageRequest<Cursor>,
) -> StoreResult<Page<ApiTokenInfo>> {
    let mut q = Query::new(&format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE account_id = $1 AND revoked_at IS NULL"
    ));
    q.param(Param::Text(account_id.to_owned()));
    keyset(&mut q, "created_at", "id", Order::Desc, page);
    let tokens = db
        .fetch_all(&q.sql, &q.args())
        .await?
        .iter()
        .map(token_info)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Page::from_rows(tokens, page, |t| Cursor {
        occurred_at_us: to_micros(t.created_at),
        id: t.id.clone(),
    }))
}

/// A live (not revoked) token of the account.
pub(crate) async fn get_api_token<D: Db>(
    db: &mut D,
    account_id: &str,
    token_id: &str,
) -> StoreResult<Option<ApiTokenInfo>> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens
         WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL"
    );
    db.fetch_optional(&sql, args![token_id, account_id])
        .await?
        .as_ref()
        .map(token_info)
        .transpose()
}

pub(crate) async fn revoke_api_token<D: Db>(
    db: &mut D,
    account_id: &str,
    token_id: &str,
) -> StoreResult<bool> {
    let changed = db
        .execute(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL",
            args![now_micros(), token_id, account_id],
        )
        .await?;
    Ok(changed > 0)
}

/// The authentication hot path: one indexed read, no write.
pub(crate) async fn find_api_token<D: Db>(
    db: &mut D,
    token_hash: &str,
) -> StoreResult<Option<ApiTokenAuth>> {
    let row = db
        .fetch_optional(
            "SELECT id, account_id, scopes, expires_at, last_used_at FROM api_tokens
             WHERE token_hash = $1 AND revoked_at IS NULL",
            args![token_hash],
        )
        .await?;
    row.map(|r| -> StoreResult<ApiTokenAuth> {
        Ok(ApiTokenAuth {
            scopes: scopes_of(&r)?,
            id: r.get("id")?,
            account_id: r.get("account_id")?,
            expires_at: r.get::<Option<i64>>("expires_at")?.map(from_micros),
            last_used_at: r.get::<Option<i64>>("last_used_at")?.map(from_micros),
        })
    })
    .transpose()
}

/// Writes `last_used_at`; never moves it back (two uses racing each other write once in order).
pub(crate) async fn record_api_token_use<D: Db>(
    db: &mut D,
    token_id: &str,
    at: i64,
) -> StoreResult<()> {
    db.execute(
        "UPDATE api_tokens SET last_used_at = $1
         WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)",
        args![at, token_id],
    )
    .await?;
    Ok(())
}
