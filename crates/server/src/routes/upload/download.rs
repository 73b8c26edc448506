//! Checking a `downloadUrl` at upload time, before anything is written: the SSRF rules (http(s),
//! no credentials, every resolved address public unless allow-listed), then a small ranged GET
//! that proves the resource exists, sniffs AUDIO vs VIDEO from its first bytes and rejects a
//! declared size over the limit. The download itself is the `FetchMedia` job.

use crate::error::AppError;
use crate::state::AppState;
use scorejar_core::inference::MediaKind;
use scorejar_core::ApiError;

fn reject(message: String) -> AppError {
    AppError(ApiError::invalid("downloadUrl", message))
}

/// The media kind the URL's first bytes suggest.
pub async fn check_download_url(state: &AppState, url: &str) -> Result<MediaKind, AppError> {
    let preflight = state.net.preflight(url).await.map_err(|e| {
        // The client learns what kind of failure it was; what our resolver or network saw
        // (a blocked host's address, say) stays in the log.
        tracing::info!(error = %e, "downloadUrl refused at upload");
        reject(format!(
            "`downloadUrl` cannot be used: {}",
            e.public_message()
        ))
    })?;
    let limit = state.settings.fetch.max_bytes;
    if let Some(size) = preflight.total_size.filter(|size| *size > limit) {
        return Err(reject(format!(
            "`downloadUrl` is {size} bytes; media from a URL may be at most {limit} bytes"
        )));
    }
    let sniffed = scorejar_media::sniff(&preflight.first_bytes).ok_or_else(|| {
        AppError(
            ApiError::bad_request(
                "unsupported_media",
                format!(
                    "`downloadUrl` does not point to a supported audio/video file: {}",
                    scorejar_media::describe_unrecognised(&preflight.first_bytes)
                ),
            )
            .with_field("downloadUrl"),
        )
    })?;
    Ok(if sniffed.likely_video {
        MediaKind::Video
    } else {
        MediaKind::Audio
    })
}
