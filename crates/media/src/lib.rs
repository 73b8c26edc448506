//! scorejar-media: recognising and probing audio/video files, and the object store that holds
//! them. No HTTP here — the server streams uploads to disk, calls [`sniff`] on the first chunk
//! and [`probe_file`] on the whole file (in `spawn_blocking`), then stores it with
//! [`MediaStorage`].

mod container;
pub mod decode;
mod ebml;
mod mpeg_audio;
pub mod probe;
pub mod sniff;
pub mod storage;

pub use container::Container;
pub use decode::{decode_to_pcm, DecodeError, DecodedAudio, PcmChannel, PcmReader};
pub use probe::{probe_file, probe_reader, MediaKind, Probe, ProbeError};
pub use sniff::{describe_unrecognised, sniff, Sniffed};
pub use storage::MediaStorage;
