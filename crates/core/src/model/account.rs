//! Accounts and who acts for them: the account, its API tokens, users and sessions, and the
//! credit ledger.

use crate::tokens::ScopeSet;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub credits: i64,
    pub created_at: OffsetDateTime,
}

/// An API token as listed: never the secret.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiTokenInfo {
    pub id: String,
    pub name: String,
    pub scopes: ScopeSet,
    pub created_at: OffsetDateTime,
    /// Written at most once a minute (`tokens::should_record_use`), so up to a minute stale.
    pub last_used_at: Option<OffsetDateTime>,
    pub expires_at: Option<OffsetDateTime>,
}

/// What authenticating with an API token needs: a live (not revoked) token's row. Expiry and
/// scopes are decided by the caller (`scorejar_core::tokens`), not by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiTokenAuth {
    pub id: String,
    pub account_id: String,
    pub scopes: ScopeSet,
    pub expires_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
}

/// A user as needed for login and JWT checks.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub id: String,
    pub account_id: String,
    pub email: String,
    pub password_hash: String,
    pub role: crate::roles::Role,
    /// An AGENT's own participant: the only agent whose interactions they see.
    pub agent_participant_id: Option<String>,
    /// False once deactivated: no sign-in, and every session and JWT of theirs stops working.
    pub active: bool,
}

/// A new user.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub account_id: String,
    pub email: String,
    pub password_hash: String,
    pub role: crate::roles::Role,
    pub agent_participant_id: Option<String>,
}

/// A session access token (stored by hash).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub user_id: String,
    pub account_id: String,
    pub expires_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
}

/// One row of the credit ledger. `amount` is signed: grants positive, charges negative.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerEntry {
    pub id: String,
    pub amount: i64,
    pub balance_after: i64,
    pub reason: String,
    pub interaction_id: Option<String>,
    pub created_at: OffsetDateTime,
}

impl NewUser {
    /// An ADMIN user (what every user was before roles existed).
    pub fn admin(
        id: impl Into<String>,
        account_id: impl Into<String>,
        email: impl Into<String>,
        password_hash: impl Into<String>,
    ) -> Self {
        NewUser {
            id: id.into(),
            account_id: account_id.into(),
            email: email.into(),
            password_hash: password_hash.into(),
            role: crate::roles::Role::Admin,
            agent_participant_id: None,
        }
    }
}
