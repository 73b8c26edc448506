//! What the dashboard counts (`scorejar_core::dashboard` does the counting): the evaluations
//! completed in a period, with their interaction's agent, and the interactions received in it
//! by type and direction. The period is when the work reached scorejar — a call from last year
//! uploaded today counts today — so both halves of the page cover the same arrivals.

use crate::codec::from_json;
use crate::sql::{Db, Param, Query, Row};
use crate::StoreResult;
use scorejar_core::cursor::{from_micros, to_micros};
use scorejar_core::dashboard::EvaluationFact;
use time::OffsetDateTime;

/// Most evaluations one dashboard reads (the newest of the period).
pub(crate) const MAX_FACTS: i64 = 50_000;

/// Which part of an account the dashboard looks at.
#[derive(Debug, Clone, Default)]
pub struct DashboardScope {
    pub since: Option<OffsetDateTime>,
    /// Only this scorecard's evaluations.
    pub scorecard_id: Option<String>,
    /// Only interactions where this participant is the agent (an AGENT's own view).
    pub agent_id: Option<String>,
}

/// Interactions of one type and direction.
#[derive(Debug, Clone, PartialEq)]
pub struct VolumeRow {
    pub interaction_type: String,
    pub direction: String,
    pub count: i64,
}

pub(crate) async fn evaluation_facts<D: Db>(
    db: &mut D,
    account_id: &str,
    scope: &DashboardScope,
) -> StoreResult<Vec<EvaluationFact>> {
    let mut q = Query::new(
        "SELECT e.id, e.interaction_id, e.scorecard_id, e.completed_at, e.percentage, e.passed, \
         e.needs_review, e.reviewed_at, e.result, i.agent_id, p.name AS agent_name \
         FROM evaluations e JOIN interactions i ON i.id = e.interaction_id \
         LEFT JOIN participants p ON p.id = i.agent_id",
    );
    let account = q.param(Param::Text(account_id.to_owned()));
    q.push(&format!(
        " WHERE e.account_id = {account} AND e.status = 'COMPLETED' AND e.completed_at IS NOT NULL"
    ));
    if let Some(since) = scope.since {
        let p = q.param(Param::Int(to_micros(since)));
        q.push(&format!(" AND e.completed_at >= {p}"));
    }
    if let Some(scorecard) = &scope.scorecard_id {
        let p = q.param(Param::Text(scorecard.clone()));
        q.push(&format!(" AND e.scorecard_id = {p}"));
    }
    if let Some(agent) = &scope.agent_id {
        let p = q.param(Param::Text(agent.clone()));
        q.push(&format!(" AND i.agent_id = {p}"));
    }
    let limit = q.param(Param::Int(MAX_FACTS));
    q.push(&format!(
        " ORDER BY e.completed_at DESC, e.id DESC LIMIT {limit}"
    ));
    let rows = db.fetch_all(&q.sql, &q.args()).await?;
    rows.into_iter().map(fact_from_row).collect()
}

fn fact_from_row(r: Row) -> StoreResult<EvaluationFact> {
    Ok(EvaluationFact {
        evaluation_id: r.get("id")?,
        interaction_id: r.get("interaction_id")?,
        scorecard_id: r.get("scorecard_id")?,
        agent_id: r.get("agent_id")?,
        agent_name: r.get("agent_name")?,
        completed_at: from_micros(r.get("completed_at")?),
        percentage: r.get("percentage")?,
        passed: r.get("passed")?,
        needs_review: r.get::<Option<bool>>("needs_review")?.unwrap_or(false),
        reviewed: r.get::<Option<i64>>("reviewed_at")?.is_some(),
        // A result this build cannot read still counts by its columns.
        result: from_json(r.get("result")?, "evaluations.result")
            .ok()
            .flatten(),
    })
}

pub(crate) async fn interaction_volume<D: Db>(
    db: &mut D,
    account_id: &str,
    scope: &DashboardScope,
) -> StoreResult<Vec<VolumeRow>> {
    let mut q =
        Query::new("SELECT i.interaction_type, i.direction, COUNT(*) AS n FROM interactions i");
    let account = q.param(Param::Text(account_id.to_owned()));
    q.push(&format!(" WHERE i.account_id = {account}"));
    if let Some(since) = scope.since {
        let p = q.param(Param::Int(to_micros(since)));
        q.push(&format!(" AND i.created_at >= {p}"));
    }
    if let Some(agent) = &scope.agent_id {
        let p = q.param(Param::Text(agent.clone()));
        q.push(&format!(" AND i.agent_id = {p}"));
    }
    q.push(" GROUP BY i.interaction_type, i.direction ORDER BY i.interaction_type, i.direction");
    let rows = db.fetch_all(&q.sql, &q.args()).await?;
    rows.into_iter()
        .map(|r| -> StoreResult<VolumeRow> {
            Ok(VolumeRow {
                interaction_type: r.get("interaction_type")?,
                direction: r.get("direction")?,
                count: r.get("n")?,
            })
        })
        .collect()
}
