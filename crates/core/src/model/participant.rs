//! The people on an interaction: the `agent`/`customer` object of an upload, their role, and
//! the stored participant.

use serde::{Deserialize, Serialize};

/// An `agent` or `customer` object of an upload. At least one field is set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source_identifier: Option<String>,
}

/// Which side of the conversation a participant is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParticipantRole {
    Agent,
    Customer,
}

impl ParticipantRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ParticipantRole::Agent => "AGENT",
            ParticipantRole::Customer => "CUSTOMER",
        }
    }
}

/// A stored participant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source_identifier: Option<String>,
}
