//! Decoding with symphonia (pure Rust): open the container, pick the first audio track it has
//! a decoder for, decode packet by packet into a [`PcmWriter`].
//!
//! Rules: a damaged packet is skipped and counted, not fatal, and the hole it leaves in the
//! track's timestamps is filled with silence (see `timeline`); a run of
//! [`MAX_CONSECUTIVE_ERRORS`] damaged packets ends the stream (a garbage tail must not take
//! the length of the file to chew through). A container symphonia cannot open, an audio
//! track it has no decoder for, or a stream of which nothing decodes is reported as
//! [`SymphoniaOutcome::Unsupported`] with a reason naming the codec, so the caller may try
//! ffmpeg before refusing the file.

use super::codec_name::codec_name;
use super::pcm_writer::PcmWriter;
use super::planar::{PlanarBuffer, SILENCE_RUN};
use super::timeline::{hole_frames, Timeline};
use super::{DecodeBackend, DecodeError, DecodeStats, DecodedAudio};
use crate::Container;
use std::fs::File;
use std::io::ErrorKind;
use std::path::Path;
use symphonia::core::codecs::{Decoder, DecoderOptions, CODEC_TYPE_NULL};
use symphonia::core::errors::Error;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;
use symphonia::core::units::TimeBase;

/// Damaged packets in a row after which the rest of the stream is given up.
const MAX_CONSECUTIVE_ERRORS: u32 = 100;

/// What symphonia made of a file.
pub(crate) enum SymphoniaOutcome {
    Decoded(DecodedAudio, DecodeStats),
    /// Symphonia cannot read this: `codec` names the audio codec when a track announced one.
    Unsupported {
        codec: Option<String>,
        reason: String,
        /// `true`: the audio is there and only another decoder can read it. `false`: the
        /// container could not be opened — ffmpeg may read it, or the file is just damaged.
        ffmpeg_needed: bool,
    },
}

/// Decodes `input` (already recognised as `container`) into `out_dir`.
pub(crate) fn decode(
    input: &Path,
    out_dir: &Path,
    container: Container,
) -> Result<SymphoniaOutcome, DecodeError> {
    let source = MediaSourceStream::new(Box::new(File::open(input)?), Default::default());
    let mut hint = Hint::new();
    hint.with_extension(extension_hint(container));
    let options = FormatOptions {
        // Trim encoder delay and padding where the container says how much (LAME/iTunes
        // headers, Ogg pre-skip): the decoded length is then the recorded length.
        enable_gapless: true,
        ..Default::default()
    };
    let probed = match symphonia::default::get_probe().format(
        &hint,
        source,
        &options,
        &MetadataOptions::default(),
    ) {
        Ok(probed) => probed,
        Err(error) => {
            return Ok(SymphoniaOutcome::Unsupported {
                codec: None,
                reason: open_failure(container, &error),
                ffmpeg_needed: false,
            })
        }
    };
    let mut format = probed.format;
    let (track_id, mut decoder, codec) = match choose_track(format.as_ref()) {
        Chosen::Decodable(id, decoder, codec) => (id, decoder, codec),
        Chosen::NoDecoder(Some(codec)) => {
            return Ok(SymphoniaOutcome::Unsupported {
                reason: format!("the built-in decoder cannot decode {codec} audio"),
                codec: Some(codec),
                ffmpeg_needed: true,
            })
        }
        Chosen::NoDecoder(None) => {
            return Ok(SymphoniaOutcome::Unsupported {
                reason: format!(
                    "the built-in decoder does not know the codec of this {} file's audio",
                    container.name()
                ),
                codec: None,
                ffmpeg_needed: true,
            })
        }
        Chosen::NoAudioTrack => return no_audio_track(input, container),
    };
    // A panic inside symphonia on hostile input must become a clean refusal, not a crashed
    // worker; the spool files are removed while unwinding.
    let time_base = format
        .tracks()
        .iter()
        .find(|t| t.id == track_id)
        .and_then(|t| t.codec_params.time_base);
    let track = TrackToDecode {
        id: track_id,
        time_base,
        codec: &codec,
    };
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        decode_packets(format.as_mut(), decoder.as_mut(), &track, out_dir)
    }));
    match run {
        Ok(result) => result,
        Err(_) => Err(DecodeError::NotDecodable(format!(
            "the {codec} decoder failed on malformed data in this {}",
            container.name()
        ))),
    }
}

/// The chosen track, as the packet loop needs it.
struct TrackToDecode<'a> {
    id: u32,
    /// The unit of packet timestamps and durations.
    time_base: Option<TimeBase>,
    codec: &'a str,
}

enum Chosen {
    Decodable(u32, Box<dyn Decoder>, String),
    /// Audio, but no decoder: the first such track's codec, when the demuxer knew it.
    NoDecoder(Option<String>),
    NoAudioTrack,
}

/// The first audio track with a decoder; else the first audio track's codec.
fn choose_track(format: &dyn FormatReader) -> Chosen {
    let registry = symphonia::default::get_codecs();
    let mut undecodable = None;
    for track in format.tracks() {
        let params = &track.codec_params;
        // Demuxers give an unknown codec the NULL id but still fill in an audio track's rate;
        // a video track has neither.
        if params.codec == CODEC_TYPE_NULL && params.sample_rate.is_none() {
            continue;
        }
        let name = codec_name(params.codec);
        match registry.make(params, &DecoderOptions::default()) {
            Ok(decoder) => {
                let name = name.unwrap_or_else(|| "unknown".to_owned());
                return Chosen::Decodable(track.id, decoder, name);
            }
            Err(_) => {
                undecodable.get_or_insert(name);
            }
        }
    }
    match undecodable {
        Some(codec) => Chosen::NoDecoder(codec),
        None => Chosen::NoAudioTrack,
    }
}

/// Symphonia sees no audio track. Some demuxers drop tracks whose sample entry they do not
/// know (AC-3 in MP4), so the header probe decides: no audio there either → refused; audio
/// there (or the probe unsure) → worth a try with ffmpeg.
fn no_audio_track(input: &Path, container: Container) -> Result<SymphoniaOutcome, DecodeError> {
    let name = container.name();
    match crate::probe_file(input) {
        Ok(probe) if probe.channels.is_none() => Err(DecodeError::NotDecodable(format!(
            "the {name} file has no audio track"
        ))),
        probe => Ok(SymphoniaOutcome::Unsupported {
            codec: probe
                .ok()
                .filter(|p| p.kind == crate::MediaKind::Audio)
                .and_then(|p| p.codec),
            reason: format!(
                "the built-in decoder finds no audio track it can read in this {name} file"
            ),
            ffmpeg_needed: true,
        }),
    }
}

fn decode_packets(
    format: &mut dyn FormatReader,
    decoder: &mut dyn Decoder,
    track: &TrackToDecode<'_>,
    out_dir: &Path,
) -> Result<SymphoniaOutcome, DecodeError> {
    let codec = track.codec;
    let mut writer: Option<PcmWriter> = None;
    let mut planar = PlanarBuffer::default();
    let mut stats = DecodeStats::new(DecodeBackend::Symphonia);
    let mut consecutive_errors = 0;
    let mut last_error: Option<String> = None;
    let mut timeline = Timeline::default();
    loop {
        let packet = match format.next_packet() {
            Ok(packet) => packet,
            // The normal end — also where a truncated file ends.
            Err(Error::IoError(e)) if e.kind() == ErrorKind::UnexpectedEof => break,
            // A chained stream starting over with new tracks: the first one is the recording.
            Err(Error::ResetRequired) => break,
            Err(Error::DecodeError(msg)) => {
                consecutive_errors += 1;
                last_error = Some(format!("damaged container data: {msg}"));
                if consecutive_errors >= MAX_CONSECUTIVE_ERRORS {
                    break;
                }
                continue;
            }
            Err(other) => {
                last_error = Some(other.to_string());
                break;
            }
        };
        if packet.track_id() != track.id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(decoded) => decoded,
            Err(Error::Unsupported(feature)) if writer.is_none() => {
                // Not damage: a feature of this stream the decoder lacks. ffmpeg may have it.
                return Ok(SymphoniaOutcome::Unsupported {
                    codec: Some(codec.to_owned()),
                    reason: format!("the built-in {codec} decoder does not support {feature}"),
                    ffmpeg_needed: true,
                });
            }
            Err(error) => {
                stats.packets_skipped += 1;
                consecutive_errors += 1;
                // The hole it leaves is filled when the next good packet shows it.
                last_error = Some(error.to_string());
                if consecutive_errors >= MAX_CONSECUTIVE_ERRORS {
                    break;
                }
                continue;
            }
        };
        consecutive_errors = 0;
        // Every decoded packet moves the timeline, even one trimmed to nothing (encoder
        // delay), or its duration would look like a hole.
        let hole = timeline.hole_before(packet.ts(), packet.dur());
        if decoded.frames() == 0 {
            continue;
        }
        let rate = decoded.spec().rate;
        let writer = match writer.as_mut() {
            Some(writer) => writer,
            None => writer.insert(PcmWriter::new(
                out_dir,
                rate,
                decoded.spec().channels.count(),
            )?),
        };
        if rate != writer.source_rate() {
            // Mid-stream rate changes (possible in MP3) cannot share one resampler; such
            // packets are rare and short, so they are dropped like damaged ones.
            stats.packets_skipped += 1;
            continue;
        }
        if let Some(ticks) = hole {
            if let Some(frames) = hole_frames(ticks, track.time_base, rate) {
                push_silence(writer, &mut planar, frames)?;
                stats.concealed_frames += frames;
            }
        }
        stats.largest_packet_frames = stats.largest_packet_frames.max(decoded.frames());
        writer.push(&planar.fill(&decoded, writer.channels()))?;
    }
    let Some(writer) = writer else {
        // Damaged beyond use, or a variant the decoder gets wrong: ffmpeg may still read it.
        let why = last_error.unwrap_or_else(|| "the audio track holds no samples".to_owned());
        return Ok(SymphoniaOutcome::Unsupported {
            codec: Some(codec.to_owned()),
            reason: format!("no {codec} audio could be decoded: {why}"),
            ffmpeg_needed: false,
        });
    };
    if let Some(error) = &last_error {
        tracing::warn!(codec, skipped = stats.packets_skipped, %error, "decoded with damaged packets skipped");
    }
    let source_rate = writer.source_rate();
    let written = writer.finish()?;
    stats.source_frames = written.source_frames;
    stats.peak_buffered_frames = written.peak_buffered_frames;
    Ok(SymphoniaOutcome::Decoded(
        DecodedAudio {
            channels: written.channels,
            source_sample_rate: source_rate,
            source_codec: codec.to_owned(),
        },
        stats,
    ))
}

/// Writes `frames` frames of silence on every channel, in bounded runs.
fn push_silence(
    writer: &mut PcmWriter,
    planar: &mut PlanarBuffer,
    frames: u64,
) -> std::io::Result<()> {
    let mut left = frames;
    while left > 0 {
        let run = left.min(SILENCE_RUN as u64) as usize;
        writer.push(&planar.silence(writer.channels(), run))?;
        left -= run as u64;
    }
    Ok(())
}

/// Why symphonia could not open a file the sniffer recognised.
fn open_failure(container: Container, error: &Error) -> String {
    let name = container.name();
    match error {
        // The reader searched to the end for what it needed.
        Error::IoError(e) if e.kind() == ErrorKind::UnexpectedEof => format!(
            "the built-in decoder found no readable {name} stream (the file is truncated, or \
             a variant it does not read)"
        ),
        Error::Unsupported(what) => {
            format!("the built-in decoder cannot read this {name} file ({what})")
        }
        other => format!("the {name} file's headers are damaged ({other})"),
    }
}

fn extension_hint(container: Container) -> &'static str {
    match container {
        Container::Wav => "wav",
        Container::Mp3 => "mp3",
        Container::Flac => "flac",
        Container::Ogg => "ogg",
        Container::Mp4 | Container::QuickTime => "mp4",
        Container::WebM => "webm",
        Container::Matroska => "mkv",
    }
}
