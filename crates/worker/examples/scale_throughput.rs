//! bench/scale: jobs per second with 1, 2 and 4 worker *processes* on one PostgreSQL
//! database, for two stand-ins of fixed cost — `Transcribe`-like work that keeps a core busy
//! (`--cpu-ms`, default 50 ms of one idle core, calibrated at start) and `Evaluate`-like work that waits on a provider
//! (`--wait-ms`, default 200 ms asleep). Each worker process runs the real runner (claims with
//! leases, heartbeats, records outcomes) with `--concurrency` slots; the CPU kind is limited to
//! one at a time per core, as transcription is.
//!
//! `cargo run -p scorejar-worker --release --example scale_throughput -- [--jobs 400]
//! [--processes 1,2,4] [--concurrency 32] [--url postgres://…]`
//!
//! The parent makes a fresh schema, enqueues the jobs, starts the processes (this same
//! binary, with `--child`), times the drain by `job_counts` every 20 ms, and drops the schema.

#[path = "support/store.rs"]
mod support;

use async_trait::async_trait;
use scorejar_core::model::NewJob;
use scorejar_store::queue::{ClaimedJob, JobEffects};
use scorejar_worker::{HandlerResult, JobHandler, Worker, WorkerSettings};
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const CPU: &str = "BenchCpu";
const WAIT: &str = "BenchWait";

/// Does a fixed amount of CPU work — `iterations` rounds of arithmetic, about `--cpu-ms` of
/// one idle core — a stand-in of transcription. Fixed work, not fixed time: on a busy machine
/// a job then takes longer, as a real transcription would.
struct Cpu {
    iterations: u64,
    limit: usize,
}

fn spin(iterations: u64) -> u64 {
    let mut x = 0u64;
    for _ in 0..iterations {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
    x
}

/// Iterations of [`spin`] that take `ms` on one core of this machine, idle.
fn calibrate(ms: u64) -> u64 {
    let probe = 10_000_000;
    let started = Instant::now();
    std::hint::black_box(spin(probe));
    let per_ms = probe as f64 / (started.elapsed().as_secs_f64() * 1000.0);
    (per_ms * ms as f64) as u64
}

#[async_trait]
impl JobHandler for Cpu {
    fn kind(&self) -> &'static str {
        CPU
    }
    fn max_concurrent(&self) -> Option<usize> {
        Some(self.limit)
    }
    async fn run(&self, _job: &ClaimedJob) -> HandlerResult {
        let iterations = self.iterations;
        tokio::task::spawn_blocking(move || std::hint::black_box(spin(iterations)))
            .await
            .expect("the spinning task");
        Ok(JobEffects::default())
    }
    async fn give_up(&self, _job: &ClaimedJob, _error: &str) -> JobEffects {
        JobEffects::default()
    }
}

/// Waits `ms` without using a core (a stand-in of a language model's answer).
struct Wait {
    ms: u64,
}

#[async_trait]
impl JobHandler for Wait {
    fn kind(&self) -> &'static str {
        WAIT
    }
    async fn run(&self, _job: &ClaimedJob) -> HandlerResult {
        tokio::time::sleep(Duration::from_millis(self.ms)).await;
        Ok(JobEffects::default())
    }
    async fn give_up(&self, _job: &ClaimedJob, _error: &str) -> JobEffects {
        JobEffects::default()
    }
}

struct Options {
    jobs: usize,
    processes: Vec<usize>,
    concurrency: usize,
    cpu_ms: u64,
    /// Set by the parent for its children: the calibrated work of `cpu_ms`.
    cpu_iterations: u64,
    wait_ms: u64,
    url: String,
    child: Option<String>,
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        jobs: 400,
        processes: vec![1, 2, 4],
        concurrency: 32,
        cpu_ms: 50,
        cpu_iterations: 0,
        wait_ms: 200,
        url: "postgres://postgres@127.0.0.1:5432/test".into(),
        child: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--jobs" => o.jobs = value.parse()?,
            "--processes" => {
                o.processes = value.split(',').map(str::parse).collect::<Result<_, _>>()?
            }
            "--concurrency" => o.concurrency = value.parse()?,
            "--cpu-ms" => o.cpu_ms = value.parse()?,
            "--cpu-iterations" => o.cpu_iterations = value.parse()?,
            "--wait-ms" => o.wait_ms = value.parse()?,
            "--url" => o.url = value,
            "--child" => o.child = Some(value),
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    Ok(o)
}

/// A worker process: runs both kinds until killed.
async fn child(o: &Options, schema: &str) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = support::open("postgres", dir.path(), &o.url, schema).await?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let worker = Arc::new(Worker::new(
        store,
        vec![
            Arc::new(Cpu {
                iterations: o.cpu_iterations,
                limit: cores,
            }),
            Arc::new(Wait { ms: o.wait_ms }),
        ],
        WorkerSettings {
            concurrency: o.concurrency,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(50),
            shutdown_grace: Duration::from_secs(1),
        },
    ));
    worker.run(CancellationToken::new()).await;
    Ok(())
}

/// Kills the processes when dropped.
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

async fn drain(o: &Options, kind: &str, processes: usize) -> anyhow::Result<f64> {
    let dir = tempfile::tempdir()?;
    let schema = format!("bench_scale_{}", uuid::Uuid::new_v4().simple());
    let store = support::open("postgres", dir.path(), &o.url, &schema).await?;
    let jobs: Vec<NewJob> = (0..o.jobs)
        .map(|i| NewJob::new(kind, None, serde_json::json!({ "n": i })))
        .collect();
    for chunk in jobs.chunks(1000) {
        store.enqueue_jobs(chunk.to_vec()).await?;
    }
    let me = std::env::current_exe()?;
    let started = Instant::now();
    let _children = Processes(
        (0..processes)
            .map(|_| {
                Command::new(&me)
                    .args(["--child", &schema, "--url", &o.url])
                    .args(["--concurrency", &o.concurrency.to_string()])
                    .args(["--cpu-iterations", &o.cpu_iterations.to_string()])
                    .args(["--wait-ms", &o.wait_ms.to_string()])
                    .spawn()
            })
            .collect::<Result<_, _>>()?,
    );
    let deadline = started + Duration::from_secs(600);
    loop {
        let counts = store.job_counts(Some(kind)).await?;
        if counts.get("DONE").copied().unwrap_or(0) as usize == o.jobs {
            break;
        }
        anyhow::ensure!(Instant::now() < deadline, "not drained in time: {counts:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    drop(_children);
    drop(store);
    scorejar_store::postgres::drop_schema(&o.url, &schema).await?;
    Ok(o.jobs as f64 / seconds)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let mut o = options()?;
    if let Some(schema) = &o.child {
        return child(&o, schema).await;
    }
    o.cpu_iterations = calibrate(o.cpu_ms);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for (kind, what, ideal_per_process) in [
        (CPU, format!("{} ms of CPU each", o.cpu_ms), None),
        (
            WAIT,
            format!("{} ms of waiting each", o.wait_ms),
            Some(o.concurrency as f64 * 1000.0 / o.wait_ms as f64),
        ),
    ] {
        for &processes in &o.processes {
            let rate = drain(&o, kind, processes).await?;
            let ceiling = match ideal_per_process {
                Some(per) => per * processes as f64,
                // Every core busy, whatever the number of processes.
                None => cores as f64 * 1000.0 / o.cpu_ms as f64,
            };
            println!(
                "{kind} ({what}), {} jobs, {processes} worker process(es) x concurrency {} on PostgreSQL: {rate:.1} jobs/s (ceiling {ceiling:.1}/s on {cores} cores)",
                o.jobs, o.concurrency
            );
        }
    }
    Ok(())
}
