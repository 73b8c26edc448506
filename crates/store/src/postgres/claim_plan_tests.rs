//! The claim's plan on a burst of fresh jobs (needs PostgreSQL: `SCOREJAR_TEST_PG_URL`, default
//! postgres://postgres@127.0.0.1:5432/test; a schema of its own, dropped afterwards).
//!
//! Right after thousands of jobs are enqueued, the table's statistics still say it is nearly
//! empty, and the planner then reads every due job and sorts them to return the first 32: a
//! claim that takes tens of milliseconds and grows with the backlog. `CLAIM_PLAN` (sorting and
//! JIT off for the claim's transaction) makes each branch walk its index in order instead. This
//! test reads the plan rather than a clock, for every branch (the fair-claim ones included).

use super::claim::{CLAIM, CLAIM_PLAN};
use super::{drop_schema, PgStore};
use crate::queue::JobQueue;
use scorejar_core::jobs::{EVALUATE, FETCH_MEDIA, TRANSCRIBE};
use scorejar_core::model::NewJob;
use sqlx::Row;

fn pg_url() -> String {
    std::env::var("SCOREJAR_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// The lines of the plan section `CTE <name>`: from its header to the next line indented no
/// deeper than the header.
fn cte_section<'a>(plan: &'a [String], name: &str) -> Vec<&'a str> {
    let header = format!("CTE {name}");
    let Some(at) = plan.iter().position(|l| l.trim() == header) else {
        return Vec::new();
    };
    let indent = |l: &str| l.len() - l.trim_start().len();
    let depth = indent(&plan[at]);
    plan[at + 1..]
        .iter()
        .take_while(|l| indent(l) > depth)
        .map(String::as_str)
        .collect()
}

#[tokio::test]
async fn a_claim_after_a_burst_walks_the_index_without_sorting() {
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let store = PgStore::connect_isolated(&pg_url(), &schema)
        .await
        .expect("connect_isolated");
    let burst: Vec<NewJob> = (0..5_000)
        .map(|i| NewJob::new("Noop", None, serde_json::json!({ "n": i })))
        .collect();
    store.enqueue_jobs(burst).await.unwrap();
    // Spread over 50 accounts, as if each belonged to an interaction.
    sqlx::query("UPDATE jobs SET account_id = 'account-' || ((payload::jsonb ->> 'n')::int % 50)")
        .execute(&store.pool)
        .await
        .unwrap();

    let mut tx = store.pool.begin().await.unwrap();
    sqlx::query(CLAIM_PLAN).execute(&mut *tx).await.unwrap();
    let now = crate::codec::now_micros();
    let plan: Vec<String> = sqlx::query(&format!("EXPLAIN {CLAIM}"))
        .bind(now)
        .bind(vec!["Noop".to_string()])
        .bind(32i64)
        .bind("w1")
        .bind(now + 60_000_000)
        .bind(FETCH_MEDIA)
        .bind(TRANSCRIBE)
        .bind(EVALUATE)
        .fetch_all(&mut *tx)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<String, _>(0))
        .collect();
    tx.rollback().await.unwrap();
    if std::env::var_os("SCOREJAR_PRINT_PLAN").is_some() {
        eprintln!("{}", plan.join("\n"));
    }
    drop(store);
    drop_schema(&pg_url(), &schema).await.unwrap();

    let text = plan.join("\n");
    for cte in ["queued_accounts", "heads", "due", "expired"] {
        let section = cte_section(&plan, cte);
        assert!(!section.is_empty(), "no `CTE {cte}` in the plan:\n{text}");
        assert!(
            section
                .iter()
                .any(|l| l.contains("Index Scan") || l.contains("Index Only Scan")),
            "`{cte}` does not walk an index:\n{text}"
        );
        assert!(
            !section.iter().any(|l| l.contains("Sort")),
            "`{cte}` sorts the backlog:\n{text}"
        );
    }
}
