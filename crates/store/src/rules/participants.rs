//! Matching an upload's `agent` and `customer` to participants of the account: pure rules over
//! the candidate rows the store read, producing the writes to make.
//!
//! Rules, for each side in turn (agent first):
//! - match by `sourceIdentifier`, else by e-mail (case-insensitive) unless the e-mail's owner has
//!   a different `sourceIdentifier` (then: a new participant without the e-mail), else create;
//! - a matched participant gets its missing name/phone/e-mail/sourceIdentifier filled in;
//!   values it already has are never overwritten;
//! - an e-mail that already belongs to a *different* participant is dropped from this upload,
//!   with a warning (participant e-mails are unique within an account);
//! - a participant created for the agent can be matched by the customer (never created twice).
//!
//! The candidates are every participant of the account whose sourceIdentifier or e-mail appears
//! in the upload, so "belongs to another participant" is decided on complete information; a
//! concurrent upload that changes the picture afterwards is caught by the unique constraints
//! and the whole upload is retried.

use scorejar_core::model::{ParticipantInput, ParticipantRole};

/// A participant row as read, or as it will be written.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct ParticipantRow {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub email_lower: Option<String>,
    pub phone: Option<String>,
    pub source_identifier: Option<String>,
}

/// What the upload writes for its participants.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ParticipantPlan {
    pub agent_id: Option<String>,
    pub customer_id: Option<String>,
    /// New participants, sorted by (sourceIdentifier, e-mail) so that concurrent uploads take
    /// the unique-index locks in the same order.
    pub inserts: Vec<ParticipantRow>,
    /// Existing participants with filled-in fields (the store only fills columns still NULL).
    pub fills: Vec<ParticipantRow>,
    /// Existing participants the interaction points at and this upload does not fill in: the
    /// store locks them (FOR KEY SHARE) before the debit; filled ones are locked by the update.
    pub referenced: Vec<String>,
    pub warnings: Vec<String>,
}

/// The sourceIdentifiers and lower-cased e-mails to read candidates by.
pub(crate) fn lookup_keys(inputs: [Option<&ParticipantInput>; 2]) -> (Vec<String>, Vec<String>) {
    let inputs = inputs.into_iter().flatten();
    let sids = inputs
        .clone()
        .filter_map(|p| p.source_identifier.clone())
        .collect();
    let emails = inputs
        .filter_map(|p| p.email.as_deref().map(str::to_lowercase))
        .collect();
    (sids, emails)
}

struct Entry {
    row: ParticipantRow,
    /// The row as read; `None` for a participant this upload creates.
    original: Option<ParticipantRow>,
}

/// Resolves both sides against `candidates`. `new_id` names participants to create.
pub(crate) fn plan(
    candidates: Vec<ParticipantRow>,
    agent: Option<&ParticipantInput>,
    customer: Option<&ParticipantInput>,
    mut new_id: impl FnMut() -> String,
) -> ParticipantPlan {
    let mut entries: Vec<Entry> = candidates
        .into_iter()
        .map(|row| Entry {
            original: Some(row.clone()),
            row,
        })
        .collect();
    let mut warnings = Vec::new();
    let mut resolve = |role: ParticipantRole, input: Option<&ParticipantInput>| {
        input.map(|input| resolve_one(&mut entries, role, input, &mut new_id, &mut warnings))
    };
    let agent_id = resolve(ParticipantRole::Agent, agent);
    let customer_id = resolve(ParticipantRole::Customer, customer);

    let mut plan = ParticipantPlan {
        agent_id,
        customer_id,
        warnings,
        ..Default::default()
    };
    for entry in entries {
        match entry.original {
            None => plan.inserts.push(entry.row),
            Some(original) => {
                let used = [&plan.agent_id, &plan.customer_id]
                    .into_iter()
                    .any(|id| id.as_deref() == Some(original.id.as_str()));
                if entry.row != original {
                    plan.fills.push(entry.row);
                } else if used {
                    plan.referenced.push(original.id);
                }
            }
        }
    }
    plan.inserts.sort_by(|a, b| {
        (&a.source_identifier, &a.email_lower).cmp(&(&b.source_identifier, &b.email_lower))
    });
    plan.fills.sort_by(|a, b| a.id.cmp(&b.id));
    plan.referenced.sort();
    plan
}

fn resolve_one(
    entries: &mut Vec<Entry>,
    role: ParticipantRole,
    input: &ParticipantInput,
    new_id: &mut impl FnMut() -> String,
    warnings: &mut Vec<String>,
) -> String {
    let email_lower = input.email.as_deref().map(str::to_lowercase);
    let by_sid = input.source_identifier.as_ref().and_then(|sid| {
        entries
            .iter()
            .position(|e| e.row.source_identifier.as_ref() == Some(sid))
    });
    let by_email = || {
        email_lower.as_ref().and_then(|el| {
            entries
                .iter()
                .position(|e| e.row.email_lower.as_ref() == Some(el))
        })
    };
    // A known sourceIdentifier is the client's own id for a person: an e-mail owner carrying a
    // different one is somebody else, and keeps the e-mail.
    let mut email_taken = false;
    let matched = by_sid.or_else(|| {
        let index = by_email()?;
        let owner_sid = &entries[index].row.source_identifier;
        if owner_sid.is_some() && input.source_identifier.is_some() {
            email_taken = true;
            None
        } else {
            Some(index)
        }
    });
    let Some(index) = matched else {
        if email_taken {
            warnings.push(format!(
                "{}.email: {} already belongs to another participant; it was dropped",
                role_field(role),
                input.email.as_deref().unwrap_or_default()
            ));
        }
        let row = ParticipantRow {
            id: new_id(),
            name: input.name.clone(),
            email: if email_taken {
                None
            } else {
                input.email.clone()
            },
            email_lower: if email_taken { None } else { email_lower },
            phone: input.phone.clone(),
            source_identifier: input.source_identifier.clone(),
        };
        let id = row.id.clone();
        entries.push(Entry {
            row,
            original: None,
        });
        return id;
    };

    if let (Some(email), Some(lower)) = (&input.email, &email_lower) {
        let owned_by_other = entries
            .iter()
            .enumerate()
            .any(|(i, e)| i != index && e.row.email_lower.as_ref() == Some(lower));
        let row = &mut entries[index].row;
        if owned_by_other {
            warnings.push(format!(
                "{}.email: {email} already belongs to another participant; it was dropped",
                role_field(role)
            ));
        } else if row.email.is_none() {
            row.email = Some(email.clone());
            row.email_lower = Some(lower.clone());
        }
    }
    let row = &mut entries[index].row;
    fill(&mut row.name, &input.name);
    fill(&mut row.phone, &input.phone);
    fill(&mut row.source_identifier, &input.source_identifier);
    row.id.clone()
}

fn fill(slot: &mut Option<String>, value: &Option<String>) {
    if slot.is_none() {
        slot.clone_from(value);
    }
}

/// The payload field name of a side (`agent`, `customer`), used in warnings.
fn role_field(role: ParticipantRole) -> &'static str {
    match role {
        ParticipantRole::Agent => "agent",
        ParticipantRole::Customer => "customer",
    }
}

#[cfg(test)]
#[path = "participants_tests.rs"]
mod tests;
