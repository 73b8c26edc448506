//! Evaluation orchestration through the queue: N interactions with a provided transcript and an
//! AI scorecard (one rules question, two AI questions) are queued; a [`Worker`] runs their
//! `Evaluate` jobs against a local stand-in of Chat Completions that answers every request after
//! `--provider-ms` (a real provider's latency, without its cost). Times until every job is DONE
//! and checks that every evaluation COMPLETED with its answers: the figure is what our side —
//! claim, load, prompt, reply check, quote guard, scoring, store — sustains around the model.
//!
//! With `--provider-url` (and `--model`) it asks a real provider instead — the local small model
//! of `scripts/llm-local` in `bench/evaluate/run` — about the call in `--transcript-file` (one
//! turn per line, agent first), and reports seconds per evaluation; a real model's answers are
//! its own, so only COMPLETED is checked then.
//!
//! `cargo run -p scorejar-worker --release --example evaluate_throughput -- [--backend
//! sqlite|postgres] [--evaluations 2000] [--concurrency 32] [--provider-concurrency 32]
//! [--provider-ms 50] [--url postgres://…] [--provider-url URL --model NAME]
//! [--transcript-file PATH]`

#[path = "support/store.rs"]
mod support;

use axum::routing::post;
use axum::{Json, Router};
use scorejar_core::ids::new_id;
use scorejar_core::jobs::EVALUATE;
use scorejar_core::model::*;
use scorejar_core::pricing::Rates;
use scorejar_store::Store;
use scorejar_worker::handlers::Evaluate;
use scorejar_worker::{Worker, WorkerSettings};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

struct Options {
    backend: String,
    evaluations: usize,
    concurrency: usize,
    provider_concurrency: usize,
    provider_delay: Duration,
    url: String,
    /// A real provider's API root (no stand-in), and the model it serves.
    provider_url: Option<String>,
    model: String,
    transcript_file: Option<std::path::PathBuf>,
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        backend: "sqlite".into(),
        evaluations: 2000,
        concurrency: 32,
        provider_concurrency: 32,
        provider_delay: Duration::from_millis(50),
        url: "postgres://postgres@127.0.0.1:5432/test".into(),
        provider_url: None,
        model: "judge".into(),
        transcript_file: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--backend" => o.backend = value,
            "--evaluations" => o.evaluations = value.parse()?,
            "--concurrency" => o.concurrency = value.parse()?,
            "--provider-concurrency" => o.provider_concurrency = value.parse()?,
            "--provider-ms" => o.provider_delay = Duration::from_millis(value.parse()?),
            "--url" => o.url = value,
            "--provider-url" => o.provider_url = Some(value),
            "--model" => o.model = value,
            "--transcript-file" => o.transcript_file = Some(value.into()),
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    anyhow::ensure!(
        o.evaluations > 0 && o.concurrency > 0 && o.provider_concurrency > 0,
        "counts must be positive"
    );
    Ok(o)
}

fn scorecard(model: &str) -> Value {
    json!({ "name": "Bench QA", "status": "ACTIVE", "model": format!("standin/{model}"), "passingScore": 60,
    "sections": [{ "name": "Call", "questions": [
        { "id": "greet", "text": "Greeting in the first 30 s?", "type": "SINGLE",
          "answers": [{ "label": "Yes", "points": 2 }, { "label": "No", "points": 0 }],
          "rules": { "if": { "phrase": "thank you for calling", "within": { "from": 0, "to": 30 } },
                     "then": "Yes", "else": "No" } },
        { "id": "resolve", "text": "Did the agent resolve the issue?", "type": "SINGLE",
          "answers": [{ "label": "Yes", "points": 1 }, { "label": "No", "points": 0 }] },
        { "id": "empathy", "text": "Did the agent show empathy?", "type": "SINGLE",
          "answers": [{ "label": "Yes", "points": 1 }, { "label": "No", "points": 0 }] }
    ]}]})
}

/// The call of `path`: one turn per line, the agent's first, 2.5 s each.
fn transcript_from(path: &std::path::Path) -> anyhow::Result<TranscriptInput> {
    let text = std::fs::read_to_string(path)?;
    let segments = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let start = i as f64 * 3.0;
            let speaker = if i % 2 == 0 { "agent" } else { "customer" };
            serde_json::from_value(
                json!({ "start": start, "end": start + 2.5, "speaker": speaker, "text": line.trim() }),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TranscriptInput {
        text: String::new(),
        language: None,
        agent_channel: None,
        segments,
    })
}

fn transcript() -> TranscriptInput {
    let lines = [
        (
            0.5,
            3.0,
            "agent",
            "Thank you for calling Acme, this is Dana.",
        ),
        (3.5, 6.0, "customer", "Hi, my bill is wrong this month."),
        (6.5, 9.0, "agent", "I'm sorry about that, let me check."),
        (
            9.5,
            14.0,
            "agent",
            "I see a double charge; I have refunded it now.",
        ),
        (14.5, 16.0, "customer", "Great, thanks."),
    ];
    TranscriptInput {
        text: String::new(),
        language: None,
        agent_channel: None,
        segments: lines
            .iter()
            .map(|(start, end, speaker, text)| {
                serde_json::from_value(
                    json!({ "start": start, "end": end, "speaker": speaker, "text": text }),
                )
                .expect("a segment")
            })
            .collect(),
    }
}

/// The stand-in's one reply: both AI questions answered with quotes that are in the call.
fn completion() -> Value {
    let content = json!({
        "q1": { "answer": "Yes", "explanation": "Refunded the double charge.",
                "evidence": [{ "line": 4, "quote": "I have refunded it now" }] },
        "q2": { "answer": "Yes", "explanation": "Apologised.",
                "evidence": [{ "line": 3, "quote": "I'm sorry about that" }] }
    });
    json!({ "choices": [{ "message": { "role": "assistant", "content": content.to_string() },
                          "finish_reason": "stop" }],
            "usage": { "prompt_tokens": 420, "completion_tokens": 60 } })
}

/// Serves Chat Completions on a free local port, answering after `delay`; returns the base URL.
async fn stand_in(delay: Duration) -> anyhow::Result<String> {
    let reply = completion();
    let app = Router::new().route(
        "/v1/chat/completions",
        post(move |Json(_body): Json<Value>| {
            let reply = reply.clone();
            async move {
                tokio::time::sleep(delay).await;
                Json(reply)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}/v1"))
}

fn engine(
    base: String,
    model: &str,
    concurrency: usize,
) -> anyhow::Result<Arc<dyn scorejar_llm::AiEngine>> {
    let settings = scorejar_llm::LlmSettings {
        providers: vec![scorejar_llm::ProviderSettings {
            name: "standin".into(),
            base_url: base,
            models: vec![model.into()],
            concurrency,
            timeout_secs: 120,
            price_prompt_per_1k: Some(0.5),
            price_completion_per_1k: Some(1.5),
            ..Default::default()
        }],
        default_provider: None,
    };
    Ok(Arc::new(
        scorejar_llm::LlmEngine::new(settings).map_err(anyhow::Error::msg)?,
    ))
}

/// One account with the scorecard and `count` chat interactions, each with its Evaluate job
/// queued as an upload queues it. Returns the account and the score submissions' ids.
async fn queue_evaluations(
    store: &Arc<dyn Store>,
    count: usize,
    model: &str,
    call: &TranscriptInput,
) -> anyhow::Result<(String, Vec<String>)> {
    let account = support::bench_account(store).await?;
    let scorecard_id = new_id();
    let fields = scorejar_core::scorecard::parse_scorecard(&scorecard(model))
        .map_err(|e| anyhow::anyhow!("scorecard: {e:?}"))?;
    store
        .create_scorecard(&account, &scorecard_id, &fields)
        .await?;
    let mut submissions = Vec::with_capacity(count);
    for _ in 0..count {
        let (upload, submission) = support::chat_with_evaluation(&account, &scorecard_id, call);
        submissions.push(submission);
        store.create_upload(upload).await?;
    }
    Ok((account, submissions))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let o = options()?;
    let dir = tempfile::tempdir()?;
    let schema = format!("bench_eval_{}", uuid::Uuid::new_v4().simple());
    let store = support::open(&o.backend, dir.path(), &o.url, &schema).await?;
    let call = match &o.transcript_file {
        Some(path) => transcript_from(path)?,
        None => transcript(),
    };
    let (account, submissions) = queue_evaluations(&store, o.evaluations, &o.model, &call).await?;
    let base = match &o.provider_url {
        Some(url) => url.clone(),
        None => stand_in(o.provider_delay).await?,
    };
    let handler = Arc::new(Evaluate {
        store: store.clone(),
        ai: Some(engine(base, &o.model, o.provider_concurrency)?),
        rates: Rates::default(),
    });

    let stop = CancellationToken::new();
    let started = Instant::now();
    let worker = Arc::new(Worker::new(
        store.clone(),
        vec![handler],
        WorkerSettings {
            concurrency: o.concurrency,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(50),
            shutdown_grace: Duration::from_secs(10),
        },
    ));
    let running = tokio::spawn(worker.run(stop.clone()));
    let deadline = started + Duration::from_secs(1800);
    loop {
        let counts = store.job_counts(Some(EVALUATE)).await?;
        let finished = ["DONE", "FAILED"]
            .iter()
            .map(|s| counts.get(*s).copied().unwrap_or(0) as usize)
            .sum::<usize>();
        if finished == o.evaluations {
            anyhow::ensure!(!counts.contains_key("FAILED"), "jobs failed: {counts:?}");
            break;
        }
        anyhow::ensure!(Instant::now() < deadline, "not drained in time: {counts:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let drain_time = started.elapsed();
    stop.cancel();
    running.await?;
    check_results(&store, &account, &submissions, o.provider_url.is_none()).await?;

    if let Some(url) = &o.provider_url {
        println!(
            "{} | {} AI evaluations of a {}-line call by {} at {url}, provider concurrency {}: {:.2} s per evaluation ({:.1} s)",
            o.backend,
            o.evaluations,
            call.segments.len(),
            o.model,
            o.provider_concurrency,
            drain_time.as_secs_f64() / o.evaluations as f64,
            drain_time.as_secs_f64()
        );
    } else {
        println!(
        "{} | {} AI evaluations through the queue, worker concurrency {}, provider concurrency {}, stand-in answering in {} ms: {:.0} evaluations/s ({:.2} s)",
        o.backend,
        o.evaluations,
        o.concurrency,
        o.provider_concurrency,
        o.provider_delay.as_millis(),
        o.evaluations as f64 / drain_time.as_secs_f64(),
        drain_time.as_secs_f64()
        );
    }
    drop(store);
    if o.backend == "postgres" {
        scorejar_store::postgres::drop_schema(&o.url, &schema).await?;
    }
    Ok(())
}

/// Every evaluation COMPLETED, scored from the stand-in's answers (a figure for evaluations that
/// did not really run would be worthless); a real model's score is its own (`stand_in` false).
async fn check_results(
    store: &Arc<dyn Store>,
    account: &str,
    submissions: &[String],
    stand_in: bool,
) -> anyhow::Result<()> {
    for id in submissions.iter().step_by((submissions.len() / 50).max(1)) {
        let evaluation = store
            .get_evaluation(account, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("evaluation {id} missing"))?;
        let percentage = evaluation
            .result
            .as_ref()
            .and_then(|r| r["score"]["percentage"].as_f64());
        anyhow::ensure!(
            evaluation.status == EvaluationStatus::Completed
                && (!stand_in || percentage == Some(100.0)),
            "evaluation {id} did not complete as the stand-in answered: {evaluation:?}"
        );
    }
    Ok(())
}
