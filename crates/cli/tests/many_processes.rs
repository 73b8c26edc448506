//! Many processes, killed: `serve --role api` ×2 and `worker` ×3, all started at once on one
//! fresh PostgreSQL database (so their migrations race) and one real S3 server
//! (`scripts/s3-server`). Under a stream of uploads — chats, recordings as files, recordings by
//! `downloadUrl`, each evaluated by an AI scorecard (a local stand-in of a paid model's Chat
//! Completions) whose action sends a webhook — workers are killed with SIGKILL and restarted
//! again and again, and one API process once. At the end every accepted upload is complete
//! with exactly one evaluation, its recording is in S3, nothing was charged twice, the balance
//! is what the ledger adds up to, and every evaluation's webhook arrived. Prints its figures.

mod support;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{free_port, get_json, wait_up, Proc, BIN};

const UPLOADS: usize = 45;
const S3_OFFSET: &str = "400";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tone() -> Vec<u8> {
    std::fs::read(repo().join("testdata/media/tone.mp3")).unwrap()
}

/// Runs `sql` on `database` with psql; its rows, `|`-separated.
fn psql(database: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            database,
            "-tAc",
            sql,
        ])
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A fresh database, dropped when this is.
struct Database(String);

impl Database {
    fn create() -> Database {
        let name = format!("sj_many_{}", uuid::Uuid::new_v4().simple());
        psql("postgres", &format!("CREATE DATABASE {name}"));
        Database(name)
    }
    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:5432/{}", self.0)
    }
    fn query(&self, sql: &str) -> String {
        psql(&self.0, sql)
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c"])
            .arg(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.0))
            .output();
    }
}

/// A real S3 server, stopped when this is dropped.
struct S3(tempfile::TempDir, Vec<(String, String)>);

impl S3 {
    fn start() -> S3 {
        let state = tempfile::tempdir().unwrap();
        let out = Command::new("bash")
            .arg(repo().join("scripts/s3-server"))
            .arg("start")
            .arg(state.path())
            .env("SCOREJAR_S3_PORT_OFFSET", S3_OFFSET)
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let env = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("export "))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.trim_matches(['"', '\'']).to_owned()))
            .collect();
        S3(state, env)
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo().join("scripts/s3-server"))
            .arg("stop")
            .arg(self.0.path())
            .env("SCOREJAR_S3_PORT_OFFSET", S3_OFFSET)
            .output();
    }
}

/// What the local helpers saw: webhook deliveries (`webhook-id` → the evaluation it was for)
/// and how often the model was asked.
#[derive(Default)]
struct Seen {
    deliveries: Vec<(String, String)>,
    model_calls: usize,
}

/// One local server for the three outside parties: the recording behind `downloadUrl`s, the
/// stand-in model (paid in real life), and the webhook receiver.
async fn outside() -> (u16, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    async fn recording() -> Vec<u8> {
        tone()
    }
    async fn model(State(seen): State<Arc<Mutex<Seen>>>) -> Json<Value> {
        seen.lock().unwrap().model_calls += 1;
        let answer = json!({ "q1": { "answer": "Yes", "explanation": "the customer was helped",
            "evidence": [] } });
        Json(
            json!({ "choices": [{ "message": { "role": "assistant", "content": answer.to_string() },
            "finish_reason": "stop" }], "usage": { "prompt_tokens": 100, "completion_tokens": 20 } }),
        )
    }
    async fn hook(
        State(seen): State<Arc<Mutex<Seen>>>,
        headers: HeaderMap,
        Json(event): Json<Value>,
    ) -> &'static str {
        let id = headers
            .get("webhook-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let evaluation = event["data"]["evaluation"]["id"]
            .as_str()
            .or_else(|| event["data"]["evaluation"]["scoreSubmissionId"].as_str())
            .unwrap_or_default()
            .to_owned();
        seen.lock().unwrap().deliveries.push((id, evaluation));
        "ok"
    }
    let app = Router::new()
        .route("/tone.mp3", get(recording))
        .route("/v1/chat/completions", post(model))
        .route("/hook", post(hook))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, seen)
}

struct Cluster {
    config: PathBuf,
    env: Vec<(String, String)>,
}

impl Cluster {
    fn start(&self, args: &[&str]) -> Proc {
        let child = Command::new(BIN)
            .args(args)
            .arg("--config")
            .arg(&self.config)
            .env_remove("DATABASE_URL")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Proc(child)
    }
}

/// Sends upload `n` (a chat, a file or a `downloadUrl`, by `n % 3`) to `base`; `None` when the
/// process did not answer (killed): the caller sends it again, and the same
/// `sourceIdentifier` makes that safe.
async fn upload(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    n: usize,
    scorecard: &str,
    outside: u16,
) -> Option<String> {
    let segments = json!([{ "start": 0.0, "end": 1.0, "speaker": "agent",
        "text": format!("Thank you for calling, this is upload {n}.") }]);
    let mut payload = json!({ "sourceIdentifier": format!("many-{n}"), "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z", "evaluation": { "scorecardId": scorecard },
        "transcript": { "text": "", "segments": segments } });
    let request = match n % 3 {
        0 => {
            payload["interactionType"] = json!("CHAT");
            payload["transcript"] = json!({ "text": format!("Customer: hello, message {n}") });
            client.post(format!("{base}/api/v1/upload")).json(&payload)
        }
        1 => {
            let form = reqwest::multipart::Form::new()
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(tone()).file_name("tone.mp3"),
                )
                .text("payload", payload.to_string());
            client.post(format!("{base}/api/v1/upload")).multipart(form)
        }
        _ => {
            payload["downloadUrl"] = json!(format!("http://127.0.0.1:{outside}/tone.mp3"));
            client.post(format!("{base}/api/v1/upload")).json(&payload)
        }
    };
    let resp = request.bearer_auth(token).send().await.ok()?;
    if !resp.status().is_success() {
        // 503 from a process shutting down or shedding: try again.
        return None;
    }
    let body: Value = resp.json().await.ok()?;
    body["interactionId"].as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_processes_lose_nothing_and_do_nothing_twice() {
    let started = Instant::now();
    let db = Database::create();
    let s3 = S3::start();
    let (outside, seen) = outside().await;
    let dir = tempfile::tempdir().unwrap();
    let (port_a, port_b) = (free_port(), free_port());
    let bucket =
        s3.1.iter()
            .find(|(k, _)| k == "AWS_BUCKET")
            .unwrap()
            .1
            .clone();
    let config = dir.path().join("scorejar.toml");
    let cluster_config = |port: u16, name: &str| {
        let path = dir.path().join(format!("{name}.toml"));
        std::fs::write(
            &path,
            format!(
                "data_dir = \"{data}\"\nbind = \"127.0.0.1:{port}\"\ndatabase_url = \"{db}\"\n\
                 media_storage_url = \"s3://{bucket}/many\"\npublic_url = \"http://127.0.0.1:{port}\"\n\
                 [fetch]\nallowed_internal_hosts = [\"127.0.0.1:{outside}\"]\n\
                 [worker]\nlease_secs = 3\npoll_interval_ms = 100\n\
                 [webhooks]\nretry_schedule_secs = [0, 1, 1, 2, 2, 3, 3, 3]\n\
                 [[llm.providers]]\nname = \"standin\"\nbase_url = \"http://127.0.0.1:{outside}/v1\"\nmodels = [\"judge\"]\n",
                data = dir.path().join(name).display(),
                db = db.url(),
            ),
        )
        .unwrap();
        path
    };
    let a = Cluster {
        config: cluster_config(port_a, "a"),
        env: s3.1.clone(),
    };
    let b = Cluster {
        config: cluster_config(port_b, "b"),
        env: s3.1.clone(),
    };
    std::fs::copy(&a.config, &config).unwrap();

    // All five at once on the empty database: their migrations race.
    let _api_a = a.start(&["serve", "--role", "api"]);
    let mut api_b = Some(b.start(&["serve", "--role", "api"]));
    let mut workers: Vec<Proc> = (0..3).map(|_| a.start(&["worker"])).collect();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let (base_a, base_b) = (
        format!("http://127.0.0.1:{port_a}"),
        format!("http://127.0.0.1:{port_b}"),
    );
    wait_up(&client, &base_a).await;
    wait_up(&client, &base_b).await;
    assert_eq!(
        db.query("SELECT COUNT(*) FROM _sqlx_migrations WHERE success"),
        db.query("SELECT MAX(version) FROM _sqlx_migrations"),
        "every migration applied once"
    );
    // Both API processes found an empty database; only one made the first account.
    assert_eq!(
        db.query("SELECT COUNT(*) FROM accounts WHERE name = 'default'"),
        "1",
        "the first account made twice"
    );
    let token = support::create_account_with(&config, 1_000_000, &a.env);
    let post = |path: &str, body: Value| {
        let request = client
            .post(format!("{base_a}{path}"))
            .bearer_auth(&token)
            .json(&body);
        async move {
            let resp = request.send().await.unwrap();
            let status = resp.status();
            let body: Value = resp.json().await.unwrap();
            assert!(status.is_success(), "{status} {body}");
            body
        }
    };
    let card = post(
        "/api/v1/scorecards",
        json!({ "name": "AI QA", "status": "ACTIVE",
        "model": "standin/judge", "sections": [{ "name": "Call", "questions": [
            { "id": "helped", "text": "Was the customer helped?", "type": "SINGLE",
              "answers": [{ "label": "Yes", "points": 1 }, { "label": "No", "points": 0 }] }] }] }),
    )
    .await;
    let card = card["id"].as_str().unwrap().to_owned();
    post(
        &format!("/api/v1/scorecards/{card}/actions"),
        json!({ "trigger": { "type": "EVALUATION_COMPLETED" },
                "action": { "type": "WEBHOOK", "url": format!("http://127.0.0.1:{outside}/hook") } }),
    )
    .await;

    // Uploads, alternating between the two API processes, while the chaos goes on.
    let uploads = {
        let (client, token, card) = (client.clone(), token.clone(), card.clone());
        let (base_a, base_b) = (base_a.clone(), base_b.clone());
        tokio::spawn(async move {
            let mut accepted = BTreeMap::new();
            for n in 0..UPLOADS {
                let deadline = Instant::now() + Duration::from_secs(60);
                let mut target = if n % 2 == 0 { &base_a } else { &base_b };
                loop {
                    if let Some(id) = upload(&client, target, &token, n, &card, outside).await {
                        accepted.insert(n, id);
                        break;
                    }
                    assert!(Instant::now() < deadline, "upload {n} was never accepted");
                    target = &base_a;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            accepted
        })
    };
    let mut kills = 0;
    let mut round = 0;
    while !uploads.is_finished() || round < 8 {
        tokio::time::sleep(Duration::from_millis(600)).await;
        let victim = round % workers.len();
        workers[victim] = a.start(&["worker"]); // the old one is killed as it is dropped
        kills += 1;
        if round == 3 {
            drop(api_b.take()); // killed with SIGKILL as it is dropped
            kills += 1;
            tokio::time::sleep(Duration::from_millis(500)).await;
            api_b = Some(b.start(&["serve", "--role", "api"]));
        }
        round += 1;
    }
    let accepted = uploads.await.unwrap();
    assert!(api_b.is_some());
    wait_up(&client, &base_b).await;

    // Everything finishes: every evaluation completed and its webhook received.
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut evaluations: HashMap<String, String> = HashMap::new();
    for (n, id) in &accepted {
        loop {
            let detail = get_json(
                &client,
                &format!("{base_a}/api/v1/interactions/{id}"),
                &token,
            )
            .await;
            let done = detail["processing"]["complete"] == true;
            if done {
                let list = detail["evaluations"].as_array().unwrap();
                assert_eq!(list.len(), 1, "upload {n}: {detail}");
                assert_eq!(list[0]["status"], "COMPLETED", "upload {n}: {detail}");
                evaluations.insert(list[0]["id"].as_str().unwrap().to_owned(), id.clone());
                if n % 3 != 0 {
                    let media = client
                        .get(format!("{base_a}/api/v1/interactions/{id}/media"))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(media.status(), 200, "upload {n}");
                    assert_eq!(
                        media.bytes().await.unwrap().len(),
                        tone().len(),
                        "upload {n}"
                    );
                }
                break;
            }
            assert!(
                Instant::now() < deadline,
                "upload {n} never completed: {detail}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let lost = |seen: &Seen| {
        evaluations
            .keys()
            .filter(|e| !seen.deliveries.iter().any(|(_, d)| d == *e))
            .count()
    };
    while lost(&seen.lock().unwrap()) > 0 {
        assert!(
            Instant::now() < deadline,
            "webhooks never arrived for {} evaluations",
            lost(&seen.lock().unwrap())
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Money: no interaction charged twice, and the balance is what the ledger adds up to.
    let charges: Vec<(String, i64)> = db
        .query(
            "SELECT interaction_id, COUNT(*) FROM credit_ledger WHERE interaction_id IS NOT NULL \
             AND reason NOT LIKE 'settlement:%' GROUP BY interaction_id",
        )
        .lines()
        .map(|l| {
            let (id, n) = l.split_once('|').unwrap();
            (id.to_owned(), n.parse().unwrap())
        })
        .collect();
    let charged_twice = charges.iter().filter(|(_, n)| *n > 1).count();
    // A recording fetched by URL is settled once its real duration is known: at most once.
    let settled_twice = db.query(
        "SELECT COUNT(*) FROM (SELECT interaction_id FROM credit_ledger \
         WHERE reason LIKE 'settlement:%' GROUP BY interaction_id HAVING COUNT(*) > 1) twice",
    );
    let balance = db.query("SELECT credits FROM accounts WHERE name = 'test'");
    let ledger_sum = db.query(
        "SELECT SUM(l.amount) FROM credit_ledger l JOIN accounts a ON a.id = l.account_id WHERE a.name = 'test'",
    );
    // Nothing failed, so nothing was refunded.
    let refunds = db.query("SELECT COUNT(*) FROM credit_ledger WHERE reason LIKE 'refund:%'");
    let jobs_done = db.query("SELECT COUNT(*) FROM jobs WHERE status = 'DONE'");
    let jobs_left =
        db.query("SELECT COUNT(*) FROM jobs WHERE status IN ('QUEUED', 'RUNNING', 'FAILED')");
    let seen = seen.lock().unwrap();
    let mut per_message: HashMap<&str, usize> = HashMap::new();
    for (id, _) in &seen.deliveries {
        *per_message.entry(id.as_str()).or_default() += 1;
    }
    let redelivered = per_message.values().filter(|n| **n > 1).count();
    println!(
        "many processes: {} uploads accepted, {kills} processes killed (SIGKILL), {jobs_done} jobs done, \
         {jobs_left} left, {} webhook messages ({} sent again after a kill), model asked {} times, \
         charged twice {charged_twice}, settled twice {settled_twice}, refunds {refunds}, lost {}, {:.0} s",
        accepted.len(),
        per_message.len(),
        redelivered,
        seen.model_calls,
        lost(&seen),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(accepted.len(), UPLOADS);
    assert_eq!(charged_twice, 0, "{charges:?}");
    assert_eq!(settled_twice, "0");
    assert_eq!(refunds, "0");
    assert_eq!(
        balance, ledger_sum,
        "the balance is what the ledger adds up to"
    );
    assert_eq!(jobs_left, "0");
    assert_eq!(
        per_message.len(),
        evaluations.len(),
        "one message per evaluation"
    );
}
