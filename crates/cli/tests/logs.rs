//! `--log-format json`: every log line one JSON object, and a request's lines carry its
//! `request_id` — the client's `x-request-id`, which the answer echoes (a new UUID when the
//! client sends none).

mod support;

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("scorejar.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = \"{}\"\nbind = \"127.0.0.1:{port}\"\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--role", "api", "--log-format", "json", "--config"])
        .arg(&config)
        .env_remove("DATABASE_URL")
        .env("SCOREJAR_LOG", "info,tower_http=debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let _server = Proc(child);
    let (lines, received) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });

    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    wait_up(&client, &base).await;
    let answer = client
        .get(format!("{base}/healthz"))
        .header("x-request-id", "req-from-the-client-42")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["x-request-id"], "req-from-the-client-42");
    let fresh = client.get(format!("{base}/healthz")).send().await.unwrap();
    let made = fresh.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(made.len(), 36, "a UUID: {made}");

    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    let found = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = received.recv_timeout(left) else {
            break None;
        };
        let parsed: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("a log line that is not JSON ({e}): {line}"));
        if parsed["span"]["request_id"] == "req-from-the-client-42" {
            break Some(parsed);
        }
        seen.push(line);
    };
    let line = found.unwrap_or_else(|| panic!("no line with the request id in: {seen:#?}"));
    assert_eq!(line["span"]["path"], "/healthz", "{line}");
    assert!(
        line["timestamp"].is_string() && line["level"].is_string(),
        "{line}"
    );
}
