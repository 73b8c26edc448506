//! Tags and scorecards: the per-account catalogue uploads refer to. Tag names are unique per
//! account case-insensitively (`name_lower`); tags list by that name, compared byte-wise on both
//! backends (PostgreSQL's columns are `COLLATE "C"`). Scorecard sections are JSON text validated
//! by scorejar-core before they get here.

use super::accounts::require_account;
use crate::codec::{from_json, now_micros, parse_enum, to_json};
use crate::rules::tags::{name_key, FoundTag};
use crate::sql::{args, Arg, Db, Dialect, Row};
use crate::{StoreError, StoreResult};
use scorejar_core::cursor::from_micros;
use scorejar_core::ids::looks_like_id;
use scorejar_core::model::{Scorecard, ScorecardFields, ScorecardStatus, Tag};

pub(crate) async fn create_tag<D: Db>(db: &mut D, account_id: &str, tag: Tag) -> StoreResult<Tag> {
    require_account(db, account_id).await?;
    let inserted = db
        .execute(
            "INSERT INTO tags (id, account_id, name, name_lower, created_at) VALUES ($1, $2, $3, $4, $5)",
            args![&tag.id, account_id, &tag.name, name_key(&tag.name).as_str(), now_micros()],
        )
        .await;
    match inserted {
        Ok(_) => Ok(tag),
        Err(e) if e.is_unique() => Err(StoreError::Conflict("tag name")),
        Err(e) => Err(e.into()),
    }
}

/// Sorted by name.
pub(crate) async fn list_tags<D: Db>(db: &mut D, account_id: &str) -> StoreResult<Vec<Tag>> {
    let rows = db
        .fetch_all(
            "SELECT id, name FROM tags WHERE account_id = $1 ORDER BY name_lower, name, id",
            args![account_id],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            Ok::<_, crate::sql::SqlError>(Tag {
                id: r.get("id")?,
                name: r.get("name")?,
            })
        })
        .collect::<Result<_, _>>()?)
}

/// The account's tags that `refs` name (see `rules::tags`), each once, ordered by id.
pub(crate) async fn find_tags<D: Db>(
    db: &mut D,
    account_id: &str,
    refs: &[String],
) -> StoreResult<Vec<FoundTag>> {
    if refs.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<String> = refs.iter().map(|r| name_key(r)).collect();
    let rows = match db.dialect() {
        // Point lookups: a statement costs no round trip on SQLite, and the list form
        // (`json_each` under an OR) parses JSON and builds temporary b-trees on the writer.
        // Only a reference shaped like an id can be one (ids are UUIDs).
        Dialect::Sqlite => {
            let mut rows = Vec::new();
            for (reference, name) in refs.iter().zip(&names) {
                if looks_like_id(reference) {
                    rows.extend(
                        db.fetch_all(
                            "SELECT id, name_lower FROM tags WHERE id = $1 AND account_id = $2",
                            args![reference, account_id],
                        )
                        .await?,
                    );
                }
                rows.extend(
                    db.fetch_all(
                        "SELECT id, name_lower FROM tags WHERE account_id = $1 AND name_lower = $2",
                        args![account_id, name],
                    )
                    .await?,
                );
            }
            rows
        }
        // One statement: on PostgreSQL each statement is a round trip.
        Dialect::Postgres => {
            db.fetch_all(
                "SELECT id, name_lower FROM tags WHERE account_id = $1
                 AND (id = ANY($2) OR name_lower = ANY($3))",
                &[
                    Arg::from(account_id),
                    Arg::TextList(refs),
                    Arg::TextList(&names),
                ],
            )
            .await?
        }
    };
    let mut found = rows
        .into_iter()
        .map(|r| {
            Ok::<_, crate::sql::SqlError>(FoundTag {
                id: r.get("id")?,
                name_lower: r.get("name_lower")?,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found.dedup_by(|a, b| a.id == b.id);
    Ok(found)
}

pub(crate) async fn create_scorecard<D: Db>(
    db: &mut D,
    account_id: &str,
    scorecard_id: &str,
    fields: &ScorecardFields,
) -> StoreResult<Scorecard> {
    require_account(db, account_id).await?;
    let created = write_scorecard(db, INSERT_SCORECARD, account_id, scorecard_id, fields).await?;
    created.ok_or_else(|| StoreError::Internal(anyhow::anyhow!("INSERT … RETURNING gave no row")))
}

/// Replaces the fields; `None` when no such scorecard on this account.
pub(crate) async fn update_scorecard<D: Db>(
    db: &mut D,
    account_id: &str,
    scorecard_id: &str,
    fields: &ScorecardFields,
) -> StoreResult<Option<Scorecard>> {
    write_scorecard(db, UPDATE_SCORECARD, account_id, scorecard_id, fields).await
}

/// Both take $1 id, $2 account, $3–$9 the fields, $10 now, and return `created_at`.
const INSERT_SCORECARD: &str = "
INSERT INTO scorecards (id, account_id, name, description, status, prompt, model, passing_score,
                        sections, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING created_at";
const UPDATE_SCORECARD: &str = "
UPDATE scorecards SET name = $3, description = $4, status = $5, prompt = $6, model = $7,
                      passing_score = $8, sections = $9, updated_at = $10
WHERE id = $1 AND account_id = $2 RETURNING created_at";

async fn write_scorecard<D: Db>(
    db: &mut D,
    sql: &str,
    account_id: &str,
    scorecard_id: &str,
    fields: &ScorecardFields,
) -> StoreResult<Option<Scorecard>> {
    let now = now_micros();
    let sections = to_json(&fields.sections)?;
    let args = args![
        scorecard_id,
        account_id,
        &fields.name,
        &fields.description,
        fields.status.as_str(),
        &fields.prompt,
        &fields.model,
        fields.passing_score,
        sections.as_str(),
        now
    ];
    let Some(row) = db.fetch_optional(sql, args).await? else {
        return Ok(None);
    };
    Ok(Some(Scorecard {
        id: scorecard_id.to_owned(),
        fields: fields.clone(),
        created_at: from_micros(row.get("created_at")?),
        updated_at: from_micros(now),
    }))
}

const SELECT_SCORECARDS: &str =
    "SELECT id, name, description, status, prompt, model, passing_score, \
     sections, created_at, updated_at FROM scorecards";

fn scorecard_from_row(r: Row) -> StoreResult<Scorecard> {
    Ok(Scorecard {
        id: r.get("id")?,
        fields: ScorecardFields {
            name: r.get("name")?,
            description: r.get("description")?,
            status: parse_enum(
                &r.get::<String>("status")?,
                ScorecardStatus::parse,
                "scorecards.status",
            )?,
            prompt: r.get("prompt")?,
            model: r.get("model")?,
            passing_score: r.get("passing_score")?,
            sections: from_json(r.get("sections")?, "scorecards.sections")?
                .unwrap_or(serde_json::Value::Null),
        },
        created_at: from_micros(r.get("created_at")?),
        updated_at: from_micros(r.get("updated_at")?),
    })
}

pub(crate) async fn get_scorecard<D: Db>(
    db: &mut D,
    account_id: &str,
    scorecard_id: &str,
) -> StoreResult<Option<Scorecard>> {
    let sql = format!("{SELECT_SCORECARDS} WHERE id = $1 AND account_id = $2");
    let row = db
        .fetch_optional(&sql, args![scorecard_id, account_id])
        .await?;
    row.map(scorecard_from_row).transpose()
}

/// Oldest first.
pub(crate) async fn list_scorecards<D: Db>(
    db: &mut D,
    account_id: &str,
) -> StoreResult<Vec<Scorecard>> {
    let sql = format!("{SELECT_SCORECARDS} WHERE account_id = $1 ORDER BY created_at, id");
    let rows = db.fetch_all(&sql, args![account_id]).await?;
    rows.into_iter().map(scorecard_from_row).collect()
}

/// `ScorecardNotActive` unless the scorecard is an ACTIVE one of this account.
pub(crate) async fn require_active_scorecard<D: Db>(
    db: &mut D,
    account_id: &str,
    scorecard_id: &str,
) -> StoreResult<()> {
    let row = db
        .fetch_optional(
            "SELECT status FROM scorecards WHERE id = $1 AND account_id = $2",
            args![scorecard_id, account_id],
        )
        .await?;
    match row.map(|r| r.get::<String>("status")).transpose()? {
        Some(s) if s == ScorecardStatus::Active.as_str() => Ok(()),
        _ => Err(StoreError::ScorecardNotActive),
    }
}
