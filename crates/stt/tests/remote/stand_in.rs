//! A stand-in for an OpenAI-compatible transcription server on 127.0.0.1.
//!
//! It checks each request the way a strict provider would — method and path (routing), the
//! bearer key, the multipart fields, that `file` is a 16 kHz mono 16-bit WAV — answers OpenAI's
//! error shape when something is wrong, records what it received, and otherwise answers what the
//! test's responder says.

use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub at: Instant,
    pub authorization: Option<String>,
    /// Text fields in the order sent (`timestamp_granularities[]` appears twice).
    pub fields: Vec<(String, String)>,
    pub file_name: Option<String>,
    pub file_bytes: usize,
    pub samples: Vec<i16>,
}

impl Recorded {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn duration_secs(&self) -> f64 {
        self.samples.len() as f64 / 16_000.0
    }
}

/// What the server answers a well-formed request.
pub struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(&'static str, String)>,
    pub body: Value,
    /// Waits this long before answering (to provoke client timeouts and overlap).
    pub delay: Duration,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Self {
            status: StatusCode::OK,
            headers: Vec::new(),
            body,
            delay: Duration::ZERO,
        }
    }

    pub fn error(status: u16, message: &str) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap(),
            headers: Vec::new(),
            body: openai_error(message),
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }

    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// Decides the answer to request number `index` (0-based).
pub type Responder = Arc<dyn Fn(usize, &Recorded) -> Reply + Send + Sync>;

#[derive(Clone)]
struct Shared {
    expected_key: Option<String>,
    responder: Responder,
    requests: Arc<Mutex<Vec<Recorded>>>,
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
}

pub struct StandIn {
    /// The base URL to configure (`http://127.0.0.1:port/v1`).
    pub base_url: String,
    shared: Shared,
}

impl StandIn {
    /// Starts a server that requires `Authorization: Bearer <expected_key>` (or no header when
    /// `None`) and answers with `responder`.
    pub async fn start(
        expected_key: Option<&str>,
        responder: impl Fn(usize, &Recorded) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let shared = Shared {
            expected_key: expected_key.map(str::to_string),
            responder: Arc::new(responder),
            requests: Arc::default(),
            in_flight: Arc::default(),
            max_in_flight: Arc::default(),
        };
        let app = Router::new()
            .route("/v1/audio/transcriptions", post(transcribe))
            .layer(DefaultBodyLimit::disable())
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base_url, shared }
    }

    /// Every well-formed request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// The most requests that were being handled at the same moment.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }
}

fn openai_error(message: &str) -> Value {
    json!({"error": {"message": message, "type": "invalid_request_error", "param": null, "code": null}})
}

fn refuse(status: StatusCode, message: String) -> Response {
    (status, Json(openai_error(&message))).into_response()
}

async fn transcribe(
    State(shared): State<Shared>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let response = check_and_answer(&shared, headers, multipart).await;
    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    response
}

async fn check_and_answer(shared: &Shared, headers: HeaderMap, multipart: Multipart) -> Response {
    let authorization = headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_string());
    let expected = shared.expected_key.as_ref().map(|k| format!("Bearer {k}"));
    if authorization != expected {
        // Like OpenAI, quote what was given (the engine must not pass it on).
        let given = authorization.unwrap_or_default();
        let given = given.trim_start_matches("Bearer ");
        return refuse(
            StatusCode::UNAUTHORIZED,
            format!("Incorrect API key provided: {given}."),
        );
    }
    let recorded = match read_form(authorization, multipart).await {
        Ok(recorded) => recorded,
        Err(problem) => return refuse(StatusCode::BAD_REQUEST, problem),
    };
    let index = {
        let mut requests = shared.requests.lock().unwrap();
        requests.push(recorded.clone());
        requests.len() - 1
    };
    let reply = (shared.responder)(index, &recorded);
    tokio::time::sleep(reply.delay).await;
    let mut response = (reply.status, Json(reply.body)).into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

async fn read_form(
    authorization: Option<String>,
    mut multipart: Multipart,
) -> Result<Recorded, String> {
    let mut fields = Vec::new();
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().map(str::to_string);
            let bytes = field.bytes().await.map_err(|e| e.to_string())?;
            file = Some((file_name, bytes));
        } else {
            let value = field.text().await.map_err(|e| e.to_string())?;
            fields.push((name, value));
        }
    }
    let (file_name, bytes) = file.ok_or("'file' is a required property")?;
    let mut reader = hound::WavReader::new(Cursor::new(bytes.to_vec()))
        .map_err(|e| format!("Invalid file format: {e}"))?;
    let spec = reader.spec();
    if (spec.sample_rate, spec.channels, spec.bits_per_sample) != (16_000, 1, 16)
        || spec.sample_format != hound::SampleFormat::Int
    {
        return Err(format!("expected 16 kHz mono 16-bit PCM, got {spec:?}"));
    }
    let samples = reader
        .samples::<i16>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("Invalid file format: {e}"))?;
    let recorded = Recorded {
        at: Instant::now(),
        authorization,
        fields,
        file_name,
        file_bytes: bytes.len(),
        samples,
    };
    if recorded.field("model").is_none() {
        return Err("'model' is a required property".into());
    }
    if recorded.field("response_format") != Some("verbose_json") {
        return Err("this stand-in only answers verbose_json".into());
    }
    Ok(recorded)
}

/// An OpenAI `verbose_json` answer: one segment per `(start, end, text)` (text with OpenAI's
/// leading space), and the words of each spread evenly over it, listed at the top level.
pub fn verbose_json(language: &str, duration: f64, segments: &[(f64, f64, &str)]) -> Value {
    let mut words = Vec::new();
    let segments: Vec<Value> = segments
        .iter()
        .enumerate()
        .map(|(id, (start, end, text))| {
            let parts: Vec<&str> = text.split_whitespace().collect();
            let step = (end - start) / parts.len().max(1) as f64;
            for (i, word) in parts.iter().enumerate() {
                let at = start + step * i as f64;
                words.push(json!({"word": word, "start": at, "end": at + step * 0.9}));
            }
            json!({
                "id": id, "seek": 0, "start": start, "end": end, "text": format!(" {text}"),
                "tokens": [50364, 2425], "temperature": 0.0, "avg_logprob": -0.25,
                "compression_ratio": 1.2, "no_speech_prob": 0.01
            })
        })
        .collect();
    let text: Vec<&str> = segments
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    json!({
        "task": "transcribe", "language": language, "duration": duration,
        "text": text.concat().trim(), "segments": segments, "words": words
    })
}
