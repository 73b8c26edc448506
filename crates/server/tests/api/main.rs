//! End-to-end API tests: the real router on a real port, on SQLite and on PostgreSQL.
//! Folders mirror the handlers; every test body runs on both backends via `backend_tests!`.

mod harness;
mod worker_run;

mod action_runs;
mod auth;
mod billing;
mod deletion;
mod download_urls;
mod edge_limits;
mod edge_nul;
mod edge_rate_limits;
mod edge_timeouts;
mod error_envelope;
mod evaluations;
mod fuzz;
mod inference;
mod interaction_status;
mod listing;
mod llm_local;
mod media_links;
mod metrics;
mod openapi_document;
mod pipeline;
mod plain_lists;
mod resource_edits;
mod resources;
mod retention;
mod retries;
mod roles;
mod search;
mod token_scopes;
mod transcript_hints;
mod transcription;
mod upload_fields;
mod upload_files;
mod upload_idempotency;
mod webhooks;
