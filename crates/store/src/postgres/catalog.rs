//! Tags and scorecards: the per-account catalogue uploads refer to.
//!
//! Tag names are unique per account case-insensitively (`name_lower`, lower-cased in Rust so
//! both backends agree on what "the same name" is). Tags list by name case-insensitively;
//! listings compare bytes (`COLLATE "C"`) so the order does not depend on the database's locale.

use super::codec::{decode_json, now_us, parse_enum};
use super::errors::{db, on_constraint};
use crate::{StoreError, StoreResult};
use scorejar_core::cursor::from_micros;
use scorejar_core::model::{Scorecard, ScorecardFields, ScorecardStatus, Tag};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

pub(crate) async fn create_tag(pool: &PgPool, account_id: &str, tag: Tag) -> StoreResult<Tag> {
    sqlx::query(
        "INSERT INTO tags (id, account_id, name, name_lower, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&tag.id)
    .bind(account_id)
    .bind(&tag.name)
    .bind(tag.name.to_lowercase())
    .bind(now_us())
    .execute(pool)
    .await
    .map_err(|e| {
        on_constraint(e, |name| match name {
            "tags_name_unique" => Some(StoreError::Conflict("tag name")),
            "tags_account_fk" => Some(StoreError::NotFound("account")),
            _ => None,
        })
    })?;
    Ok(tag)
}

pub(crate) async fn list_tags(pool: &PgPool, account_id: &str) -> StoreResult<Vec<Tag>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, name FROM tags WHERE account_id = $1
         ORDER BY name_lower COLLATE \"C\", name COLLATE \"C\", id COLLATE \"C\"",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Tag { id, name })
        .collect())
}

pub(crate) async fn create_scorecard(
    pool: &PgPool,
    account_id: &str,
    scorecard_id: &str,
    fields: &ScorecardFields,
) -> StoreResult<Scorecard> {
    let now = now_us();
    sqlx::query(
        "INSERT INTO scorecards (id, account_id, name, description, status, prompt, model,
                                 passing_score, sections, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(scorecard_id)
    .bind(account_id)
    .bind(&fields.name)
    .bind(&fields.description)
    .bind(fields.status.as_str())
    .bind(&fields.prompt)
    .bind(&fields.model)
    .bind(fields.passing_score)
    .bind(fields.sections.to_string())
    .bind(now)
    .execute(pool)
    .await
    .map_err(|e| {
        on_constraint(e, |name| {
            (name == "scorecards_account_fk").then_some(StoreError::NotFound("account"))
        })
    })?;
    Ok(Scorecard {
        id: scorecard_id.to_owned(),
        fields: fields.clone(),
        created_at: from_micros(now),
        updated_at: from_micros(now),
    })
}

pub(crate) async fn update_scorecard(
    pool: &PgPool,
    account_id: &str,
    scorecard_id: &str,
    fields: &ScorecardFields,
) -> StoreResult<Option<Scorecard>> {
    let now = now_us();
    let created_at: Option<i64> = sqlx::query_scalar(
        "UPDATE scorecards SET name = $3, description = $4, status = $5, prompt = $6, model = $7,
                               passing_score = $8, sections = $9, updated_at = $10
         WHERE id = $1 AND account_id = $2
         RETURNING created_at",
    )
    .bind(scorecard_id)
    .bind(account_id)
    .bind(&fields.name)
    .bind(&fields.description)
    .bind(fields.status.as_str())
    .bind(&fields.prompt)
    .bind(&fields.model)
    .bind(fields.passing_score)
    .bind(fields.sections.to_string())
    .bind(now)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    Ok(created_at.map(|created_at| Scorecard {
        id: scorecard_id.to_owned(),
        fields: fields.clone(),
        created_at: from_micros(created_at),
        updated_at: from_micros(now),
    }))
}

const SCORECARD_COLUMNS: &str =
    "SELECT id, name, description, status, prompt, model, passing_score,
                                        sections, created_at, updated_at
                                 FROM scorecards";

pub(crate) async fn get_scorecard(
    pool: &PgPool,
    account_id: &str,
    scorecard_id: &str,
) -> StoreResult<Option<Scorecard>> {
    let row = sqlx::query(&format!(
        "{SCORECARD_COLUMNS} WHERE id = $1 AND account_id = $2"
    ))
    .bind(scorecard_id)
    .bind(account_id)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.as_ref().map(scorecard_from_row).transpose()
}

pub(crate) async fn list_scorecards(
    pool: &PgPool,
    account_id: &str,
) -> StoreResult<Vec<Scorecard>> {
    let rows = sqlx::query(&format!(
        "{SCORECARD_COLUMNS} WHERE account_id = $1 ORDER BY created_at, id COLLATE \"C\""
    ))
    .bind(account_id)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter().map(scorecard_from_row).collect()
}

fn scorecard_from_row(row: &PgRow) -> StoreResult<Scorecard> {
    let status: String = row.try_get("status").map_err(db)?;
    let sections: String = row.try_get("sections").map_err(db)?;
    Ok(Scorecard {
        id: row.try_get("id").map_err(db)?,
        fields: ScorecardFields {
            name: row.try_get("name").map_err(db)?,
            description: row.try_get("description").map_err(db)?,
            status: parse_enum(&status, ScorecardStatus::parse, "scorecards.status")?,
            prompt: row.try_get("prompt").map_err(db)?,
            model: row.try_get("model").map_err(db)?,
            passing_score: row.try_get("passing_score").map_err(db)?,
            sections: decode_json(&sections, "scorecards.sections")?,
        },
        created_at: from_micros(row.try_get("created_at").map_err(db)?),
        updated_at: from_micros(row.try_get("updated_at").map_err(db)?),
    })
}
