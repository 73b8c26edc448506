//! The built-in engine: whisper.cpp through `whisper-rs`, on the CPU.
