//! Agent and customer matching. Within the account a participant is found by its
//! sourceIdentifier, else by its e-mail (case-insensitive) unless that e-mail's owner has a
//! different sourceIdentifier, else created. A match only gains the
//! fields it lacks (nothing stored is overwritten). An e-mail that belongs to another
//! participant is dropped from this upload with a warning instead of failing it. The same
//! participant may be both agent and customer.

use super::codec::now_micros;
use crate::StoreResult;
use rusqlite::{params, Connection, OptionalExtension, Row};
use scorejar_core::ids::new_id;
use scorejar_core::model::{Participant, ParticipantInput, ParticipantRole};

/// The participant id for `input` (matched or created), or `None` without input.
pub(super) fn resolve(
    conn: &Connection,
    account_id: &str,
    role: ParticipantRole,
    input: Option<&ParticipantInput>,
    warnings: &mut Vec<String>,
) -> StoreResult<Option<String>> {
    let Some(input) = input else {
        return Ok(None);
    };
    let email_lower = input.email.as_deref().map(str::to_lowercase);
    let mut matched = match &input.source_identifier {
        Some(source) => find_by(conn, account_id, "source_identifier", source)?,
        None => None,
    };
    let mut email_taken = false;
    if matched.is_none() {
        if let Some(email) = &email_lower {
            let owner = find_by(conn, account_id, "email_lower", email)?;
            // A known sourceIdentifier is the client's own id for a person: when the e-mail's
            // owner carries a different one, they are two people, and the e-mail stays with
            // its owner.
            match owner {
                Some(o) if !same_person_allowed(&o, input) => email_taken = true,
                other => matched = other,
            }
        }
    }
    if email_taken {
        warnings.push(format!(
            "{}.email: {} already belongs to another participant; it was dropped",
            role_field(role),
            input.email.as_deref().unwrap_or_default()
        ));
        let without_email = ParticipantInput {
            email: None,
            ..input.clone()
        };
        return create(conn, account_id, &without_email, None).map(Some);
    }
    let id = match matched {
        Some(existing) => {
            fill_in(
                conn,
                account_id,
                role,
                existing.clone(),
                input,
                email_lower,
                warnings,
            )?;
            existing.id
        }
        None => create(conn, account_id, input, email_lower)?,
    };
    Ok(Some(id))
}

/// Whether a participant found by e-mail may be the one `input` describes: yes unless both
/// carry sourceIdentifiers (which then differ, or the first lookup would have found it).
fn same_person_allowed(owner: &Participant, input: &ParticipantInput) -> bool {
    owner.source_identifier.is_none() || input.source_identifier.is_none()
}

/// Loads a participant by id (for reading interactions).
pub(super) fn get(conn: &Connection, participant_id: &str) -> StoreResult<Option<Participant>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, name, email, phone, source_identifier FROM participants WHERE id = ?1",
        )?
        .query_row([participant_id], participant_from_row)
        .optional()?)
}

fn participant_from_row(row: &Row<'_>) -> rusqlite::Result<Participant> {
    Ok(Participant {
        id: row.get("id")?,
        name: row.get("name")?,
        email: row.get("email")?,
        phone: row.get("phone")?,
        source_identifier: row.get("source_identifier")?,
    })
}

/// `column` is one of two fixed names chosen in this module, never user input.
fn find_by(
    conn: &Connection,
    account_id: &str,
    column: &str,
    value: &str,
) -> StoreResult<Option<Participant>> {
    let sql = format!(
        "SELECT id, name, email, phone, source_identifier FROM participants
         WHERE account_id = ?1 AND {column} = ?2"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![account_id, value], participant_from_row)
        .optional()?)
}

fn create(
    conn: &Connection,
    account_id: &str,
    input: &ParticipantInput,
    email_lower: Option<String>,
) -> StoreResult<String> {
    // Matching by e-mail failed, so an e-mail given here is free.
    let id = new_id();
    conn.prepare_cached(
        "INSERT INTO participants
             (id, account_id, name, email, email_lower, phone, source_identifier, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        id,
        account_id,
        input.name,
        input.email,
        email_lower,
        input.phone,
        input.source_identifier,
        now_micros()
    ])?;
    Ok(id)
}

fn fill_in(
    conn: &Connection,
    account_id: &str,
    role: ParticipantRole,
    existing: Participant,
    input: &ParticipantInput,
    email_lower: Option<String>,
    warnings: &mut Vec<String>,
) -> StoreResult<()> {
    let mut updated = existing.clone();
    updated.name = existing.name.clone().or_else(|| input.name.clone());
    updated.phone = existing.phone.clone().or_else(|| input.phone.clone());
    // Reached only when the lookup by this sourceIdentifier found nobody, so it is free.
    updated.source_identifier = existing
        .source_identifier
        .clone()
        .or_else(|| input.source_identifier.clone());
    if let (Some(email), Some(lower)) = (&input.email, &email_lower) {
        let same_as_stored =
            existing.email.as_deref().map(str::to_lowercase).as_deref() == Some(lower);
        if !same_as_stored {
            let owner = find_by(conn, account_id, "email_lower", lower)?;
            if owner.is_some_and(|o| o.id != existing.id) {
                warnings.push(format!(
                    "{}.email: {email} already belongs to another participant; it was dropped",
                    role_field(role)
                ));
            } else if existing.email.is_none() {
                updated.email = Some(email.clone());
            }
        }
    }
    if updated == existing {
        return Ok(());
    }
    conn.prepare_cached(
        "UPDATE participants SET name = ?1, email = ?2, email_lower = ?3, phone = ?4,
             source_identifier = ?5
         WHERE id = ?6",
    )?
    .execute(params![
        updated.name,
        updated.email,
        updated.email.as_deref().map(str::to_lowercase),
        updated.phone,
        updated.source_identifier,
        updated.id
    ])?;
    Ok(())
}

/// The upload field the role comes from (`agent`, `customer`), for warnings.
fn role_field(role: ParticipantRole) -> &'static str {
    match role {
        ParticipantRole::Agent => "agent",
        ParticipantRole::Customer => "customer",
    }
}
