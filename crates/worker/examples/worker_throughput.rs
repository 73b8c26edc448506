//! Queue throughput through the worker runner: enqueue N no-op jobs (kind `Noop`), start W
//! [`Worker`]s (each as `scorejar worker` runs it: claim with a lease, heartbeat, run the
//! handler, record the outcome — effect-free DONEs batched), and time until every job is DONE.
//!
//! `cargo run -p scorejar-worker --release --example worker_throughput -- [--backend
//! sqlite|postgres] [--jobs 20000] [--workers 1] [--concurrency 32] [--url postgres://…]`
//!
//! SQLite runs on a fresh temporary file (the URL is ignored); PostgreSQL in a fresh schema of
//! `--url`, dropped afterwards. Progress is read with `job_counts` every 10 ms, so the figure
//! is accurate to about 10 ms over the whole drain.

#[path = "support/store.rs"]
mod support;

use scorejar_core::model::NewJob;
use scorejar_worker::handlers::Noop;
use scorejar_worker::{Worker, WorkerSettings};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

struct Options {
    backend: String,
    jobs: usize,
    workers: usize,
    concurrency: usize,
    url: String,
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        backend: "sqlite".into(),
        jobs: 20_000,
        workers: 1,
        concurrency: 32,
        url: "postgres://postgres@127.0.0.1:5432/test".into(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--backend" => o.backend = value,
            "--jobs" => o.jobs = value.parse()?,
            "--workers" => o.workers = value.parse()?,
            "--concurrency" => o.concurrency = value.parse()?,
            "--url" => o.url = value,
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    anyhow::ensure!(
        o.jobs > 0 && o.workers > 0 && o.concurrency > 0,
        "counts must be positive"
    );
    Ok(o)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let o = options()?;
    let dir = tempfile::tempdir()?;
    let schema = format!("bench_worker_{}", uuid::Uuid::new_v4().simple());
    let store = support::open(&o.backend, dir.path(), &o.url, &schema).await?;

    let all: Vec<NewJob> = (0..o.jobs)
        .map(|i| NewJob::new("Noop", None, serde_json::json!({ "n": i })))
        .collect();
    for chunk in all.chunks(1000) {
        store.enqueue_jobs(chunk.to_vec()).await?;
    }

    let stop = CancellationToken::new();
    let started = Instant::now();
    let workers: Vec<_> = (0..o.workers)
        .map(|_| {
            let worker = Arc::new(Worker::new(
                store.clone(),
                vec![Arc::new(Noop)],
                WorkerSettings {
                    concurrency: o.concurrency,
                    lease: Duration::from_secs(60),
                    poll_interval: Duration::from_millis(50),
                    shutdown_grace: Duration::from_secs(10),
                },
            ));
            tokio::spawn(worker.run(stop.clone()))
        })
        .collect();
    let deadline = started + Duration::from_secs(600);
    loop {
        let counts = store.job_counts(Some("Noop")).await?;
        if counts.get("DONE").copied().unwrap_or(0) as usize == o.jobs {
            break;
        }
        anyhow::ensure!(Instant::now() < deadline, "not drained in time: {counts:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let drain_time = started.elapsed();
    stop.cancel();
    for worker in workers {
        worker.await?;
    }
    let counts = store.job_counts(Some("Noop")).await?;
    anyhow::ensure!(counts.len() == 1, "jobs left in other states: {counts:?}");

    println!(
        "{} | {} no-op jobs through the worker runner, {} worker(s) x concurrency {}: {:.0} jobs/s claimed and completed ({:.2} s)",
        o.backend,
        o.jobs,
        o.workers,
        o.concurrency,
        o.jobs as f64 / drain_time.as_secs_f64(),
        drain_time.as_secs_f64()
    );
    drop(store);
    if o.backend == "postgres" {
        scorejar_store::postgres::drop_schema(&o.url, &schema).await?;
    }
    Ok(())
}
