//! Building and running the background worker from settings (`serve --role worker|all`,
//! `scorejar worker`).

use crate::speech;
use scorejar_media::MediaStorage;
use scorejar_server::config::Settings;
use scorejar_store::media_links::MediaLinks;
use scorejar_store::Store;
use scorejar_worker::handlers::{
    DeliverWebhook, DeliverySettings, Dispatch, Evaluate, FetchMedia, FetchSettings, MediaUrls,
    Noop, Transcribe, TranscribeSettings, TryScorecard,
};
use scorejar_worker::spool::{SpoolSweep, DEFAULT_STALE_AFTER};
use scorejar_worker::{JobHandler, RetentionSweep, Worker, WorkerSettings};
use std::sync::Arc;
use std::time::Duration;

pub fn build_worker(
    settings: &Settings,
    store: Arc<dyn Store>,
    media: Arc<MediaStorage>,
) -> anyhow::Result<Arc<Worker>> {
    let spool_dir = settings.data_dir.join("spool");
    std::fs::create_dir_all(&spool_dir)?;
    let w = &settings.worker;
    let retention = RetentionSweep {
        store: store.clone(),
        media: media.clone(),
        interval: Duration::from_secs(w.sweep_interval_secs.max(1)),
        keep_finished_jobs: Duration::from_secs(w.keep_finished_jobs_days * 86_400),
        orphans_after: scorejar_worker::orphan_media::STALE_AFTER,
    };
    // Downloads a killed worker left behind (see scorejar_worker::spool).
    let sweep = SpoolSweep {
        dir: spool_dir.clone(),
        stale_after: DEFAULT_STALE_AFTER,
    };
    let fetch = FetchMedia {
        store: store.clone(),
        media: media.clone(),
        client: settings.fetch.client(),
        settings: FetchSettings {
            max_bytes: settings.fetch.max_bytes,
            spool_dir: spool_dir.clone(),
            rates: settings.rates(),
        },
    };
    let (transcriptions, _) = settings.transcription.parallelism(speech::cores());
    let transcribe = Transcribe::new(
        store.clone(),
        media,
        Arc::new(speech::lazy_transcriber(settings)?),
        TranscribeSettings {
            spool_dir,
            default_agent_channel: settings.transcription.agent_channel,
            rates: settings.rates(),
            not_ready_wait: std::time::Duration::from_secs(
                settings.transcription.whisper.model_check_secs.max(1),
            ),
        },
        transcriptions,
    );
    let ai = if settings.llm.providers.is_empty() {
        None
    } else {
        let engine = scorejar_llm::LlmEngine::new(settings.llm.clone())
            .map_err(|e| anyhow::anyhow!("[llm]: {e}"))?;
        Some(Arc::new(engine) as Arc<dyn scorejar_llm::AiEngine>)
    };
    // Tries share the evaluations' engine, so its per-provider concurrency bounds both.
    let try_scorecard = TryScorecard {
        store: store.clone(),
        ai: ai.clone(),
    };
    let evaluate = Evaluate {
        store: store.clone(),
        ai,
        rates: settings.rates(),
    };
    let hooks = &settings.webhooks;
    scorejar_core::webhooks::schedule::check_schedule(&hooks.retry_schedule_secs)
        .map_err(|e| anyhow::anyhow!("webhooks.retry_schedule_secs: {e}"))?;
    let deliver = DeliverWebhook::new(
        store.clone(),
        settings.fetch.client(),
        DeliverySettings {
            schedule_secs: hooks.retry_schedule_secs.clone(),
            timeout: Duration::from_secs(hooks.timeout_secs.max(1)),
            disable_after: Duration::from_secs(hooks.disable_after_secs),
            max_retry_after: Duration::from_secs(hooks.max_retry_after_secs),
            endpoint_concurrency: hooks.endpoint_concurrency.max(1),
            response_bytes: hooks.response_bytes,
        },
    );
    let dispatch = Dispatch {
        store: store.clone(),
        rates: settings.rates(),
        media_urls: MediaUrls {
            links: MediaLinks::new(store.clone()),
            base_url: settings.effective_public_url(),
            ttl: Duration::from_secs(hooks.media_url_ttl_secs),
        },
    };
    let handlers: Vec<Arc<dyn JobHandler>> = vec![
        Arc::new(fetch),
        Arc::new(transcribe),
        Arc::new(evaluate),
        Arc::new(try_scorecard),
        Arc::new(dispatch),
        Arc::new(deliver),
        Arc::new(Noop),
    ];
    Ok(Arc::new(
        Worker::new(
            store,
            handlers,
            WorkerSettings {
                concurrency: w.concurrency,
                lease: Duration::from_secs(w.lease_secs.max(3)),
                poll_interval: Duration::from_millis(w.poll_interval_ms.max(10)),
                shutdown_grace: Duration::from_secs(w.shutdown_grace_secs),
            },
        )
        .with_spool_sweep(sweep)
        .with_retention(retention),
    ))
}
