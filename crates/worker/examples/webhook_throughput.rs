//! Webhook delivery through the queue, two figures:
//!
//! 1. **Deliveries per second**: `--messages` messages to one endpoint are queued at once;
//!    a [`Worker`] runs their `DeliverWebhook` jobs (read, sign, POST, record the attempt) against
//!    a local receiver that answers 200 at once. Timed until the receiver has them all and every
//!    message is DELIVERED.
//! 2. **Latency from evaluation to delivery**: `--evaluations` chats with a rules scorecard whose
//!    WEBHOOK action fires on every completed evaluation; the worker runs Evaluate, Dispatch and
//!    DeliverWebhook together. For each delivery, the time from the evaluation's `completedAt`
//!    (in the event) to its arrival at the receiver: p50 and p99.
//!
//! `cargo run -p scorejar-worker --release --example webhook_throughput -- [--backend
//! sqlite|postgres] [--messages 5000] [--evaluations 500] [--concurrency 32] [--url postgres://…]`

#[path = "support/store.rs"]
mod support;

use axum::extract::State;
use axum::routing::post;
use axum::Router;
use scorejar_core::ids::new_id;
use scorejar_core::jobs::DELIVER_WEBHOOK;
use scorejar_core::model::*;
use scorejar_core::pricing::Rates;
use scorejar_store::media_links::MediaLinks;
use scorejar_store::webhooks::{NewAction, NewMessage, NewTarget, TargetKind};
use scorejar_store::Store;
use scorejar_worker::handlers::{
    DeliverWebhook, DeliverySettings, Dispatch, Evaluate, JobHandler, MediaUrls,
};
use scorejar_worker::{Worker, WorkerSettings};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

struct Options {
    backend: String,
    messages: usize,
    evaluations: usize,
    concurrency: usize,
    url: String,
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        backend: "sqlite".into(),
        messages: 5000,
        evaluations: 500,
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
            "--messages" => o.messages = value.parse()?,
            "--evaluations" => o.evaluations = value.parse()?,
            "--concurrency" => o.concurrency = value.parse()?,
            "--url" => o.url = value,
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    anyhow::ensure!(
        o.messages > 0 && o.evaluations > 0,
        "counts must be positive"
    );
    Ok(o)
}

/// What the receiver saw: arrivals, and for evaluation events the delay since completion.
#[derive(Default)]
struct Seen {
    count: usize,
    latencies: Vec<Duration>,
}

async fn receive(State(seen): State<Arc<Mutex<Seen>>>, body: String) -> &'static str {
    let now = OffsetDateTime::now_utc();
    let completed = serde_json::from_str::<Value>(&body).ok().and_then(|e| {
        let at = e["data"]["evaluation"]["completedAt"].as_str()?.to_owned();
        OffsetDateTime::parse(&at, &time::format_description::well_known::Rfc3339).ok()
    });
    let mut seen = seen.lock().expect("receiver state");
    seen.count += 1;
    if let Some(at) = completed {
        seen.latencies
            .push(Duration::try_from(now - at).unwrap_or_default());
    }
    "ok"
}

/// A receiver answering 200 at once on a free local port; returns its base URL.
async fn receiver(seen: Arc<Mutex<Seen>>) -> anyhow::Result<String> {
    let app = Router::new().route("/hook", post(receive)).with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}"))
}

fn target(account: &str, id: &str, kind: TargetKind, url: &str) -> NewTarget {
    NewTarget {
        id: id.to_owned(),
        account_id: account.to_owned(),
        kind,
        url: url.to_owned(),
        event_types: None,
        description: None,
        enabled: true,
        secret: scorejar_core::webhooks::signing::secret_from_bytes(&[7u8; 24]),
    }
}

fn worker(
    store: &Arc<dyn Store>,
    handlers: Vec<Arc<dyn JobHandler>>,
    concurrency: usize,
) -> Arc<Worker> {
    Arc::new(Worker::new(
        store.clone(),
        handlers,
        WorkerSettings {
            concurrency,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(50),
            shutdown_grace: Duration::from_secs(10),
        },
    ))
}

fn deliverer(store: &Arc<dyn Store>, base: &str, concurrency: usize) -> Arc<dyn JobHandler> {
    let host = base.trim_start_matches("http://").to_owned();
    let client = scorejar_net::SafeClient::new(scorejar_net::NetPolicy::allowing([host]));
    Arc::new(DeliverWebhook::new(
        store.clone(),
        client,
        DeliverySettings {
            endpoint_concurrency: concurrency,
            ..DeliverySettings::default()
        },
    ))
}

/// Waits until the receiver has `count` arrivals and no job of `kind` is left to run.
async fn drain(
    store: &Arc<dyn Store>,
    seen: &Arc<Mutex<Seen>>,
    count: usize,
    kind: &str,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let arrived = seen.lock().expect("receiver state").count;
        let jobs = store.job_counts(Some(kind)).await?;
        let open = ["QUEUED", "RUNNING"]
            .iter()
            .map(|s| jobs.get(*s).copied().unwrap_or(0))
            .sum::<i64>();
        if arrived >= count && open == 0 {
            anyhow::ensure!(!jobs.contains_key("FAILED"), "jobs failed: {jobs:?}");
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "not drained in time: {arrived} of {count} arrived, jobs {jobs:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Figure 1: deliveries per second.
async fn deliveries(store: &Arc<dyn Store>, o: &Options) -> anyhow::Result<f64> {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let base = receiver(seen.clone()).await?;
    let account = support::bench_account(store).await?;
    let endpoint = new_id();
    store
        .create_endpoint(target(
            &account,
            &endpoint,
            TargetKind::Endpoint,
            &format!("{base}/hook"),
        ))
        .await?;
    let body = json!({"type": "bench", "data": {"n": 1}}).to_string();
    let messages: Vec<NewMessage> = (0..o.messages)
        .map(|i| NewMessage {
            id: format!("msg_{}", new_id().replace('-', "")),
            account_id: account.clone(),
            target_id: endpoint.clone(),
            event_type: "bench".into(),
            event_id: format!("evt_{i}"),
            dedupe_key: format!("bench-{i}"),
            body: body.clone(),
        })
        .collect();
    for chunk in messages.chunks(1000) {
        store.enqueue_messages(chunk.to_vec()).await?;
    }
    let stop = CancellationToken::new();
    let started = Instant::now();
    let w = worker(
        store,
        vec![deliverer(store, &base, o.concurrency)],
        o.concurrency,
    );
    let running = tokio::spawn(w.run(stop.clone()));
    drain(store, &seen, o.messages, DELIVER_WEBHOOK).await?;
    let elapsed = started.elapsed();
    stop.cancel();
    running.await?;
    let delivered = store
        .list_messages(
            &account,
            &scorejar_store::webhooks::MessageFilter {
                status: Some("DELIVERED".into()),
                ..Default::default()
            },
            &scorejar_core::paging::PageRequest::first(100),
        )
        .await?;
    anyhow::ensure!(
        delivered.data.len() == 100.min(o.messages),
        "messages not recorded DELIVERED"
    );
    Ok(o.messages as f64 / elapsed.as_secs_f64())
}

fn rules_card() -> Value {
    json!({ "name": "Bench rules", "status": "ACTIVE", "model": "rules", "passingScore": 50,
    "sections": [{ "name": "Call", "questions": [
        { "id": "greet", "text": "Greeting?", "type": "SINGLE",
          "answers": [{ "label": "Yes", "points": 1 }, { "label": "No", "points": 0 }],
          "rules": { "if": { "phrase": "thank you for calling" }, "then": "Yes", "else": "No" } }
    ]}]})
}

fn chat() -> TranscriptInput {
    serde_json::from_value(json!({ "text": "", "segments": [
        { "start": 0.5, "end": 3.0, "speaker": "agent", "text": "Thank you for calling Acme." },
        { "start": 3.5, "end": 6.0, "speaker": "customer", "text": "Hi, my bill is wrong." }
    ]}))
    .expect("a transcript")
}

/// Figure 2: p50 and p99 from an evaluation's completion to its webhook's arrival.
async fn latency(store: &Arc<dyn Store>, o: &Options) -> anyhow::Result<(Duration, Duration)> {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let base = receiver(seen.clone()).await?;
    let account = support::bench_account(store).await?;
    let scorecard = new_id();
    let fields = scorejar_core::scorecard::parse_scorecard(&rules_card())
        .map_err(|e| anyhow::anyhow!("scorecard: {e:?}"))?;
    store
        .create_scorecard(&account, &scorecard, &fields)
        .await?;
    let action = new_id();
    store
        .create_action(NewAction {
            id: action.clone(),
            account_id: account.clone(),
            scorecard_id: scorecard.clone(),
            trigger: json!({"type": "EVALUATION_COMPLETED"}),
            action: json!({"type": "WEBHOOK", "url": format!("{base}/hook")}),
            enabled: true,
            webhook: Some(target(
                &account,
                &action,
                TargetKind::Action,
                &format!("{base}/hook"),
            )),
        })
        .await?;
    let call = chat();
    for _ in 0..o.evaluations {
        let (upload, _) = support::chat_with_evaluation(&account, &scorecard, &call);
        store.create_upload(upload).await?;
    }
    let handlers: Vec<Arc<dyn JobHandler>> = vec![
        Arc::new(Evaluate {
            store: store.clone(),
            ai: None,
            rates: Rates::default(),
        }),
        Arc::new(Dispatch {
            store: store.clone(),
            rates: Rates::default(),
            media_urls: MediaUrls {
                links: MediaLinks::new(store.clone()),
                base_url: "http://127.0.0.1:8080".into(),
                ttl: Duration::from_secs(3600),
            },
        }),
        deliverer(store, &base, o.concurrency),
    ];
    let stop = CancellationToken::new();
    let running = tokio::spawn(worker(store, handlers, o.concurrency).run(stop.clone()));
    drain(store, &seen, o.evaluations, DELIVER_WEBHOOK).await?;
    stop.cancel();
    running.await?;
    let mut latencies = std::mem::take(&mut seen.lock().expect("receiver state").latencies);
    anyhow::ensure!(
        latencies.len() == o.evaluations,
        "{} of {} deliveries carried an evaluation",
        latencies.len(),
        o.evaluations
    );
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    Ok((at(0.5), at(0.99)))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let o = options()?;
    let dir = tempfile::tempdir()?;
    let schema = format!("bench_hooks_{}", uuid::Uuid::new_v4().simple());
    let store = support::open(&o.backend, dir.path(), &o.url, &schema).await?;
    let rate = deliveries(&store, &o).await?;
    println!(
        "{} | {} webhook deliveries to a local receiver answering 200, worker concurrency {}: {:.0} deliveries/s",
        o.backend, o.messages, o.concurrency, rate
    );
    let (p50, p99) = latency(&store, &o).await?;
    println!(
        "{} | {} evaluations with a WEBHOOK action, evaluation completed -> delivery received: p50 {:.1} ms, p99 {:.1} ms",
        o.backend,
        o.evaluations,
        p50.as_secs_f64() * 1000.0,
        p99.as_secs_f64() * 1000.0
    );
    drop(store);
    if o.backend == "postgres" {
        scorejar_store::postgres::drop_schema(&o.url, &schema).await?;
    }
    Ok(())
}
