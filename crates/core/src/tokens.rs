//! API token rules: scopes, what a token may grant, expiry, and when its last use is written.
//!
//! Pure decisions, no I/O: the server asks, the store only stores and reads. Scopes are
//! independent of each other (`admin` does not imply `upload`); a token holds a set of them.
//! Stored as the scope names separated by single spaces, in a fixed order (`ScopeSet::to_text`).

use crate::ApiError;
use std::fmt;
use time::{Duration, OffsetDateTime};

/// One permission an API token may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// `POST /api/v1/upload`.
    Upload,
    /// Every `GET` of the account's data: interactions, tags, scorecards, credits.
    Read,
    /// Queuing evaluations (`POST /api/v1/ai/queue`, an upload's `evaluation`): spends credits.
    /// Also a reviewer's override.
    Evaluate,
    /// Creating and editing scorecards and their actions.
    Scorecards,
    /// Managing the account: tokens, tags, webhook endpoints.
    Admin,
}

impl Scope {
    /// Every scope, in the order they are stored and listed.
    pub const ALL: [Scope; 5] = [
        Scope::Upload,
        Scope::Read,
        Scope::Evaluate,
        Scope::Scorecards,
        Scope::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Upload => "upload",
            Scope::Read => "read",
            Scope::Evaluate => "evaluate",
            Scope::Scorecards => "scorecards",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScopeSet(u8);

impl ScopeSet {
    /// Every scope: sessions, user JWTs, an account's first token, and tokens created before
    /// scopes existed (migration 0006).
    pub fn all() -> Self {
        Scope::ALL.into_iter().collect()
    }

    pub fn empty() -> Self {
        Self(0)
    }

    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn insert(&mut self, scope: Scope) {
        self.0 |= scope.bit();
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn is_subset_of(self, other: ScopeSet) -> bool {
        self.0 & !other.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(Scope::as_str).collect()
    }

    /// The stored form: names separated by single spaces, in `Scope::ALL` order.
    pub fn to_text(self) -> String {
        self.names().join(" ")
    }

    /// Reads the stored form; an unknown name is an error (a newer server wrote it, or the row
    /// was edited by hand): refusing is safer than guessing.
    pub fn from_text(text: &str) -> Result<Self, String> {
        text.split_whitespace()
            .map(|name| Scope::parse(name).ok_or_else(|| format!("unknown scope {name:?}")))
            .collect()
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        let mut set = ScopeSet::empty();
        for scope in iter {
            set.insert(scope);
        }
        set
    }
}

/// 403 `insufficient_scope` unless `held` has `needed`.
pub fn require_scope(held: ScopeSet, needed: Scope) -> Result<(), ApiError> {
    if held.contains(needed) {
        Ok(())
    } else {
        Err(ApiError::new(
            403,
            "insufficient_scope",
            format!("this token lacks the `{needed}` scope"),
        ))
    }
}

/// What the creator of a token holds: its scopes and its own expiry (`None` for sessions,
/// JWTs and tokens without one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grantor {
    pub scopes: ScopeSet,
    pub expires_at: Option<OffsetDateTime>,
}

/// The scopes and expiry of a new token, decided by [`grant`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grant {
    pub scopes: ScopeSet,
    pub expires_at: Option<OffsetDateTime>,
}

/// Decides a new token's scopes and expiry from what was asked (`scopes` as given, `None`
/// when absent) and what the creator holds. A token never grants more than it has:
/// - no `scopes` → the creator's own; an unknown name → 400 on `scopes[i]`; `[]` → 400;
///   a scope the creator lacks → 403 `insufficient_scope` on `scopes[i]`;
/// - `expiresAt` must lie in the future (400); a creator that expires cannot make a token that
///   outlives it: no `expiresAt` → the creator's, a later one → 403 on `expiresAt`.
pub fn grant(
    grantor: Grantor,
    requested_scopes: Option<&[String]>,
    requested_expiry: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<Grant, ApiError> {
    let scopes = match requested_scopes {
        None => grantor.scopes,
        Some([]) => {
            return Err(ApiError::invalid(
                "scopes",
                "`scopes` must name at least one scope",
            ))
        }
        Some(names) => {
            let mut set = ScopeSet::empty();
            for (i, name) in names.iter().enumerate() {
                let field = format!("scopes[{i}]");
                let scope = Scope::parse(name).ok_or_else(|| {
                    ApiError::invalid(
                        field.clone(),
                        format!(
                            "`{field}` is not a scope; expected one of {}",
                            ScopeSet::all().names().join(", ")
                        ),
                    )
                })?;
                require_scope(grantor.scopes, scope).map_err(|e| {
                    ApiError::new(
                        403,
                        e.code,
                        format!("`{field}`: a token cannot grant `{scope}`, which it lacks itself"),
                    )
                    .with_field(field.clone())
                })?;
                set.insert(scope);
            }
            set
        }
    };
    if let Some(at) = requested_expiry {
        if at <= now {
            return Err(ApiError::invalid(
                "expiresAt",
                "`expiresAt` must be in the future",
            ));
        }
    }
    let expires_at = match (requested_expiry, grantor.expires_at) {
        (None, limit) => limit,
        (Some(at), Some(limit)) if at > limit => {
            return Err(ApiError::new(
                403,
                "insufficient_scope",
                "`expiresAt`: a token cannot create one that outlives it",
            )
            .with_field("expiresAt"))
        }
        (Some(at), _) => Some(at),
    };
    Ok(Grant { scopes, expires_at })
}

/// A token with an expiry is dead from that instant on.
pub fn is_expired(expires_at: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
    expires_at.is_some_and(|at| at <= now)
}

/// How stale a stored `last_used_at` may get before a use writes it again: one write per token
/// per minute at most, never one per request.
pub const LAST_USED_GRANULARITY: Duration = Duration::seconds(60);

/// Whether this use should write `last_used_at`: never written, or older than the granularity.
pub fn should_record_use(last_used_at: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
    last_used_at.is_none_or(|at| now - at >= LAST_USED_GRANULARITY)
}

#[cfg(test)]
#[path = "tokens_tests.rs"]
mod tests;
