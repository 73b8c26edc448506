//! With `transcription.whisper.install_on_first_need = false` and the model missing, a
//! recording's transcription waits — QUEUED, no attempt spent, `lastError` telling the operator
//! what to install — for as long as it takes; once the model is in place (what `scorejar models
//! install` does) the same job transcribes it. Runs the real binary and the real tiny.en model.

use scorejar_models::test_support::ensure_model;
use scorejar_models::{ModelName, WeightType};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_scorejar");

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/audio")
        .join(name)
}

async fn interaction(client: &reqwest::Client, url: &str, token: &str) -> Option<Value> {
    let resp = client.get(url).bearer_auth(token).send().await.ok()?;
    resp.json::<Value>().await.ok()
}

fn transcribe_job(stored: &Value) -> Value {
    stored["jobs"]
        .as_array()
        .and_then(|jobs| jobs.iter().find(|j| j["kind"] == json!("Transcribe")))
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transcription_waits_for_the_model_to_be_installed() {
    // The model the test installs later (the default variant), made before the clock starts.
    let cached =
        tokio::task::spawn_blocking(|| ensure_model(ModelName::TinyEn, WeightType::F16Q8Head))
            .await
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = free_port();
    let config = dir.path().join("scorejar.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = \"{}\"\nbind = \"127.0.0.1:{port}\"\n[worker]\npoll_interval_ms = 100\n\
             [transcription]\nconcurrency = 1\n[transcription.whisper]\n\
             install_on_first_need = false\nmodel_check_secs = 1\n",
            data.display()
        ),
    )
    .unwrap();
    let out = Command::new(BIN)
        .args([
            "accounts",
            "create",
            "--name",
            "wait",
            "--credits",
            "10",
            "--config",
        ])
        .arg(&config)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    let token = created["apiToken"].as_str().unwrap().to_owned();

    let _server = Proc(
        Command::new(BIN)
            .args(["serve", "--config"])
            .arg(&config)
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(Instant::now() < deadline, "the server never came up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let wav = std::fs::read(fixture("support_call_mono16k.wav")).unwrap();
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(wav).file_name("call.wav"),
        )
        .text(
            "payload",
            json!({ "sourceIdentifier": "wait-1", "direction": "INBOUND",
                    "timestamp": "2026-06-23T14:30:00Z" })
            .to_string(),
        );
    let resp: Value = client
        .post(format!("{base}/api/v1/upload"))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = format!("{base}{}", resp["statusUrl"].as_str().expect("accepted"));

    // The job finds no model and says so.
    let deadline = Instant::now() + Duration::from_secs(20);
    let waiting = loop {
        if let Some(stored) = interaction(&client, &url, &token).await {
            let job = transcribe_job(&stored);
            if job["lastError"]
                .as_str()
                .is_some_and(|e| e.contains("not installed"))
            {
                break job;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the job never reported the missing model"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let error = waiting["lastError"].as_str().unwrap();
    assert!(
        error.contains("scorejar models install tiny.en --quantize q8_0-head"),
        "{error}"
    );
    assert!(
        !error.contains(&data.display().to_string()),
        "no server path: {error}"
    );

    // For five looks at one a second (the job's three attempts would be spent by now), it
    // keeps waiting: never FAILED, no attempt counted beyond the one running.
    let watch_until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < watch_until {
        if let Some(stored) = interaction(&client, &url, &token).await {
            let job = transcribe_job(&stored);
            assert!(
                matches!(job["status"].as_str(), Some("QUEUED" | "RUNNING")),
                "{job}"
            );
            assert!(job["attempts"].as_i64().unwrap() <= 1, "{job}");
            assert!(
                matches!(
                    stored["transcript"]["status"].as_str(),
                    Some("PENDING" | "PROCESSING")
                ),
                "{stored}"
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // `scorejar models install` puts the file here; the waiting job picks it up.
    let models = data.join("models");
    std::fs::create_dir_all(&models).unwrap();
    let target = ModelName::TinyEn.default_path(&models, WeightType::F16Q8Head);
    std::fs::copy(&cached, target.with_extension("part")).unwrap();
    std::fs::rename(target.with_extension("part"), &target).unwrap();
    let installed = Instant::now();
    let deadline = installed + Duration::from_secs(90);
    let done = loop {
        let stored = interaction(&client, &url, &token).await;
        if let Some(stored) = stored.filter(|s| s["transcript"]["status"] == json!("COMPLETED")) {
            break stored;
        }
        assert!(
            Instant::now() < deadline,
            "never transcribed after the install"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    eprintln!("transcribed {:?} after the install", installed.elapsed());
    let text = done["transcript"]["text"].as_str().unwrap().to_lowercase();
    assert!(text.contains("brightline support"), "{text}");
    let job = transcribe_job(&done);
    assert_eq!(job["status"], json!("DONE"), "{job}");
    assert_eq!(
        job["attempts"],
        json!(1),
        "only the attempt that ran counts: {job}"
    );
}
