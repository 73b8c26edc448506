//! Reading an upload request: a JSON body, or a multipart body whose `file` part is streamed to a
//! spool file (never held in memory) and whose `payload` part is the JSON. The multipart rules
//! (which parts, how many, empty file) are `scorejar-multipart`'s; here are the spool file and
//! the answers to a body that cannot be read (too large, too slow, malformed).
//!
//! Size rule: a body over `max_request_bytes` is a 413 — checked from Content-Length up front and
//! enforced again while streaming, since a chunked body has no length to check.

use super::limit::{drain, limit_body, Exceeded};
use crate::edge::body_timeout::is_body_timeout;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::Request;
use axum::http::header;
use scorejar_core::ApiError;
use scorejar_multipart::{FilePart, ReadError, UploadParts};
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
    // As sent: a multipart boundary is case-sensitive.
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let kind = content_type.to_ascii_lowercase();
    let (body, exceeded) = limit_body(req.into_body(), limit);
    if kind.starts_with("application/json") {
        let bytes = read_all(body, declared).await.map_err(|e| {
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
    } else if kind.starts_with("multipart/form-data") {
        read_multipart(state, body, &content_type, limit, &exceeded).await
    } else {
        Err(AppError(ApiError::bad_request(
            "unsupported_content_type",
            "Content-Type must be application/json or multipart/form-data",
        )))
    }
}

fn multipart_error(err: ReadError, limit: u64, exceeded: &Exceeded) -> AppError {
    match err {
        ReadError::Invalid(e) => AppError(e),
        ReadError::Body(_) if exceeded.get() => too_large(limit),
        ReadError::Body(e) if is_body_timeout(&e) => unreadable(&e),
        ReadError::Body(e) => AppError(ApiError::bad_request(
            "invalid_multipart",
            format!("malformed multipart body: {e}"),
        )),
    }
}

async fn read_multipart(
    state: &AppState,
    body: axum::body::Body,
    content_type: &str,
    limit: u64,
    exceeded: &Exceeded,
) -> AppResult<UploadBody> {
    let mut parts = UploadParts::new(body.into_data_stream(), content_type).map_err(AppError)?;
    let mut file = None;
    while let Some(part) = parts
        .next_file()
        .await
        .map_err(|e| multipart_error(e, limit, exceeded))?
    {
        file = Some(spool(&state.spool_dir, part, limit, exceeded).await?);
    }
    let payload = parts.finish().map_err(AppError)?;
    Ok(UploadBody { payload, file })
}

async fn spool(
    dir: &Path,
    mut part: FilePart<'_>,
    limit: u64,
    exceeded: &Exceeded,
) -> AppResult<SpooledFile> {
    // Made before the file, so that its drop removes the file on every early return.
    let mut spooled = SpooledFile {
        path: dir.join(format!("{}.part", uuid::Uuid::new_v4())),
        size: 0,
        file_name: part.file_name().map(str::to_string),
    };
    let mut out = tokio::fs::File::create(&spooled.path)
        .await
        .map_err(anyhow::Error::from)?;
    while let Some(chunk) = part
        .chunk()
        .await
        .map_err(|e| multipart_error(e, limit, exceeded))?
    {
        out.write_all(&chunk).await.map_err(anyhow::Error::from)?;
    }
    out.flush().await.map_err(anyhow::Error::from)?;
    spooled.size = part.finish().map_err(AppError)?.size;
    Ok(spooled)
}
