//! The store a worker example runs on: a fresh SQLite file in `dir`, or a fresh schema of a
//! PostgreSQL database (drop it with `scorejar_store::postgres::drop_schema` afterwards); and
//! the account and uploads benchmarks start from.

#![allow(dead_code)]

use scorejar_store::Store;
use std::path::Path;
use std::sync::Arc;

pub async fn open(
    backend: &str,
    dir: &Path,
    url: &str,
    schema: &str,
) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match backend {
        "sqlite" => {
            let path = dir.join("queue.db");
            let path = path
                .to_str()
                .ok_or_else(|| anyhow::anyhow!("non-UTF-8 temp path"))?;
            Arc::new(scorejar_store::sqlite::SqliteStore::open(path).await?)
        }
        "postgres" => {
            Arc::new(scorejar_store::postgres::PgStore::connect_isolated(url, schema).await?)
        }
        other => anyhow::bail!("unknown backend {other}"),
    })
}

/// An account for a benchmark: no credits, one token with every scope.
pub async fn bench_account(store: &Arc<dyn Store>) -> anyhow::Result<String> {
    let account = scorejar_core::ids::new_id();
    let token = scorejar_store::NewApiToken {
        id: scorejar_core::ids::new_id(),
        name: "bench".into(),
        token_hash: format!("{:064x}", uuid::Uuid::new_v4().as_u128()),
        scopes: scorejar_core::tokens::ScopeSet::all(),
        expires_at: None,
    };
    store.create_account(&account, "Bench", 0, token).await?;
    Ok(account)
}

/// A free chat upload with `call` as its transcript and one evaluation against `scorecard_id`,
/// its `Evaluate` job queued as an upload queues it; with the evaluation's id.
pub fn chat_with_evaluation(
    account: &str,
    scorecard_id: &str,
    call: &scorejar_core::model::TranscriptInput,
) -> (scorejar_core::model::NewUpload, String) {
    use scorejar_core::model::*;
    let interaction_id = scorejar_core::ids::new_id();
    let spec = NewEvaluationSpec {
        score_submission_id: scorejar_core::ids::new_id(),
        scorecard_id: scorecard_id.to_owned(),
    };
    let job = NewJob::new(
        scorejar_core::jobs::EVALUATE,
        Some(interaction_id.clone()),
        serde_json::json!({ "interactionId": interaction_id, "scoreSubmissionId": spec.score_submission_id }),
    );
    let submission = spec.score_submission_id.clone();
    let upload = NewUpload {
        account_id: account.to_owned(),
        interaction_id,
        source_identifier: scorejar_core::ids::new_id(),
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
        transcript: Some(UploadTranscript::Provided(call.clone())),
        transcript_status: Some(StepStatus::Completed),
        transcript_source: Some(TranscriptSource::Provided),
        email: None,
        evaluation: Some(spec),
        processing: Processing::default(),
        charge: 0,
        charge_reason: "bench".into(),
        jobs: vec![job],
        warnings: Vec::new(),
    };
    (upload, submission)
}
