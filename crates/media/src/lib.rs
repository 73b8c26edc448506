//! scorejar-media (placeholder until implemented).
