//! Upload throughput of a store: N `create_upload` calls (a chat upload with one agent, two
//! tags, three metadata values and a charge of 1 credit) from T concurrent tasks, against a fresh
//! SQLite file or a fresh PostgreSQL schema (dropped afterwards).
//!
//! cargo run --release -p scorejar-store --example upload_tx -- [--backend sqlite|postgres] \
//!     [--url URL] [--uploads 20000] [--tasks 32] [--pool 16] [--accounts 1] [--agents 50]
//!
//! `--accounts` spreads the uploads over several accounts. Every debit of one account updates
//! the same row, and PostgreSQL keeps that row locked until the commit is flushed to disk, so
//! the uploads of one account commit one after another: with one account the figure measures
//! the flush latency of the disk more than the store; with many it measures the store.

use anyhow::Context;
use scorejar_core::ids::new_id;
use scorejar_core::model::*;
use scorejar_store::postgres::{drop_schema, PgStore};
use scorejar_store::sqlite::SqliteStore;
use scorejar_store::{NewApiToken, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    backend: String,
    url: String,
    uploads: usize,
    tasks: usize,
    pool: u32,
    accounts: usize,
    agents: usize,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        backend: "postgres".into(),
        url: std::env::var("SCOREJAR_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into()),
        uploads: 20_000,
        tasks: 32,
        pool: scorejar_store::postgres::DEFAULT_POOL_SIZE,
        accounts: 1,
        agents: 50,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--backend" => args.backend = value,
            "--url" => args.url = value,
            "--uploads" => args.uploads = value.parse()?,
            "--tasks" => args.tasks = value.parse()?,
            "--pool" => args.pool = value.parse()?,
            "--accounts" => args.accounts = value.parse::<usize>()?.max(1),
            "--agents" => args.agents = value.parse::<usize>()?.max(1),
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    Ok(args)
}

fn upload(account_id: &str, n: usize, agents: usize) -> NewUpload {
    NewUpload {
        account_id: account_id.into(),
        interaction_id: new_id(),
        source_identifier: format!("chat-{n}"),
        direction: Direction::Inbound,
        interaction_type: InteractionType::Chat,
        occurred_at: time::OffsetDateTime::now_utc(),
        duration_ms: None,
        download_url: None,
        media_status: None,
        media: MediaInfo::default(),
        agent: Some(ParticipantInput {
            name: Some(format!("Agent {}", n % agents)),
            email: Some(format!("agent{}@example.com", n % agents)),
            phone: None,
            source_identifier: Some(format!("agent-{}", n % agents)),
        }),
        customer: None,
        tags: vec!["VIP".into(), "billing".into()],
        custom_metadata: vec![
            ("disposition".into(), MetadataValue::String("sale".into())),
            ("recordingConsent".into(), MetadataValue::Boolean(true)),
            ("dealValue".into(), MetadataValue::Int(50_000)),
        ],
        transcript: Some(UploadTranscript::Provided(TranscriptInput {
            text: "Agent: Hello\nCustomer: I need help with my order".into(),
            language: Some("en".into()),
            agent_channel: None,
            segments: Vec::new(),
        })),
        transcript_status: Some(StepStatus::Completed),
        transcript_source: Some(TranscriptSource::Provided),
        email: None,
        evaluation: None,
        processing: Processing::default(),
        charge: 1,
        charge_reason: "upload: chat 9 words".into(),
        jobs: Vec::new(),
        warnings: Vec::new(),
    }
}

async fn setup(store: &Arc<dyn Store>, args: &Args) -> anyhow::Result<Vec<String>> {
    let mut accounts = Vec::new();
    for _ in 0..args.accounts {
        let id = new_id();
        let token = NewApiToken {
            id: new_id(),
            name: "bench".into(),
            token_hash: new_id(),
            scopes: scorejar_core::tokens::ScopeSet::all(),
            expires_at: None,
        };
        store
            .create_account(&id, "bench", args.uploads as i64 + 1, token)
            .await?;
        for name in ["VIP", "Billing"] {
            store
                .create_tag(
                    &id,
                    Tag {
                        id: new_id(),
                        name: name.into(),
                    },
                )
                .await?;
        }
        accounts.push(id);
    }
    Ok(accounts)
}

async fn run(
    store: &Arc<dyn Store>,
    args: &Args,
    accounts: &[String],
) -> anyhow::Result<Vec<Duration>> {
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..args.tasks {
        let (store, next, accounts) = (store.clone(), next.clone(), accounts.to_vec());
        let (total, agents) = (args.uploads, args.agents);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= total {
                    return anyhow::Ok(latencies);
                }
                let started = Instant::now();
                match store
                    .create_upload(upload(&accounts[n % accounts.len()], n, agents))
                    .await?
                {
                    UploadOutcome::Created(_) => latencies.push(started.elapsed()),
                    UploadOutcome::Duplicate(r) => anyhow::bail!("unexpected duplicate {r:?}"),
                }
            }
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    Ok(all)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let dir = tempfile::tempdir()?;
    let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let store: Arc<dyn Store> = match args.backend.as_str() {
        "sqlite" => {
            Arc::new(SqliteStore::open(&dir.path().join("bench.db").to_string_lossy()).await?)
        }
        "postgres" => {
            Arc::new(PgStore::connect_isolated_with_pool_size(&args.url, &schema, args.pool).await?)
        }
        other => anyhow::bail!("--backend {other}: sqlite or postgres"),
    };
    let outcome = measure(&store, &args).await;
    drop(store);
    if args.backend == "postgres" {
        drop_schema(&args.url, &schema).await?;
    }
    outcome
}

async fn measure(store: &Arc<dyn Store>, args: &Args) -> anyhow::Result<()> {
    let accounts = setup(store, args).await?;
    let started = Instant::now();
    let mut latencies = run(store, args, &accounts).await?;
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    println!(
        "{} {} uploads, {} tasks, pool {}, {} account(s): {:.2} s, {:.0} tx/s, p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        args.backend,
        latencies.len(),
        args.tasks,
        args.pool,
        args.accounts,
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        pct(1.0),
    );
    // Every upload took exactly one credit.
    let mut remaining = 0;
    for account in &accounts {
        remaining += store
            .credits(account, &scorejar_core::paging::PageRequest::first(1))
            .await?
            .0;
    }
    let expected = (args.uploads as i64 + 1) * accounts.len() as i64 - args.uploads as i64;
    anyhow::ensure!(
        remaining == expected,
        "credits left {remaining}, expected {expected}"
    );
    Ok(())
}
