//! Uploads end to end: the round trip, the order of the checks, "nothing written" on every
//! refusal and tenant isolation.

use crate::support::*;
use scorejar_core::ids::new_id;
use scorejar_core::jobs::{EVALUATE, FETCH_MEDIA, TRANSCRIBE};
use scorejar_core::model::*;
use scorejar_store::{Store, StoreError};
use std::sync::Arc;

/// An upload using every field.
fn full_upload(account_id: &str, scorecard_id: &str) -> NewUpload {
    let mut up = upload(account_id, "call-0001");
    up.direction = Direction::Outbound;
    up.interaction_type = InteractionType::Audio;
    up.duration_ms = Some(125_000);
    up.download_url = Some("https://media.example.com/calls/0001.wav".into());
    up.media_status = Some(StepStatus::Pending);
    up.media = MediaInfo {
        object_key: Some(format!("media/{account_id}/{}", up.interaction_id)),
        content_type: Some("audio/wav".into()),
        size_bytes: Some(4_000_044),
        duration_ms: Some(125_000),
        channels: Some(2),
        sample_rate: Some(16_000),
        codec: Some("pcm_s16le".into()),
        container: Some("wav".into()),
    };
    up.agent = Some(ParticipantInput {
        name: Some("Ada Agent".into()),
        email: Some("ada@example.com".into()),
        phone: Some("+15550001".into()),
        source_identifier: Some("agent-7".into()),
    });
    up.customer = Some(ParticipantInput {
        name: Some("Carl Customer".into()),
        email: None,
        phone: Some("+15550002".into()),
        source_identifier: None,
    });
    up.tags = vec!["Billing".into(), "vip".into()];
    up.custom_metadata = vec![
        ("zeta".into(), MetadataValue::Int(5)),
        ("alpha".into(), MetadataValue::Float(5.0)),
        ("plan".into(), MetadataValue::String("gold \"plus\"".into())),
        ("renewal".into(), MetadataValue::Boolean(true)),
        ("ratio".into(), MetadataValue::Float(0.25)),
    ];
    up.transcript = Some(UploadTranscript::Provided(TranscriptInput {
        text: "Hello, how can I help? My bill is wrong.".into(),
        language: Some("en".into()),
        agent_channel: Some(0),
        segments: vec![
            Segment {
                start: 0.0,
                end: 1.5,
                text: "Hello, how can I help?".into(),
                channel: Some(0),
                speaker: Some("agent".into()),
                words: Some(vec![Word {
                    word: "Hello,".into(),
                    start: 0.0,
                    end: 0.4,
                }]),
            },
            Segment {
                start: 1.5,
                end: 3.25,
                text: "My bill is wrong.".into(),
                channel: Some(1),
                speaker: None,
                words: None,
            },
        ],
    }));
    up.transcript_status = Some(StepStatus::Completed);
    up.transcript_source = Some(TranscriptSource::Provided);
    up.email = Some(EmailInput {
        from: "ada@example.com".into(),
        to: vec!["carl@example.org".into()],
        cc: vec!["team@example.com".into()],
        bcc: vec![],
        subject: Some("Your bill".into()),
        body: Some("Fixed.".into()),
        thread_id: Some("thr-1".into()),
        source_id: Some("msg-1".into()),
        time_to_reply: Some(3600),
        is_reply: Some(true),
    });
    up.evaluation = Some(NewEvaluationSpec {
        score_submission_id: new_id(),
        scorecard_id: scorecard_id.into(),
    });
    up.processing = Processing {
        transcription: false,
        evaluation: true,
    };
    up.charge = 7;
    up.charge_reason = "upload: evaluation 3 min".into();
    up.jobs = vec![
        job(FETCH_MEDIA, &up.interaction_id),
        job(EVALUATE, &up.interaction_id),
    ];
    up.warnings = vec!["occurredAt: no time zone, UTC assumed".into()];
    up
}

pub async fn upload_round_trip(store: Arc<dyn Store>) {
    let a = account(&store, 100).await;
    let scorecard_id = scorecard(&store, &a, ScorecardStatus::Active).await;
    let billing = create_tag(&store, &a, "Billing").await;
    let vip = create_tag(&store, &a, "VIP").await;
    let up = full_upload(&a, &scorecard_id);
    let spec = up.evaluation.clone().unwrap();

    let receipt = created(&store, up.clone()).await;
    assert_eq!(
        receipt,
        UploadReceipt {
            interaction_id: up.interaction_id.clone(),
            interaction_type: InteractionType::Audio,
            processing: up.processing,
            score_submission_id: Some(spec.score_submission_id.clone()),
            warnings: up.warnings.clone(),
        }
    );
    let mut found = store.find_upload(&a, "call-0001").await.unwrap().unwrap();
    assert!(found.warnings.is_empty());
    found.warnings = receipt.warnings.clone();
    assert_eq!(found, receipt);

    let got = interaction(&store, &a, &up.interaction_id).await;
    assert_eq!(got.id, up.interaction_id);
    assert_eq!(got.source_identifier, "call-0001");
    assert_eq!(
        (got.interaction_type, got.direction),
        (up.interaction_type, up.direction)
    );
    assert_eq!(got.occurred_at, T0);
    assert_eq!(
        (got.duration_ms, got.download_url.as_deref()),
        (up.duration_ms, up.download_url.as_deref())
    );
    let agent = got.agent.clone().unwrap();
    let agent_in = up.agent.clone().unwrap();
    assert_eq!(
        (
            agent.name,
            agent.email,
            agent.phone,
            agent.source_identifier
        ),
        (
            agent_in.name,
            agent_in.email,
            agent_in.phone,
            agent_in.source_identifier
        )
    );
    let customer = got.customer.clone().unwrap();
    assert_ne!(customer.id, got.agent.as_ref().unwrap().id);
    assert_eq!(
        (
            customer.name.as_deref(),
            customer.email,
            customer.phone.as_deref()
        ),
        (Some("Carl Customer"), None, Some("+15550002"))
    );
    assert_eq!(got.tags, vec![billing, vip]);
    assert_eq!(
        got.custom_metadata, up.custom_metadata,
        "order and types kept"
    );
    assert_eq!(
        got.media,
        Some(MediaRecord {
            status: StepStatus::Pending,
            info: up.media.clone(),
            error: None
        })
    );
    let Some(UploadTranscript::Provided(transcript_in)) = up.transcript.clone() else {
        panic!("the full upload provides its transcript");
    };
    assert_eq!(
        got.transcript,
        Some(TranscriptRecord {
            status: StepStatus::Completed,
            source: Some(TranscriptSource::Provided),
            text: Some(transcript_in.text),
            language: transcript_in.language,
            agent_channel: transcript_in.agent_channel,
            segments: transcript_in.segments,
            error: None,
            engine: None,
            model: None,
        })
    );
    assert_eq!(got.email, up.email);
    assert_eq!(got.evaluations.len(), 1);
    let evaluation = &got.evaluations[0];
    assert_eq!(
        (
            evaluation.score_submission_id.as_str(),
            evaluation.scorecard_id.as_str()
        ),
        (spec.score_submission_id.as_str(), scorecard_id.as_str())
    );
    assert_eq!(
        (evaluation.status, &evaluation.result, &evaluation.error),
        (EvaluationStatus::Queued, &None, &None)
    );
    assert_eq!((got.processing, got.credits_charged), (up.processing, 7));

    assert_eq!(balance(&store, &a).await, 93);
    let debit = ledger(&store, &a).await.remove(0);
    assert_eq!(
        (debit.amount, debit.balance_after, debit.reason.as_str()),
        (-7, 93, "upload: evaluation 3 min")
    );
    assert_eq!(
        debit.interaction_id.as_deref(),
        Some(up.interaction_id.as_str())
    );

    let jobs = store
        .jobs_for_interaction(&up.interaction_id)
        .await
        .unwrap();
    let summary: Vec<(&str, &str, &str, i64)> = jobs
        .iter()
        .map(|j| {
            (
                j.id.as_str(),
                j.kind.as_str(),
                j.status.as_str(),
                j.attempts,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (up.jobs[0].id.as_str(), FETCH_MEDIA, "QUEUED", 0),
            (up.jobs[1].id.as_str(), EVALUATE, "QUEUED", 0)
        ]
    );
    assert!(jobs.iter().all(|j| j.last_error.is_none()));
}

pub async fn duplicate_upload_returns_receipt_and_writes_nothing(store: Arc<dyn Store>) {
    let a = account(&store, 20).await;
    let mut first = upload(&a, "chat-1");
    first.charge = 2;
    first.processing = Processing {
        transcription: true,
        evaluation: false,
    };
    first.jobs = vec![job(TRANSCRIBE, &first.interaction_id)];
    let receipt = created(&store, first.clone()).await;
    let ledger_before = ledger(&store, &a).await;

    let mut again = upload(&a, "chat-1");
    again.interaction_type = InteractionType::Sms;
    again.charge = 5;
    again.jobs = vec![job(TRANSCRIBE, &again.interaction_id)];
    again.warnings = vec!["something".into()];
    let expected = UploadReceipt {
        warnings: vec![],
        ..receipt.clone()
    };
    assert_eq!(
        store.create_upload(again.clone()).await.unwrap(),
        UploadOutcome::Duplicate(expected)
    );

    assert_eq!(balance(&store, &a).await, 18);
    assert_eq!(ledger(&store, &a).await, ledger_before);
    assert_eq!(
        store
            .get_interaction(&a, &again.interaction_id)
            .await
            .unwrap(),
        None
    );
    assert!(store
        .jobs_for_interaction(&again.interaction_id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .jobs_for_interaction(&first.interaction_id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        interaction(&store, &a, &first.interaction_id)
            .await
            .interaction_type,
        InteractionType::Chat
    );
}

pub async fn insufficient_credits_writes_nothing(store: Arc<dyn Store>) {
    let a = account(&store, 3).await;
    let tag = create_tag(&store, &a, "Billing").await;
    let mut up = upload(&a, "costly");
    up.charge = 5;
    up.agent = Some(participant(
        Some("ag-1"),
        Some("first@example.com"),
        Some("First"),
    ));
    up.tags = vec![tag.name.clone()];
    up.custom_metadata = vec![("k".into(), MetadataValue::Int(1))];
    up.jobs = vec![job(TRANSCRIBE, &up.interaction_id)];
    assert_insufficient(store.create_upload(up.clone()).await, 5, 3);

    assert_eq!(
        store.get_interaction(&a, &up.interaction_id).await.unwrap(),
        None
    );
    assert_eq!(store.find_upload(&a, "costly").await.unwrap(), None);
    assert!(store
        .jobs_for_interaction(&up.interaction_id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(balance(&store, &a).await, 3);
    assert_eq!(ledger(&store, &a).await.len(), 1, "only the initial grant");

    // The participant was not created either: a later upload creates it with its own name.
    let mut later = upload(&a, "cheap");
    later.agent = Some(participant(Some("ag-1"), None, Some("Second")));
    let receipt = created(&store, later).await;
    let agent = interaction(&store, &a, &receipt.interaction_id)
        .await
        .agent
        .unwrap();
    assert_eq!((agent.name.as_deref(), agent.email), (Some("Second"), None));
}

pub async fn scorecard_not_active_writes_nothing(store: Arc<dyn Store>) {
    let a = account(&store, 10).await;
    let b = account(&store, 10).await;
    let draft = scorecard(&store, &a, ScorecardStatus::Draft).await;
    let archived = scorecard(&store, &a, ScorecardStatus::Archived).await;
    let foreign = scorecard(&store, &b, ScorecardStatus::Active).await;
    for scorecard_id in [draft, archived, foreign, new_id()] {
        let mut up = upload(&a, "with-eval");
        // Also over budget: the scorecard check comes before the credit check.
        up.charge = 50;
        up.evaluation = Some(NewEvaluationSpec {
            score_submission_id: new_id(),
            scorecard_id,
        });
        let result = store.create_upload(up.clone()).await;
        assert!(
            matches!(result, Err(StoreError::ScorecardNotActive)),
            "{result:?}"
        );
        assert_eq!(
            store.get_interaction(&a, &up.interaction_id).await.unwrap(),
            None
        );
    }
    assert_eq!(balance(&store, &a).await, 10);
    assert_eq!(ledger(&store, &a).await.len(), 1);

    // A duplicate is answered before the scorecard is looked at.
    let existing = created(&store, upload(&a, "plain")).await;
    let mut dup = upload(&a, "plain");
    dup.evaluation = Some(NewEvaluationSpec {
        score_submission_id: new_id(),
        scorecard_id: new_id(),
    });
    assert!(matches!(
        store.create_upload(dup).await.unwrap(),
        UploadOutcome::Duplicate(r) if r.interaction_id == existing.interaction_id
    ));
}

pub async fn tenant_isolation(store: Arc<dyn Store>) {
    let a = account(&store, 10).await;
    let b = account(&store, 10).await;
    let scorecard_b = scorecard(&store, &b, ScorecardStatus::Active).await;
    let mut up = upload(&a, "shared-source");
    up.charge = 4;
    let receipt = created(&store, up).await;

    assert_eq!(
        store
            .get_interaction(&b, &receipt.interaction_id)
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.find_upload(&b, "shared-source").await.unwrap(), None);
    let listed = store
        .list_interactions(
            &b,
            &InteractionFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(listed.data.is_empty());
    let foreign = store
        .queue_evaluation(NewEvaluation {
            account_id: b.clone(),
            interaction_id: receipt.interaction_id.clone(),
            spec: NewEvaluationSpec {
                score_submission_id: new_id(),
                scorecard_id: scorecard_b,
            },
            charge: 1,
            charge_reason: "evaluation".into(),
            job: job(EVALUATE, &receipt.interaction_id),
        })
        .await;
    assert!(
        matches!(foreign, Err(StoreError::NotFound("interaction"))),
        "{foreign:?}"
    );

    // sourceIdentifiers are unique per account, not globally.
    let theirs = created(&store, upload(&b, "shared-source")).await;
    assert_ne!(theirs.interaction_id, receipt.interaction_id);
    assert_eq!(
        (balance(&store, &a).await, balance(&store, &b).await),
        (6, 10)
    );
}

pub async fn zero_charge_writes_no_ledger_entry(store: Arc<dyn Store>) {
    let a = account(&store, 5).await;
    let receipt = created(&store, upload(&a, "free")).await;
    assert_eq!(
        interaction(&store, &a, &receipt.interaction_id)
            .await
            .credits_charged,
        0
    );
    assert_eq!(
        (balance(&store, &a).await, ledger(&store, &a).await.len()),
        (5, 1)
    );
}

/// An uploaded recording waiting for transcription keeps the upload's hints on its PENDING
/// transcript, with text and segments absent (not empty): the Transcribe job reads them through
/// `interaction_for_job`, the status endpoint through `get_interaction`.
pub async fn pending_transcript_keeps_its_hints(store: Arc<dyn Store>) {
    let a = account(&store, 10).await;
    let cases = [
        (Some(Some("es")), Some(1)),
        (Some(None), Some(0)),
        (Some(Some("en")), None),
        // No transcript object at all: nothing to hint, the engine uses its configuration.
        (None, None),
    ];
    for (i, (hints, agent_channel)) in cases.into_iter().enumerate() {
        let mut up = upload(&a, &format!("call-hints-{i}"));
        up.interaction_type = InteractionType::Audio;
        up.media_status = Some(StepStatus::Completed);
        up.media.object_key = Some(format!("media/{a}/{}", up.interaction_id));
        up.media.channels = Some(2);
        up.transcript = hints.map(|language| {
            UploadTranscript::Hints(TranscriptHints {
                language: language.map(str::to_string),
                agent_channel,
            })
        });
        up.transcript_status = Some(StepStatus::Pending);
        up.transcript_source = None;
        up.processing = Processing {
            transcription: true,
            evaluation: false,
        };
        up.charge = 1;
        up.jobs = vec![job(TRANSCRIBE, &up.interaction_id)];
        created(&store, up.clone()).await;

        let expected = Some(TranscriptRecord {
            status: StepStatus::Pending,
            source: None,
            text: None,
            language: hints.flatten().map(str::to_string),
            agent_channel,
            segments: Vec::new(),
            error: None,
            engine: None,
            model: None,
        });
        let shown = interaction(&store, &a, &up.interaction_id).await;
        assert_eq!(shown.transcript, expected, "case {i}");
        let (account_id, for_job) = store
            .interaction_for_job(&up.interaction_id)
            .await
            .unwrap()
            .expect("the interaction");
        assert_eq!(account_id, a);
        assert_eq!(for_job.transcript, expected, "case {i}");
        assert!(for_job.processing.transcription, "case {i}");
    }
    assert_eq!(balance(&store, &a).await, 6);
}
