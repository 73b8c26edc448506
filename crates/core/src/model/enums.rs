//! The enums of the API, serialised exactly as the reference spells them (`INBOUND`, `AUDIO`,
//! `PENDING`, ...), and the `api_enum!` macro that defines them with `ALL`, `as_str` and `parse`.

use serde::{Deserialize, Serialize};

macro_rules! api_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The API (and database) spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the exact API spelling; anything else is `None`.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

api_enum!(
    /// Who started the interaction.
    Direction { Inbound => "INBOUND", Outbound => "OUTBOUND" }
);
api_enum!(
    /// What kind of interaction this is; inferred when the upload omits it.
    InteractionType { Audio => "AUDIO", Video => "VIDEO", Chat => "CHAT", Email => "EMAIL", Sms => "SMS" }
);
api_enum!(
    /// The status of one processing step (media, transcript, each evaluation).
    StepStatus { Pending => "PENDING", Processing => "PROCESSING", Completed => "COMPLETED", Failed => "FAILED" }
);
api_enum!(
    /// Where a transcript came from.
    TranscriptSource { Provided => "PROVIDED", Engine => "ENGINE" }
);
api_enum!(
    /// The stored type of one custom-metadata value.
    MetadataType { String => "STRING", Boolean => "BOOLEAN", Int => "INT", Float => "FLOAT" }
);
api_enum!(
    /// Lifecycle of a scorecard; only ACTIVE ones can be used for evaluations.
    ScorecardStatus { Draft => "DRAFT", Active => "ACTIVE", Archived => "ARCHIVED" }
);
api_enum!(
    /// Status of an evaluation (score submission).
    EvaluationStatus { Queued => "QUEUED", Processing => "PROCESSING", Completed => "COMPLETED", Failed => "FAILED" }
);
