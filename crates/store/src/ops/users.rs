//! Managing an account's users (Settings → Users): the list, a change of role, agent link or
//! activity, and the one-time password links of invitations. What a change may be (an AGENT
//! needs their participant, an admin cannot demote themselves) is decided above the store
//! (`scorejar_core::roles`); here it is written. Deactivating a user ends their sessions.

use super::accounts::{create_user, user_from_row, USER_COLUMNS};
use crate::codec::now_micros;
use crate::sql::{args, Db};
use crate::{NewLinkOutcome, PasswordLink, StoreError, StoreResult, UserChange};
use scorejar_core::cursor::to_micros;
use scorejar_core::model::{NewUser, UserRecord};

/// Most users one list shows.
pub(crate) const MAX_USERS: i64 = 1000;

pub(crate) async fn list_users<D: Db>(
    db: &mut D,
    account_id: &str,
) -> StoreResult<Vec<UserRecord>> {
    let rows = db
        .fetch_all(
            &format!(
                "SELECT {USER_COLUMNS} FROM users WHERE account_id = $1 \
                 ORDER BY email_lower, id LIMIT $2"
            ),
            args![account_id, MAX_USERS],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(user_from_row)
        .collect::<Result<_, _>>()?)
}

pub(crate) async fn update_user<D: Db>(
    db: &mut D,
    account_id: &str,
    user_id: &str,
    change: &UserChange,
) -> StoreResult<Option<UserRecord>> {
    if let Some(participant) = &change.agent_participant_id {
        db.fetch_optional(
            "SELECT 1 AS one FROM participants WHERE id = $1 AND account_id = $2",
            args![participant, account_id],
        )
        .await?
        .ok_or(StoreError::NotFound("participant"))?;
    }
    let role = change.role.as_str();
    let updated = if change.active {
        db.execute(
            "UPDATE users SET role = $3, agent_participant_id = $4, deactivated_at = NULL \
             WHERE id = $1 AND account_id = $2",
            args![user_id, account_id, role, &change.agent_participant_id],
        )
        .await?
    } else {
        db.execute(
            "UPDATE users SET role = $3, agent_participant_id = $4, \
             deactivated_at = COALESCE(deactivated_at, $5) WHERE id = $1 AND account_id = $2",
            args![
                user_id,
                account_id,
                role,
                &change.agent_participant_id,
                now_micros()
            ],
        )
        .await?
    };
    if updated == 0 {
        return Ok(None);
    }
    if !change.active {
        db.execute("DELETE FROM sessions WHERE user_id = $1", args![user_id])
            .await?;
        db.execute(
            "DELETE FROM password_links WHERE user_id = $1",
            args![user_id],
        )
        .await?;
    }
    super::accounts::find_user(db, user_id).await
}

/// Creates the user (without a usable password) and their first password link.
pub(crate) async fn invite_user<D: Db>(
    db: &mut D,
    user: &NewUser,
    link: &PasswordLink,
) -> StoreResult<()> {
    create_user(db, user).await?;
    insert_link(db, &user.id, link).await
}

/// A new password link for an active user of this account.
pub(crate) async fn create_password_link<D: Db>(
    db: &mut D,
    account_id: &str,
    user_id: &str,
    link: &PasswordLink,
) -> StoreResult<NewLinkOutcome> {
    let Some(user) = db
        .fetch_optional(
            "SELECT email, deactivated_at FROM users WHERE id = $1 AND account_id = $2",
            args![user_id, account_id],
        )
        .await?
    else {
        return Ok(NewLinkOutcome::NoSuchUser);
    };
    if user.get::<Option<i64>>("deactivated_at")?.is_some() {
        return Ok(NewLinkOutcome::Deactivated);
    }
    insert_link(db, user_id, link).await?;
    Ok(NewLinkOutcome::Created {
        email: user.get("email")?,
    })
}

async fn insert_link<D: Db>(db: &mut D, user_id: &str, link: &PasswordLink) -> StoreResult<()> {
    db.execute(
        "INSERT INTO password_links (token_hash, user_id, expires_at, created_at) \
         VALUES ($1, $2, $3, $4)",
        args![
            &link.token_hash,
            user_id,
            to_micros(link.expires_at),
            now_micros()
        ],
    )
    .await?;
    Ok(())
}

/// The active user a live (unexpired) link is for.
pub(crate) async fn password_link_user<D: Db>(
    db: &mut D,
    token_hash: &str,
) -> StoreResult<Option<UserRecord>> {
    let row = db
        .fetch_optional(
            "SELECT u.id FROM password_links l JOIN users u ON u.id = l.user_id \
             WHERE l.token_hash = $1 AND l.expires_at > $2 AND u.deactivated_at IS NULL",
            args![token_hash, now_micros()],
        )
        .await?;
    match row {
        Some(row) => {
            let id: String = row.get("id")?;
            super::accounts::find_user(db, &id).await
        }
        None => Ok(None),
    }
}

/// Sets the password of the link's user and spends every link of theirs; their old sessions
/// end. `None` when the link is unknown, used or expired.
pub(crate) async fn use_password_link<D: Db>(
    db: &mut D,
    token_hash: &str,
    password_hash: &str,
) -> StoreResult<Option<UserRecord>> {
    let Some(user) = password_link_user(db, token_hash).await? else {
        return Ok(None);
    };
    db.execute(
        "UPDATE users SET password_hash = $2 WHERE id = $1",
        args![&user.id, password_hash],
    )
    .await?;
    db.execute(
        "DELETE FROM password_links WHERE user_id = $1",
        args![&user.id],
    )
    .await?;
    db.execute("DELETE FROM sessions WHERE user_id = $1", args![&user.id])
        .await?;
    Ok(Some(user))
}
