//! Filtered, keyset-paginated interaction lists: newest event first, ties broken by id
//! (descending), pages continue strictly after the cursor's (occurred_at, id).
//!
//! The SQL is assembled from fixed fragments; every user value is a bound parameter.
//! Metadata filters match interactions that HAVE the key with a matching value (`Ne` included:
//! an interaction without the key matches no metadata filter). INT/FLOAT filter values compare
//! numerically with INT/FLOAT values; STRING/BOOLEAN filter values compare with the stored text
//! (`true`/`false` for booleans) — `Eq`/`Ne` are the meaningful ones, the ordering operators on
//! text compare lexicographically by bytes (SQLite's BINARY collation).

use super::interactions::{assemble, from_row, COLUMNS};
use crate::{StoreError, StoreResult};
use rusqlite::types::Value;
use rusqlite::Connection;
use scorejar_core::cursor::{to_micros, Cursor};
use scorejar_core::model::*;

/// Page sizes outside 1..=100 are clamped into it.
const MAX_LIMIT: u32 = 100;

pub(super) fn list(
    conn: &mut Connection,
    account_id: &str,
    filter: &InteractionFilter,
) -> StoreResult<InteractionPage> {
    let limit = filter.limit.clamp(1, MAX_LIMIT) as usize;
    let (sql, values) = build_query(account_id, filter, limit)?;
    let tx = conn.transaction()?;
    let rows = {
        let mut statement = tx.prepare(&sql)?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(values), from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows
    };
    let has_more = rows.len() > limit;
    let mut data = Vec::with_capacity(limit);
    for row in rows.into_iter().take(limit) {
        data.push(assemble(&tx, row)?);
    }
    tx.finish()?;
    let next_cursor = match data.last() {
        Some(last) if has_more => Some(
            Cursor {
                occurred_at_us: to_micros(last.occurred_at),
                id: last.id.clone(),
            }
            .encode(),
        ),
        _ => None,
    };
    Ok(InteractionPage { data, next_cursor })
}

/// The SELECT for one page (`limit + 1` rows, to learn whether another page follows).
fn build_query(
    account_id: &str,
    filter: &InteractionFilter,
    limit: usize,
) -> StoreResult<(String, Vec<Value>)> {
    let mut sql = format!("SELECT {COLUMNS} FROM interactions i WHERE i.account_id = ?");
    let mut values = vec![text(account_id)];
    if let Some(kind) = filter.interaction_type {
        sql.push_str(" AND i.interaction_type = ?");
        values.push(text(kind.as_str()));
    }
    if let Some(direction) = filter.direction {
        sql.push_str(" AND i.direction = ?");
        values.push(text(direction.as_str()));
    }
    if let Some(from) = filter.from {
        sql.push_str(" AND i.occurred_at >= ?");
        values.push(Value::Integer(to_micros(from)));
    }
    if let Some(to) = filter.to {
        sql.push_str(" AND i.occurred_at < ?");
        values.push(Value::Integer(to_micros(to)));
    }
    if let Some(agent) = &filter.agent {
        sql.push_str(
            " AND i.agent_id IN (SELECT p.id FROM participants p \
             WHERE p.account_id = ? AND (p.id = ? OR p.source_identifier = ?))",
        );
        values.extend([text(account_id), text(agent), text(agent)]);
    }
    if let Some(tag) = &filter.tag {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM interaction_tags it JOIN tags t ON t.id = it.tag_id \
             WHERE it.interaction_id = i.id AND t.account_id = ? AND (t.id = ? OR t.name_lower = ?))",
        );
        values.extend([text(account_id), text(tag), text(&tag.to_lowercase())]);
    }
    for metadata in &filter.metadata {
        let (column, value) = match &metadata.value {
            MetadataValue::String(s) => ("m.value_text", text(s)),
            MetadataValue::Boolean(b) => ("m.value_text", text(if *b { "true" } else { "false" })),
            MetadataValue::Int(i) => ("m.value_number", Value::Real(*i as f64)),
            MetadataValue::Float(f) => ("m.value_number", Value::Real(*f)),
        };
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM interaction_metadata m \
             WHERE m.interaction_id = i.id AND m.account_id = ? AND m.key = ? AND {column} {} ?)",
            operator(metadata.op)
        ));
        values.extend([text(account_id), text(&metadata.key), value]);
    }
    if let Some(encoded) = &filter.cursor {
        let cursor = Cursor::decode(encoded)
            .ok_or_else(|| StoreError::Internal(anyhow::anyhow!("undecodable listing cursor")))?;
        sql.push_str(" AND (i.occurred_at < ? OR (i.occurred_at = ? AND i.id < ?))");
        values.extend([
            Value::Integer(cursor.occurred_at_us),
            Value::Integer(cursor.occurred_at_us),
            text(&cursor.id),
        ]);
    }
    sql.push_str(" ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?");
    values.push(Value::Integer(limit as i64 + 1));
    Ok((sql, values))
}

fn operator(op: Comparison) -> &'static str {
    match op {
        Comparison::Eq => "=",
        Comparison::Ne => "<>",
        Comparison::Gt => ">",
        Comparison::Gte => ">=",
        Comparison::Lt => "<",
        Comparison::Lte => "<=",
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_values_never_reach_the_sql_text() {
        let evil = "x' OR 1=1 --";
        let filter = InteractionFilter {
            agent: Some(evil.into()),
            tag: Some(evil.into()),
            metadata: vec![MetadataFilter {
                key: evil.into(),
                op: Comparison::Gte,
                value: MetadataValue::String(evil.into()),
            }],
            limit: 10,
            ..Default::default()
        };
        let (sql, values) = build_query(evil, &filter, 10).unwrap();
        assert!(!sql.contains(evil));
        assert_eq!(sql.matches('?').count(), values.len());
        assert!(sql.contains("m.value_text >= ?"));
    }

    #[test]
    fn numeric_filters_use_the_number_column_with_their_operator() {
        let cases = [
            (Comparison::Eq, "="),
            (Comparison::Ne, "<>"),
            (Comparison::Gt, ">"),
            (Comparison::Gte, ">="),
            (Comparison::Lt, "<"),
            (Comparison::Lte, "<="),
        ];
        for (op, sql_op) in cases {
            let filter = InteractionFilter {
                metadata: vec![MetadataFilter {
                    key: "k".into(),
                    op,
                    value: MetadataValue::Int(3),
                }],
                ..Default::default()
            };
            let (sql, _) = build_query("a", &filter, 10).unwrap();
            assert!(sql.contains(&format!("m.value_number {sql_op} ?")), "{sql}");
        }
    }

    #[test]
    fn an_undecodable_cursor_is_an_error_not_a_first_page() {
        let filter = InteractionFilter {
            cursor: Some("not a cursor".into()),
            ..Default::default()
        };
        assert!(build_query("a", &filter, 10).is_err());
    }
}
