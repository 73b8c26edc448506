//! What a person may do: their role. A role caps the scopes of everything that acts for the
//! person (web sessions, API session tokens, user JWTs), and an AGENT sees only the
//! interactions where they are the agent. Pure rules; the server enforces them on pages and
//! API routes alike (`docs/web.md`, "Roles").

use crate::tokens::{Scope, ScopeSet};
use crate::ApiError;

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything: tokens, users, webhooks, credits, and all a reviewer does.
    Admin,
    /// Reviews and overrides evaluations, queues them, uploads, edits scorecards.
    Reviewer,
    /// Reads only the interactions (and their evaluations) where they are the agent.
    Agent,
    /// Reads everything, changes nothing.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Reviewer, Role::Agent, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::Reviewer => "REVIEWER",
            Role::Agent => "AGENT",
            Role::Viewer => "VIEWER",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The most a principal acting for someone with this role may do.
    pub fn scopes(self) -> ScopeSet {
        let scopes: &[Scope] = match self {
            Role::Admin => &Scope::ALL,
            Role::Reviewer => &[
                Scope::Upload,
                Scope::Read,
                Scope::Evaluate,
                Scope::Scorecards,
            ],
            Role::Agent | Role::Viewer => &[Scope::Read],
        };
        scopes.iter().copied().collect()
    }

    /// Checks the link between a role and an agent participant: an AGENT must be linked to
    /// one (or they would see nothing, or — worse — everything); other roles must not be.
    pub fn check_agent_link(self, agent_participant_id: Option<&str>) -> Result<(), ApiError> {
        match (self, agent_participant_id) {
            (Role::Agent, None) => Err(ApiError::invalid(
                "agentParticipantId",
                "an AGENT user must be linked to their agent participant (`agentParticipantId`)",
            )),
            (Role::Agent, Some(_)) | (_, None) => Ok(()),
            (_, Some(_)) => Err(ApiError::invalid(
                "agentParticipantId",
                "only an AGENT user is linked to an agent participant",
            )),
        }
    }
}

/// What an admin may not do to themselves: leave the ADMIN role or deactivate their own user —
/// an account could be left with no one to manage it. Another admin can.
pub fn check_own_change(new_role: Role, active: bool) -> Result<(), ApiError> {
    if new_role != Role::Admin {
        return Err(ApiError::invalid(
            "role",
            "you cannot take the ADMIN role from yourself; another admin can",
        ));
    }
    if !active {
        return Err(ApiError::invalid(
            "active",
            "you cannot deactivate yourself; another admin can",
        ));
    }
    Ok(())
}

/// Who may see an interaction: everyone of the account, unless the viewer is restricted to
/// the interactions of one agent participant.
pub fn may_see(agent_restriction: Option<&str>, interaction_agent_id: Option<&str>) -> bool {
    match agent_restriction {
        None => true,
        Some(own) => interaction_agent_id == Some(own),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_keeps_their_own_powers() {
        let cases = [
            (Role::Admin, true, None),
            (Role::Reviewer, true, Some("role")),
            (Role::Viewer, true, Some("role")),
            (Role::Admin, false, Some("active")),
            (Role::Agent, false, Some("role")),
        ];
        for (role, active, refused_field) in cases {
            let got = check_own_change(role, active).err().and_then(|e| e.field);
            assert_eq!(got.as_deref(), refused_field, "{role:?} active={active}");
        }
    }

    #[test]
    fn roles_read_back_and_cap_scopes() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
        let cases = [
            (Role::Admin, Scope::Admin, true),
            (Role::Admin, Scope::Scorecards, true),
            (Role::Reviewer, Scope::Evaluate, true),
            (Role::Reviewer, Scope::Scorecards, true),
            (Role::Reviewer, Scope::Upload, true),
            (Role::Reviewer, Scope::Admin, false),
            (Role::Agent, Scope::Read, true),
            (Role::Agent, Scope::Evaluate, false),
            (Role::Agent, Scope::Upload, false),
            (Role::Viewer, Scope::Read, true),
            (Role::Viewer, Scope::Scorecards, false),
        ];
        for (role, scope, expected) in cases {
            assert_eq!(
                role.scopes().contains(scope),
                expected,
                "{role:?} {scope:?}"
            );
        }
    }

    #[test]
    fn only_agents_are_linked_to_a_participant() {
        let cases = [
            (Role::Agent, Some("p1"), true),
            (Role::Agent, None, false),
            (Role::Admin, None, true),
            (Role::Viewer, None, true),
            (Role::Reviewer, Some("p1"), false),
        ];
        for (role, link, ok) in cases {
            let result = role.check_agent_link(link);
            assert_eq!(result.is_ok(), ok, "{role:?} {link:?}");
            if let Err(e) = result {
                assert_eq!(e.field.as_deref(), Some("agentParticipantId"));
            }
        }
    }

    #[test]
    fn an_agent_sees_only_their_own_interactions() {
        let cases = [
            (None, Some("a"), true),
            (None, None, true),
            (Some("a"), Some("a"), true),
            (Some("a"), Some("b"), false),
            (Some("a"), None, false),
        ];
        for (restriction, agent, expected) in cases {
            assert_eq!(may_see(restriction, agent), expected);
        }
    }
}
