//! Fixtures of the PostgreSQL tests: one fresh schema per test (dropped when the fixture goes
//! out of scope, also after a failed assertion) and builders of accounts and uploads.

use scorejar_core::ids::new_id;
use scorejar_core::model::*;
use scorejar_store::postgres::{drop_schema, PgStore};
use scorejar_store::{NewApiToken, Store};
use time::macros::datetime;
use time::OffsetDateTime;

pub fn pg_url() -> String {
    std::env::var("SCOREJAR_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A store in its own schema `t_<uuid>`.
pub struct TestDb {
    pub store: PgStore,
    pub schema: String,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let store = PgStore::connect_isolated(&pg_url(), &schema)
            .await
            .expect("connect_isolated");
        TestDb { store, schema }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Async cleanup from a synchronous drop, also after a failed assertion: a helper thread
        // with its own runtime and its own connection. The pool is left alone: its sockets
        // belong to the test's runtime, which is blocked here.
        let schema = self.schema.clone();
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                if let Err(e) = runtime.block_on(drop_schema(&pg_url(), &schema)) {
                    eprintln!("could not drop test schema {schema}: {e:#}");
                }
            }
        });
        let _ = cleanup.join();
    }
}

pub fn token(hash: &str) -> NewApiToken {
    NewApiToken {
        id: new_id(),
        name: "default".into(),
        token_hash: hash.into(),
    }
}

/// Creates an account with `credits` and returns its id.
pub async fn account(store: &PgStore, credits: i64) -> String {
    let id = new_id();
    store
        .create_account(&id, "Acme", credits, token(&format!("hash-{id}")))
        .await
        .expect("create_account");
    id
}

pub async fn tag(store: &PgStore, account_id: &str, name: &str) -> Tag {
    store
        .create_tag(
            account_id,
            Tag {
                id: new_id(),
                name: name.into(),
            },
        )
        .await
        .expect("create_tag")
}

pub fn scorecard_fields(status: ScorecardStatus) -> ScorecardFields {
    ScorecardFields {
        name: "Quality".into(),
        description: Some("Call quality".into()),
        status,
        prompt: Some("Score it".into()),
        model: Some("small".into()),
        passing_score: Some(70.5),
        sections: serde_json::json!([{"title": "Greeting", "questions": [{"text": "Hello?"}]}]),
    }
}

pub async fn scorecard(store: &PgStore, account_id: &str, status: ScorecardStatus) -> String {
    let id = new_id();
    store
        .create_scorecard(account_id, &id, &scorecard_fields(status))
        .await
        .expect("create_scorecard");
    id
}

pub fn participant(sid: Option<&str>, email: Option<&str>, name: Option<&str>) -> ParticipantInput {
    ParticipantInput {
        name: name.map(String::from),
        email: email.map(String::from),
        phone: None,
        source_identifier: sid.map(String::from),
    }
}

/// A minimal chat upload: transcript text, no participants, tags or metadata, `charge` credits.
pub fn chat_upload(account_id: &str, source_identifier: &str, charge: i64) -> NewUpload {
    let interaction_id = new_id();
    NewUpload {
        account_id: account_id.into(),
        interaction_id,
        source_identifier: source_identifier.into(),
        direction: Direction::Inbound,
        interaction_type: InteractionType::Chat,
        occurred_at: datetime!(2026-06-23 14:30:00.123456 UTC),
        duration_ms: None,
        download_url: None,
        media_status: None,
        media: MediaInfo::default(),
        agent: None,
        customer: None,
        tags: Vec::new(),
        custom_metadata: Vec::new(),
        transcript: Some(UploadTranscript::Provided(TranscriptInput {
            text: "Agent: Hello\nCustomer: I need help".into(),
            language: None,
            agent_channel: None,
            segments: Vec::new(),
        })),
        transcript_status: Some(StepStatus::Completed),
        transcript_source: Some(TranscriptSource::Provided),
        email: None,
        evaluation: None,
        processing: Processing::default(),
        charge,
        charge_reason: "upload: chat 12 words".into(),
        jobs: Vec::new(),
        warnings: Vec::new(),
    }
}

/// The same upload at another event time.
pub fn at(mut upload: NewUpload, occurred_at: OffsetDateTime) -> NewUpload {
    upload.occurred_at = occurred_at;
    upload
}

pub fn created(outcome: UploadOutcome) -> UploadReceipt {
    match outcome {
        UploadOutcome::Created(receipt) => receipt,
        UploadOutcome::Duplicate(receipt) => panic!("expected Created, got Duplicate {receipt:?}"),
    }
}

/// Counts rows of `table` in the test schema (table names are fixed by the tests).
pub async fn count(store: &PgStore, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(store.pool())
        .await
        .expect("count")
}
