//! Fair claims through the worker runner: one account has `--backlog` jobs queued, each taking
//! `--job-ms`, on a worker running `--concurrency` at once; then a second account queues one job.
//! Prints how long that job waited before it started, against one job's time (the target) and
//! against the time the backlog takes to drain (what a plain FIFO queue would make it wait).
//!
//! `cargo run -p scorejar-worker --release --example claim_fairness -- [--backend
//! sqlite|postgres] [--backlog 1000] [--job-ms 50] [--concurrency 4] [--url postgres://…]`

#[path = "support/store.rs"]
mod support;

use async_trait::async_trait;
use scorejar_core::ids::new_id;
use scorejar_core::model::*;
use scorejar_store::queue::{ClaimedJob, JobEffects};
use scorejar_store::{NewApiToken, Store};
use scorejar_worker::handlers::{HandlerResult, JobHandler};
use scorejar_worker::{Worker, WorkerSettings};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const KIND: &str = "Sleep";

/// A job that takes a fixed time, like a short transcription would.
struct Sleep(Duration);

#[async_trait]
impl JobHandler for Sleep {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn run(&self, _job: &ClaimedJob) -> HandlerResult {
        tokio::time::sleep(self.0).await;
        Ok(JobEffects::default())
    }

    async fn give_up(&self, _job: &ClaimedJob, _error: &str) -> JobEffects {
        JobEffects::default()
    }
}

struct Options {
    backend: String,
    backlog: usize,
    job: Duration,
    concurrency: usize,
    url: String,
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        backend: "sqlite".into(),
        backlog: 1000,
        job: Duration::from_millis(50),
        concurrency: 4,
        url: "postgres://postgres@127.0.0.1:5432/test".into(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--backend" => o.backend = value,
            "--backlog" => o.backlog = value.parse()?,
            "--job-ms" => o.job = Duration::from_millis(value.parse()?),
            "--concurrency" => o.concurrency = value.parse()?,
            "--url" => o.url = value,
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    anyhow::ensure!(
        o.backlog > 0 && o.concurrency > 0,
        "counts must be positive"
    );
    Ok(o)
}

/// A new account with one chat interaction; returns the interaction's id.
async fn account_with_interaction(store: &Arc<dyn Store>) -> anyhow::Result<String> {
    let account = new_id();
    let token = NewApiToken {
        id: new_id(),
        name: "bench".into(),
        token_hash: format!("{:064x}", uuid::Uuid::new_v4().as_u128()),
        scopes: scorejar_core::tokens::ScopeSet::all(),
        expires_at: None,
    };
    store.create_account(&account, "Bench", 0, token).await?;
    let interaction = new_id();
    let upload = NewUpload {
        account_id: account,
        interaction_id: interaction.clone(),
        source_identifier: new_id(),
        direction: Direction::Inbound,
        interaction_type: InteractionType::Chat,
        occurred_at: time::OffsetDateTime::now_utc(),
        duration_ms: None,
        download_url: None,
        media_status: None,
        media: MediaInfo::default(),
        agent: None,
        customer: None,
        tags: Vec::new(),
        custom_metadata: Vec::new(),
        transcript: Some(UploadTranscript::Provided(TranscriptInput {
            text: "hello".into(),
            language: None,
            agent_channel: None,
            segments: Vec::new(),
        })),
        transcript_status: Some(StepStatus::Completed),
        transcript_source: Some(TranscriptSource::Provided),
        email: None,
        evaluation: None,
        processing: Processing::default(),
        charge: 0,
        charge_reason: "bench".into(),
        jobs: Vec::new(),
        warnings: Vec::new(),
    };
    store.create_upload(upload).await?;
    Ok(interaction)
}

fn jobs(interaction: &str, count: usize) -> Vec<NewJob> {
    (0..count)
        .map(|_| NewJob::new(KIND, Some(interaction.into()), serde_json::json!({})))
        .collect()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let o = options()?;
    let dir = tempfile::tempdir()?;
    let schema = format!("bench_fair_{}", uuid::Uuid::new_v4().simple());
    let store = support::open(&o.backend, dir.path(), &o.url, &schema).await?;
    let busy = account_with_interaction(&store).await?;
    let quiet = account_with_interaction(&store).await?;
    store.enqueue_jobs(jobs(&busy, o.backlog)).await?;

    let stop = CancellationToken::new();
    let worker = Arc::new(Worker::new(
        store.clone(),
        vec![Arc::new(Sleep(o.job))],
        WorkerSettings {
            concurrency: o.concurrency,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(50),
            shutdown_grace: Duration::from_secs(10),
        },
    ));
    let running = tokio::spawn(worker.run(stop.clone()));
    // Let the busy account fill every slot and run a few rounds.
    tokio::time::sleep(o.job * 3).await;

    let late = jobs(&quiet, 1);
    let queued_at = Instant::now();
    store.enqueue_jobs(late.clone()).await?;
    let deadline = queued_at + Duration::from_secs(600);
    let waited = loop {
        let state = store.job(&late[0].id).await?;
        if state.is_some_and(|s| s.status != "QUEUED") {
            break queued_at.elapsed();
        }
        anyhow::ensure!(Instant::now() < deadline, "the job never started");
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    let left = store.job_counts(Some(KIND)).await?;
    stop.cancel();
    running.await?;

    let fifo = o.job.as_secs_f64() * o.backlog as f64 / o.concurrency as f64;
    println!(
        "{} | another account's job started after {:.1} ms (one job: {} ms; target: within one job) \
         with {} of the busy account's {} jobs still queued; a FIFO queue would have made it wait ~{:.1} s",
        o.backend,
        waited.as_secs_f64() * 1000.0,
        o.job.as_millis(),
        left.get("QUEUED").copied().unwrap_or(0),
        o.backlog,
        fifo
    );
    drop(store);
    if o.backend == "postgres" {
        scorejar_store::postgres::drop_schema(&o.url, &schema).await?;
    }
    Ok(())
}
