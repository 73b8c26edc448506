//! Reading interactions as [`InteractionRecord`]s: the interaction row with its two
//! participants (one query), then the tags and evaluations of a whole page at once (one query
//! each), so a page of 100 costs three queries, not 201. Tags come back sorted by name
//! (case-insensitively, byte-wise): the link table keeps no upload order.

use crate::codec::{decode_metadata, from_json, parse_enum, parse_opt_enum};
use crate::rules::listing::{fts5_expression, next_cursor, page_query, page_size, pg_tsquery};
use crate::sql::{args, Arg, Db, Dialect, Param, Query, Row, Sql};
use crate::StoreResult;
use scorejar_core::cursor::from_micros;
use scorejar_core::model::SUMMARY_TEXT_CHARS;
use scorejar_core::model::*;
use scorejar_core::search::{Term, MARK_END, MARK_START};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The interaction columns plus both participants; callers append WHERE/ORDER/LIMIT.
pub(crate) const SELECT_INTERACTIONS: &str = "
SELECT i.id, i.source_identifier, i.interaction_type, i.direction, i.occurred_at, i.duration_ms,
       i.download_url, i.media_status, i.media_object_key, i.media_content_type,
       i.media_size_bytes, i.media_duration_ms, i.media_channels, i.media_sample_rate,
       i.media_codec, i.media_container, i.media_error, i.media_removed_at, i.transcript_status,
       i.transcript_source, i.transcript_text, i.transcript_language,
       i.transcript_agent_channel, i.transcript_segments, i.transcript_error,
       i.transcript_engine, i.transcript_model, i.email,
       i.custom_metadata, i.processing_transcription, i.processing_evaluation,
       i.credits_charged, i.created_at,
       a.id AS agent_id, a.name AS agent_name, a.email AS agent_email, a.phone AS agent_phone,
       a.source_identifier AS agent_source_identifier,
       c.id AS customer_id, c.name AS customer_name, c.email AS customer_email,
       c.phone AS customer_phone, c.source_identifier AS customer_source_identifier
FROM interactions i
LEFT JOIN participants a ON a.id = i.agent_id
LEFT JOIN participants c ON c.id = i.customer_id";

/// [`SELECT_INTERACTIONS`] for list pages: a transcript's text cut to its first
/// [`SUMMARY_TEXT_CHARS`] characters and no segments, so a page of long calls stays small (the
/// detail read carries the whole transcript).
static SELECT_SUMMARIES: LazyLock<String> = LazyLock::new(|| {
    SELECT_INTERACTIONS
        .replace(
            "i.transcript_text,",
            &format!("substr(i.transcript_text, 1, {SUMMARY_TEXT_CHARS}) AS transcript_text,"),
        )
        .replace("i.transcript_segments,", "NULL AS transcript_segments,")
});

pub(crate) async fn get<D: Db>(
    db: &mut D,
    account_id: &str,
    interaction_id: &str,
) -> StoreResult<Option<InteractionRecord>> {
    let sql = format!("{SELECT_INTERACTIONS} WHERE i.id = $1 AND i.account_id = $2");
    let Some(row) = db
        .fetch_optional(&sql, args![interaction_id, account_id])
        .await?
    else {
        return Ok(None);
    };
    let mut records = vec![record_from_row(&row)?];
    attach_tags_and_evaluations(db, &mut records).await?;
    Ok(records.pop())
}

/// An interaction and its account, whatever the account (workers are not tenants).
pub(crate) async fn get_any<D: Db>(
    db: &mut D,
    interaction_id: &str,
) -> StoreResult<Option<(String, InteractionRecord)>> {
    let row = db
        .fetch_optional(
            "SELECT account_id FROM interactions WHERE id = $1",
            args![interaction_id],
        )
        .await?;
    let Some(account) = row.map(|r| r.get::<String>("account_id")).transpose()? else {
        return Ok(None);
    };
    Ok(get(db, &account, interaction_id)
        .await?
        .map(|record| (account, record)))
}

pub(crate) async fn list<D: Db>(
    db: &mut D,
    account_id: &str,
    filter: &InteractionFilter,
) -> StoreResult<InteractionPage> {
    let dialect = db.dialect();
    let query = page_query(&SELECT_SUMMARIES, account_id, filter, dialect)?;
    let rows = db.fetch_all(&query.sql, &query.args()).await?;
    let limit = page_size(filter);
    let mut data = rows
        .iter()
        .take(limit)
        .map(record_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    let next_cursor = next_cursor(
        rows.len() > limit,
        data.last().map(|r| (r.occurred_at, r.id.as_str())),
    );
    attach_tags_and_evaluations(db, &mut data).await?;
    let snippets = if filter.search.is_empty() || data.is_empty() {
        Default::default()
    } else {
        let ids: Vec<String> = data.iter().map(|r| r.id.clone()).collect();
        snippets(db, &filter.search, &ids).await?
    };
    Ok(InteractionPage {
        data,
        next_cursor,
        snippets,
    })
}

/// Words of context around the matches in a snippet.
const SNIPPET_TOKENS: i64 = 16;

/// The matched passage of each of `ids` (which matched `terms`), marked by the database's own
/// highlighter: FTS5's `snippet()`, PostgreSQL's `ts_headline()` over the same text the
/// generated `search_document` column indexes (`migrations/postgres/0012_search.sql`).
async fn snippets<D: Db>(
    db: &mut D,
    terms: &[Term],
    ids: &[String],
) -> StoreResult<std::collections::HashMap<String, String>> {
    let (start, end) = (MARK_START.to_string(), MARK_END.to_string());
    let q = match db.dialect() {
        Dialect::Sqlite => {
            let mut q = Query::new("");
            let (s, e) = (q.param(Param::Text(start)), q.param(Param::Text(end)));
            let m = q.param(Param::Text(fts5_expression(terms)));
            let ids = q.param(Param::Text(serde_json::to_string(ids).unwrap_or_default()));
            q.push(&format!(
                "SELECT i.id, snippet(interaction_search, 0, {s}, {e}, '…', {SNIPPET_TOKENS})                  AS snippet FROM interaction_search JOIN interactions i                  ON i.rowid = interaction_search.rowid                  WHERE interaction_search MATCH {m} AND i.id IN (SELECT value FROM json_each({ids}))"
            ));
            q
        }
        Dialect::Postgres => {
            let mut q = Query::new("");
            let options = q.param(Param::Text(format!(
                "StartSel={start}, StopSel={end}, MaxFragments=1, MaxWords={SNIPPET_TOKENS},                  MinWords=4, FragmentDelimiter=…"
            )));
            let tsquery = pg_tsquery(&mut q, terms);
            let ids = q.param(Param::Text(serde_json::to_string(ids).unwrap_or_default()));
            q.push(&format!(
                "SELECT id, ts_headline('simple', coalesce(transcript_text, '') || ' ' ||                  coalesce((email::jsonb) ->> 'subject', '') || ' ' ||                  coalesce((email::jsonb) ->> 'body', ''), {tsquery}, {options}) AS snippet                  FROM interactions WHERE id IN (SELECT jsonb_array_elements_text({ids}::jsonb))"
            ));
            q
        }
    };
    let rows = db.fetch_all(&q.sql, &q.args()).await?;
    rows.iter()
        .map(|row| Ok((row.get("id")?, row.get("snippet")?)))
        .collect()
}

const EXISTING: Sql = Sql {
    sqlite: "SELECT id FROM interactions WHERE id IN (SELECT value FROM json_each($1))",
    postgres: "SELECT id FROM interactions WHERE id = ANY($1)",
};

/// Which of `ids` name an interaction, of any account.
pub(crate) async fn existing<D: Db>(
    db: &mut D,
    ids: &[String],
) -> StoreResult<std::collections::HashSet<String>> {
    let dialect = db.dialect();
    db.fetch_all(EXISTING.text(dialect), &[Arg::TextList(ids)])
        .await?
        .iter()
        .map(|row| Ok(row.get("id")?))
        .collect()
}

const PAGE_TAGS: Sql = Sql {
    sqlite: "SELECT it.interaction_id, t.id, t.name FROM interaction_tags it JOIN tags t ON t.id = it.tag_id
             WHERE it.interaction_id IN (SELECT value FROM json_each($1)) ORDER BY t.name_lower, t.name, t.id",
    postgres: "SELECT it.interaction_id, t.id, t.name FROM interaction_tags it JOIN tags t ON t.id = it.tag_id
               WHERE it.interaction_id = ANY($1) ORDER BY t.name_lower, t.name, t.id",
};

const PAGE_EVALUATIONS: Sql = Sql {
    sqlite: "SELECT interaction_id, id, scorecard_id, scorecard_version, status, result, error,
                created_at, completed_at, updated_at FROM evaluations
             WHERE interaction_id IN (SELECT value FROM json_each($1)) ORDER BY created_at, id",
    postgres: "SELECT interaction_id, id, scorecard_id, scorecard_version, status, result, error,
                created_at, completed_at, updated_at FROM evaluations
               WHERE interaction_id = ANY($1) ORDER BY created_at, id",
};

/// Fills `tags` (by name) and `evaluations` (oldest first) of every record.
async fn attach_tags_and_evaluations<D: Db>(
    db: &mut D,
    records: &mut [InteractionRecord],
) -> StoreResult<()> {
    if records.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
    let position: HashMap<String, usize> = ids
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, id)| (id, i))
        .collect();
    let dialect = db.dialect();
    for row in db
        .fetch_all(PAGE_TAGS.text(dialect), &[Arg::TextList(&ids)])
        .await?
    {
        let interaction_id: String = row.get("interaction_id")?;
        if let Some(&i) = position.get(&interaction_id) {
            records[i].tags.push(Tag {
                id: row.get("id")?,
                name: row.get("name")?,
            });
        }
    }
    for row in db
        .fetch_all(PAGE_EVALUATIONS.text(dialect), &[Arg::TextList(&ids)])
        .await?
    {
        let evaluation = evaluation_from_row(&row)?;
        if let Some(&i) = position.get(&evaluation.interaction_id) {
            records[i].evaluations.push(evaluation);
        }
    }
    Ok(())
}

/// The columns [`evaluation_from_row`] reads (`PAGE_EVALUATIONS` lists them too).
pub(crate) const EVALUATION_COLUMNS: &str =
    "interaction_id, id, scorecard_id, scorecard_version, status, result, error, created_at, completed_at, updated_at";

pub(crate) fn evaluation_from_row(row: &Row) -> StoreResult<EvaluationRecord> {
    Ok(EvaluationRecord {
        result: from_json(row.get("result")?, "evaluations.result")?,
        ..evaluation_from_row_without_result(row)?
    })
}

/// [`evaluation_from_row`] for rows without the `result` column (summaries).
pub(crate) fn evaluation_from_row_without_result(row: &Row) -> StoreResult<EvaluationRecord> {
    Ok(EvaluationRecord {
        score_submission_id: row.get("id")?,
        interaction_id: row.get("interaction_id")?,
        scorecard_id: row.get("scorecard_id")?,
        scorecard_version: row.get("scorecard_version")?,
        status: parse_enum(
            &row.get::<String>("status")?,
            EvaluationStatus::parse,
            "evaluations.status",
        )?,
        result: None,
        error: row.get("error")?,
        created_at: from_micros(row.get("created_at")?),
        completed_at: row.get::<Option<i64>>("completed_at")?.map(from_micros),
        updated_at: from_micros(row.get("updated_at")?),
    })
}

/// The record of one row of [`SELECT_INTERACTIONS`], without tags and evaluations.
fn record_from_row(r: &Row) -> StoreResult<InteractionRecord> {
    let media = match r.get::<Option<String>>("media_status")? {
        None => None,
        Some(status) => Some(MediaRecord {
            status: parse_enum(&status, StepStatus::parse, "interactions.media_status")?,
            info: MediaInfo {
                object_key: r.get("media_object_key")?,
                content_type: r.get("media_content_type")?,
                size_bytes: r.get("media_size_bytes")?,
                duration_ms: r.get("media_duration_ms")?,
                channels: r.get("media_channels")?,
                sample_rate: r.get("media_sample_rate")?,
                codec: r.get("media_codec")?,
                container: r.get("media_container")?,
            },
            error: r.get("media_error")?,
            removed_at: r.get::<Option<i64>>("media_removed_at")?.map(from_micros),
        }),
    };
    let transcript = match r.get::<Option<String>>("transcript_status")? {
        None => None,
        Some(status) => Some(TranscriptRecord {
            status: parse_enum(&status, StepStatus::parse, "interactions.transcript_status")?,
            source: parse_opt_enum(
                r.get("transcript_source")?,
                TranscriptSource::parse,
                "interactions.transcript_source",
            )?,
            text: r.get("transcript_text")?,
            language: r.get("transcript_language")?,
            agent_channel: r.get("transcript_agent_channel")?,
            segments: from_json(
                r.get("transcript_segments")?,
                "interactions.transcript_segments",
            )?
            .unwrap_or_default(),
            error: r.get("transcript_error")?,
            engine: r.get("transcript_engine")?,
            model: r.get("transcript_model")?,
        }),
    };
    let participant = |prefix: &str| -> StoreResult<Option<Participant>> {
        let Some(id) = r.get::<Option<String>>(&format!("{prefix}_id"))? else {
            return Ok(None);
        };
        Ok(Some(Participant {
            id,
            name: r.get(&format!("{prefix}_name"))?,
            email: r.get(&format!("{prefix}_email"))?,
            phone: r.get(&format!("{prefix}_phone"))?,
            source_identifier: r.get(&format!("{prefix}_source_identifier"))?,
        }))
    };
    Ok(InteractionRecord {
        id: r.get("id")?,
        source_identifier: r.get("source_identifier")?,
        interaction_type: parse_enum(
            &r.get::<String>("interaction_type")?,
            InteractionType::parse,
            "interactions.interaction_type",
        )?,
        direction: parse_enum(
            &r.get::<String>("direction")?,
            Direction::parse,
            "interactions.direction",
        )?,
        occurred_at: from_micros(r.get("occurred_at")?),
        duration_ms: r.get("duration_ms")?,
        download_url: r.get("download_url")?,
        agent: participant("agent")?,
        customer: participant("customer")?,
        tags: Vec::new(),
        custom_metadata: decode_metadata(r.get("custom_metadata")?)?,
        media,
        transcript,
        email: from_json(r.get("email")?, "interactions.email")?,
        evaluations: Vec::new(),
        processing: Processing {
            transcription: r.get("processing_transcription")?,
            evaluation: r.get("processing_evaluation")?,
        },
        credits_charged: r.get("credits_charged")?,
        created_at: from_micros(r.get("created_at")?),
    })
}

/// Deletes one interaction of the account and everything hanging off it — tags links,
/// metadata, evaluations, tries, the runs of actions on it, jobs (a worker holding one finds it gone and writes nothing) —
/// in one transaction; the credits ledger keeps its rows, which name the interaction's id.
/// Returns the key of its stored media (the caller deletes the object after the commit; one
/// left by a crash in between is an orphan the media sweep removes), or `None` without such
/// interaction.
pub(crate) async fn delete_interaction<D: Db>(
    db: &mut D,
    account_id: &str,
    interaction_id: &str,
) -> StoreResult<Option<Option<String>>> {
    let Some(row) = db
        .fetch_optional(
            "SELECT media_object_key FROM interactions WHERE id = $1 AND account_id = $2",
            args![interaction_id, account_id],
        )
        .await?
    else {
        return Ok(None);
    };
    let media_key: Option<String> = row.get("media_object_key")?;
    for table in [
        "interaction_tags",
        "interaction_metadata",
        "scorecard_trials",
        "action_runs",
        "evaluations",
        "jobs",
    ] {
        db.execute(
            &format!("DELETE FROM {table} WHERE interaction_id = $1"),
            args![interaction_id],
        )
        .await?;
    }
    db.execute(
        "DELETE FROM interactions WHERE id = $1 AND account_id = $2",
        args![interaction_id, account_id],
    )
    .await?;
    Ok(Some(media_key))
}
