//! Reading the WAV stream ffmpeg writes to a pipe: its header (channels, rate) and then
//! interleaved little-endian `f32` frames until the end of the stream.
//!
//! Written to a pipe, ffmpeg cannot go back to fill in sizes, so the RIFF and `data` sizes are
//! placeholders (`0xFFFFFFFF`): the `data` chunk is read to the end of the stream, whatever it
//! says. Only 32-bit float is accepted — it is what the fallback asks ffmpeg for.

use std::io::{self, Read};

/// The format of the samples that follow the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StreamFormat {
    pub channels: usize,
    pub sample_rate: u32,
}

const WAVE_FORMAT_IEEE_FLOAT: u16 = 3;
const WAVE_FORMAT_EXTENSIBLE: u16 = 0xFFFE;
/// Largest chunk skipped before `data` (ffmpeg writes a few dozen bytes of metadata at most).
const MAX_SKIPPED_CHUNK: u32 = 1 << 20;

/// Reads the header up to the first byte of sample data.
pub(crate) fn read_header(reader: &mut impl Read) -> io::Result<StreamFormat> {
    let mut riff = [0u8; 12];
    reader.read_exact(&mut riff)?;
    if &riff[..4] != b"RIFF" || &riff[8..] != b"WAVE" {
        return Err(invalid("the stream does not start with a RIFF/WAVE header"));
    }
    let mut format = None;
    loop {
        let mut header = [0u8; 8];
        reader.read_exact(&mut header)?;
        let id = &header[..4];
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        if id == b"data" {
            return format.ok_or_else(|| invalid("the data chunk comes before the fmt chunk"));
        }
        if size > MAX_SKIPPED_CHUNK {
            return Err(invalid("a header chunk is implausibly large"));
        }
        // Chunks are padded to an even length.
        let mut body = vec![0u8; (size + (size & 1)) as usize];
        reader.read_exact(&mut body)?;
        if id == b"fmt " {
            format = Some(parse_fmt(&body[..size as usize])?);
        }
    }
}

fn parse_fmt(body: &[u8]) -> io::Result<StreamFormat> {
    if body.len() < 16 {
        return Err(invalid("the fmt chunk is too short"));
    }
    let u16_at = |at: usize| u16::from_le_bytes([body[at], body[at + 1]]);
    let mut tag = u16_at(0);
    if tag == WAVE_FORMAT_EXTENSIBLE {
        // The sub-format GUID starts at byte 24; its first two bytes are the real tag.
        if body.len() < 26 {
            return Err(invalid("the extensible fmt chunk is too short"));
        }
        tag = u16_at(24);
    }
    let channels = u16_at(2) as usize;
    let sample_rate = u32::from_le_bytes([body[4], body[5], body[6], body[7]]);
    let bits = u16_at(14);
    if tag != WAVE_FORMAT_IEEE_FLOAT || bits != 32 {
        return Err(invalid("the samples are not 32-bit float"));
    }
    if channels == 0 || sample_rate == 0 {
        return Err(invalid(
            "the fmt chunk declares no channels or no sample rate",
        ));
    }
    Ok(StreamFormat {
        channels,
        sample_rate,
    })
}

/// Reads interleaved frames in runs of up to `frames_per_read`, handing each run over
/// de-interleaved (one slice per channel), until the end of the stream.
pub(crate) fn read_frames(
    reader: &mut impl Read,
    channels: usize,
    frames_per_read: usize,
    mut on_frames: impl FnMut(&[&[f32]]) -> io::Result<()>,
) -> io::Result<()> {
    let frame_bytes = channels * 4;
    let mut bytes = vec![0u8; frames_per_read * frame_bytes];
    let mut planar = vec![Vec::with_capacity(frames_per_read); channels];
    let mut filled = 0;
    loop {
        let read = match reader.read(&mut bytes[filled..]) {
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        filled += read;
        let whole = filled / frame_bytes;
        if whole > 0 && (read == 0 || filled == bytes.len()) {
            for plane in &mut planar {
                plane.clear();
            }
            for frame in bytes[..whole * frame_bytes].chunks_exact(frame_bytes) {
                for (plane, sample) in planar.iter_mut().zip(frame.chunks_exact(4)) {
                    plane.push(f32::from_le_bytes([
                        sample[0], sample[1], sample[2], sample[3],
                    ]));
                }
            }
            let planes: Vec<&[f32]> = planar.iter().map(Vec::as_slice).collect();
            on_frames(&planes)?;
            bytes.copy_within(whole * frame_bytes..filled, 0);
            filled -= whole * frame_bytes;
        }
        if read == 0 {
            // A partial frame at the very end is dropped: it cannot belong to every channel.
            return Ok(());
        }
    }
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(id: &[u8], body: &[u8]) -> Vec<u8> {
        let mut out = id.to_vec();
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(body);
        if body.len() % 2 == 1 {
            out.push(0);
        }
        out
    }

    fn fmt_body(tag: u16, channels: u16, rate: u32, bits: u16, sub_tag: Option<u16>) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(&tag.to_le_bytes());
        body.extend_from_slice(&channels.to_le_bytes());
        body.extend_from_slice(&rate.to_le_bytes());
        body.extend_from_slice(&(rate * channels as u32 * 4).to_le_bytes());
        body.extend_from_slice(&(channels * 4).to_le_bytes());
        body.extend_from_slice(&bits.to_le_bytes());
        if let Some(sub) = sub_tag {
            body.extend_from_slice(&22u16.to_le_bytes());
            body.extend_from_slice(&bits.to_le_bytes());
            body.extend_from_slice(&3u32.to_le_bytes());
            body.extend_from_slice(&sub.to_le_bytes());
            body.extend_from_slice(&[0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71]);
        }
        body
    }

    fn stream(chunks: &[Vec<u8>], data: &[u8]) -> Vec<u8> {
        let mut out = b"RIFF\xFF\xFF\xFF\xFFWAVE".to_vec();
        for c in chunks {
            out.extend_from_slice(c);
        }
        out.extend_from_slice(b"data\xFF\xFF\xFF\xFF");
        out.extend_from_slice(data);
        out
    }

    #[test]
    fn headers() {
        let float_stereo = chunk(b"fmt ", &fmt_body(3, 2, 48_000, 32, None));
        let extensible = chunk(b"fmt ", &fmt_body(0xFFFE, 2, 48_000, 32, Some(3)));
        let pcm16 = chunk(b"fmt ", &fmt_body(1, 1, 8_000, 16, None));
        let extensible_pcm = chunk(b"fmt ", &fmt_body(0xFFFE, 1, 8_000, 32, Some(1)));
        let list = chunk(b"LIST", b"INFOISFT\x03\0\0\0ab\0");
        let stereo = Ok(StreamFormat {
            channels: 2,
            sample_rate: 48_000,
        });
        let cases: [(&str, Vec<u8>, Result<StreamFormat, ()>); 7] = [
            (
                "float",
                stream(std::slice::from_ref(&float_stereo), &[]),
                stereo,
            ),
            ("extensible float", stream(&[extensible], &[]), stereo),
            (
                "odd chunk skipped",
                stream(&[list, float_stereo.clone()], &[]),
                stereo,
            ),
            ("16-bit PCM refused", stream(&[pcm16], &[]), Err(())),
            (
                "extensible PCM refused",
                stream(&[extensible_pcm], &[]),
                Err(()),
            ),
            ("no fmt", stream(&[], &[]), Err(())),
            ("not RIFF", b"OggS\0\0\0\0\0\0\0\0".to_vec(), Err(())),
        ];
        for (name, bytes, expected) in cases {
            let got = read_header(&mut bytes.as_slice()).map_err(|_| ());
            assert_eq!(got, expected, "{name}");
        }
        let truncated = &stream(&[float_stereo], &[])[..20];
        assert!(read_header(&mut &truncated[..]).is_err());
    }

    #[test]
    fn frames_are_deinterleaved_across_short_reads() {
        // A reader that hands out 3 bytes at a time splits samples and frames.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(3).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let samples: Vec<f32> = (0..10).map(|i| i as f32).collect(); // 5 stereo frames
        let mut bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        bytes.extend_from_slice(&[1, 2, 3]); // a torn last sample
        let mut left = Vec::new();
        let mut right = Vec::new();
        read_frames(&mut Trickle(&bytes), 2, 2, |planes| {
            assert!(planes[0].len() <= 2, "runs are bounded");
            left.extend_from_slice(planes[0]);
            right.extend_from_slice(planes[1]);
            Ok(())
        })
        .unwrap();
        assert_eq!(left, vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(right, vec![1.0, 3.0, 5.0, 7.0, 9.0]);
    }
}
