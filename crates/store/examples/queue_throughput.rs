//! Queue throughput: enqueue N no-op jobs (kind `Noop`), then drain them with W worker tasks
//! that claim a batch and finish every job, printing jobs per second for the drain.
//!
//! `cargo run -p scorejar-store --release --example queue_throughput -- [--backend sqlite|postgres]
//! [--jobs 20000] [--workers 4] [--batch 32] [--url postgres://…] [--finish-batch]`
//!
//! Workers finish each job with `finish_job(Done(default))`, or, with `--finish-batch`, the
//! whole claimed batch with one `finish_jobs_done`. SQLite runs on a fresh temporary file (the
//! URL is ignored); PostgreSQL in a fresh schema of `--url`, dropped afterwards.

use scorejar_core::model::NewJob;
use scorejar_store::queue::JobOutcome;
use scorejar_store::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Options {
    backend: String,
    jobs: usize,
    workers: usize,
    batch: u32,
    url: String,
    finish_batch: bool,
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        backend: "sqlite".into(),
        jobs: 20_000,
        workers: 4,
        batch: 32,
        url: "postgres://postgres@127.0.0.1:5432/test".into(),
        finish_batch: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--finish-batch" {
            o.finish_batch = true;
            continue;
        }
        let value = args
            .next()
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--backend" => o.backend = value,
            "--jobs" => o.jobs = value.parse()?,
            "--workers" => o.workers = value.parse()?,
            "--batch" => o.batch = value.parse()?,
            "--url" => o.url = value,
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    anyhow::ensure!(
        o.jobs > 0 && o.workers > 0 && o.batch > 0,
        "counts must be positive"
    );
    Ok(o)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let o = options()?;
    let dir = tempfile::tempdir()?;
    let schema = format!("bench_queue_{}", uuid::Uuid::new_v4().simple());
    let store: Arc<dyn Store> = match o.backend.as_str() {
        "sqlite" => {
            let path = dir.path().join("queue.db");
            let path = path
                .to_str()
                .ok_or_else(|| anyhow::anyhow!("non-UTF-8 temp path"))?;
            Arc::new(scorejar_store::sqlite::SqliteStore::open(path).await?)
        }
        "postgres" => {
            Arc::new(scorejar_store::postgres::PgStore::connect_isolated(&o.url, &schema).await?)
        }
        other => anyhow::bail!("unknown backend {other}"),
    };

    let started = Instant::now();
    let all: Vec<NewJob> = (0..o.jobs)
        .map(|i| NewJob::new("Noop", None, serde_json::json!({ "n": i })))
        .collect();
    for chunk in all.chunks(1000) {
        store.enqueue_jobs(chunk.to_vec()).await?;
    }
    let enqueue_time = started.elapsed();

    let started = Instant::now();
    let workers: Vec<_> = (0..o.workers)
        .map(|w| {
            let store = store.clone();
            let (batch, finish_batch) = (o.batch, o.finish_batch);
            tokio::spawn(
                async move { drain(store, format!("bench-{w}"), batch, finish_batch).await },
            )
        })
        .collect();
    let mut finished = 0u64;
    for worker in workers {
        finished += worker.await??;
    }
    let drain_time = started.elapsed();
    anyhow::ensure!(
        finished == o.jobs as u64,
        "finished {finished} of {} jobs",
        o.jobs
    );

    println!(
        "{} | {} jobs, {} workers, batch {}, {}: enqueue {:.0} jobs/s, drain {:.0} jobs/s ({:.2} s)",
        o.backend,
        o.jobs,
        o.workers,
        o.batch,
        if o.finish_batch { "finish_jobs_done per batch" } else { "finish_job per job" },
        o.jobs as f64 / enqueue_time.as_secs_f64(),
        o.jobs as f64 / drain_time.as_secs_f64(),
        drain_time.as_secs_f64()
    );
    drop(store);
    if o.backend == "postgres" {
        scorejar_store::postgres::drop_schema(&o.url, &schema).await?;
    }
    Ok(())
}

/// Claims and finishes until nothing is due; returns how many jobs this worker finished.
async fn drain(
    store: Arc<dyn Store>,
    worker: String,
    batch: u32,
    finish_batch: bool,
) -> anyhow::Result<u64> {
    let kinds = ["Noop".to_string()];
    let lease = Duration::from_secs(60);
    let mut finished = 0;
    loop {
        let jobs = store.claim_jobs(&worker, &kinds, batch, lease).await?;
        if jobs.is_empty() {
            return Ok(finished);
        }
        if finish_batch {
            let ids: Vec<String> = jobs.into_iter().map(|j| j.id).collect();
            finished += store.finish_jobs_done(&worker, &ids).await?;
            continue;
        }
        for job in jobs {
            if store
                .finish_job(&job.id, &worker, JobOutcome::Done(Default::default()))
                .await?
            {
                finished += 1;
            }
        }
    }
}
