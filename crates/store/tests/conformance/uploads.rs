//! Uploads end to end: every field round-trips, free uploads, pending transcripts and tenant
//! isolation. Refused and duplicate uploads are in `upload_refusals.rs`.

use crate::support::*;
use scorejar_core::ids::new_id;
use scorejar_core::jobs::{max_attempts, EVALUATE, FETCH_MEDIA, TRANSCRIBE};
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
        // Kept as given; matched case-insensitively.
        email: Some("Ada@Example.com".into()),
        phone: Some("+15550001".into()),
        source_identifier: Some("agent-7".into()),
    });
    up.customer = Some(ParticipantInput {
        name: Some("Carl Customer".into()),
        email: None,
        phone: Some("+15550002".into()),
        source_identifier: None,
    });
    up.tags = vec!["vip".into(), "Billing".into()];
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
    // Created, and referenced, in another order than their names'.
    let vip = create_tag(&store, &a, "VIP").await;
    let billing = create_tag(&store, &a, "Billing").await;
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

    // Every field comes back; only ids and times the store chose are taken from the answer.
    let got = interaction(&store, &a, &up.interaction_id).await;
    let agent_id = got.agent.as_ref().expect("agent").id.clone();
    let customer_id = got.customer.as_ref().expect("customer").id.clone();
    assert_ne!(agent_id, customer_id);
    let evaluation_created_at = got.evaluations.first().expect("evaluation").created_at;
    let Some(UploadTranscript::Provided(transcript_in)) = up.transcript.clone() else {
        panic!("the full upload provides its transcript");
    };
    let expected = InteractionRecord {
        id: up.interaction_id.clone(),
        source_identifier: "call-0001".into(),
        interaction_type: up.interaction_type,
        direction: up.direction,
        occurred_at: T0,
        duration_ms: up.duration_ms,
        download_url: up.download_url.clone(),
        agent: Some(Participant {
            id: agent_id,
            name: Some("Ada Agent".into()),
            email: Some("Ada@Example.com".into()),
            phone: Some("+15550001".into()),
            source_identifier: Some("agent-7".into()),
        }),
        customer: Some(Participant {
            id: customer_id,
            name: Some("Carl Customer".into()),
            email: None,
            phone: Some("+15550002".into()),
            source_identifier: None,
        }),
        // By name, whatever the order of creation or reference.
        tags: vec![billing, vip],
        // In upload order, each with its type: INT 5 stays INT, FLOAT 5.0 stays FLOAT.
        custom_metadata: up.custom_metadata.clone(),
        media: Some(MediaRecord {
            status: StepStatus::Pending,
            info: up.media.clone(),
            error: None,
            removed_at: None,
        }),
        transcript: Some(TranscriptRecord {
            status: StepStatus::Completed,
            source: Some(TranscriptSource::Provided),
            text: Some(transcript_in.text),
            language: transcript_in.language,
            agent_channel: transcript_in.agent_channel,
            segments: transcript_in.segments,
            error: None,
            engine: None,
            model: None,
        }),
        email: up.email.clone(),
        evaluations: vec![EvaluationRecord {
            score_submission_id: spec.score_submission_id.clone(),
            interaction_id: got.id.clone(),
            scorecard_id: scorecard_id.clone(),
            scorecard_version: None,
            status: EvaluationStatus::Queued,
            result: None,
            error: None,
            created_at: evaluation_created_at,
            completed_at: None,
            updated_at: evaluation_created_at,
        }],
        processing: up.processing,
        credits_charged: 7,
        created_at: got.created_at,
    };
    assert_eq!(got, expected);

    assert_eq!(balance(&store, &a).await, 93);
    let entries = ledger(&store, &a).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    let (debit, grant) = (&entries[0], &entries[1]);
    assert_eq!(
        (debit.amount, debit.balance_after, debit.reason.as_str()),
        (-7, 93, "upload: evaluation 3 min")
    );
    assert_eq!(
        debit.interaction_id.as_deref(),
        Some(up.interaction_id.as_str())
    );
    assert_eq!((grant.amount, grant.balance_after), (100, 100));

    // The jobs as sent, in upload order, waiting with the attempt budget of their kind.
    let jobs = store.interaction_jobs(&up.interaction_id).await.unwrap();
    assert_eq!(jobs.len(), up.jobs.len(), "{jobs:?}");
    for (got, sent) in jobs.iter().zip(&up.jobs) {
        assert_eq!(
            (
                got.id.as_str(),
                got.kind.as_str(),
                got.interaction_id.as_deref(),
                &got.payload
            ),
            (
                sent.id.as_str(),
                sent.kind.as_str(),
                sent.interaction_id.as_deref(),
                &sent.payload
            )
        );
        assert_eq!(
            (
                got.status.as_str(),
                got.attempts,
                got.max_attempts,
                got.last_error.as_deref(),
                got.worker.as_deref()
            ),
            ("QUEUED", 0, max_attempts(&sent.kind), None, None),
            "{}",
            sent.kind
        );
    }
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
