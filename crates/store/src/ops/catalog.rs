//! Tags and scorecards: the per-account catalogue uploads refer to. Tag names are unique per
//! account case-insensitively (`name_lower`); tags list by that name, compared byte-wise on both
//! backends (PostgreSQL's columns are `COLLATE "C"`). Scorecard sections are JSON text validated
//! by scorejar-core before they get here.

use super::accounts::require_account;
use crate::codec::{from_json, now_micros, parse_enum, to_json};
use crate::rules::paging::{keyset, Order};
use crate::rules::tags::{name_key, FoundTag};
use crate::sql::{args, Arg, Db, Dialect, Param, Query, Row};
use crate::{StoreError, StoreResult};
use scorejar_core::cursor::{from_micros, to_micros, Cursor};
use scorejar_core::ids::looks_like_id;
use scorejar_core::model::{Scorecard, ScorecardFields, ScorecardStatus, ScorecardVersion, Tag};
use scorejar_core::paging::{NameCursor, Page, PageRequest};

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

/// A page of the account's tags by case-folded name, then id (`rules::paging`).
pub(crate) async fn list_tags<D: Db>(
    db: &mut D,
    account_id: &str,
    page: &PageRequest<NameCursor>,
) -> StoreResult<Page<Tag>> {
    let mut q = Query::new("SELECT id, name, name_lower FROM tags WHERE account_id = $1");
    q.param(Param::Text(account_id.to_owned()));
    keyset(&mut q, "name_lower", "id", Order::Asc, page);
    let rows = db
        .fetch_all(&q.sql, &q.args())
        .await?
        .into_iter()
        .map(|r| {
            Ok::<_, crate::sql::SqlError>((
                Tag {
                    id: r.get("id")?,
                    name: r.get("name")?,
                },
                r.get::<String>("name_lower")?,
            ))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_rows(rows, page, |(tag, name_lower)| NameCursor {
        name_key: name_lower.clone(),
        id: tag.id.clone(),
    })
    .map(|(tag, _)| tag))
}

/// Renames a tag of the account; `None` when it has no such tag, `Conflict("tag name")` when
/// another of its tags has that name (case-insensitive).
pub(crate) async fn rename_tag<D: Db>(
    db: &mut D,
    account_id: &str,
    tag_id: &str,
    name: &str,
) -> StoreResult<Option<Tag>> {
    let renamed = db
        .fetch_optional(
            "UPDATE tags SET name = $1, name_lower = $2 WHERE id = $3 AND account_id = $4 RETURNING id, name",
            args![name, name_key(name).as_str(), tag_id, account_id],
        )
        .await;
    match renamed {
        Ok(row) => Ok(row
            .map(|r| {
                Ok::<_, crate::sql::SqlError>(Tag {
                    id: r.get("id")?,
                    name: r.get("name")?,
                })
            })
            .transpose()?),
        Err(e) if e.is_unique() => Err(StoreError::Conflict("tag name")),
        Err(e) => Err(e.into()),
    }
}

/// Deletes a tag of the account and its links to interactions (the caller runs both in one
/// transaction); false when the account has no such tag.
pub(crate) async fn delete_tag<D: Db>(
    db: &mut D,
    account_id: &str,
    tag_id: &str,
) -> StoreResult<bool> {
    db.execute(
        "DELETE FROM interaction_tags WHERE tag_id = $1
         AND tag_id IN (SELECT id FROM tags WHERE id = $1 AND account_id = $2)",
        args![tag_id, account_id],
    )
    .await?;
    let deleted = db
        .execute(
            "DELETE FROM tags WHERE id = $1 AND account_id = $2",
            args![tag_id, account_id],
        )
        .await?;
    Ok(deleted > 0)
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
    let now = now_micros();
    let sections = to_json(&fields.sections)?;
    db.execute(
        "INSERT INTO scorecards (id, account_id, name, description, status, prompt, model,
                                 passing_score, sections, samples, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, 1, $10, $10)",
        args![
            scorecard_id,
            account_id,
            &fields.name,
            &fields.description,
            fields.status.as_str(),
            &fields.prompt,
            &fields.model,
            fields.passing_score,
            sections.as_str(),
            now,
            fields.samples
        ],
    )
    .await?;
    insert_version(db, account_id, scorecard_id, 1, fields, &sections, now).await?;
    Ok(Scorecard {
        id: scorecard_id.to_owned(),
        fields: fields.clone(),
        version: 1,
        created_at: from_micros(now),
        updated_at: from_micros(now),
    })
}

/// Replaces the fields; `None` when no such scorecard on this account. A change of what
/// scoring reads makes the next version ([`ScorecardFields::scoring_differs`]).
pub(crate) async fn update_scorecard<D: Db>(
    db: &mut D,
    account_id: &str,
    scorecard_id: &str,
    fields: &ScorecardFields,
) -> StoreResult<Option<Scorecard>> {
    // A no-op update first: it locks the row on PostgreSQL (two concurrent edits cannot both
    // take the same next version) and returns what is stored now.
    let locked = format!(
        "UPDATE scorecards SET updated_at = updated_at WHERE id = $1 AND account_id = $2
         RETURNING {SCORECARD_COLUMNS}"
    );
    let Some(row) = db
        .fetch_optional(&locked, args![scorecard_id, account_id])
        .await?
    else {
        return Ok(None);
    };
    let current = scorecard_from_row(row)?;
    let version = if current.fields.scoring_differs(fields) {
        current.version + 1
    } else {
        current.version
    };
    let now = now_micros();
    let sections = to_json(&fields.sections)?;
    db.execute(
        "UPDATE scorecards SET name = $3, description = $4, status = $5, prompt = $6, model = $7,
                               passing_score = $8, sections = $9, version = $10, updated_at = $11,
                               samples = $12
         WHERE id = $1 AND account_id = $2",
        args![
            scorecard_id,
            account_id,
            &fields.name,
            &fields.description,
            fields.status.as_str(),
            &fields.prompt,
            &fields.model,
            fields.passing_score,
            sections.as_str(),
            version,
            now,
            fields.samples
        ],
    )
    .await?;
    if version != current.version {
        insert_version(
            db,
            account_id,
            scorecard_id,
            version,
            fields,
            &sections,
            now,
        )
        .await?;
    }
    Ok(Some(Scorecard {
        id: scorecard_id.to_owned(),
        fields: fields.clone(),
        version,
        created_at: current.created_at,
        updated_at: from_micros(now),
    }))
}

async fn insert_version<D: Db>(
    db: &mut D,
    account_id: &str,
    scorecard_id: &str,
    version: i64,
    fields: &ScorecardFields,
    sections: &str,
    now: i64,
) -> StoreResult<()> {
    db.execute(
        "INSERT INTO scorecard_versions (scorecard_id, version, account_id, name, prompt, model,
                                         passing_score, sections, samples, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10, $9)",
        args![
            scorecard_id,
            version,
            account_id,
            &fields.name,
            &fields.prompt,
            &fields.model,
            fields.passing_score,
            sections,
            now,
            fields.samples
        ],
    )
    .await?;
    Ok(())
}

/// Version `version` of a scorecard of this account (`None`: the current one).
pub(crate) async fn get_scorecard_version<D: Db>(
    db: &mut D,
    account_id: &str,
    scorecard_id: &str,
    version: Option<i64>,
) -> StoreResult<Option<ScorecardVersion>> {
    let row = db
        .fetch_optional(
            "SELECT v.scorecard_id, v.version, v.name, v.prompt, v.model, v.passing_score,
                    v.sections, v.samples, v.created_at
             FROM scorecard_versions v JOIN scorecards s ON s.id = v.scorecard_id
             WHERE v.scorecard_id = $1 AND v.account_id = $2
               AND v.version = COALESCE($3, s.version)",
            args![scorecard_id, account_id, version],
        )
        .await?;
    row.map(|r| {
        Ok(ScorecardVersion {
            scorecard_id: r.get("scorecard_id")?,
            version: r.get("version")?,
            name: r.get("name")?,
            prompt: r.get("prompt")?,
            model: r.get("model")?,
            passing_score: r.get("passing_score")?,
            sections: from_json(r.get("sections")?, "scorecard_versions.sections")?
                .unwrap_or(serde_json::Value::Null),
            samples: r.get("samples")?,
            created_at: from_micros(r.get("created_at")?),
        })
    })
    .transpose()
}

const SCORECARD_COLUMNS: &str = "id, name, description, status, prompt, model, passing_score, \
     sections, samples, version, created_at, updated_at";

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
            samples: r.get("samples")?,
        },
        version: r.get("version")?,
        created_at: from_micros(r.get("created_at")?),
        updated_at: from_micros(r.get("updated_at")?),
    })
}

pub(crate) async fn get_scorecard<D: Db>(
    db: &mut D,
    account_id: &str,
    scorecard_id: &str,
) -> StoreResult<Option<Scorecard>> {
    let sql =
        format!("SELECT {SCORECARD_COLUMNS} FROM scorecards WHERE id = $1 AND account_id = $2");
    let row = db
        .fetch_optional(&sql, args![scorecard_id, account_id])
        .await?;
    row.map(scorecard_from_row).transpose()
}

/// A page of the account's scorecards, oldest first (`rules::paging`).
pub(crate) async fn list_scorecards<D: Db>(
    db: &mut D,
    account_id: &str,
    page: &PageRequest<Cursor>,
) -> StoreResult<Page<Scorecard>> {
    let mut q = Query::new(&format!(
        "SELECT {SCORECARD_COLUMNS} FROM scorecards WHERE account_id = $1"
    ));
    q.param(Param::Text(account_id.to_owned()));
    keyset(&mut q, "created_at", "id", Order::Asc, page);
    let rows = db.fetch_all(&q.sql, &q.args()).await?;
    let scorecards = rows
        .into_iter()
        .map(scorecard_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Page::from_rows(scorecards, page, |sc| Cursor {
        occurred_at_us: to_micros(sc.created_at),
        id: sc.id.clone(),
    }))
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
