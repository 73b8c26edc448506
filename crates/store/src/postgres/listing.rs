//! `list_interactions`: the filters of [`InteractionFilter`] as one query with bound
//! parameters only, newest event first (ties by id, descending), keyset-paginated by
//! [`Cursor`]: a page holds the rows strictly after the cursor.
//!
//! Metadata filters compare STRING and BOOLEAN values on `value_text` ('true'/'false') and INT
//! and FLOAT values on `value_number`, so an INT filter matches FLOAT values and back.

use super::codec::{filter_operand, FilterOperand};
use super::errors::db;
use super::read::{attach_tags_and_evaluations, record_from_row, SELECT_INTERACTIONS};
use crate::{StoreError, StoreResult};
use scorejar_core::cursor::{to_micros, Cursor};
use scorejar_core::model::{Comparison, InteractionFilter, InteractionPage, MetadataFilter};
use sqlx::{PgPool, Postgres, QueryBuilder};

/// Largest page a caller may ask for.
pub(crate) const MAX_PAGE: u32 = 100;

pub(crate) async fn list_interactions(
    pool: &PgPool,
    account_id: &str,
    filter: &InteractionFilter,
) -> StoreResult<InteractionPage> {
    let limit = filter.limit.clamp(1, MAX_PAGE);
    let cursor = match &filter.cursor {
        None => None,
        Some(text) => Some(Cursor::decode(text).ok_or_else(|| {
            StoreError::Internal(anyhow::anyhow!("undecodable cursor reached the store"))
        })?),
    };
    let mut query = build_query(account_id, filter, cursor.as_ref(), limit);
    let rows = query.build().fetch_all(pool).await.map_err(db)?;

    let mut data = rows
        .iter()
        .take(limit as usize)
        .map(record_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    let next_cursor = match (rows.len() > limit as usize, data.last()) {
        (true, Some(last)) => Some(
            Cursor {
                occurred_at_us: to_micros(last.occurred_at),
                id: last.id.clone(),
            }
            .encode(),
        ),
        _ => None,
    };
    attach_tags_and_evaluations(pool, &mut data).await?;
    Ok(InteractionPage { data, next_cursor })
}

fn build_query<'a>(
    account_id: &'a str,
    filter: &'a InteractionFilter,
    cursor: Option<&'a Cursor>,
    limit: u32,
) -> QueryBuilder<'a, Postgres> {
    let mut q = QueryBuilder::new(SELECT_INTERACTIONS);
    q.push(" WHERE i.account_id = ").push_bind(account_id);
    if let Some(kind) = filter.interaction_type {
        q.push(" AND i.interaction_type = ")
            .push_bind(kind.as_str());
    }
    if let Some(direction) = filter.direction {
        q.push(" AND i.direction = ").push_bind(direction.as_str());
    }
    if let Some(from) = filter.from {
        q.push(" AND i.occurred_at >= ").push_bind(to_micros(from));
    }
    if let Some(to) = filter.to {
        q.push(" AND i.occurred_at < ").push_bind(to_micros(to));
    }
    if let Some(agent) = &filter.agent {
        q.push(" AND i.agent_id IN (SELECT id FROM participants WHERE account_id = ")
            .push_bind(account_id)
            .push(" AND (id = ")
            .push_bind(agent.as_str())
            .push(" OR source_identifier = ")
            .push_bind(agent.as_str())
            .push("))");
    }
    if let Some(tag) = &filter.tag {
        q.push(
            " AND EXISTS (SELECT 1 FROM interaction_tags it JOIN tags t ON t.id = it.tag_id
              WHERE it.interaction_id = i.id AND t.account_id = ",
        )
        .push_bind(account_id)
        .push(" AND (t.id = ")
        .push_bind(tag.as_str())
        .push(" OR t.name_lower = ")
        .push_bind(tag.to_lowercase())
        .push("))");
    }
    for metadata in &filter.metadata {
        push_metadata_filter(&mut q, account_id, metadata);
    }
    if let Some(cursor) = cursor {
        q.push(" AND (i.occurred_at, i.id) < (")
            .push_bind(cursor.occurred_at_us)
            .push(", ")
            .push_bind(cursor.id.as_str())
            .push(")");
    }
    q.push(" ORDER BY i.occurred_at DESC, i.id DESC LIMIT ")
        .push_bind(i64::from(limit) + 1);
    q
}

fn push_metadata_filter<'a>(
    q: &mut QueryBuilder<'a, Postgres>,
    account_id: &'a str,
    filter: &'a MetadataFilter,
) {
    q.push(
        " AND EXISTS (SELECT 1 FROM interaction_metadata m
          WHERE m.interaction_id = i.id AND m.account_id = ",
    )
    .push_bind(account_id)
    .push(" AND m.key = ")
    .push_bind(filter.key.as_str());
    match filter_operand(&filter.value) {
        FilterOperand::Text(text) => {
            q.push(" AND m.value_text COLLATE \"C\" ")
                .push(operator(filter.op))
                .push(" ")
                .push_bind(text);
        }
        FilterOperand::Number(number) => {
            q.push(" AND m.value_number ")
                .push(operator(filter.op))
                .push(" ")
                .push_bind(number);
        }
    }
    q.push(")");
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

#[cfg(test)]
mod tests {
    use super::*;
    use scorejar_core::model::MetadataValue;

    #[test]
    fn every_value_is_bound_never_spliced() {
        let filter = InteractionFilter {
            agent: Some("x' OR 1=1 --".into()),
            tag: Some("VIP".into()),
            metadata: vec![MetadataFilter {
                key: "k'; drop table jobs".into(),
                op: Comparison::Gte,
                value: MetadataValue::Int(3),
            }],
            limit: 10,
            ..Default::default()
        };
        let cursor = Cursor {
            occurred_at_us: 5,
            id: "id'".into(),
        };
        let sql = build_query("acct-7f3", &filter, Some(&cursor), 10).into_sql();
        for leaked in ["x'", "drop table", "VIP", "vip", "acct-7f3", "id'"] {
            assert!(
                !sql.contains(leaked),
                "{leaked} reached the SQL text: {sql}"
            );
        }
        assert!(sql.contains("m.value_number >= $"));
        assert!(
            sql.ends_with("ORDER BY i.occurred_at DESC, i.id DESC LIMIT $13"),
            "{sql}"
        );
    }

    #[test]
    fn operators() {
        let cases = [
            (Comparison::Eq, "="),
            (Comparison::Ne, "<>"),
            (Comparison::Gt, ">"),
            (Comparison::Gte, ">="),
            (Comparison::Lt, "<"),
            (Comparison::Lte, "<="),
        ];
        for (op, sql) in cases {
            assert_eq!(operator(op), sql);
        }
    }
}
