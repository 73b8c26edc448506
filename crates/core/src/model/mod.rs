//! Domain types shared by the store and the server: the enums of the API (serialised exactly as
//! the reference spells them), what an upload becomes once validated (`NewUpload`, the store's
//! input), and what the store hands back (`InteractionRecord`, `UploadReceipt`, ...).
//!
//! These are plain data. Rules about them live in their own modules (payload, inference,
//! pricing, scorecard); storage lives in scorejar-store.
//!
//! One file per concern; every type is re-exported here, so `crate::model::X` is the path to use:
//! - `enums` — the API enums (`Direction`, `InteractionType`, `StepStatus`, `TranscriptSource`,
//!   `MetadataType`, `ScorecardStatus`, `EvaluationStatus`) and the macro that defines them
//! - `metadata` — `MetadataValue` (typed custom metadata) and `Tag`
//! - `participant` — `ParticipantInput`, `ParticipantRole`, `Participant`
//! - `transcript` — `Word`, `Segment`, `TranscriptInput`, `TranscriptHints`, `UploadTranscript`,
//!   `TranscriptRecord`
//! - `email` — `EmailInput`
//! - `upload` — the write side: `NewUpload`, `NewEvaluationSpec`, `NewEvaluation`, `Processing`,
//!   `UploadReceipt`, `UploadOutcome`
//! - `interaction` — the read side: `InteractionRecord`, `MediaInfo`, `MediaRecord`,
//!   `EvaluationRecord`
//! - `listing` — `InteractionFilter`, `MetadataFilter`, `Comparison`, `InteractionPage`
//! - `scorecard_record` — `Scorecard`, `ScorecardFields` (validation is `crate::scorecard`)
//! - `account` — `Account`, `ApiTokenInfo`, `UserRecord`, `SessionRecord`, `LedgerEntry`
//! - `job` — `NewJob`

mod account;
mod email;
mod enums;
mod interaction;
mod job;
mod listing;
mod metadata;
mod participant;
mod scorecard_record;
mod transcript;
mod upload;

pub use account::*;
pub use email::*;
pub use enums::*;
pub use interaction::*;
pub use job::*;
pub use listing::*;
pub use metadata::*;
pub use participant::*;
pub use scorecard_record::*;
pub use transcript::*;
pub use upload::*;
