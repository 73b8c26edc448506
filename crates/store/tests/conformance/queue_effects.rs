//! Finishing a job with effects: everything lands in one transaction, or nothing does.

use crate::queue_support::*;
use crate::support::*;
use scorejar_core::jobs::{EVALUATE, FETCH_MEDIA, TRANSCRIBE};
use scorejar_core::model::*;
use scorejar_store::queue::*;
use scorejar_store::Store;
use std::sync::Arc;

fn every_effect(p: &Pipeline) -> JobEffects {
    JobEffects {
        media: Some(MediaUpdate {
            status: StepStatus::Completed,
            info: MediaInfo {
                object_key: Some(format!("media/{}/{}", p.account, p.interaction)),
                size_bytes: Some(1234),
                duration_ms: Some(61_000),
                channels: Some(2),
                sample_rate: Some(48_000),
                codec: Some("h264".into()),
                container: Some("mp4".into()),
                content_type: None,
            },
            error: None,
        }),
        interaction_type: Some(InteractionType::Video),
        duration_ms: Some(61_000),
        transcript: Some(TranscriptUpdate {
            status: StepStatus::Completed,
            source: Some(TranscriptSource::Engine),
            text: Some("hi there".into()),
            language: Some("en".into()),
            segments: Some(vec![Segment {
                start: 0.0,
                end: 1.5,
                text: "hi there".into(),
                channel: Some(0),
                speaker: None,
                words: None,
            }]),
            error: None,
            engine: Some("whisper.cpp".into()),
            model: Some("tiny.en".into()),
        }),
        evaluations: vec![EvaluationUpdate {
            score_submission_id: p.evaluation.clone(),
            status: EvaluationStatus::Completed,
            result: Some(serde_json::json!({ "score": 87.5 })),
            error: None,
            summary: None,
        }],
        credits: vec![
            CreditChange {
                amount: 2,
                reason: "refund: shorter than uploaded".into(),
            },
            CreditChange {
                amount: -3,
                reason: "transcription 1 min".into(),
            },
        ],
        enqueue: vec![job("Summarize", &p.interaction)],
        trial: None,
    }
}

pub async fn done_applies_every_effect(store: Arc<dyn Store>) {
    let p = pipeline(&store, 10, 4).await;
    let media = claim_one(&store, "w1", FETCH_MEDIA).await;
    assert!(store
        .finish_job(&media.id, "w1", JobOutcome::Done(every_effect(&p)))
        .await
        .unwrap());

    let r = record(&store, &p).await;
    let m = r.media.as_ref().unwrap();
    assert_eq!(m.status, StepStatus::Completed);
    assert_eq!(
        m.info.content_type.as_deref(),
        Some("audio/mpeg"),
        "None leaves it"
    );
    assert_eq!(
        (m.info.size_bytes, m.info.channels, m.info.codec.as_deref()),
        (Some(1234), Some(2), Some("h264"))
    );
    assert_eq!(m.error, None);
    assert_eq!(r.interaction_type, InteractionType::Video);
    assert_eq!(r.duration_ms, Some(61_000));
    let t = r.transcript.as_ref().unwrap();
    assert_eq!(
        (t.engine.as_deref(), t.model.as_deref()),
        (Some("whisper.cpp"), Some("tiny.en"))
    );
    assert_eq!(
        (t.status, t.source, t.text.as_deref(), t.language.as_deref()),
        (
            StepStatus::Completed,
            Some(TranscriptSource::Engine),
            Some("hi there"),
            Some("en")
        )
    );
    assert_eq!(t.segments.len(), 1);
    let e = &r.evaluations[0];
    assert_eq!(e.status, EvaluationStatus::Completed);
    assert_eq!(e.result, Some(serde_json::json!({ "score": 87.5 })));
    // Upload charged 4; then +2 refunded and 3 charged.
    assert_eq!(balance(&store, &p.account).await, 10 - 4 + 2 - 3);
    assert_eq!(r.credits_charged, 4 - 2 + 3);
    let entries = ledger(&store, &p.account).await;
    let moves: Vec<(i64, i64, &str)> = entries[..2]
        .iter()
        .map(|e| (e.amount, e.balance_after, e.reason.as_str()))
        .rev()
        .collect();
    assert_eq!(
        moves,
        [
            (2, 8, "refund: shorter than uploaded"),
            (-3, 5, "transcription 1 min")
        ]
    );
    assert!(entries[..2]
        .iter()
        .all(|e| e.interaction_id.as_deref() == Some(p.interaction.as_str())));
    assert_eq!(
        job_row(&store, &p.interaction, FETCH_MEDIA).await.status,
        "DONE"
    );
    assert_eq!(
        job_row(&store, &p.interaction, "Summarize").await.status,
        "QUEUED"
    );
    assert_eq!(claim_one(&store, "w1", "Summarize").await.attempt, 1);

    let (account, via_job) = store
        .interaction_for_job(&p.interaction)
        .await
        .unwrap()
        .expect("found whatever the account");
    assert_eq!((account.as_str(), &via_job), (p.account.as_str(), &r));
    assert!(store.interaction_for_job("nope").await.unwrap().is_none());
}

pub async fn a_charge_that_does_not_fit_writes_nothing(store: Arc<dyn Store>) {
    let p = pipeline(&store, 5, 4).await;
    let transcribe = claim_one(&store, "w1", TRANSCRIBE).await;
    let before = record(&store, &p).await;
    let mut effects = every_effect(&p);
    effects.credits = vec![
        CreditChange {
            amount: 1,
            reason: "refund".into(),
        },
        CreditChange {
            amount: -5,
            reason: "too much".into(),
        },
    ];
    let refused = store
        .finish_job(&transcribe.id, "w1", JobOutcome::Done(effects))
        .await;
    // The refund of 1 was applied before the charge looked: 1 + 1 = 2 available.
    assert_insufficient(refused, 5, 2);
    assert_eq!(record(&store, &p).await, before, "no effect was written");
    assert_eq!(balance(&store, &p.account).await, 1);
    assert_eq!(
        ledger(&store, &p.account).await.len(),
        2,
        "grant and upload only"
    );
    let row = job_row(&store, &p.interaction, TRANSCRIBE).await;
    assert_eq!((row.status.as_str(), row.attempts), ("RUNNING", 1));
    assert!(store
        .interaction_jobs(&p.interaction)
        .await
        .unwrap()
        .iter()
        .all(|j| j.kind != "Summarize"));

    // The worker then finishes it differently, still holding the lease.
    let failed = JobOutcome::Failed {
        error: "no credits".into(),
        effects: Default::default(),
    };
    assert!(store
        .finish_job(&transcribe.id, "w1", failed)
        .await
        .unwrap());
}

pub async fn failed_keeps_the_error_and_applies_effects(store: Arc<dyn Store>) {
    let p = pipeline(&store, 10, 4).await;
    let media = claim_one(&store, "w1", FETCH_MEDIA).await;
    let evaluate = claim_one(&store, "w1", EVALUATE).await;
    let effects = JobEffects {
        media: Some(MediaUpdate {
            status: StepStatus::Failed,
            info: MediaInfo::default(),
            error: Some("404 from the download URL".into()),
        }),
        credits: vec![CreditChange {
            amount: 4,
            reason: "refund: media failed".into(),
        }],
        ..Default::default()
    };
    let outcome = JobOutcome::Failed {
        error: "HTTP 404".into(),
        effects,
    };
    assert!(store.finish_job(&media.id, "w1", outcome).await.unwrap());
    let row = job_row(&store, &p.interaction, FETCH_MEDIA).await;
    assert_eq!(
        (row.status.as_str(), row.last_error.as_deref()),
        ("FAILED", Some("HTTP 404"))
    );
    let r = record(&store, &p).await;
    let m = r.media.as_ref().unwrap();
    assert_eq!(
        (m.status, m.error.as_deref()),
        (StepStatus::Failed, Some("404 from the download URL"))
    );
    assert_eq!(m.info.content_type.as_deref(), Some("audio/mpeg"));
    assert_eq!(
        (balance(&store, &p.account).await, r.credits_charged),
        (10, 0)
    );
    assert_eq!(ledger(&store, &p.account).await[0].amount, 4);

    let scored = JobOutcome::Failed {
        error: "model refused".into(),
        effects: JobEffects {
            evaluations: vec![EvaluationUpdate {
                score_submission_id: p.evaluation.clone(),
                status: EvaluationStatus::Failed,
                result: None,
                error: Some("model refused".into()),
                summary: None,
            }],
            ..Default::default()
        },
    };
    assert!(store.finish_job(&evaluate.id, "w1", scored).await.unwrap());
    let e = &record(&store, &p).await.evaluations[0];
    assert_eq!(
        (e.status, e.error.as_deref()),
        (EvaluationStatus::Failed, Some("model refused"))
    );
}
