//! Reading an upload request: a JSON body, or a multipart body whose `file` part is streamed to a
//! spool file (never held in memory) and whose `payload` part is the JSON.
//!
//! Size rule: a body over `max_request_bytes` is a 413 — checked from Content-Length up front and
//! enforced again while streaming, since a chunked body has no length to check.

use super::limit::{drain, limit_body, Exceeded};
use crate::edge::body_timeout::is_body_timeout;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use scorejar_core::ApiError;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// A multipart file spooled to disk; the file is removed when this is dropped.
pub struct SpooledFile {
    pub path: PathBuf,
    pub size: u64,
    pub file_name: Option<String>,
}

impl Drop for SpooledFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// What an upload request carried.
pub struct UploadBody {
    pub payload: serde_json::Value,
    pub file: Option<SpooledFile>,
}

fn too_large(limit: u64) -> AppError {
    AppError(ApiError::payload_too_large(format!(
        "request body exceeds the {} MiB limit; pass larger media as `downloadUrl` instead",
        limit / (1024 * 1024)
    )))
}

/// Only the fields an upload has are built; unknown ones are skipped unread (memory stays near
/// the body's own size, whatever the body holds).
fn parse_json(bytes: &[u8], what: &str) -> AppResult<serde_json::Value> {
    scorejar_core::payload::read_upload_json(bytes, what).map_err(AppError)
}

/// The whole body in one buffer sized from `Content-Length` up front: collecting chunks and
/// joining them would hold the body twice at the peak.
async fn read_all(body: axum::body::Body, declared: Option<u64>) -> Result<Vec<u8>, axum::Error> {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut out = Vec::with_capacity(declared.unwrap_or(0) as usize);
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

fn unreadable(e: &(dyn std::error::Error + 'static)) -> AppError {
    if is_body_timeout(e) {
        AppError(ApiError::request_timeout(format!(
            "could not read the request body: {e}"
        )))
    } else {
        AppError(ApiError::bad_request(
            "invalid_body",
            format!("could not read the request body: {e}"),
        ))
    }
}

/// Reads the body per its Content-Type.
pub async fn read_upload_body(state: &AppState, req: Request) -> AppResult<UploadBody> {
    let limit = state.settings.max_request_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(len) = declared.filter(|len| *len > limit) {
        // Refuse without storing anything, but let a modest overshoot finish sending so the
        // client can read the answer (see `limit`).
        if len <= limit.saturating_mul(2) {
            drain(&mut req.into_body().into_data_stream(), len).await;
        }
        return Err(too_large(limit));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (parts, body) = req.into_parts();
    let (body, exceeded) = limit_body(body, limit);
    let req = Request::from_parts(parts, body);
    if content_type.starts_with("application/json") {
        let bytes = read_all(req.into_body(), declared).await.map_err(|e| {
            if exceeded.get() {
                too_large(limit)
            } else {
                unreadable(&e)
            }
        })?;
        let payload = parse_json(&bytes, "the request body")?;
        Ok(UploadBody {
            payload,
            file: None,
        })
    } else if content_type.starts_with("multipart/form-data") {
        read_multipart(state, req, limit, &exceeded).await
    } else {
        Err(AppError(ApiError::bad_request(
            "unsupported_content_type",
            "Content-Type must be application/json or multipart/form-data",
        )))
    }
}

fn multipart_error(
    err: axum::extract::multipart::MultipartError,
    limit: u64,
    exceeded: &Exceeded,
) -> AppError {
    if exceeded.get() || err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        too_large(limit)
    } else if is_body_timeout(&err) {
        unreadable(&err)
    } else {
        AppError(ApiError::bad_request(
            "invalid_multipart",
            format!("malformed multipart body: {}", err.body_text()),
        ))
    }
}

async fn read_multipart(
    state: &AppState,
    req: Request,
    limit: u64,
    exceeded: &Exceeded,
) -> AppResult<UploadBody> {
    let mut multipart = Multipart::from_request(req, state).await.map_err(|e| {
        AppError(ApiError::bad_request(
            "invalid_multipart",
            format!("malformed multipart body: {}", e.body_text()),
        ))
    })?;
    let mut payload = None;
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(e, limit, exceeded))?
    {
        match field.name() {
            Some("payload") => {
                if payload.is_some() {
                    return Err(AppError(
                        ApiError::bad_request(
                            "invalid_multipart",
                            "only one `payload` part is allowed",
                        )
                        .with_field("payload"),
                    ));
                }
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| multipart_error(e, limit, exceeded))?;
                payload = Some(parse_json(&bytes, "the `payload` part")?);
            }
            Some("file") => {
                if file.is_some() {
                    return Err(AppError(
                        ApiError::bad_request(
                            "invalid_multipart",
                            "only one `file` part is allowed",
                        )
                        .with_field("file"),
                    ));
                }
                file = Some(spool(&state.spool_dir, field, limit, exceeded).await?);
            }
            // Other parts are ignored, like unknown JSON fields.
            _ => {}
        }
    }
    let payload =
        payload.ok_or_else(|| AppError(ApiError::missing("payload").with_field("payload")))?;
    Ok(UploadBody { payload, file })
}

async fn spool(
    dir: &Path,
    mut field: axum::extract::multipart::Field<'_>,
    limit: u64,
    exceeded: &Exceeded,
) -> AppResult<SpooledFile> {
    let file_name = field.file_name().map(str::to_string);
    if let Some(name) = &file_name {
        scorejar_core::text::check_no_nul("file", name).map_err(AppError)?;
    }
    let spooled = SpooledFile {
        path: dir.join(format!("{}.part", uuid::Uuid::new_v4())),
        size: 0,
        file_name,
    };
    let mut out = tokio::fs::File::create(&spooled.path)
        .await
        .map_err(anyhow::Error::from)?;
    let mut spooled = spooled;
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| multipart_error(e, limit, exceeded))?
    {
        spooled.size += chunk.len() as u64;
        out.write_all(&chunk).await.map_err(anyhow::Error::from)?;
    }
    out.flush().await.map_err(anyhow::Error::from)?;
    if spooled.size == 0 {
        return Err(AppError(
            ApiError::invalid("file", "the `file` part is empty").with_field("file"),
        ));
    }
    Ok(spooled)
}
