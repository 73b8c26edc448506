//! The AI evaluation engine: the language-model providers an operator configures
//! (`[[llm.providers]]`, see `settings`), one OpenAI-compatible Chat Completions call per
//! attempt through scorejar-net (`chat`), and the engine that asks the questions, reads the
//! reply and keeps only verified evidence (`engine`). What is sent and how a reply is checked is
//! pure code in `scorejar_core::evaluation::ai`.

mod chat;
mod engine;
pub mod settings;

pub use engine::{AiEngine, AiError, LlmEngine};
pub use settings::{LlmSettings, ProviderSettings, StructuredOutput};
