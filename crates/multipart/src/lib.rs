//! The multipart/form-data body of `POST /api/v1/upload`, read into what it carries: the
//! `payload` part (the upload JSON, read by `scorejar_core::payload::read_upload_json`) and at
//! most one `file` part, handed to the caller chunk by chunk (the server spools it to disk;
//! nothing here holds it).
//!
//! Rules:
//! - the boundary comes from the Content-Type header as sent (boundaries are case-sensitive);
//! - at most one `payload` part and one `file` part: a second is a 400 naming it;
//! - other parts are skipped unread, like unknown JSON fields;
//! - a `file` part's file name passes the NUL rule, and an empty `file` part is a 400;
//! - no `payload` part: 400, `payload` missing.
//!
//! Failures to read the body itself (malformed multipart, or the stream's own error: the
//! server's size limit, its body timeout) come back as [`ReadError::Body`] for the caller to
//! classify: it knows its limits and timeouts. This is its own crate, with no I/O and no
//! server, so the fuzz target `multipart_body` (`fuzz/`) builds in a minute or two.

mod memory;

pub use memory::{read_in_memory, Outcome};

use bytes::Bytes;
use futures_core::Stream;
use scorejar_core::ApiError;
use serde_json::Value;

/// Why a multipart body was refused.
#[derive(Debug)]
pub enum ReadError {
    /// The body was read but breaks an upload rule: answer this error.
    Invalid(ApiError),
    /// The body could not be read as multipart (or its stream failed): the caller decides
    /// between 400, 408 and 413.
    Body(multer::Error),
}

impl From<multer::Error> for ReadError {
    fn from(e: multer::Error) -> Self {
        ReadError::Body(e)
    }
}

impl From<ApiError> for ReadError {
    fn from(e: ApiError) -> Self {
        ReadError::Invalid(e)
    }
}

/// The parts of one upload body, read in order as the caller asks for files.
pub struct UploadParts<'r> {
    multipart: multer::Multipart<'r>,
    payload: Option<Value>,
    file_seen: bool,
}

/// The one `file` part, read by the caller with [`FilePart::chunk`] until `None`, then
/// [`FilePart::finish`].
pub struct FilePart<'r> {
    field: multer::Field<'r>,
    file_name: Option<String>,
    size: u64,
}

/// What a `file` part held, once read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    pub size: u64,
    pub file_name: Option<String>,
}

impl<'r> UploadParts<'r> {
    /// Starts reading `body`, whose Content-Type header is `content_type` (as sent).
    pub fn new<S, O, E>(body: S, content_type: &str) -> Result<Self, ApiError>
    where
        S: Stream<Item = Result<O, E>> + Send + 'r,
        O: Into<Bytes> + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>> + 'r,
    {
        let boundary = multer::parse_boundary(content_type).map_err(|_| {
            ApiError::bad_request(
                "invalid_multipart",
                "malformed multipart body: Invalid `boundary` for `multipart/form-data` request",
            )
        })?;
        Ok(UploadParts {
            multipart: multer::Multipart::new(body, boundary),
            payload: None,
            file_seen: false,
        })
    }

    /// The `file` part, when the body has one and it comes next; `payload` parts met on the way
    /// are read and parsed, other parts skipped. The previous [`FilePart`] must be finished (or
    /// dropped) first.
    pub async fn next_file(&mut self) -> Result<Option<FilePart<'r>>, ReadError> {
        while let Some(field) = self.multipart.next_field().await? {
            match field.name() {
                Some("payload") => {
                    if self.payload.is_some() {
                        return Err(only_one("payload").into());
                    }
                    let bytes = field.bytes().await?;
                    let payload =
                        scorejar_core::payload::read_upload_json(&bytes, "the `payload` part")?;
                    self.payload = Some(payload);
                }
                Some("file") => {
                    if self.file_seen {
                        return Err(only_one("file").into());
                    }
                    self.file_seen = true;
                    let file_name = field.file_name().map(str::to_string);
                    if let Some(name) = &file_name {
                        scorejar_core::text::check_no_nul("file", name)?;
                    }
                    return Ok(Some(FilePart {
                        field,
                        file_name,
                        size: 0,
                    }));
                }
                _ => {}
            }
        }
        Ok(None)
    }

    /// After [`Self::next_file`] said `None`: the payload, which every upload needs.
    pub fn finish(self) -> Result<Value, ApiError> {
        self.payload
            .ok_or_else(|| ApiError::missing("payload").with_field("payload"))
    }
}

impl FilePart<'_> {
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The next piece of the file, `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, ReadError> {
        let chunk = self.field.chunk().await?;
        if let Some(chunk) = &chunk {
            self.size += chunk.len() as u64;
        }
        Ok(chunk)
    }

    /// After the last chunk: what was read; an empty part is refused.
    pub fn finish(self) -> Result<FileInfo, ApiError> {
        if self.size == 0 {
            return Err(ApiError::invalid("file", "the `file` part is empty").with_field("file"));
        }
        Ok(FileInfo {
            size: self.size,
            file_name: self.file_name,
        })
    }
}

fn only_one(part: &str) -> ApiError {
    ApiError::bad_request(
        "invalid_multipart",
        format!("only one `{part}` part is allowed"),
    )
    .with_field(part)
}

#[cfg(test)]
mod tests;
