//! The validated `email` object of an e-mail interaction.

use serde::{Deserialize, Serialize};

/// A validated `email` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailInput {
    pub from: String,
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    #[serde(default)]
    pub bcc: Vec<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub thread_id: Option<String>,
    pub source_id: Option<String>,
    pub time_to_reply: Option<i64>,
    pub is_reply: Option<bool>,
}
