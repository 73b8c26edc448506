//! PostgreSQL backend (placeholder until implemented).
