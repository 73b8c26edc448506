//! `list_interactions` as one WHERE clause, for both dialects: newest event first, ties by id
//! (descending), keyset-paginated by [`Cursor`] — a page holds the rows strictly after it.
//!
//! Metadata filters match interactions that HAVE the key with a matching value (`Ne` included:
//! an interaction without the key matches no metadata filter). STRING and BOOLEAN values compare
//! as text (`true`/`false`; ordering operators compare bytes). INT and FLOAT compare as numbers
//! with each other; an INT filter compares an INT value exactly (`value_int`), because doubles
//! cannot tell integers above 2^53 apart — rows written before `value_int` existed fall back to
//! `value_number`.

use crate::sql::{Dialect, Param, Query};
use crate::{StoreError, StoreResult};
use scorejar_core::cursor::{to_micros, Cursor};
use scorejar_core::model::{
    Comparison, EvaluationCriteria, InteractionFilter, MetadataFilter, MetadataValue,
};
use scorejar_core::search::Term;

/// Largest page a caller may ask for; sizes outside 1..=100 are clamped into it.
pub(crate) const MAX_PAGE: u32 = 100;

/// The page size a filter asks for, clamped.
pub(crate) fn page_size(filter: &InteractionFilter) -> usize {
    filter.limit.clamp(1, MAX_PAGE) as usize
}

/// `select` (which names the interactions table `i`) filtered and ordered for one page; it
/// asks for one row more than the page, to learn whether another page follows.
pub(crate) fn page_query(
    select: &str,
    account_id: &str,
    filter: &InteractionFilter,
    dialect: Dialect,
) -> StoreResult<Query> {
    let mut q = Query::new(select);
    let account = q.param(Param::Text(account_id.to_owned()));
    q.push(&format!(" WHERE i.account_id = {account}"));
    if !filter.search.is_empty() {
        push_search(&mut q, &filter.search, dialect);
    }
    if let Some(kind) = filter.interaction_type {
        let p = q.param(Param::Text(kind.as_str().into()));
        q.push(&format!(" AND i.interaction_type = {p}"));
    }
    if let Some(direction) = filter.direction {
        let p = q.param(Param::Text(direction.as_str().into()));
        q.push(&format!(" AND i.direction = {p}"));
    }
    if let Some(from) = filter.from {
        let p = q.param(Param::Int(to_micros(from)));
        q.push(&format!(" AND i.occurred_at >= {p}"));
    }
    if let Some(to) = filter.to {
        let p = q.param(Param::Int(to_micros(to)));
        q.push(&format!(" AND i.occurred_at < {p}"));
    }
    if let Some(agent) = &filter.agent {
        let p = q.param(Param::Text(agent.clone()));
        q.push(&format!(
            " AND i.agent_id IN (SELECT p.id FROM participants p \
             WHERE p.account_id = {account} AND (p.id = {p} OR p.source_identifier = {p}))"
        ));
    }
    if let Some(agent_id) = &filter.restrict_to_agent {
        let p = q.param(Param::Text(agent_id.clone()));
        q.push(&format!(" AND i.agent_id = {p}"));
    }
    if let Some(tag) = &filter.tag {
        let id = q.param(Param::Text(tag.clone()));
        let name = q.param(Param::Text(super::tags::name_key(tag)));
        q.push(&format!(
            " AND EXISTS (SELECT 1 FROM interaction_tags it JOIN tags t ON t.id = it.tag_id \
             WHERE it.interaction_id = i.id AND t.account_id = {account} \
             AND (t.id = {id} OR t.name_lower = {name}))"
        ));
    }
    for metadata in &filter.metadata {
        push_metadata(&mut q, &account, metadata);
    }
    if !filter.evaluation.is_empty() {
        push_evaluation(&mut q, &account, &filter.evaluation);
    }
    if let Some(encoded) = &filter.cursor {
        // The API validates cursors first; one reaching the store undecoded is a bug.
        let cursor = Cursor::decode(encoded)
            .ok_or_else(|| StoreError::Internal(anyhow::anyhow!("undecodable listing cursor")))?;
        let at = q.param(Param::Int(cursor.occurred_at_us));
        let id = q.param(Param::Text(cursor.id));
        q.push(&format!(" AND (i.occurred_at, i.id) < ({at}, {id})"));
    }
    let limit = q.param(Param::Int(page_size(filter) as i64 + 1));
    q.push(&format!(
        " ORDER BY i.occurred_at DESC, i.id DESC LIMIT {limit}"
    ));
    Ok(q)
}

/// Every term in the interaction's searchable text (`migrations/*/0012_search.sql`): FTS5's
/// MATCH on SQLite, a tsquery on PostgreSQL. The user's words reach either only as a bound
/// parameter, quoted for FTS5 by `Term::fts5`.
fn push_search(q: &mut Query, terms: &[Term], dialect: Dialect) {
    match dialect {
        Dialect::Sqlite => {
            let expression = fts5_expression(terms);
            let m = q.param(Param::Text(expression));
            q.push(&format!(
                " AND i.rowid IN (SELECT rowid FROM interaction_search WHERE interaction_search MATCH {m})"
            ));
        }
        Dialect::Postgres => {
            let tsquery = pg_tsquery(q, terms);
            q.push(&format!(" AND i.search_document @@ ({tsquery})"));
        }
    }
}

/// The FTS5 query of `terms`: each a quoted phrase, all required.
pub(crate) fn fts5_expression(terms: &[Term]) -> String {
    terms
        .iter()
        .map(Term::fts5)
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The PostgreSQL tsquery of `terms` (each a phrase, all required), its texts bound as
/// parameters of `q`.
pub(crate) fn pg_tsquery(q: &mut Query, terms: &[Term]) -> String {
    terms
        .iter()
        .map(|term| {
            let p = q.param(Param::Text(term.text()));
            format!("phraseto_tsquery('simple', {p})")
        })
        .collect::<Vec<_>>()
        .join(" && ")
}

/// One of the interaction's evaluations matches every criterion.
fn push_evaluation(q: &mut Query, account: &str, criteria: &EvaluationCriteria) {
    let mut conditions = String::new();
    if let Some(status) = criteria.status {
        let p = q.param(Param::Text(status.as_str().to_owned()));
        conditions.push_str(&format!(" AND e.status = {p}"));
    }
    if let Some(passed) = criteria.passed {
        let p = q.param(Param::Bool(passed));
        conditions.push_str(&format!(" AND e.passed = {p}"));
    }
    if let Some(needs_review) = criteria.needs_review {
        let p = q.param(Param::Bool(needs_review));
        conditions.push_str(&format!(" AND e.needs_review = {p}"));
    }
    if let Some(min) = criteria.score_min {
        let p = q.param(Param::Real(min));
        conditions.push_str(&format!(" AND e.percentage >= {p}"));
    }
    if let Some(max) = criteria.score_max {
        let p = q.param(Param::Real(max));
        conditions.push_str(&format!(" AND e.percentage <= {p}"));
    }
    q.push(&format!(
        " AND EXISTS (SELECT 1 FROM evaluations e WHERE e.interaction_id = i.id \
         AND e.account_id = {account}{conditions})"
    ));
}

fn push_metadata(q: &mut Query, account: &str, filter: &MetadataFilter) {
    let key = q.param(Param::Text(filter.key.clone()));
    let op = operator(filter.op);
    let compare = match &filter.value {
        MetadataValue::String(s) => {
            format!("m.value_text {op} {}", q.param(Param::Text(s.clone())))
        }
        MetadataValue::Boolean(b) => {
            format!("m.value_text {op} {}", q.param(Param::Text(b.to_string())))
        }
        MetadataValue::Float(f) => format!("m.value_number {op} {}", q.param(Param::Real(*f))),
        MetadataValue::Int(i) => {
            let exact = q.param(Param::Int(*i));
            let approximate = q.param(Param::Real(*i as f64));
            format!(
                "((m.value_int IS NOT NULL AND m.value_int {op} {exact}) \
                 OR (m.value_int IS NULL AND m.value_number {op} {approximate}))"
            )
        }
    };
    q.push(&format!(
        " AND EXISTS (SELECT 1 FROM interaction_metadata m WHERE m.interaction_id = i.id \
         AND m.account_id = {account} AND m.key = {key} AND {compare})"
    ));
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

/// The cursor of the page after one whose last row is `last`, when more rows followed.
pub(crate) fn next_cursor(
    has_more: bool,
    last: Option<(time::OffsetDateTime, &str)>,
) -> Option<String> {
    match last {
        Some((occurred_at, id)) if has_more => Some(
            Cursor {
                occurred_at_us: to_micros(occurred_at),
                id: id.to_owned(),
            }
            .encode(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter_with(metadata: Vec<MetadataFilter>) -> InteractionFilter {
        InteractionFilter {
            metadata,
            limit: 10,
            ..Default::default()
        }
    }

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
        let q = page_query(
            "SELECT i.id FROM interactions i",
            evil,
            &filter,
            Dialect::Sqlite,
        )
        .unwrap();
        assert!(!q.sql.contains(evil), "{}", q.sql);
        assert_eq!(q.params().len(), 7);
        assert!(q.sql.contains("m.value_text >= $6"), "{}", q.sql);
        assert!(
            q.sql
                .ends_with("ORDER BY i.occurred_at DESC, i.id DESC LIMIT $7"),
            "{}",
            q.sql
        );
    }

    #[test]
    fn each_value_type_compares_its_column_with_its_operator() {
        let ops = [
            (Comparison::Eq, "="),
            (Comparison::Ne, "<>"),
            (Comparison::Gt, ">"),
            (Comparison::Gte, ">="),
            (Comparison::Lt, "<"),
            (Comparison::Lte, "<="),
        ];
        for (op, sql_op) in ops {
            let cases = [
                (MetadataValue::Float(2.5), format!("m.value_number {sql_op} $3")),
                (MetadataValue::Boolean(true), format!("m.value_text {sql_op} $3")),
                (
                    MetadataValue::Int(3),
                    format!("m.value_int {sql_op} $3) OR (m.value_int IS NULL AND m.value_number {sql_op} $4)"),
                ),
            ];
            for (value, expected) in cases {
                let f = filter_with(vec![MetadataFilter {
                    key: "k".into(),
                    op,
                    value: value.clone(),
                }]);
                let q =
                    page_query("SELECT 1 FROM interactions i", "a", &f, Dialect::Sqlite).unwrap();
                assert!(q.sql.contains(&expected), "{value:?}: {}", q.sql);
            }
        }
        let big = (1i64 << 53) + 1;
        let f = filter_with(vec![MetadataFilter {
            key: "k".into(),
            op: Comparison::Eq,
            value: MetadataValue::Int(big),
        }]);
        let q = page_query("SELECT 1 FROM interactions i", "a", &f, Dialect::Sqlite).unwrap();
        assert_eq!(
            q.params()[2],
            Param::Int(big),
            "the exact value is bound, not its double"
        );
    }

    #[test]
    fn cursors_continue_strictly_after_and_bad_ones_are_errors() {
        let cursor = Cursor {
            occurred_at_us: 5,
            id: "b".into(),
        }
        .encode();
        let f = InteractionFilter {
            cursor: Some(cursor),
            ..Default::default()
        };
        let q = page_query("SELECT 1 FROM interactions i", "a", &f, Dialect::Sqlite).unwrap();
        assert!(
            q.sql.contains("(i.occurred_at, i.id) < ($2, $3)"),
            "{}",
            q.sql
        );
        assert_eq!(q.params()[1..3], [Param::Int(5), Param::Text("b".into())]);
        let bad = InteractionFilter {
            cursor: Some("not a cursor".into()),
            ..Default::default()
        };
        assert!(page_query("SELECT 1 FROM interactions i", "a", &bad, Dialect::Sqlite).is_err());
    }

    #[test]
    fn pages_are_clamped_and_only_full_pages_have_a_next_cursor() {
        for (asked, size) in [(0, 1), (1, 1), (100, 100), (1000, 100)] {
            assert_eq!(
                page_size(&InteractionFilter {
                    limit: asked,
                    ..Default::default()
                }),
                size
            );
        }
        let at = time::macros::datetime!(2026-01-01 00:00 UTC);
        assert_eq!(next_cursor(false, Some((at, "x"))), None);
        assert_eq!(next_cursor(true, None), None);
        let next = next_cursor(true, Some((at, "x"))).unwrap();
        assert_eq!(Cursor::decode(&next).unwrap().id, "x");
    }
}
