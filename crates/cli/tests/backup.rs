//! `scorejar backup` while `scorejar serve` takes uploads, then `scorejar restore` into a fresh
//! data directory and a server started on it: every interaction the backup holds reads back
//! whole, the copy is one consistent moment (its ledger matches its balance), and a backup of
//! a PostgreSQL URL, or over an existing file, is refused. On PostgreSQL the database's own
//! tools do it: `pg_dump` of a served database, `pg_restore` into a new one, served again.

mod support;

use serde_json::json;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::*;

fn config(dir: &Path, name: &str, port: u16) -> std::path::PathBuf {
    let config = dir.join(format!("{name}.toml"));
    std::fs::write(
        &config,
        format!(
            "data_dir = \"{}\"\nbind = \"127.0.0.1:{port}\"\n",
            dir.join(name).display()
        ),
    )
    .unwrap();
    config
}

fn scorejar(args: &[&str], config: &Path) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .arg("--config")
        .arg(config)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap()
}

/// Every interaction of the account, walking the pages.
async fn all_sources(client: &reqwest::Client, base: &str, token: &str) -> Vec<String> {
    let mut sources = Vec::new();
    let mut cursor = String::new();
    loop {
        let url = format!("{base}/api/v1/interactions?limit=100{cursor}");
        let page = get_json(client, &url, token).await;
        for row in page["data"].as_array().unwrap() {
            sources.push(row["sourceIdentifier"].as_str().unwrap().to_owned());
        }
        match page["nextCursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return sources,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_restores_whole() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let live = config(dir.path(), "live", port);
    let token = create_account(&live, 100_000);
    let _server = spawn(&["serve", "--role", "api"], &live);
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    wait_up(&client, &base).await;

    // Uploads keep arriving while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let accepted = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        let (stop, accepted) = (stop.clone(), accepted.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let body = json!({ "sourceIdentifier": format!("chat-{n}"), "direction": "INBOUND",
                    "timestamp": "2026-06-23T14:30:00Z", "interactionType": "CHAT",
                    "transcript": { "text": format!("Customer: message number {n}") } });
                let resp = client
                    .post(format!("{base}/api/v1/upload"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert!(resp.status().is_success(), "upload {n}: {}", resp.status());
                accepted.fetch_add(1, Ordering::Relaxed);
                n += 1;
            }
        })
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while accepted.load(Ordering::Relaxed) < 50 {
        assert!(Instant::now() < deadline, "uploads are not being accepted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let file = dir.path().join("scorejar.backup");
    let out = scorejar(&["backup", "--to", file.to_str().unwrap()], &live);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let at_backup = accepted.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    let total = accepted.load(Ordering::Relaxed);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Backed up"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Not over an existing file; not for PostgreSQL.
    let again = scorejar(&["backup", "--to", file.to_str().unwrap()], &live);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let pg = Command::new(BIN)
        .args([
            "backup",
            "--to",
            dir.path().join("pg.backup").to_str().unwrap(),
        ])
        .args(["--config", live.to_str().unwrap()])
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
        .output()
        .unwrap();
    assert!(!pg.status.success());
    assert!(String::from_utf8_lossy(&pg.stderr).contains("pg_dump"));
    assert!(!dir.path().join("pg.backup").exists());

    // Restored into a fresh data directory and served from there.
    let port = free_port();
    let restored = config(dir.path(), "restored", port);
    let out = scorejar(&["restore", "--from", file.to_str().unwrap()], &restored);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _copy = spawn(&["serve", "--role", "api"], &restored);
    let base = format!("http://127.0.0.1:{port}");
    wait_up(&client, &base).await;
    let sources = all_sources(&client, &base, &token).await;
    // Everything accepted before the backup started is there; nothing after it finished.
    assert!(
        sources.len() >= 50 && sources.len() <= at_backup.max(total),
        "{} restored, {at_backup} accepted when the backup ended, {total} in all",
        sources.len()
    );
    for n in 0..50 {
        assert!(
            sources.contains(&format!("chat-{n}")),
            "chat-{n} is missing"
        );
    }
    // One moment: the balance is what the restored ledger adds up to.
    let credits = get_json(&client, &format!("{base}/api/v1/credits"), &token).await;
    let newest = &credits["ledger"][0];
    assert!(newest.is_object(), "the grant at least: {credits}");
    assert_eq!(credits["balance"], newest["balanceAfter"], "{credits}");
    let one = get_json(
        &client,
        &format!("{base}/api/v1/interactions?limit=1"),
        &token,
    )
    .await;
    let id = one["data"][0]["id"].as_str().unwrap();
    let detail = get_json(&client, &format!("{base}/api/v1/interactions/{id}"), &token).await;
    assert!(
        detail["transcript"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Customer: message number"),
        "{detail}"
    );
}

fn psql(database: &str, sql: &str) {
    let out = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            database,
            "-c",
            sql,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Databases dropped when this is.
struct Databases(Vec<String>);

impl Drop for Databases {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = Command::new("psql")
                .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c"])
                .arg(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .output();
        }
    }
}

fn pg_config(dir: &Path, name: &str, port: u16, database: &str) -> std::path::PathBuf {
    let config = dir.join(format!("{name}.toml"));
    std::fs::write(
        &config,
        format!(
            "data_dir = \"{}\"\nbind = \"127.0.0.1:{port}\"\ndatabase_url = \"postgres://postgres@127.0.0.1:5432/{database}\"\n",
            dir.join(name).display()
        ),
    )
    .unwrap();
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_dump_restored_serves_the_same_data() {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let (source, copy) = (format!("sj_dump_{suffix}"), format!("sj_restored_{suffix}"));
    let _cleanup = Databases(vec![source.clone(), copy.clone()]);
    psql("postgres", &format!("CREATE DATABASE {source}"));
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let live = pg_config(dir.path(), "live", port, &source);
    let token = create_account(&live, 1000);
    let server = spawn(&["serve", "--role", "api"], &live);
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    wait_up(&client, &base).await;
    for n in 0..3 {
        let body = json!({ "sourceIdentifier": format!("pg-{n}"), "direction": "INBOUND",
            "timestamp": "2026-06-23T14:30:00Z", "interactionType": "CHAT",
            "transcript": { "text": format!("Customer: message {n}") } });
        let resp = client
            .post(format!("{base}/api/v1/upload"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{}", resp.status());
    }
    let before = all_sources(&client, &base, &token).await;

    // Online: pg_dump takes one snapshot while the server runs.
    let dump = dir.path().join("scorejar.dump");
    let out = Command::new("pg_dump")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-Fc", "-f"])
        .arg(&dump)
        .arg(&source)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(server);
    psql("postgres", &format!("CREATE DATABASE {copy}"));
    let out = Command::new("pg_restore")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "--no-owner",
            "-d",
            &copy,
        ])
        .arg(&dump)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let port = free_port();
    let restored = pg_config(dir.path(), "restored", port, &copy);
    let _copy_server = spawn(&["serve", "--role", "api"], &restored);
    let base = format!("http://127.0.0.1:{port}");
    wait_up(&client, &base).await;
    let after = all_sources(&client, &base, &token).await;
    assert_eq!(after.len(), 3, "{after:?}");
    assert_eq!(after, before, "the same interactions, in the same order");
}
