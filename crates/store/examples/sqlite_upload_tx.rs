//! Micro-benchmark of the SQLite upload path: N `create_upload` calls (a chat with one
//! participant, two tags, three metadata values and a charge of 1) from T concurrent tasks on a
//! fresh database file, printing transactions per second and latency percentiles.
//!
//! `cargo run -p scorejar-store --release --example sqlite_upload_tx [UPLOADS] [TASKS]`
//! (defaults: 20000 uploads, 32 tasks).

use scorejar_core::ids::new_id;
use scorejar_core::model::*;
use scorejar_store::sqlite::SqliteStore;
use scorejar_store::{NewApiToken, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let uploads: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(20_000);
    let tasks: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(32);
    anyhow::ensure!(
        uploads > 0 && tasks > 0,
        "UPLOADS and TASKS must be positive"
    );

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench.db");
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(path.to_str().unwrap_or("bench.db")).await?);
    let account_id = new_id();
    let token = NewApiToken {
        id: new_id(),
        name: "bench".into(),
        token_hash: "0".repeat(64),
    };
    store
        .create_account(&account_id, "Bench", uploads as i64, token)
        .await?;
    for name in ["Billing", "VIP"] {
        let tag = Tag {
            id: new_id(),
            name: name.into(),
        };
        store.create_tag(&account_id, tag).await?;
    }

    let started = Instant::now();
    let workers: Vec<_> = (0..tasks)
        .map(|worker| {
            let store = store.clone();
            let account_id = account_id.clone();
            let share = uploads / tasks + usize::from(worker < uploads % tasks);
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(share);
                for i in 0..share {
                    let upload = chat_upload(&account_id, &format!("w{worker}-{i}"), i);
                    let t = Instant::now();
                    match store.create_upload(upload).await? {
                        UploadOutcome::Created(_) => {}
                        UploadOutcome::Duplicate(r) => anyhow::bail!("unexpected duplicate {r:?}"),
                    }
                    latencies.push(t.elapsed());
                }
                anyhow::Ok(latencies)
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = Vec::with_capacity(uploads);
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let elapsed = started.elapsed();

    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let (balance, _) = store.credits(&account_id, 1).await?;
    println!(
        "{uploads} uploads from {tasks} tasks in {:.2} s: {:.0} tx/s; latency p50 {:?}, p99 {:?}, max {:?}; balance left {balance}",
        elapsed.as_secs_f64(),
        uploads as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        latencies.last().copied().unwrap_or_default(),
    );
    if let Some(busy) = writer_cpu_time() {
        println!(
            "writer thread on CPU {:.2} s: {:.1} us per upload (ceiling {:.0} tx/s when it has a core to itself)",
            busy.as_secs_f64(),
            busy.as_secs_f64() * 1e6 / uploads as f64,
            uploads as f64 / busy.as_secs_f64()
        );
    }
    Ok(())
}

/// CPU time of the `sqlite-writer` thread so far (Linux only), from its schedstat.
fn writer_cpu_time() -> Option<Duration> {
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.trim() == "sqlite-writer" {
            let stat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
            let nanos: u64 = stat.split_whitespace().next()?.parse().ok()?;
            return Some(Duration::from_nanos(nanos));
        }
    }
    None
}

fn chat_upload(account_id: &str, source: &str, i: usize) -> NewUpload {
    let interaction_id = new_id();
    NewUpload {
        account_id: account_id.into(),
        interaction_id,
        source_identifier: source.into(),
        direction: Direction::Inbound,
        interaction_type: InteractionType::Chat,
        occurred_at: time::OffsetDateTime::now_utc(),
        duration_ms: None,
        download_url: None,
        media_status: None,
        media: MediaInfo::default(),
        agent: Some(ParticipantInput {
            name: Some("Ada".into()),
            email: None,
            phone: None,
            source_identifier: Some(format!("agent-{}", i % 50)),
        }),
        customer: None,
        tags: vec!["billing".into(), "vip".into()],
        custom_metadata: vec![
            ("plan".into(), MetadataValue::String("gold".into())),
            ("score".into(), MetadataValue::Int(i as i64 % 10)),
            ("ratio".into(), MetadataValue::Float(0.5)),
        ],
        transcript: Some(UploadTranscript::Provided(TranscriptInput {
            text: "Hello, I have a question about my bill.".into(),
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
        charge_reason: "upload: chat".into(),
        jobs: Vec::new(),
        warnings: Vec::new(),
    }
}
