//! What the tests that run the real binary share: child processes killed (SIGKILL) when
//! dropped, free ports, and an account created through `scorejar accounts create`.

#![allow(dead_code)]

use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_scorejar");

/// A child process, killed with SIGKILL and reaped when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `scorejar <args> --config <config>` on the embedded database, output discarded.
pub fn spawn(args: &[&str], config: &Path) -> Proc {
    let child = Command::new(BIN)
        .args(args)
        .arg("--config")
        .arg(config)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Proc(child)
}

/// Creates an account with `credits`; returns its API token.
pub fn create_account(config: &Path, credits: i64) -> String {
    create_account_with(config, credits, &[])
}

/// [`create_account`] with more environment variables (an S3 store's credentials).
pub fn create_account_with(config: &Path, credits: i64, env: &[(String, String)]) -> String {
    let out = Command::new(BIN)
        .args(["accounts", "create", "--name", "test", "--credits"])
        .arg(credits.to_string())
        .arg("--config")
        .arg(config)
        .env_remove("DATABASE_URL")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    created["apiToken"].as_str().unwrap().to_string()
}

/// Waits (up to 30 s) until `{base}/healthz` answers 200.
pub async fn wait_up(client: &reqwest::Client, base: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(std::time::Instant::now() < deadline, "{base} never came up");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// `GET url` with the token; the JSON answer (which must be a success).
pub async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> Value {
    let resp = client.get(url).bearer_auth(token).send().await.unwrap();
    assert!(resp.status().is_success(), "{url}: {}", resp.status());
    resp.json().await.unwrap()
}
