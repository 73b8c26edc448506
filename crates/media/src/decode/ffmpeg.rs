//! The optional fallback for what symphonia cannot decode (Opus, AC-3, …): run ffmpeg, have it
//! write 32-bit float WAV at the source rate to a pipe, and stream that through the same
//! [`PcmWriter`] as the built-in path — one resampler for every input, and memory bounded the
//! same way (ffmpeg's output is read in runs of [`FRAMES_PER_READ`] frames, never collected).
//!
//! ffmpeg reads only the local file (`-protocol_whitelist file`, `file:` prefix), so a
//! crafted container cannot make it open URLs; it is killed if decoding stops half-way.

use super::ffmpeg_log::FfmpegLog;
use super::pcm_writer::{PcmWriter, MAX_CHANNELS};
use super::wav_stream::{read_frames, read_header};
use super::{DecodeBackend, DecodeError, DecodeStats, DecodedAudio};
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Frames read from ffmpeg's pipe at a time.
const FRAMES_PER_READ: usize = 4096;

/// What running ffmpeg gave.
pub(crate) enum FfmpegOutcome {
    Decoded(DecodedAudio, DecodeStats),
    /// The program could not be started (not installed, not on PATH).
    Missing,
    /// ffmpeg ran and could not decode the file; the reason is mostly its own.
    Failed(String),
}

/// Decodes the first audio stream of `input` with the ffmpeg at `program`. `codec` is the
/// codec's name when the container announced it (`source_codec` if ffmpeg's log names none).
pub(crate) fn decode(
    program: &Path,
    input: &Path,
    out_dir: &Path,
    codec: Option<&str>,
) -> Result<FfmpegOutcome, DecodeError> {
    let mut input_arg = std::ffi::OsString::from("file:");
    input_arg.push(input.as_os_str());
    let child = Command::new(program)
        // `info`: the log names the codec it decodes (see `ffmpeg_log`); `-nostats`: no
        // progress lines.
        .args(["-nostdin", "-hide_banner", "-nostats", "-loglevel", "info"])
        .args(["-protocol_whitelist", "file", "-i"])
        .arg(&input_arg)
        .args(["-map", "0:a:0", "-vn", "-sn", "-dn", "-map_metadata", "-1"])
        .args([
            "-fflags",
            "+bitexact",
            "-c:a",
            "pcm_f32le",
            "-f",
            "wav",
            "pipe:1",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => KillOnDrop(child),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(FfmpegOutcome::Missing),
        Err(e) => {
            return Ok(FfmpegOutcome::Failed(format!(
                "ffmpeg could not be started: {e}"
            )))
        }
    };
    // Read on a thread, so ffmpeg never blocks on a full stderr pipe.
    let stderr = child.0.stderr.take().expect("stderr is piped");
    let log = std::thread::spawn(move || FfmpegLog::read(BufReader::new(stderr)));
    let mut stdout = BufReader::new(child.0.stdout.take().expect("stdout is piped"));

    let streamed = stream_into_writer(&mut stdout, out_dir);
    // Whatever happened, wait for ffmpeg (it exits once its pipe is drained or closed).
    drop(stdout);
    let status = child.0.wait()?;
    let log = log.join().unwrap_or_default();
    let (writer, largest_run) = match streamed {
        Ok(written) => written,
        Err(StreamError::Decode(e)) => return Err(e),
        Err(StreamError::Format(_)) if !status.success() => {
            return Ok(FfmpegOutcome::Failed(log.failure()))
        }
        Err(StreamError::Format(e)) => {
            return Ok(FfmpegOutcome::Failed(format!(
                "its output was unreadable: {e}"
            )))
        }
    };
    if !status.success() {
        return Ok(FfmpegOutcome::Failed(log.failure()));
    }
    let Some(writer) = writer else {
        return Ok(FfmpegOutcome::Failed(
            "it decoded no audio samples".to_owned(),
        ));
    };
    let source_rate = writer.source_rate();
    let written = writer.finish()?;
    let mut stats = DecodeStats::new(DecodeBackend::Ffmpeg);
    stats.source_frames = written.source_frames;
    stats.peak_buffered_frames = written.peak_buffered_frames;
    stats.largest_packet_frames = largest_run;
    Ok(FfmpegOutcome::Decoded(
        DecodedAudio {
            channels: written.channels,
            source_sample_rate: source_rate,
            // What ffmpeg says it decoded, else what the container announced.
            source_codec: log
                .input_codec
                .or_else(|| codec.map(str::to_owned))
                .unwrap_or_else(|| "unknown".to_owned()),
        },
        stats,
    ))
}

enum StreamError {
    /// ffmpeg's output is not what was asked for (or it stopped before the header).
    Format(io::Error),
    /// Writing the spool failed, or the format is one we refuse.
    Decode(DecodeError),
}

/// Reads ffmpeg's WAV output into a [`PcmWriter`]; `None` when it held no frames.
fn stream_into_writer(
    stdout: &mut impl Read,
    out_dir: &Path,
) -> Result<(Option<PcmWriter>, usize), StreamError> {
    let format = read_header(stdout).map_err(StreamError::Format)?;
    if format.channels > MAX_CHANNELS {
        return Err(StreamError::Decode(DecodeError::NotDecodable(format!(
            "the audio has {} channels (at most {MAX_CHANNELS} are supported)",
            format.channels
        ))));
    }
    let mut writer: Option<PcmWriter> = None;
    let mut largest_run = 0;
    let mut spool_error = None;
    let read = read_frames(stdout, format.channels, FRAMES_PER_READ, |planes| {
        largest_run = largest_run.max(planes[0].len());
        if writer.is_none() {
            match PcmWriter::new(out_dir, format.sample_rate, format.channels) {
                Ok(created) => writer = Some(created),
                Err(e) => {
                    spool_error = Some(e);
                    return Err(io::Error::other("cannot create the spool"));
                }
            }
        }
        writer.as_mut().expect("created above").push(planes)
    });
    if let Some(e) = spool_error {
        return Err(StreamError::Decode(e));
    }
    read.map_err(|e| StreamError::Decode(DecodeError::Io(e)))?;
    Ok((writer, largest_run))
}

/// Kills ffmpeg if decoding is abandoned before it finished.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}
