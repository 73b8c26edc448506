//! What the AI engine sends and how its reply is read, without I/O: the Chat Completions
//! messages and the JSON schema that constrains the reply (`request`), the reply parsed and
//! checked against the questions (`reply`), and the quote guard that keeps only evidence
//! really found in the line it names (`quotes`). The HTTP call is `scorejar-llm`.

pub mod combine;
pub mod quotes;
pub mod reply;
pub mod request;
#[cfg(test)]
mod tests;

/// The key of the `index`-th (0-based) question in the schema and the reply: short and
/// predictable, whatever the scorecard's ids look like.
pub fn question_key(index: usize) -> String {
    format!("q{}", index + 1)
}

/// What the model may answer for "does not apply".
pub const NOT_APPLICABLE: &str = "N/A";
