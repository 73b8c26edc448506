//! A real language model in the pipeline: a recording is uploaded with an AI scorecard,
//! transcribed by the real tiny.en model and evaluated by SmolLM2-135M-Instruct served by
//! llama.cpp (`scripts/llm-local`, installed from PyPI on first use) through the same provider
//! code as any provider. The model is too small to judge a call: this asserts the pipeline —
//! the request is accepted, the reply fits the schema, answers are in their allowed sets and
//! every evidence quote kept was verified against its line — not the answers.

use crate::harness::*;
use crate::transcription::{fixture, transcribe_handler};
use scorejar_worker::handlers::Evaluate;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

crate::backend_tests!(a_recording_is_transcribed_and_evaluated_by_a_real_model);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The model server, killed when dropped.
struct LlmServer {
    child: Child,
    base: String,
}

impl Drop for LlmServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One install at a time: both backends' tests start together on a fresh clone.
static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());

async fn start_llm() -> LlmServer {
    {
        let _one = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
        let install = Command::new(repo().join("scripts/llm-local"))
            .arg("--install")
            .status()
            .expect("run scripts/llm-local --install");
        assert!(install.success(), "scripts/llm-local --install failed");
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(repo().join("target/llm-venv/bin/python"))
        .arg(repo().join("scripts/llm_server.py"))
        .arg(port.to_string())
        .stdout(Stdio::null())
        // Its log, for when it does not come up.
        .stderr(
            std::fs::File::create(repo().join(format!("target/llm-server-{port}.log"))).unwrap(),
        )
        .spawn()
        .expect("start the model server");
    let early_exit = child.try_wait().ok().flatten();
    let mut server = LlmServer {
        child,
        base: format!("http://127.0.0.1:{port}/v1"),
    };
    assert!(
        early_exit.is_none(),
        "the model server exited at once: {early_exit:?}"
    );
    let health = format!("http://127.0.0.1:{port}/health");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if reqwest::get(&health).await.is_ok_and(|r| r.status() == 200) {
            return server;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("the model server exited before it was healthy: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "the model server did not become healthy in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn a_recording_is_transcribed_and_evaluated_by_a_real_model(app: &TestApp) {
    let llm = start_llm().await;
    let (status, sc) = read(
        app.post_json(
            "/api/v1/scorecards",
            &json!({ "name": "Support QA", "status": "ACTIVE",
            "sections": [{ "name": "Call", "questions": [
                { "id": "greet", "text": "Did the agent greet the customer?", "type": "SINGLE",
                  "answers": [{ "label": "Yes", "points": 1 }, { "label": "No", "points": 0 }] },
                { "id": "help", "text": "Did the agent offer to help?", "type": "SINGLE",
                  "answers": [{ "label": "Yes", "points": 1 }, { "label": "No", "points": 0 }] }
            ]}]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{sc}");
    let bytes = std::fs::read(fixture("support_call_mono16k.wav")).unwrap();
    let payload = json!({ "sourceIdentifier": "real-model-1", "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z", "evaluation": { "scorecardId": sc["id"] } });
    let (status, resp) = app
        .upload_file(bytes, "support_call_mono16k.wav", &payload)
        .await;
    assert_eq!(status, 200, "{resp}");

    let engine = scorejar_llm::LlmEngine::new(scorejar_llm::LlmSettings {
        providers: vec![scorejar_llm::ProviderSettings {
            name: "local".into(),
            base_url: llm.base.clone(),
            models: vec!["local".into()],
            // Generation falls to a few tokens a second while other tests use the cores.
            timeout_secs: 300,
            ..Default::default()
        }],
        default_provider: None,
    })
    .unwrap();
    let evaluate = Arc::new(Evaluate {
        store: app.store.clone(),
        ai: Some(Arc::new(engine)),
        rates: app.settings.rates(),
    });
    let transcribe = transcribe_handler(app).await;
    let stored = app
        .run_worker_until(
            vec![transcribe, evaluate],
            resp["statusUrl"].as_str().unwrap(),
            Duration::from_secs(600),
            |v| {
                matches!(
                    v["evaluations"][0]["status"].as_str(),
                    Some("COMPLETED" | "FAILED")
                )
            },
        )
        .await;
    assert_eq!(stored["transcript"]["status"], "COMPLETED", "{stored}");
    let id = resp["scoreSubmissionId"].as_str().unwrap();
    let (_, e) = read(app.get(&format!("/api/v1/score-submissions/{id}")).await).await;
    assert_eq!(e["status"], "COMPLETED", "{e}");
    assert_eq!(e["engine"], "AI");
    assert_eq!(e["model"], "local/local");
    assert!(e["usage"]["promptTokens"].as_u64().unwrap() > 0, "{e}");
    assert!(!e["rawOutput"].as_array().unwrap().is_empty());
    let lines: Vec<String> = stored["transcript"]["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap().trim().to_lowercase())
        .collect();
    let answers = e["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 2);
    for a in answers {
        assert_eq!(a["source"], "AI");
        let chosen: Vec<&Value> = a["answers"].as_array().unwrap().iter().collect();
        assert!(
            a["na"] == true
                || (chosen.len() == 1 && ["Yes", "No"].contains(&chosen[0].as_str().unwrap())),
            "{a}"
        );
        for evidence in a["evidence"].as_array().unwrap() {
            let line = evidence["line"].as_u64().unwrap() as usize;
            assert!(line >= 1 && line <= lines.len(), "{evidence}");
            assert!(
                evidence["start"].is_number(),
                "verified evidence carries its line's time: {evidence}"
            );
        }
    }
}
