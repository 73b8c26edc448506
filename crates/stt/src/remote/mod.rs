//! The remote engine: any OpenAI-compatible `/v1/audio/transcriptions` endpoint.
