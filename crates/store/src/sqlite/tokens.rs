//! API tokens, stored by the SHA-256 hex hash the caller computed. A revoked token stays as a
//! row (with `revoked_at`) but never authenticates again. `last_used_at` is not updated on use:
//! that would put a write on every authenticated request.

use super::accounts::require_account;
use super::codec::now_micros;
use crate::{NewApiToken, StoreResult};
use rusqlite::{params, Connection, OptionalExtension};
use scorejar_core::cursor::from_micros;
use scorejar_core::model::ApiTokenInfo;

pub(super) fn insert_token(
    conn: &Connection,
    account_id: &str,
    token: &NewApiToken,
    now: i64,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO api_tokens (id, account_id, name, token_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        token.id,
        account_id,
        token.name,
        token.token_hash,
        now
    ])?;
    Ok(())
}

pub(super) fn create_api_token(
    conn: &Connection,
    account_id: &str,
    token: NewApiToken,
) -> StoreResult<ApiTokenInfo> {
    require_account(conn, account_id)?;
    let now = now_micros();
    insert_token(conn, account_id, &token, now)?;
    Ok(ApiTokenInfo {
        id: token.id,
        name: token.name,
        created_at: from_micros(now),
        last_used_at: None,
    })
}

pub(super) fn list_api_tokens(
    conn: &Connection,
    account_id: &str,
) -> StoreResult<Vec<ApiTokenInfo>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, name, created_at, last_used_at FROM api_tokens
         WHERE account_id = ?1 AND revoked_at IS NULL
         ORDER BY created_at DESC, rowid DESC",
    )?;
    let tokens = statement
        .query_map([account_id], |row| {
            Ok(ApiTokenInfo {
                id: row.get("id")?,
                name: row.get("name")?,
                created_at: from_micros(row.get("created_at")?),
                last_used_at: row.get::<_, Option<i64>>("last_used_at")?.map(from_micros),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(tokens)
}

pub(super) fn revoke_api_token(
    conn: &Connection,
    account_id: &str,
    token_id: &str,
) -> StoreResult<bool> {
    let revoked = conn
        .prepare_cached(
            "UPDATE api_tokens SET revoked_at = ?1
             WHERE id = ?2 AND account_id = ?3 AND revoked_at IS NULL",
        )?
        .execute(params![now_micros(), token_id, account_id])?;
    Ok(revoked > 0)
}

pub(super) fn account_for_api_token(
    conn: &Connection,
    token_hash: &str,
) -> StoreResult<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT account_id FROM api_tokens WHERE token_hash = ?1 AND revoked_at IS NULL",
        )?
        .query_row([token_hash], |row| row.get(0))
        .optional()?)
}
