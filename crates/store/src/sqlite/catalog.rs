//! Tags and scorecards: the per-account catalog uploads refer to. Tag names are unique per
//! account, case-insensitively (`name_lower`); scorecard sections are JSON text validated by
//! scorejar-core before they get here.

use super::accounts::require_account;
use super::codec::{enum_col, json_col, now_micros, to_json_text};
use super::errors::is_unique_violation;
use crate::{StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension, Row};
use scorejar_core::cursor::from_micros;
use scorejar_core::model::{Scorecard, ScorecardFields, ScorecardStatus, Tag};

pub(super) fn create_tag(conn: &Connection, account_id: &str, tag: Tag) -> StoreResult<Tag> {
    require_account(conn, account_id)?;
    let inserted = conn
        .prepare_cached(
            "INSERT INTO tags (id, account_id, name, name_lower, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            tag.id,
            account_id,
            tag.name,
            tag.name.to_lowercase(),
            now_micros()
        ]);
    match inserted {
        Ok(_) => Ok(tag),
        Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict("tag name")),
        Err(e) => Err(e.into()),
    }
}

pub(super) fn list_tags(conn: &Connection, account_id: &str) -> StoreResult<Vec<Tag>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, name FROM tags WHERE account_id = ?1 ORDER BY name_lower, name, id",
    )?;
    let tags = statement
        .query_map([account_id], |row| {
            Ok(Tag {
                id: row.get("id")?,
                name: row.get("name")?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(tags)
}

/// The id of the account's tag a reference names: its id, else its name (case-insensitive).
pub(super) fn find_tag_id(
    conn: &Connection,
    account_id: &str,
    reference: &str,
) -> StoreResult<Option<String>> {
    if scorejar_core::ids::looks_like_id(reference) {
        let by_id = conn
            .prepare_cached("SELECT id FROM tags WHERE id = ?1 AND account_id = ?2")?
            .query_row(params![reference, account_id], |row| row.get(0))
            .optional()?;
        if by_id.is_some() {
            return Ok(by_id);
        }
    }
    Ok(conn
        .prepare_cached("SELECT id FROM tags WHERE account_id = ?1 AND name_lower = ?2")?
        .query_row(params![account_id, reference.to_lowercase()], |row| {
            row.get(0)
        })
        .optional()?)
}

pub(super) fn create_scorecard(
    conn: &Connection,
    account_id: &str,
    scorecard_id: &str,
    fields: &ScorecardFields,
) -> StoreResult<Scorecard> {
    require_account(conn, account_id)?;
    let now = now_micros();
    conn.prepare_cached(
        "INSERT INTO scorecards (id, account_id, name, description, status, prompt, model,
                                 passing_score, sections, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?
    .execute(params![
        scorecard_id,
        account_id,
        fields.name,
        fields.description,
        fields.status.as_str(),
        fields.prompt,
        fields.model,
        fields.passing_score,
        to_json_text(&fields.sections)?,
        now
    ])?;
    Ok(Scorecard {
        id: scorecard_id.to_owned(),
        fields: fields.clone(),
        created_at: from_micros(now),
        updated_at: from_micros(now),
    })
}

pub(super) fn update_scorecard(
    conn: &Connection,
    account_id: &str,
    scorecard_id: &str,
    fields: &ScorecardFields,
) -> StoreResult<Option<Scorecard>> {
    let now = now_micros();
    let created_at: Option<i64> = conn
        .prepare_cached(
            "UPDATE scorecards SET name = ?1, description = ?2, status = ?3, prompt = ?4,
                 model = ?5, passing_score = ?6, sections = ?7, updated_at = ?8
             WHERE id = ?9 AND account_id = ?10
             RETURNING created_at",
        )?
        .query_row(
            params![
                fields.name,
                fields.description,
                fields.status.as_str(),
                fields.prompt,
                fields.model,
                fields.passing_score,
                to_json_text(&fields.sections)?,
                now,
                scorecard_id,
                account_id
            ],
            |row| row.get(0),
        )
        .optional()?;
    Ok(created_at.map(|created_at| Scorecard {
        id: scorecard_id.to_owned(),
        fields: fields.clone(),
        created_at: from_micros(created_at),
        updated_at: from_micros(now),
    }))
}

const SCORECARD_COLUMNS: &str = "SELECT id, name, description, status, prompt, model, \
     passing_score, sections, created_at, updated_at FROM scorecards";

fn scorecard_from_row(row: &Row<'_>) -> rusqlite::Result<Scorecard> {
    Ok(Scorecard {
        id: row.get("id")?,
        fields: ScorecardFields {
            name: row.get("name")?,
            description: row.get("description")?,
            status: enum_col(row, "status", ScorecardStatus::parse)?,
            prompt: row.get("prompt")?,
            model: row.get("model")?,
            passing_score: row.get("passing_score")?,
            sections: json_col(row, "sections")?.unwrap_or(serde_json::Value::Null),
        },
        created_at: from_micros(row.get("created_at")?),
        updated_at: from_micros(row.get("updated_at")?),
    })
}

pub(super) fn get_scorecard(
    conn: &Connection,
    account_id: &str,
    scorecard_id: &str,
) -> StoreResult<Option<Scorecard>> {
    Ok(conn
        .prepare_cached(&format!(
            "{SCORECARD_COLUMNS} WHERE id = ?1 AND account_id = ?2"
        ))?
        .query_row(params![scorecard_id, account_id], scorecard_from_row)
        .optional()?)
}

pub(super) fn list_scorecards(conn: &Connection, account_id: &str) -> StoreResult<Vec<Scorecard>> {
    let mut statement = conn.prepare_cached(&format!(
        "{SCORECARD_COLUMNS} WHERE account_id = ?1 ORDER BY created_at, rowid"
    ))?;
    let scorecards = statement
        .query_map([account_id], scorecard_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(scorecards)
}

/// `ScorecardNotActive` unless the scorecard is an ACTIVE one of this account.
pub(super) fn require_active_scorecard(
    conn: &Connection,
    account_id: &str,
    scorecard_id: &str,
) -> StoreResult<()> {
    let status: Option<String> = conn
        .prepare_cached("SELECT status FROM scorecards WHERE id = ?1 AND account_id = ?2")?
        .query_row(params![scorecard_id, account_id], |row| row.get(0))
        .optional()?;
    match status.as_deref() {
        Some(s) if s == ScorecardStatus::Active.as_str() => Ok(()),
        _ => Err(StoreError::ScorecardNotActive),
    }
}
