//! The job queue: claims, leases, retries, release, wake-ups and concurrent claimers.
//! Finishing with effects is in `queue_effects.rs`.

use crate::queue_support::*;
use crate::support::*;
use scorejar_core::jobs::{EVALUATE, FETCH_MEDIA, TRANSCRIBE};
use scorejar_core::model::*;
use scorejar_store::queue::JobOutcome;
use scorejar_store::Store;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub async fn claim_marks_running_and_respects_kinds_limit_and_run_at(store: Arc<dyn Store>) {
    let p = pipeline(&store, 10, 0).await;
    assert!(claim(&store, "w1", &["Other"], 10, LEASE).await.is_empty());
    assert!(claim(&store, "w1", &[], 10, LEASE).await.is_empty());

    let media = claim(&store, "w1", &[FETCH_MEDIA, TRANSCRIBE], 1, LEASE).await;
    assert_eq!(media.len(), 1, "the limit holds");
    assert_eq!(media[0].kind, FETCH_MEDIA, "of the kinds asked for");
    assert_eq!(
        media[0].interaction_id.as_deref(),
        Some(p.interaction.as_str())
    );
    assert_eq!((media[0].attempt, media[0].max_attempts), (1, 5));
    let row = job_row(&store, &p.interaction, FETCH_MEDIA).await;
    assert_eq!((row.status.as_str(), row.attempts), ("RUNNING", 1));
    let r = record(&store, &p).await;
    assert_eq!(media_status(&r), StepStatus::Processing);
    assert_eq!(
        transcript_status(&r),
        StepStatus::Pending,
        "not claimed yet"
    );

    let rest = claim(
        &store,
        "w1",
        &[FETCH_MEDIA, TRANSCRIBE, EVALUATE],
        10,
        LEASE,
    )
    .await;
    let mut rest = rest;
    // Same run_at and created_at: their order is the store's business.
    rest.sort_by(|a, b| b.kind.cmp(&a.kind));
    let got: Vec<&str> = rest.iter().map(|j| j.kind.as_str()).collect();
    assert_eq!(got, [TRANSCRIBE, EVALUATE]);
    assert_eq!(rest[1].payload["scoreSubmissionId"], p.evaluation.as_str());
    let r = record(&store, &p).await;
    assert_eq!(transcript_status(&r), StepStatus::Processing);
    assert_eq!(evaluation_status(&r), EvaluationStatus::Processing);
    let counts = store.job_counts(None).await.unwrap();
    assert_eq!(counts.get("RUNNING"), Some(&3));
    assert_eq!(store.job_counts(Some(EVALUATE)).await.unwrap().len(), 1);
    assert!(store.job_counts(Some("Other")).await.unwrap().is_empty());

    // A retry in the future is not due until its time.
    let evaluate = &rest[1];
    let later = time::OffsetDateTime::now_utc() + Duration::from_millis(400);
    let retry = JobOutcome::Retry {
        error: "model busy".into(),
        run_at: later,
    };
    assert!(store.finish_job(&evaluate.id, "w1", retry).await.unwrap());
    let row = job_row(&store, &p.interaction, EVALUATE).await;
    assert_eq!(
        (row.status.as_str(), row.last_error.as_deref()),
        ("QUEUED", Some("model busy"))
    );
    assert_eq!(
        evaluation_status(&record(&store, &p).await),
        EvaluationStatus::Queued
    );
    assert!(claim(&store, "w2", &[EVALUATE], 10, LEASE).await.is_empty());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let again = claim_one(&store, "w2", EVALUATE).await;
    assert_eq!(again.attempt, 2, "a retry counts as an attempt");
}

pub async fn leases_keep_jobs_apart_until_they_expire(store: Arc<dyn Store>) {
    let p = pipeline(&store, 10, 0).await;
    let short = Duration::from_millis(300);
    let held = claim(&store, "w1", &[FETCH_MEDIA], 1, short).await;
    assert_eq!(held.len(), 1);
    assert!(
        claim(&store, "w2", &[FETCH_MEDIA], 10, LEASE)
            .await
            .is_empty(),
        "a leased job is nobody else's"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    let taken = claim_one(&store, "w2", FETCH_MEDIA).await;
    assert_eq!((taken.id.as_str(), taken.attempt), (held[0].id.as_str(), 2));

    // The first worker comes back: it no longer holds the job and changes nothing.
    let effects = scorejar_store::queue::JobEffects {
        duration_ms: Some(1),
        ..Default::default()
    };
    let stale = store
        .finish_job(&held[0].id, "w1", JobOutcome::Done(effects))
        .await;
    assert!(!stale.unwrap(), "the old lease is gone");
    assert!(!store
        .finish_job(&held[0].id, "w1", JobOutcome::Release)
        .await
        .unwrap());
    assert_eq!(
        store
            .extend_leases("w1", &[held[0].id.clone()], LEASE)
            .await
            .unwrap(),
        0
    );
    let row = job_row(&store, &p.interaction, FETCH_MEDIA).await;
    assert_eq!((row.status.as_str(), row.attempts), ("RUNNING", 2));
    assert_eq!(record(&store, &p).await.duration_ms, None);
    assert!(store
        .finish_job(&taken.id, "w2", JobOutcome::Done(Default::default()))
        .await
        .unwrap());
    assert!(
        !store
            .finish_job(&taken.id, "w2", JobOutcome::Done(Default::default()))
            .await
            .unwrap(),
        "a finished job is held by nobody"
    );
    assert_eq!(
        job_row(&store, &p.interaction, FETCH_MEDIA).await.status,
        "DONE"
    );
}

pub async fn extend_leases_keeps_jobs_held(store: Arc<dyn Store>) {
    let p = pipeline(&store, 10, 0).await;
    let short = Duration::from_millis(300);
    let held = claim(&store, "w1", &[FETCH_MEDIA, TRANSCRIBE], 10, short).await;
    let mut ids: Vec<String> = held.iter().map(|j| j.id.clone()).collect();
    ids.push("no-such-job".into());
    assert_eq!(
        store.extend_leases("w2", &ids, LEASE).await.unwrap(),
        0,
        "not w2's"
    );
    assert_eq!(store.extend_leases("w1", &ids, LEASE).await.unwrap(), 2);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        claim(&store, "w2", &[FETCH_MEDIA, TRANSCRIBE], 10, LEASE)
            .await
            .is_empty(),
        "extended leases have not expired"
    );
    assert_eq!(
        job_row(&store, &p.interaction, TRANSCRIBE).await.status,
        "RUNNING"
    );
}

pub async fn release_restores_the_attempt_and_the_step(store: Arc<dyn Store>) {
    let p = pipeline(&store, 10, 0).await;
    let media = claim_one(&store, "w1", FETCH_MEDIA).await;
    let transcribe = claim_one(&store, "w1", TRANSCRIBE).await;
    let evaluate = claim_one(&store, "w1", EVALUATE).await;
    for job in [&media, &transcribe, &evaluate] {
        assert!(store
            .finish_job(&job.id, "w1", JobOutcome::Release)
            .await
            .unwrap());
    }
    let row = job_row(&store, &p.interaction, FETCH_MEDIA).await;
    assert_eq!((row.status.as_str(), row.attempts), ("QUEUED", 0));
    let r = record(&store, &p).await;
    assert_eq!(media_status(&r), StepStatus::Pending);
    assert_eq!(transcript_status(&r), StepStatus::Pending);
    assert_eq!(evaluation_status(&r), EvaluationStatus::Queued);
    let again = claim(
        &store,
        "w2",
        &[FETCH_MEDIA, TRANSCRIBE, EVALUATE],
        10,
        LEASE,
    )
    .await;
    assert_eq!(again.len(), 3, "released jobs are due at once");
    assert!(again.iter().all(|j| j.attempt == 1), "{again:?}");
}

pub async fn wait_for_jobs_wakes_up_on_an_upload(store: Arc<dyn Store>) {
    // The first wait sets up the wake-up channel (PostgreSQL: LISTEN); nothing is due yet.
    store.wait_for_jobs(Duration::ZERO).await;
    let a = account(&store, 10).await;
    let started = Instant::now();
    let uploader = {
        let store = store.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let mut up = upload(&a, "wake-up");
            up.jobs = vec![job(TRANSCRIBE, &up.interaction_id)];
            created(&store, up).await;
        })
    };
    store.wait_for_jobs(Duration::from_secs(10)).await;
    let waited = started.elapsed();
    uploader.await.unwrap();
    assert!(waited < Duration::from_secs(1), "woke up after {waited:?}");
    assert!(
        waited >= Duration::from_millis(150),
        "woke up early: {waited:?}"
    );

    let started = Instant::now();
    let enqueuer = {
        let store = store.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            store.enqueue_jobs(noop_jobs(1)).await.unwrap();
        })
    };
    store.wait_for_jobs(Duration::from_secs(10)).await;
    enqueuer.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));
}

pub async fn concurrent_claimers_take_each_job_once(store: Arc<dyn Store>) {
    store.enqueue_jobs(noop_jobs(200)).await.unwrap();
    assert_eq!(store.job_counts(Some("Noop")).await.unwrap()["QUEUED"], 200);
    let tasks: Vec<_> = (0..4)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let worker = format!("worker-{w}");
                let mut mine = Vec::new();
                loop {
                    let jobs = claim(&store, &worker, &["Noop"], 10, LEASE).await;
                    if jobs.is_empty() {
                        return mine;
                    }
                    for job in jobs {
                        let done = JobOutcome::Done(Default::default());
                        assert!(store.finish_job(&job.id, &worker, done).await.unwrap());
                        mine.push(job);
                    }
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let ids: HashSet<&str> = all.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(
        (all.len(), ids.len()),
        (200, 200),
        "every job claimed exactly once"
    );
    assert!(all.iter().all(|j| j.attempt == 1));
    let counts = store.job_counts(Some("Noop")).await.unwrap();
    assert_eq!(
        counts.into_iter().collect::<Vec<_>>(),
        [("DONE".to_string(), 200)]
    );
}

pub async fn finish_jobs_done_takes_only_held_jobs(store: Arc<dyn Store>) {
    store.enqueue_jobs(noop_jobs(5)).await.unwrap();
    let mine = claim(&store, "w1", &["Noop"], 3, LEASE).await;
    let theirs = claim(&store, "w2", &["Noop"], 1, LEASE).await;
    let mut ids: Vec<String> = mine.iter().chain(&theirs).map(|j| j.id.clone()).collect();
    ids.push("no-such-job".into());
    assert_eq!(store.finish_jobs_done("w1", &ids).await.unwrap(), 3);
    assert_eq!(
        store.finish_jobs_done("w1", &ids).await.unwrap(),
        0,
        "already done"
    );
    let counts = store.job_counts(Some("Noop")).await.unwrap();
    assert_eq!(
        (counts["DONE"], counts["RUNNING"], counts["QUEUED"]),
        (3, 1, 1)
    );
}

pub async fn finished_jobs_keep_their_worker(store: Arc<dyn Store>) {
    let p = pipeline(&store, 10, 0).await;
    let mut listed = store.interaction_jobs(&p.interaction).await.unwrap();
    // Enqueued in one transaction: their order is the store's business.
    listed.sort_by_key(|j| {
        [FETCH_MEDIA, TRANSCRIBE, EVALUATE]
            .iter()
            .position(|k| *k == j.kind)
    });
    let kinds: Vec<&str> = listed.iter().map(|j| j.kind.as_str()).collect();
    assert_eq!(kinds, [FETCH_MEDIA, TRANSCRIBE, EVALUATE]);
    assert!(listed
        .iter()
        .all(|j| j.status == "QUEUED" && j.worker.is_none()));
    assert_eq!(listed[2].score_submission_id(), Some(p.evaluation.as_str()));
    assert_eq!(listed[0].score_submission_id(), None);
    assert_eq!((listed[0].attempts, listed[0].max_attempts), (0, 5));
    assert!(store.interaction_jobs("nope").await.unwrap().is_empty());
    assert!(store.job("nope").await.unwrap().is_none());

    let media = claim_one(&store, "w1", FETCH_MEDIA).await;
    let state = store.job(&media.id).await.unwrap().unwrap();
    assert_eq!(
        (state.status.as_str(), state.worker.as_deref()),
        ("RUNNING", Some("w1"))
    );
    let retry = JobOutcome::Retry {
        error: "HTTP 503".into(),
        run_at: time::OffsetDateTime::now_utc(),
    };
    assert!(store.finish_job(&media.id, "w1", retry).await.unwrap());
    let state = store.job(&media.id).await.unwrap().unwrap();
    assert_eq!(
        (state.status.as_str(), state.worker.as_deref()),
        ("QUEUED", None),
        "a waiting job belongs to nobody"
    );
    assert_eq!(state.last_error.as_deref(), Some("HTTP 503"));
    let media = claim_one(&store, "w2", FETCH_MEDIA).await;
    let done = JobOutcome::Done(scorejar_store::queue::JobEffects {
        duration_ms: Some(1000),
        ..Default::default()
    });
    assert!(store.finish_job(&media.id, "w2", done).await.unwrap());
    let state = store.job(&media.id).await.unwrap().unwrap();
    assert_eq!(
        (
            state.status.as_str(),
            state.attempts,
            state.worker.as_deref()
        ),
        ("DONE", 2, Some("w2")),
        "the worker that finished it"
    );
    assert_eq!(state.last_error.as_deref(), Some("HTTP 503"), "kept");

    let evaluate = claim_one(&store, "w3", EVALUATE).await;
    let failed = JobOutcome::Failed {
        error: "model down".into(),
        effects: Default::default(),
    };
    assert!(store.finish_job(&evaluate.id, "w3", failed).await.unwrap());
    let state = store.job(&evaluate.id).await.unwrap().unwrap();
    assert_eq!(
        (state.status.as_str(), state.worker.as_deref()),
        ("FAILED", Some("w3"))
    );
    assert!(
        claim(&store, "w4", &[EVALUATE, FETCH_MEDIA], 10, LEASE)
            .await
            .is_empty(),
        "a kept owner holds nothing, and finished jobs are not claimable"
    );

    let transcribe = claim_one(&store, "w4", TRANSCRIBE).await;
    assert!(store
        .finish_job(&transcribe.id, "w4", JobOutcome::Release)
        .await
        .unwrap());
    assert_eq!(
        store.job(&transcribe.id).await.unwrap().unwrap().worker,
        None
    );

    store.enqueue_jobs(noop_jobs(2)).await.unwrap();
    let batch = claim(&store, "w5", &["Noop"], 2, LEASE).await;
    let ids: Vec<String> = batch.iter().map(|j| j.id.clone()).collect();
    assert_eq!(store.finish_jobs_done("w5", &ids).await.unwrap(), 2);
    for id in &ids {
        let state = store.job(id).await.unwrap().unwrap();
        assert_eq!(
            (state.status.as_str(), state.worker.as_deref()),
            ("DONE", Some("w5"))
        );
    }
}
