//! A [`Transcriber`] built on first use.
//!
//! Loading the built-in engine means reading (and, on a fresh machine, first downloading and
//! converting) a model: seconds to minutes. A worker should start at once and serve its other
//! job kinds meanwhile, so the engine is built by the first transcription that needs it, on a
//! blocking thread, and shared afterwards. A failed build is not remembered: the next job
//! tries again (an operator may have fixed the configuration or the network).

use crate::engine::SttError;
use crate::transcriber::Transcriber;
use std::sync::Arc;
use tokio::sync::OnceCell;

type Build = dyn Fn() -> Result<Transcriber, SttError> + Send + Sync;

pub struct LazyTranscriber {
    build: Arc<Build>,
    cell: OnceCell<Transcriber>,
}

impl LazyTranscriber {
    /// `build` runs on a blocking thread the first time [`Self::get`] is called.
    pub fn new(build: impl Fn() -> Result<Transcriber, SttError> + Send + Sync + 'static) -> Self {
        Self {
            build: Arc::new(build),
            cell: OnceCell::new(),
        }
    }

    /// An engine that is already built.
    pub fn ready(transcriber: Transcriber) -> Self {
        Self {
            build: Arc::new(|| Err(SttError::Permanent("the engine is already built".into()))),
            cell: OnceCell::new_with(Some(transcriber)),
        }
    }

    pub async fn get(&self) -> Result<&Transcriber, SttError> {
        self.cell
            .get_or_try_init(|| async {
                let build = self.build.clone();
                tokio::task::spawn_blocking(move || build())
                    .await
                    .map_err(|e| SttError::Retryable(format!("building the engine: {e}")))?
            })
            .await
    }
}
