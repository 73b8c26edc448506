//! `GET /api/v1/score-submissions` as one query: the filter's conditions (AND), newest first by
//! (created_at, id), one row more than the page to learn whether another follows. Summary rows:
//! the figures kept as columns, not the answers.

use crate::sql::{Param, Query};
use scorejar_core::cursor::to_micros;
use scorejar_core::evaluation::listing::EvaluationFilter;

/// The columns a summary row reads.
pub(crate) const SUMMARY_COLUMNS: &str =
    "e.interaction_id, e.id, e.scorecard_id, e.scorecard_version, \
     e.status, e.error, e.created_at, e.completed_at, e.updated_at, e.engine, e.percentage, \
     e.passed, e.needs_review";

pub(crate) fn page_query(account_id: &str, filter: &EvaluationFilter) -> Query {
    let mut q = Query::new(&format!("SELECT {SUMMARY_COLUMNS} FROM evaluations e"));
    if filter.agent.is_some() {
        q.push(" JOIN interactions i ON i.id = e.interaction_id JOIN participants p ON p.id = i.agent_id");
    }
    let account = q.param(Param::Text(account_id.to_owned()));
    q.push(&format!(" WHERE e.account_id = {account}"));
    if let Some(scorecard) = &filter.scorecard_id {
        let p = q.param(Param::Text(scorecard.clone()));
        q.push(&format!(" AND e.scorecard_id = {p}"));
    }
    if let Some(agent) = &filter.agent {
        let p = q.param(Param::Text(agent.clone()));
        q.push(&format!(" AND (p.id = {p} OR p.source_identifier = {p})"));
    }
    if let Some(from) = filter.from {
        let p = q.param(Param::Int(to_micros(from)));
        q.push(&format!(" AND e.created_at >= {p}"));
    }
    if let Some(to) = filter.to {
        let p = q.param(Param::Int(to_micros(to)));
        q.push(&format!(" AND e.created_at < {p}"));
    }
    if let Some(status) = filter.status {
        let p = q.param(Param::Text(status.as_str().to_owned()));
        q.push(&format!(" AND e.status = {p}"));
    }
    if let Some(passed) = filter.passed {
        let p = q.param(Param::Bool(passed));
        q.push(&format!(" AND e.passed = {p}"));
    }
    if let Some(needs_review) = filter.needs_review {
        let p = q.param(Param::Bool(needs_review));
        q.push(&format!(" AND e.needs_review = {p}"));
    }
    if let Some(cursor) = &filter.cursor {
        let at = q.param(Param::Int(cursor.occurred_at_us));
        let id = q.param(Param::Text(cursor.id.clone()));
        q.push(&format!(
            " AND (e.created_at < {at} OR (e.created_at = {at} AND e.id < {id}))"
        ));
    }
    let limit = filter.limit.clamp(1, 100) + 1;
    q.push(&format!(
        " ORDER BY e.created_at DESC, e.id DESC LIMIT {limit}"
    ));
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use scorejar_core::model::EvaluationStatus;

    #[test]
    fn every_filter_is_a_condition_with_its_own_parameter() {
        let filter = EvaluationFilter {
            scorecard_id: Some("sc".into()),
            agent: Some("agent-7".into()),
            status: Some(EvaluationStatus::Completed),
            passed: Some(false),
            needs_review: Some(true),
            limit: 10,
            ..Default::default()
        };
        let q = page_query("acc", &filter);
        assert!(q.sql.contains("JOIN participants p"), "{}", q.sql);
        assert!(
            q.sql
                .contains("AND (p.id = $3 OR p.source_identifier = $3)"),
            "{}",
            q.sql
        );
        assert!(
            q.sql
                .ends_with("ORDER BY e.created_at DESC, e.id DESC LIMIT 11"),
            "{}",
            q.sql
        );
        assert_eq!(
            q.params(),
            [
                Param::Text("acc".into()),
                Param::Text("sc".into()),
                Param::Text("agent-7".into()),
                Param::Text("COMPLETED".into()),
                Param::Bool(false),
                Param::Bool(true),
            ]
        );
        let plain = page_query(
            "acc",
            &EvaluationFilter {
                limit: 50,
                ..Default::default()
            },
        );
        assert!(
            !plain.sql.contains("JOIN"),
            "no join without an agent filter"
        );
    }
}
