//! Fixtures of the conformance suite: fresh stores per backend, and builders for accounts,
//! uploads and scorecards that tests then adjust field by field.

use scorejar_core::cursor::Cursor;
use scorejar_core::ids::new_id;
use scorejar_core::model::*;
pub use scorejar_core::paging::{Page, PageCursor, PageRequest};
use scorejar_store::{NewApiToken, Store, StoreError};
use std::sync::Arc;
use time::macros::datetime;
use time::OffsetDateTime;

/// A fresh, empty store and what must live (or be cleaned up) with it.
pub struct Backend {
    pub store: Arc<dyn Store>,
    cleanup: Cleanup,
}

enum Cleanup {
    /// The directory of the SQLite file; removed when dropped.
    Directory(#[allow(dead_code)] tempfile::TempDir),
    /// A PostgreSQL schema to drop: (url, schema).
    Schema(String, String),
}

impl Backend {
    /// Releases the backend's resources once a test body has passed.
    pub async fn finish(self) {
        drop(self.store);
        match self.cleanup {
            Cleanup::Directory(_dir) => {}
            Cleanup::Schema(url, schema) => {
                scorejar_store::postgres::drop_schema(&url, &schema)
                    .await
                    .expect("dropping the test schema");
            }
        }
    }
}

pub async fn sqlite_backend() -> Backend {
    let dir = tempfile::tempdir().expect("tempdir");
    // A nested path also checks that missing parent directories are created.
    let path = dir.path().join("data").join("scorejar.db");
    let store = scorejar_store::sqlite::SqliteStore::open(path.to_str().expect("utf-8 path"))
        .await
        .expect("opening SQLite");
    Backend {
        store: Arc::new(store),
        cleanup: Cleanup::Directory(dir),
    }
}

pub async fn postgres_backend() -> Backend {
    let url = std::env::var("SCOREJAR_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("conformance_{}", uuid::Uuid::new_v4().simple());
    let store = scorejar_store::postgres::PgStore::connect_isolated(&url, &schema)
        .await
        .expect("connecting to PostgreSQL");
    Backend {
        store: Arc::new(store),
        cleanup: Cleanup::Schema(url, schema),
    }
}

/// The event time most fixtures use; microsecond precision, as stored.
pub const T0: OffsetDateTime = datetime!(2026-03-04 05:06:07.123456 UTC);

/// Creates an account with `credits`; returns its id.
pub async fn account(store: &Arc<dyn Store>, credits: i64) -> String {
    let id = new_id();
    store
        .create_account(&id, "Acme", credits, token("first"))
        .await
        .expect("create_account");
    id
}

/// A new API token whose hash is unique.
pub fn token(name: &str) -> NewApiToken {
    NewApiToken {
        id: new_id(),
        name: name.into(),
        token_hash: format!("{:064x}", uuid::Uuid::new_v4().as_u128()),
        scopes: scorejar_core::tokens::ScopeSet::all(),
        expires_at: None,
    }
}

/// The smallest valid upload: a chat with a provided transcript, free, nothing else.
pub fn upload(account_id: &str, source: &str) -> NewUpload {
    NewUpload {
        account_id: account_id.into(),
        interaction_id: new_id(),
        source_identifier: source.into(),
        direction: Direction::Inbound,
        interaction_type: InteractionType::Chat,
        occurred_at: T0,
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
        charge_reason: "upload: test".into(),
        jobs: Vec::new(),
        warnings: Vec::new(),
    }
}

pub fn participant(
    source: Option<&str>,
    email: Option<&str>,
    name: Option<&str>,
) -> ParticipantInput {
    ParticipantInput {
        name: name.map(Into::into),
        email: email.map(Into::into),
        phone: None,
        source_identifier: source.map(Into::into),
    }
}

/// A job of `kind` for `interaction_id`.
pub fn job(kind: &str, interaction_id: &str) -> NewJob {
    NewJob {
        id: new_id(),
        kind: kind.into(),
        interaction_id: Some(interaction_id.into()),
        payload: serde_json::json!({ "interactionId": interaction_id }),
    }
}

pub fn scorecard_fields(name: &str, status: ScorecardStatus) -> ScorecardFields {
    ScorecardFields {
        name: name.into(),
        description: Some("How well the agent did".into()),
        status,
        prompt: Some("Be fair.".into()),
        model: Some("small".into()),
        passing_score: Some(72.5),
        sections: serde_json::json!([{
            "name": "Greeting",
            "criteria": [{ "id": "c1", "question": "Did the agent greet?", "weight": 2.5 }]
        }]),
        samples: Some(3),
    }
}

/// Creates a scorecard; returns its id.
pub async fn scorecard(
    store: &Arc<dyn Store>,
    account_id: &str,
    status: ScorecardStatus,
) -> String {
    let id = new_id();
    store
        .create_scorecard(account_id, &id, &scorecard_fields("QA", status))
        .await
        .expect("create_scorecard");
    id
}

pub async fn create_tag(store: &Arc<dyn Store>, account_id: &str, name: &str) -> Tag {
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

/// Uploads and expects a new interaction.
pub async fn created(store: &Arc<dyn Store>, upload: NewUpload) -> UploadReceipt {
    match store.create_upload(upload).await.expect("create_upload") {
        UploadOutcome::Created(receipt) => receipt,
        other => panic!("expected Created, got {other:?}"),
    }
}

pub async fn interaction(store: &Arc<dyn Store>, account_id: &str, id: &str) -> InteractionRecord {
    store
        .get_interaction(account_id, id)
        .await
        .expect("get_interaction")
        .expect("the interaction exists")
}

pub async fn balance(store: &Arc<dyn Store>, account_id: &str) -> i64 {
    store
        .credits(account_id, &PageRequest::first(1))
        .await
        .expect("credits")
        .0
}

/// Every ledger entry, newest first, walked page by page.
pub async fn ledger(store: &Arc<dyn Store>, account_id: &str) -> Vec<LedgerEntry> {
    let mut page = PageRequest::<Cursor>::first(100);
    let mut all = Vec::new();
    loop {
        let (_, got) = store.credits(account_id, &page).await.expect("credits");
        all.extend(got.data);
        match got.next_cursor {
            Some(next) => page.after = Some(Cursor::decode(&next).expect("a cursor")),
            None => return all,
        }
    }
}

/// Walks a paged list to its end with pages of `limit`, checking that only the last page lacks a
/// cursor and that every other page is full.
pub async fn walk<C, T, F, Fut>(limit: u32, mut fetch: F) -> Vec<T>
where
    C: PageCursor + Clone,
    F: FnMut(PageRequest<C>) -> Fut,
    Fut: std::future::Future<Output = Page<T>>,
{
    let mut page = PageRequest::<C>::first(limit);
    let mut all = Vec::new();
    loop {
        let got = fetch(page.clone()).await;
        let full = got.data.len() == limit as usize;
        all.extend(got.data);
        match got.next_cursor {
            Some(next) => {
                assert!(full, "a page before the last is full");
                page.after = Some(C::decode(&next).expect("a cursor of this list"));
            }
            None => return all,
        }
    }
}

pub async fn all_tags(store: &Arc<dyn Store>, account_id: &str) -> Vec<Tag> {
    walk(100, |p| async move {
        store.list_tags(account_id, &p).await.expect("list_tags")
    })
    .await
}

pub async fn all_tokens(store: &Arc<dyn Store>, account_id: &str) -> Vec<ApiTokenInfo> {
    walk(100, |p| async move {
        store
            .list_api_tokens(account_id, &p)
            .await
            .expect("list_api_tokens")
    })
    .await
}

pub async fn all_scorecards(store: &Arc<dyn Store>, account_id: &str) -> Vec<Scorecard> {
    walk(100, |p| async move {
        store
            .list_scorecards(account_id, &p)
            .await
            .expect("list_scorecards")
    })
    .await
}

/// Panics with the error unless it is `InsufficientCredits { required, balance }`.
pub fn assert_insufficient(
    result: Result<impl std::fmt::Debug, StoreError>,
    required: i64,
    balance: i64,
) {
    match result {
        Err(StoreError::InsufficientCredits {
            required: r,
            balance: b,
        }) => assert_eq!((r, b), (required, balance)),
        other => panic!("expected InsufficientCredits, got {other:?}"),
    }
}
