//! The job queue across processes: two stores with their own pools (as two worker processes
//! would have) claiming from one table never hold the same job.

use super::support::TestDb;
use scorejar_core::model::NewJob;
use scorejar_store::postgres::PgStore;
use scorejar_store::queue::{JobOutcome, JobQueue};
use std::collections::HashSet;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_never_claim_the_same_job() {
    let db = TestDb::new().await;
    let other = PgStore::connect_isolated(&super::support::pg_url(), &db.schema)
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
