//! The pipeline as separate processes: a worker killed with SIGKILL in the middle of a download
//! is replaced by another that finishes the job exactly once in effect; two worker processes on
//! one PostgreSQL database drain 1,000 jobs together without ever running one twice.

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
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

fn spawn(args: &[&str], config: &Path, db: Option<&str>) -> Proc {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .arg("--config")
        .arg(config)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match db {
        Some(url) => cmd.env("DATABASE_URL", url),
        None => cmd.env_remove("DATABASE_URL"),
    };
    Proc(cmd.spawn().unwrap())
}

/// Spawns `scorejar worker` on `db` and returns once it logs that it is claiming. Its log is
/// drained on a thread for as long as it runs (a full pipe would stall it).
fn spawn_started_worker(config: &Path, db: &str) -> Proc {
    let mut child = Command::new(BIN)
        .arg("worker")
        .arg("--config")
        .arg(config)
        .env("DATABASE_URL", db)
        .env("SCOREJAR_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (started_tx, started) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if line.contains("worker started") {
                let _ = started_tx.send(());
            }
        }
    });
    started
        .recv_timeout(Duration::from_secs(30))
        .expect("the worker never logged that it started");
    Proc(child)
}

/// A 16 kHz mono 16-bit WAV of `seconds` of silence.
fn wav(seconds: u32) -> Vec<u8> {
    let data = seconds * 32_000;
    let mut v = Vec::with_capacity(44 + data as usize);
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(36 + data).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    for x in [
        16u32.to_le_bytes().to_vec(),
        1u16.to_le_bytes().to_vec(),
        1u16.to_le_bytes().to_vec(),
        16_000u32.to_le_bytes().to_vec(),
        32_000u32.to_le_bytes().to_vec(),
        2u16.to_le_bytes().to_vec(),
        16u16.to_le_bytes().to_vec(),
    ] {
        v.extend_from_slice(&x);
    }
    v.extend_from_slice(b"data");
    v.extend_from_slice(&data.to_le_bytes());
    v.resize(44 + data as usize, 0);
    v
}

/// Serves `body` slowly (64 KiB every 50 ms) and counts full downloads started.
async fn slow_server(body: Vec<u8>) -> (u16, Arc<AtomicUsize>) {
    let started = Arc::new(AtomicUsize::new(0));
    let count = started.clone();
    let body = Arc::new(body);
    let app = axum::Router::new().route(
        "/call.wav",
        axum::routing::get(move |headers: axum::http::HeaderMap| {
            let body = body.clone();
            let count = count.clone();
            async move {
                if headers.contains_key("range") {
                    // The upload's check: the first bytes, at once.
                    return axum::body::Body::from(body[..4096].to_vec());
                }
                count.fetch_add(1, Ordering::SeqCst);
                let chunks: Vec<Vec<u8>> = body.chunks(64 * 1024).map(|c| c.to_vec()).collect();
                let stream = futures::stream::iter(chunks).then(|c| async move {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Ok::<_, std::io::Error>(bytes::Bytes::from(c))
                });
                axum::body::Body::from_stream(stream)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, started)
}

use futures::StreamExt;

async fn wait_for<F: Fn(&Value) -> bool>(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    limit: Duration,
    done: F,
) -> Value {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(resp) = client.get(url).bearer_auth(token).send().await {
            if let Ok(v) = resp.json::<Value>().await {
                if done(&v) || Instant::now() > deadline {
                    return v;
                }
            }
        }
        assert!(Instant::now() < deadline, "timed out waiting on {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| {
                    if e.path().is_dir() {
                        count_files(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkilled_worker_is_replaced_and_the_job_completes_once() {
    let dir = tempfile::tempdir().unwrap();
    let (media_port, downloads) = slow_server(wav(130)).await; // 4.2 MB, ~3.3 s to serve
    let api_port = free_port();
    let config = dir.path().join("scorejar.toml");
    std::fs::write(&config, format!(
        "data_dir = \"{}\"\nbind = \"127.0.0.1:{api_port}\"\n[fetch]\nallowed_internal_hosts = [\"127.0.0.1:{media_port}\"]\n[worker]\nlease_secs = 3\npoll_interval_ms = 100\n",
        dir.path().join("data").display()
    )).unwrap();
    let out = Command::new(BIN)
        .args([
            "accounts",
            "create",
            "--name",
            "crash",
            "--credits",
            "100",
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
    let token = created["apiToken"].as_str().unwrap().to_string();

    let _api = spawn(&["serve", "--role", "api"], &config, None);
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{api_port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Declared one minute: 1 credit reserved; the file is 130 s, so 3 are due (one settlement of 2).
    let resp: Value = client.post(format!("{base}/api/v1/upload")).bearer_auth(&token)
        .json(&json!({ "sourceIdentifier": "crash-1", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
            "downloadUrl": format!("http://127.0.0.1:{media_port}/call.wav"), "duration": 60000 }))
        .send().await.unwrap().json().await.unwrap();
    let status_url = format!("{base}{}", resp["statusUrl"].as_str().unwrap());

    let first = spawn(&["worker"], &config, None);
    let deadline = Instant::now() + Duration::from_secs(20);
    while downloads.load(Ordering::SeqCst) == 0 {
        assert!(
            Instant::now() < deadline,
            "the first worker never started the download"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(first); // SIGKILL, mid-download
    let killed = Instant::now();

    let _second = spawn(&["worker"], &config, None);
    let stored = wait_for(&client, &status_url, &token, Duration::from_secs(40), |v| {
        v["media"]["status"] == json!("COMPLETED")
    })
    .await;
    assert_eq!(stored["media"]["status"], json!("COMPLETED"), "{stored}");
    assert!(
        killed.elapsed() >= Duration::from_secs(2),
        "the lease had to expire first"
    );
    assert_eq!(
        downloads.load(Ordering::SeqCst),
        2,
        "one aborted download, one complete"
    );
    assert_eq!(
        count_files(&dir.path().join("data/media")),
        1,
        "one stored media object"
    );
    let fetch = stored["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["kind"] == json!("FetchMedia"))
        .unwrap()
        .clone();
    assert_eq!(fetch["status"], json!("DONE"));
    assert_eq!(fetch["attempts"], json!(2), "{fetch}");
    let credits: Value = client
        .get(format!("{base}/api/v1/credits"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let settlements: Vec<&Value> = credits["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["reason"].as_str().unwrap_or("").starts_with("settlement"))
        .collect();
    assert_eq!(settlements.len(), 1, "{credits}");
    assert_eq!(settlements[0]["amount"], json!(-2));
    assert_eq!(credits["balance"], json!(97));
}

fn pg_admin_url() -> String {
    std::env::var("SCOREJAR_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([url, "-tAc", sql])
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_postgres_drain_1000_jobs_without_running_one_twice() {
    let admin = pg_admin_url();
    let db = format!("sj_drain_{}", uuid::Uuid::new_v4().simple());
    psql(&admin, &format!("CREATE DATABASE {db}"));
    let (base, _) = admin.rsplit_once('/').unwrap();
    let url = format!("{base}/{db}");
    let store = scorejar_store::open(&url, 4).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("scorejar.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = \"{}\"\n[worker]\nconcurrency = 8\npoll_interval_ms = 50\n",
            dir.path().display()
        ),
    )
    .unwrap();
    // Both workers are up and waiting before the jobs arrive, so both get a share.
    let workers = [
        spawn_started_worker(&config, &url),
        spawn_started_worker(&config, &url),
    ];
    let jobs = (0..1000)
        .map(|i| scorejar_core::model::NewJob {
            id: scorejar_core::ids::new_id(),
            kind: "Noop".into(),
            interaction_id: None,
            payload: json!({ "n": i }),
        })
        .collect();
    store.enqueue_jobs(jobs).await.unwrap();
    drop(store);
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let done: i64 = psql(&url, "SELECT count(*) FROM jobs WHERE status = 'DONE'")
            .parse()
            .unwrap();
        if done == 1000 {
            break;
        }
        assert!(Instant::now() < deadline, "only {done} of 1000 jobs done");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(workers);
    assert_eq!(
        psql(&url, "SELECT count(*) FROM jobs WHERE attempts <> 1"),
        "0",
        "a job was claimed twice"
    );
    // A finished job keeps the lease owner of the worker that ran it.
    let shares = psql(
        &url,
        "SELECT count(*) FROM jobs GROUP BY lease_owner ORDER BY lease_owner NULLS FIRST",
    );
    let shares: Vec<i64> = shares.lines().map(|n| n.parse().unwrap()).collect();
    assert_eq!(
        psql(&url, "SELECT count(*) FROM jobs WHERE lease_owner IS NULL"),
        "0",
        "every job names the worker that ran it"
    );
    assert_eq!(
        shares.len(),
        2,
        "both worker processes took part: {shares:?}"
    );
    assert_eq!(shares.iter().sum::<i64>(), 1000);
    psql(&admin, &format!("DROP DATABASE {db} WITH (FORCE)"));
}
