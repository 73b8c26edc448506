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
    let out = Command::new(BIN)
        .args(["accounts", "create", "--name", "test", "--credits"])
        .arg(credits.to_string())
        .arg("--config")
        .arg(config)
        .env_remove("DATABASE_URL")
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
