//! The error for reading and writing model files: a file that is not what it claims to be is
//! `Malformed` (with the reason), a valid file this crate cannot handle is `Unsupported`.

use std::io;

#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("{0}")]
    Malformed(String),
    #[error("{0}")]
    Unsupported(String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl FormatError {
    pub(crate) fn malformed(reason: impl Into<String>) -> Self {
        FormatError::Malformed(reason.into())
    }

    pub(crate) fn unsupported(reason: impl Into<String>) -> Self {
        FormatError::Unsupported(reason.into())
    }
}

/// An early end of file means the file is cut short, which is a property of the file, not of
/// the disk: report it as such.
pub(crate) fn eof_is_truncation(err: io::Error, what: &str) -> FormatError {
    if err.kind() == io::ErrorKind::UnexpectedEof {
        FormatError::malformed(format!("{what}: the file ends early (truncated)"))
    } else {
        FormatError::Io(err)
    }
}
