//! PostgreSQL backend tests, each against a fresh schema (`SCOREJAR_TEST_PG_URL`, default
//! postgres://postgres@127.0.0.1:5432/test, dropped after the test). Migrations and the upload
//! checks live here; the other areas in `postgres/`: accounts, catalogue and evaluations
//! (`accounts.rs`), races (`concurrency.rs`), participants, tags and tenant isolation
//! (`matching.rs`), listings (`listing.rs`), claims by two stores (`queue.rs`), fixtures (`support.rs`).

#[path = "postgres/accounts.rs"]
mod accounts;
#[path = "postgres/concurrency.rs"]
mod concurrency;
#[path = "postgres/listing.rs"]
mod listing;
#[path = "postgres/matching.rs"]
mod matching;
#[path = "postgres/queue.rs"]
mod queue;
#[path = "postgres/support.rs"]
mod support;

use scorejar_core::ids::new_id;
use scorejar_core::model::*;
use scorejar_store::{Store, StoreError};
use support::*;

/// An upload that uses every column: media, participants, tags, metadata, transcript, e-mail,
/// evaluation, jobs, a charge and a warning from before the store.
fn full_upload(account_id: &str, scorecard_id: &str, tags: &[&str]) -> NewUpload {
    let mut u = chat_upload(account_id, "call-12345", 3);
    u.interaction_type = InteractionType::Audio;
    u.direction = Direction::Outbound;
    u.duration_ms = Some(125_000);
    u.download_url = Some("https://storage.example.com/calls/12345.mp3".into());
    u.media_status = Some(StepStatus::Pending);
    u.media = MediaInfo {
        object_key: Some(format!("media/{account_id}/{}", u.interaction_id)),
        content_type: Some("audio/mpeg".into()),
        size_bytes: Some(2_000_000),
        duration_ms: Some(125_000),
        channels: Some(2),
        sample_rate: Some(44_100),
        codec: Some("mp3".into()),
        container: Some("mpeg".into()),
    };
    u.agent = Some(ParticipantInput {
        name: Some("Jane".into()),
        email: Some("Jane@Example.com".into()),
        phone: Some("+15550001".into()),
        source_identifier: Some("agent-7".into()),
    });
    u.customer = Some(participant(None, None, Some("Bob")));
    u.tags = tags.iter().map(|t| t.to_string()).collect();
    u.custom_metadata = vec![
        ("disposition".into(), MetadataValue::String("sale".into())),
        ("recordingConsent".into(), MetadataValue::Boolean(true)),
        ("dealValue".into(), MetadataValue::Int(50_000)),
        ("score".into(), MetadataValue::Float(5.0)),
        ("alpha".into(), MetadataValue::Int(5)),
    ];
    u.transcript = Some(UploadTranscript::Provided(TranscriptInput {
        text: "Hello world".into(),
        language: Some("en".into()),
        agent_channel: Some(0),
        segments: vec![Segment {
            start: 0.0,
            end: 1.0,
            text: "Hello world".into(),
            channel: Some(0),
            speaker: Some("agent".into()),
            words: Some(vec![
                Word {
                    word: "Hello".into(),
                    start: 0.0,
                    end: 0.5,
                },
                Word {
                    word: "world".into(),
                    start: 0.5,
                    end: 1.0,
                },
            ]),
        }],
    }));
    u.email = Some(EmailInput {
        from: "a@example.com".into(),
        to: vec!["b@example.com".into()],
        cc: vec!["c@example.com".into()],
        bcc: vec![],
        subject: Some("Re: order".into()),
        body: Some("...".into()),
        thread_id: Some("thread-1".into()),
        source_id: Some("msg-1".into()),
        time_to_reply: Some(3600),
        is_reply: Some(true),
    });
    u.evaluation = Some(NewEvaluationSpec {
        score_submission_id: new_id(),
        scorecard_id: scorecard_id.into(),
    });
    u.processing = Processing {
        transcription: false,
        evaluation: true,
    };
    u.jobs = vec![
        NewJob {
            id: new_id(),
            kind: scorejar_core::jobs::FETCH_MEDIA.into(),
            interaction_id: Some(u.interaction_id.clone()),
            payload: serde_json::json!({"url": "https://storage.example.com/calls/12345.mp3"}),
        },
        NewJob {
            id: new_id(),
            kind: scorejar_core::jobs::TRANSCRIBE.into(),
            interaction_id: Some(u.interaction_id.clone()),
            payload: serde_json::json!({}),
        },
    ];
    u.warnings = vec!["timestamp: no time zone, UTC assumed".into()];
    u
}

#[tokio::test]
async fn migrations_create_the_schema_and_are_idempotent() {
    let db = TestDb::new().await;
    assert_eq!(db.store.backend(), "postgres");
    assert_eq!(db.store.account_count().await.unwrap(), 0);
    // Connecting again to the same schema finds the migrations applied.
    let again = scorejar_store::postgres::PgStore::connect_isolated(&pg_url(), &db.schema)
        .await
        .unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(again.pool())
        .await
        .unwrap();
    assert_eq!(
        applied, 3,
        "0001_core, 0002_queue and 0003_transcript_engine"
    );
    again.close().await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1
         AND table_name <> '_sqlx_migrations' ORDER BY 1",
    )
    .bind(&db.schema)
    .fetch_all(db.store.pool())
    .await
    .unwrap();
    let expected = [
        "accounts",
        "api_tokens",
        "credit_ledger",
        "evaluations",
        "interaction_metadata",
        "interaction_tags",
        "interactions",
        "jobs",
        "participants",
        "scorecards",
        "sessions",
        "tags",
        "users",
    ];
    assert_eq!(tables, expected);
    assert!(
        scorejar_store::postgres::PgStore::connect_isolated(&pg_url(), "Bad-Name")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn full_upload_round_trips_every_field() {
    let db = TestDb::new().await;
    let store = &db.store;
    let acc = account(store, 100).await;
    let vip = tag(store, &acc, "VIP").await;
    let billing = tag(store, &acc, "Billing").await;
    let sc = scorecard(store, &acc, ScorecardStatus::Active).await;
    let upload = full_upload(&acc, &sc, &["vip", &billing.id, "Nope", "VIP"]);

    let receipt = created(store.create_upload(upload.clone()).await.unwrap());
    let ssid = upload
        .evaluation
        .as_ref()
        .unwrap()
        .score_submission_id
        .clone();
    assert_eq!(
        receipt,
        UploadReceipt {
            interaction_id: upload.interaction_id.clone(),
            interaction_type: InteractionType::Audio,
            processing: Processing {
                transcription: false,
                evaluation: true
            },
            score_submission_id: Some(ssid.clone()),
            warnings: vec![
                "timestamp: no time zone, UTC assumed".into(),
                "tags[2]: unknown tag \"Nope\" was ignored".into(),
            ],
        }
    );

    let got = store
        .get_interaction(&acc, &upload.interaction_id)
        .await
        .unwrap()
        .unwrap();
    let agent = got.agent.clone().expect("agent");
    let customer = got.customer.clone().expect("customer");
    assert_ne!(agent.id, customer.id);
    let evaluation_created = got
        .evaluations
        .first()
        .map(|e| e.created_at)
        .expect("evaluation");
    let expected = InteractionRecord {
        id: upload.interaction_id.clone(),
        source_identifier: "call-12345".into(),
        interaction_type: InteractionType::Audio,
        direction: Direction::Outbound,
        occurred_at: upload.occurred_at,
        duration_ms: Some(125_000),
        download_url: upload.download_url.clone(),
        agent: Some(Participant {
            id: agent.id.clone(),
            name: Some("Jane".into()),
            email: Some("Jane@Example.com".into()),
            phone: Some("+15550001".into()),
            source_identifier: Some("agent-7".into()),
        }),
        customer: Some(Participant {
            id: customer.id.clone(),
            name: Some("Bob".into()),
            email: None,
            phone: None,
            source_identifier: None,
        }),
        tags: vec![billing.clone(), vip.clone()],
        custom_metadata: upload.custom_metadata.clone(),
        media: Some(MediaRecord {
            status: StepStatus::Pending,
            info: upload.media.clone(),
            error: None,
        }),
        transcript: Some(TranscriptRecord {
            status: StepStatus::Completed,
            source: Some(TranscriptSource::Provided),
            text: Some("Hello world".into()),
            language: Some("en".into()),
            agent_channel: Some(0),
            segments: upload
                .transcript
                .as_ref()
                .and_then(UploadTranscript::provided)
                .unwrap()
                .segments
                .clone(),
            error: None,
            engine: None,
            model: None,
        }),
        email: upload.email.clone(),
        evaluations: vec![EvaluationRecord {
            score_submission_id: ssid,
            scorecard_id: sc.clone(),
            status: EvaluationStatus::Queued,
            result: None,
            error: None,
            created_at: evaluation_created,
        }],
        processing: Processing {
            transcription: false,
            evaluation: true,
        },
        credits_charged: 3,
        created_at: got.created_at,
    };
    assert_eq!(got, expected);
    // INT 5 and FLOAT 5.0 keep their types, in upload order.
    assert_eq!(
        got.custom_metadata[3],
        ("score".into(), MetadataValue::Float(5.0))
    );
    assert_eq!(
        got.custom_metadata[4],
        ("alpha".into(), MetadataValue::Int(5))
    );

    let (balance, ledger) = store.credits(&acc, 10).await.unwrap();
    assert_eq!(balance, 97);
    assert_eq!(ledger.len(), 2);
    assert_eq!((ledger[0].amount, ledger[0].balance_after), (-3, 97));
    assert_eq!(ledger[0].reason, "upload: chat 12 words");
    assert_eq!(
        ledger[0].interaction_id.as_deref(),
        Some(upload.interaction_id.as_str())
    );
    assert_eq!((ledger[1].amount, ledger[1].balance_after), (100, 100));

    let jobs = store
        .jobs_for_interaction(&upload.interaction_id)
        .await
        .unwrap();
    let kinds: Vec<_> = jobs
        .iter()
        .map(|j| (j.kind.as_str(), j.status.as_str(), j.attempts))
        .collect();
    assert_eq!(
        kinds,
        [("FetchMedia", "QUEUED", 0), ("Transcribe", "QUEUED", 0)]
    );
    let budgets: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT kind, max_attempts, payload FROM jobs ORDER BY kind")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(
        budgets[0].1,
        scorejar_core::jobs::max_attempts("FetchMedia")
    );
    assert_eq!(
        budgets[1].1,
        scorejar_core::jobs::max_attempts("Transcribe")
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&budgets[0].2).unwrap(),
        upload.jobs[0].payload
    );

    let typed: Vec<(String, String, Option<String>, Option<f64>)> = sqlx::query_as(
        "SELECT key, value_type, value_text, value_number FROM interaction_metadata ORDER BY key",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(
        typed,
        [
            ("alpha".into(), "INT".into(), None, Some(5.0)),
            ("dealValue".into(), "INT".into(), None, Some(50_000.0)),
            (
                "disposition".into(),
                "STRING".into(),
                Some("sale".into()),
                None
            ),
            (
                "recordingConsent".into(),
                "BOOLEAN".into(),
                Some("true".into()),
                None
            ),
            ("score".into(), "FLOAT".into(), None, Some(5.0)),
        ]
    );
    assert_eq!(
        store
            .find_upload(&acc, "call-12345")
            .await
            .unwrap()
            .unwrap()
            .warnings,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_duplicate_writes_nothing_and_answers_with_the_first_receipt() {
    let db = TestDb::new().await;
    let store = &db.store;
    let acc = account(store, 100).await;
    let sc = scorecard(store, &acc, ScorecardStatus::Active).await;
    let first = full_upload(&acc, &sc, &[]);
    let receipt = created(store.create_upload(first.clone()).await.unwrap());

    let mut again = full_upload(&acc, &sc, &[]);
    again.agent = Some(participant(Some("someone-else"), None, None));
    let outcome = store.create_upload(again).await.unwrap();
    let expected = UploadReceipt {
        warnings: vec![],
        ..receipt
    };
    assert_eq!(outcome, UploadOutcome::Duplicate(expected.clone()));
    assert_eq!(
        store.find_upload(&acc, "call-12345").await.unwrap(),
        Some(expected)
    );

    assert_eq!(store.credits(&acc, 10).await.unwrap().0, 97);
    for (table, rows) in [
        ("interactions", 1),
        ("participants", 2),
        ("jobs", 2),
        ("evaluations", 1),
        ("credit_ledger", 2),
    ] {
        assert_eq!(count(store, table).await, rows, "{table}");
    }
    // A duplicate is reported before an inactive scorecard.
    let draft = scorecard(store, &acc, ScorecardStatus::Draft).await;
    let outcome = store
        .create_upload(full_upload(&acc, &draft, &[]))
        .await
        .unwrap();
    assert!(matches!(outcome, UploadOutcome::Duplicate(_)));
}
#[tokio::test]
async fn insufficient_credits_write_nothing() {
    let db = TestDb::new().await;
    let store = &db.store;
    let acc = account(store, 2).await;
    let sc = scorecard(store, &acc, ScorecardStatus::Active).await;
    tag(store, &acc, "VIP").await;
    let err = store
        .create_upload(full_upload(&acc, &sc, &["VIP"]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::InsufficientCredits {
                required: 3,
                balance: 2
            }
        ),
        "{err:?}"
    );
    for table in [
        "interactions",
        "participants",
        "interaction_tags",
        "interaction_metadata",
        "evaluations",
        "jobs",
    ] {
        assert_eq!(count(store, table).await, 0, "{table}");
    }
    assert_eq!(store.credits(&acc, 10).await.unwrap().0, 2);
    assert_eq!(count(store, "credit_ledger").await, 1);
    // A zero charge needs no credits and writes no ledger entry.
    let free = store
        .create_upload(chat_upload(&acc, "free", 0))
        .await
        .unwrap();
    created(free);
    assert_eq!(count(store, "credit_ledger").await, 1);
}
#[tokio::test]
async fn scorecard_must_be_active_and_of_the_account() {
    let db = TestDb::new().await;
    let store = &db.store;
    let acc = account(store, 0).await;
    let other = account(store, 100).await;
    let cases = [
        scorecard(store, &acc, ScorecardStatus::Draft).await,
        scorecard(store, &acc, ScorecardStatus::Archived).await,
        scorecard(store, &other, ScorecardStatus::Active).await,
        new_id(),
    ];
    for sc in cases {
        // Checked before the credits: the balance is 0 and the charge 3.
        let err = store
            .create_upload(full_upload(&acc, &sc, &[]))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::ScorecardNotActive), "{err:?}");
    }
    for table in ["interactions", "participants", "evaluations", "jobs"] {
        assert_eq!(count(store, table).await, 0, "{table}");
    }
}
