//! `TestApp`: the real server (the same router `scorejar serve` runs) on 127.0.0.1:0 against a
//! real database — a fresh SQLite file in a temp dir, or a fresh schema on the local PostgreSQL
//! (URL from `SCOREJAR_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`).
//! `backend_tests!` runs one async test body on both backends. Media go to a local directory,
//! or to an S3 bucket when `SCOREJAR_TEST_MEDIA_URL` is set (`scripts/test` runs the suite once
//! that way against `scripts/s3-server`).

use reqwest::{Client, Response, StatusCode};
use scorejar_core::cursor::Cursor;
use scorejar_core::paging::PageRequest;
use scorejar_server::config::Settings;
use scorejar_store::Store;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use tempfile::TempDir;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const JWT_SECRET: &str = "test-jwt-secret-0123456789-abcdefghij";

pub fn pg_url() -> String {
    std::env::var("SCOREJAR_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

pub struct TestApp {
    pub base: String,
    /// A local media server (allow-listed for downloads): `/media/<file>` serves
    /// `testdata/media` and the shared audio fixtures; anything else is 404.
    pub media_base: String,
    pub client: Client,
    pub store: Arc<dyn Store>,
    pub media: Arc<scorejar_media::storage::MediaStorage>,
    pub settings: Settings,
    /// API token of the main test account.
    pub token: String,
    pub account_id: String,
    pub data_dir: PathBuf,
    schema: Option<String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: TempDir,
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, |_| {}).await
    }

    /// Starts with settings adjusted by `tweak` (e.g. a smaller body limit).
    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut settings = Settings {
            data_dir: dir.path().to_path_buf(),
            jwt_secret: JWT_SECRET.to_string(),
            ..Settings::default()
        };
        let mut schema = None;
        let store: Arc<dyn Store> = match backend {
            Backend::Sqlite => scorejar_store::open(&settings.effective_database_url(), 4)
                .await
                .expect("open sqlite"),
            Backend::Postgres => {
                let name = format!("t_{}", uuid::Uuid::new_v4().simple());
                let pg = scorejar_store::postgres::PgStore::connect_isolated(&pg_url(), &name)
                    .await
                    .expect("open postgres schema");
                schema = Some(name);
                Arc::new(pg)
            }
        };
        let media_base = start_media_server().await;
        settings.fetch.allowed_internal_hosts =
            vec![media_base.trim_start_matches("http://").to_string()];
        tweak(&mut settings);
        let media = Arc::new(test_media_storage(dir.path()));
        let data_dir = settings.data_dir.clone();
        let kept_settings = settings.clone();
        let state = scorejar_server::AppState::new(store.clone(), media.clone(), settings).unwrap();
        let boot = scorejar_server::create_account_with_token(store.as_ref(), "test", 1000)
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(scorejar_server::serve(listener, state, async {
            let _ = rx.await;
        }));
        TestApp {
            base: format!("http://{addr}"),
            media_base,
            client: Client::new(),
            store,
            media,
            settings: kept_settings,
            token: boot.api_token,
            account_id: boot.account_id,
            data_dir,

            schema,
            shutdown: Some(tx),
            _dir: dir,
        }
    }

    /// Stops the server and drops the PostgreSQL schema.
    pub async fn finish(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(schema) = self.schema.take() {
            let _ = scorejar_store::postgres::drop_schema(&pg_url(), &schema).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A second account with its own token: (account id, token).
    pub async fn new_account(&self, credits: i64) -> (String, String) {
        let b = scorejar_server::create_account_with_token(self.store.as_ref(), "other", credits)
            .await
            .unwrap();
        (b.account_id, b.api_token)
    }

    pub async fn post_json_as(&self, token: &str, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.post_json_as(&self.token, path, body).await
    }

    pub async fn get_as(&self, token: &str, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.get_as(&self.token, path).await
    }

    /// Uploads JSON and returns (status, body).
    pub async fn upload(&self, body: &Value) -> (StatusCode, Value) {
        read(self.post_json("/api/v1/upload", body).await).await
    }

    /// Multipart upload of `bytes` as the `file` part with `payload`.
    pub async fn upload_file(
        &self,
        bytes: Vec<u8>,
        file_name: &str,
        payload: &Value,
    ) -> (StatusCode, Value) {
        let form = reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()),
            )
            .text("payload", payload.to_string());
        let resp = self
            .client
            .post(self.url("/api/v1/upload"))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        read(resp).await
    }

    pub async fn balance(&self) -> i64 {
        self.store
            .credits(&self.account_id, &PageRequest::first(1))
            .await
            .unwrap()
            .0
    }

    /// Ledger entries of the main account (walked page by page).
    pub async fn ledger_len(&self) -> usize {
        let mut page = PageRequest::<Cursor>::first(100);
        let mut len = 0;
        loop {
            let (_, got) = self.store.credits(&self.account_id, &page).await.unwrap();
            len += got.data.len();
            match got.next_cursor {
                Some(next) => page.after = Cursor::decode(&next),
                None => return len,
            }
        }
    }

    /// Creates an ACTIVE scorecard with one question and returns its id.
    pub async fn active_scorecard(&self) -> String {
        let (status, body) = read(
            self.post_json(
                "/api/v1/scorecards",
                &json!({
                    "name": "QA", "status": "ACTIVE",
                    "sections": [{ "name": "Greeting", "questions": [{
                        "text": "Did the agent greet?", "type": "SINGLE",
                        "answers": [{ "label": "Yes", "points": 1 }, { "label": "No", "points": 0 }]
                    }]}]
                }),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().unwrap().to_string()
    }

    pub async fn create_tag(&self, name: &str) -> String {
        let (status, body) = read(
            self.post_json("/api/v1/tags", &json!({ "name": name }))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().unwrap().to_string()
    }

    /// Number of interactions on the main account.
    pub async fn interaction_count(&self) -> usize {
        let (_, body) = read(self.get("/api/v1/interactions?limit=100").await).await;
        body["data"].as_array().map(|a| a.len()).unwrap_or(0)
    }

    /// Files in the media store (rejected uploads must leave none behind).
    /// How many media objects the store holds (local directory or S3 bucket prefix alike).
    pub async fn media_files(&self) -> usize {
        use futures::TryStreamExt;
        let objects: Vec<_> = self.media.list_media().try_collect().await.unwrap();
        objects.len()
    }
}

/// The media store of one test: a directory under `dir`, or — when `SCOREJAR_TEST_MEDIA_URL`
/// names one (`s3://bucket/`, credentials and endpoint from the AWS variables, as
/// `scripts/s3-server` writes them) — a fresh prefix of that bucket, so tests never share
/// objects.
pub fn test_media_storage(dir: &std::path::Path) -> scorejar_media::storage::MediaStorage {
    match std::env::var("SCOREJAR_TEST_MEDIA_URL") {
        Ok(url) if !url.is_empty() => {
            let url = format!(
                "{}/t-{}",
                url.trim_end_matches('/'),
                uuid::Uuid::new_v4().simple()
            );
            scorejar_media::storage::MediaStorage::from_url(&url, &[]).unwrap()
        }
        _ => scorejar_media::storage::MediaStorage::local(&dir.join("media")).unwrap(),
    }
}

/// Serves test media over HTTP on 127.0.0.1:0; returns its base URL.
pub async fn start_media_server() -> String {
    use axum::extract::Path;
    use axum::http::StatusCode;
    use std::collections::HashMap;
    use std::sync::Mutex;
    static FLAKY_CALLS: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);
    async fn file(Path(name): Path<String>) -> Result<Vec<u8>, StatusCode> {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        for dir in ["../../testdata/media", "../../../shared/fixtures/audio"] {
            if let Ok(bytes) = tokio::fs::read(root.join(dir).join(&name)).await {
                return Ok(bytes);
            }
        }
        Err(StatusCode::NOT_FOUND)
    }
    /// The file without a Content-Length (chunked), so only the download can see its size.
    async fn chunked(Path(name): Path<String>) -> Result<axum::body::Body, StatusCode> {
        let bytes = file(Path(name)).await?;
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            bytes.chunks(4096).map(|c| Ok(c.to_vec())).collect();
        Ok(axum::body::Body::from_stream(futures::stream::iter(chunks)))
    }
    /// Per `tag`: answers the upload's check, then 503 twice, then the file.
    async fn flaky(Path((tag, name)): Path<(String, String)>) -> Result<Vec<u8>, StatusCode> {
        let call = {
            let mut calls = FLAKY_CALLS.lock().unwrap();
            let n = calls
                .get_or_insert_with(HashMap::new)
                .entry(tag)
                .or_insert(0);
            *n += 1;
            *n
        };
        match call {
            2 | 3 => Err(StatusCode::SERVICE_UNAVAILABLE),
            _ => file(Path(name)).await,
        }
    }
    let app = axum::Router::new()
        .route("/media/{name}", axum::routing::get(file))
        .route("/chunked/{name}", axum::routing::get(chunked))
        .route("/flaky/{tag}/{name}", axum::routing::get(flaky));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

impl TestApp {
    /// URL of a test media file on the allow-listed local server.
    pub fn media_url(&self, name: &str) -> String {
        format!("{}/media/{name}", self.media_base)
    }
}

/// Status and JSON body of a response (Null when the body is not JSON).
pub async fn read(resp: Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A minimal valid chat upload.
pub fn chat(source: &str) -> Value {
    json!({
        "sourceIdentifier": source,
        "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z",
        "transcript": { "text": "Agent: Hello\nCustomer: I need help with my order" }
    })
}

/// Asserts the error envelope: status, code and (optionally) field.
pub fn assert_error(
    status: StatusCode,
    body: &Value,
    want_status: u16,
    code: &str,
    field: Option<&str>,
) {
    assert_eq!(status.as_u16(), want_status, "{body}");
    assert_eq!(body["success"], json!(false), "{body}");
    assert_eq!(body["error"]["code"], json!(code), "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    if let Some(field) = field {
        assert_eq!(body["error"]["field"], json!(field), "{body}");
    }
}

/// Runs each listed `async fn(TestApp)` on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                use $crate::harness::{Backend, TestApp};
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = TestApp::start(Backend::Sqlite).await;
                    super::$name(&app).await;
                    app.finish().await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let app = TestApp::start(Backend::Postgres).await;
                    super::$name(&app).await;
                    app.finish().await;
                }
            }
        )+
    };
}

/// Like `backend_tests!`, with the settings adjusted by `fn $tweak(&mut Settings)` first.
#[macro_export]
macro_rules! backend_tests_with {
    ($tweak:ident; $($name:ident),+ $(,)?) => {
        $(
            mod $name {
                use $crate::harness::{Backend, TestApp};
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = TestApp::start_with(Backend::Sqlite, super::$tweak).await;
                    super::$name(&app).await;
                    app.finish().await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let app = TestApp::start_with(Backend::Postgres, super::$tweak).await;
                    super::$name(&app).await;
                    app.finish().await;
                }
            }
        )+
    };
}
