//! PostgreSQL-only tests: what the backend-agnostic conformance suite (`tests/conformance/`,
//! which runs every `Store` behaviour on PostgreSQL too) cannot express — the migrated schema
//! as PostgreSQL sees it, how metadata sits in its typed columns, and two `PgStore`s with their
//! own pools (as two worker processes would have) sharing one job table. Each test gets a fresh
//! schema (`SCOREJAR_TEST_PG_URL`, default postgres://postgres@127.0.0.1:5432/test), dropped
//! afterwards.

// The conformance fixtures build the accounts and uploads; most of them go unused here.
#[allow(dead_code)]
#[path = "conformance/support.rs"]
mod support;

use scorejar_core::ids::new_id;
use scorejar_core::model::{MetadataValue, NewJob, UploadOutcome};
use scorejar_store::postgres::{drop_schema, PgStore};
use scorejar_store::queue::{JobOutcome, JobQueue};
use scorejar_store::Store;
use std::collections::HashSet;
use std::time::Duration;

fn pg_url() -> String {
    std::env::var("SCOREJAR_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A store in its own schema `t_<uuid>`, dropped with the fixture (also after a failed
/// assertion, which `support::Backend::finish` would not reach).
struct TestDb {
    store: PgStore,
    schema: String,
}

impl TestDb {
    async fn new() -> TestDb {
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let store = PgStore::connect_isolated(&pg_url(), &schema)
            .await
            .expect("connect_isolated");
        TestDb { store, schema }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Async cleanup from a synchronous drop: a helper thread with its own runtime and its own
        // connection. The pool is left alone: its sockets belong to the test's runtime, which is
        // blocked here.
        let schema = self.schema.clone();
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                if let Err(e) = runtime.block_on(drop_schema(&pg_url(), &schema)) {
                    eprintln!("could not drop test schema {schema}: {e:#}");
                }
            }
        });
        let _ = cleanup.join();
    }
}

#[tokio::test]
async fn migrations_create_the_schema_and_are_idempotent() {
    let db = TestDb::new().await;
    assert_eq!(db.store.backend(), "postgres");
    assert_eq!(db.store.account_count().await.unwrap(), 0);
    // Connecting again to the same schema finds the migrations applied.
    let again = PgStore::connect_isolated(&pg_url(), &db.schema)
        .await
        .unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(again.pool())
        .await
        .unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .filter(|f| f.as_ref().unwrap().path().extension() == Some("sql".as_ref()))
        .count();
    assert!(files >= 7, "the migrations directory was not found");
    assert_eq!(applied, files as i64, "every migration file applied once");
    // Sorted and order-compared text is byte-wise, as on SQLite, whatever the locale.
    let collations: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT table_name || '.' || column_name, collation_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND (table_name, column_name) IN
             (('tags', 'name_lower'), ('interaction_metadata', 'value_text'), ('jobs', 'id'),
              ('jobs', 'account_id'))
         ORDER BY 1",
    )
    .fetch_all(again.pool())
    .await
    .unwrap();
    assert_eq!(
        collations,
        [
            "interaction_metadata.value_text",
            "jobs.account_id",
            "jobs.id",
            "tags.name_lower"
        ]
        .map(|c| (c.to_string(), Some("C".to_string())))
    );
    again.close().await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1
         AND table_name <> '_sqlx_migrations' ORDER BY 1",
    )
    .bind(&db.schema)
    .fetch_all(db.store.pool())
    .await
    .unwrap();
    let expected = [
        "accounts",
        "action_runs",
        "api_tokens",
        "credit_ledger",
        "evaluations",
        "interaction_metadata",
        "interaction_tags",
        "interactions",
        "jobs",
        "participants",
        "password_links",
        "scorecard_actions",
        "scorecard_trials",
        "scorecard_versions",
        "scorecards",
        "server_secrets",
        "sessions",
        "tags",
        "users",
        "webhook_attempts",
        "webhook_messages",
        "webhook_targets",
    ];
    assert_eq!(tables, expected);
    assert!(PgStore::connect_isolated(&pg_url(), "Bad-Name")
        .await
        .is_err());
}

/// Metadata filters compare numbers numerically and the rest as text; that rests on every
/// value landing in the column of its type, with its type beside it.
#[tokio::test]
async fn metadata_is_stored_in_typed_columns() {
    let db = TestDb::new().await;
    let store = &db.store;
    let account_id = new_id();
    store
        .create_account(&account_id, "Acme", 0, support::token("first"))
        .await
        .unwrap();
    let mut up = support::upload(&account_id, "typed");
    up.custom_metadata = vec![
        ("disposition".into(), MetadataValue::String("sale".into())),
        ("recordingConsent".into(), MetadataValue::Boolean(true)),
        ("dealValue".into(), MetadataValue::Int(50_000)),
        ("score".into(), MetadataValue::Float(5.0)),
        ("alpha".into(), MetadataValue::Int(5)),
    ];
    let outcome = store.create_upload(up).await.unwrap();
    assert!(matches!(outcome, UploadOutcome::Created(_)), "{outcome:?}");
    let typed: Vec<(String, String, Option<String>, Option<f64>)> = sqlx::query_as(
        "SELECT key, value_type, value_text, value_number FROM interaction_metadata ORDER BY key",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let row = |key: &str, kind: &str, text: Option<&str>, number: Option<f64>| {
        (key.into(), kind.into(), text.map(Into::into), number)
    };
    assert_eq!(
        typed,
        [
            row("alpha", "INT", None, Some(5.0)),
            row("dealValue", "INT", None, Some(50_000.0)),
            row("disposition", "STRING", Some("sale"), None),
            row("recordingConsent", "BOOLEAN", Some("true"), None),
            row("score", "FLOAT", None, Some(5.0)),
        ]
    );
}

/// The conformance suite races claimers on one store (one pool); here two stores with their own
/// pools claim from one table, as two worker processes would, and never hold the same job.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_never_claim_the_same_job() {
    let db = TestDb::new().await;
    let other = PgStore::connect_isolated(&pg_url(), &db.schema)
        .await
        .expect("second store");
    let jobs: Vec<NewJob> = (0..300)
        .map(|i| NewJob::new("Noop", None, serde_json::json!({ "n": i })))
        .collect();
    db.store.enqueue_jobs(jobs).await.unwrap();

    let mut tasks = Vec::new();
    for (s, store) in [db.store.clone(), other.clone()].into_iter().enumerate() {
        for w in 0..3 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let worker = format!("store-{s}-worker-{w}");
                let mut mine = Vec::new();
                loop {
                    let kinds = ["Noop".to_string()];
                    let claimed = store
                        .claim_jobs(&worker, &kinds, 7, Duration::from_secs(60))
                        .await
                        .unwrap();
                    if claimed.is_empty() {
                        return mine;
                    }
                    for job in claimed {
                        let done = JobOutcome::Done(Default::default());
                        assert!(store.finish_job(&job.id, &worker, done).await.unwrap());
                        mine.push(job.id);
                    }
                }
            }));
        }
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let unique: HashSet<&String> = all.iter().collect();
    assert_eq!((all.len(), unique.len()), (300, 300));
    let counts = other.job_counts(Some("Noop")).await.unwrap();
    assert_eq!(counts.get("DONE"), Some(&300));
    other.close().await;
}
