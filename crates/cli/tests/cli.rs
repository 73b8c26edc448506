//! The real `scorejar` binary: first start creates the `default` account and prints its token
//! once; the admin commands print JSON and work on the same database, also while `serve` runs.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_scorejar");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn admin(data_dir: &std::path::Path, args: &[&str]) -> Value {
    let out = Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one JSON object: {stdout}");
    serde_json::from_str(&stdout).unwrap()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve` and returns it with everything it printed on stdout before listening.
fn serve(data_dir: &std::path::Path, port: u16) -> (Server, String) {
    serve_as(data_dir, port, "all")
}

fn serve_as(data_dir: &std::path::Path, port: u16, role: &str) -> (Server, String) {
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--role",
            role,
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL")
        // Configuration from the environment; unrelated SCOREJAR_* variables are ignored.
        .env("SCOREJAR_STARTER_CREDITS", "777")
        .env("SCOREJAR_SOMETHING_ELSE", "x")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(100));
    let printed: Vec<String> = rx.try_iter().collect();
    (server, printed.join("\n"))
}

#[tokio::test]
async fn first_start_prints_a_working_token_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = free_port();
    let (server, printed) = serve(&data, port);
    assert!(
        data.join("scorejar.db").exists(),
        "data dir and database created on first start"
    );
    let token = printed
        .split_whitespace()
        .find(|w| w.starts_with("sj_"))
        .unwrap_or_else(|| panic!("no token printed: {printed}"))
        .to_string();
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let resp = client
        .post(format!("{base}/api/v1/upload"))
        .bearer_auth(&token)
        .json(&json!({ "sourceIdentifier": "first", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z", "transcript": { "text": "hello" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let credits: Value = client
        .get(format!("{base}/api/v1/credits"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        credits["balance"].as_i64().unwrap() > 0,
        "starter credits: {credits}"
    );

    // Admin commands work on the same database while the server runs.
    let created = admin(
        &data,
        &["accounts", "create", "--name", "acme", "--credits", "5"],
    );
    let account = created["accountId"].as_str().unwrap();
    let other_token = created["apiToken"].as_str().unwrap();
    let added = admin(
        &data,
        &["credits", "add", "--account", account, "--amount", "7"],
    );
    assert_eq!(added["balance"], json!(12));
    let user = admin(
        &data,
        &[
            "users",
            "create",
            "--account",
            account,
            "--email",
            "ops@acme.test",
            "--password",
            "hunter2hunter2",
        ],
    );
    assert!(user["userId"].is_string());
    let theirs: Value = client
        .get(format!("{base}/api/v1/credits"))
        .bearer_auth(other_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["balance"], json!(12));
    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "email": "ops@acme.test", "password": "hunter2hunter2" }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    drop(server);

    // Second start: same database, no new default account, no token printed.
    let port = free_port();
    let (_server, printed) = serve(&data, port);
    assert!(
        !printed.contains("sj_"),
        "token printed only once: {printed}"
    );
    let resp = client
        .get(format!("http://127.0.0.1:{port}/api/v1/credits"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

/// A file last modified `age` ago, with its directories.
fn plant(path: &std::path::Path, age: Duration) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = std::fs::File::create(path).unwrap();
    file.set_modified(std::time::SystemTime::now() - age)
        .unwrap();
}

#[tokio::test]
async fn an_api_process_sweeps_what_killed_processes_left() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = free_port();
    let (server, printed) = serve(&data, port);
    let token = printed
        .split_whitespace()
        .find(|w| w.starts_with("sj_"))
        .unwrap()
        .to_string();
    let resp: Value = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/upload"))
        .bearer_auth(&token)
        .json(&json!({ "sourceIdentifier": "kept", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z", "transcript": { "text": "hello" } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let existing = resp["interactionId"].as_str().unwrap().to_string();
    drop(server);

    // Left by killed processes: an object whose row was never written, an upload's spool file.
    let two_hours = Duration::from_secs(2 * 3600);
    let objects = data.join("media").join("media").join("acct");
    let orphan = objects.join(uuid::Uuid::new_v4().to_string());
    let in_flight = objects.join(uuid::Uuid::new_v4().to_string());
    let named = objects.join(&existing);
    let spooled = data
        .join("spool")
        .join(format!("{}.part", uuid::Uuid::new_v4()));
    let spooling = data
        .join("spool")
        .join(format!("{}.part", uuid::Uuid::new_v4()));
    plant(&orphan, two_hours);
    plant(&named, two_hours);
    plant(&spooled, two_hours);
    plant(&in_flight, Duration::from_secs(5));
    plant(&spooling, Duration::from_secs(5));

    let (_server, _) = serve_as(&data, free_port(), "api");
    let deadline = Instant::now() + Duration::from_secs(20);
    while orphan.exists() || spooled.exists() {
        assert!(Instant::now() < deadline, "not swept within 20 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(named.exists(), "an object its interaction names stays");
    assert!(in_flight.exists() && spooling.exists(), "recent files stay");
}

#[test]
fn admin_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args([
            "credits",
            "add",
            "--account",
            "nope",
            "--amount",
            "5",
            "--data-dir",
        ])
        .arg(dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not found"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `serve` with an HS256 secret under 32 bytes stops before it creates or binds anything.
#[test]
fn serve_refuses_a_short_jwt_secret() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let out = Command::new(BIN)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("DATABASE_URL")
        .env("SCOREJAR_JWT_SECRET", "only-twenty-one-bytes")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("jwt_secret is 21 bytes") && stderr.contains("at least 32 bytes"),
        "{stderr}"
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("API token"),
        "no account was created"
    );
    assert!(
        !dir.path().join("scorejar.db").exists(),
        "no database was created"
    );
}
