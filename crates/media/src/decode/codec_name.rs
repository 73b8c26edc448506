//! Human names for symphonia's codec ids, in ffmpeg's spelling (`pcm_mulaw`, `opus`), for
//! [`DecodedAudio::source_codec`](super::DecodedAudio) and error messages.
//!
//! Codecs with a built-in decoder are named by the decoder's own descriptor; the table below
//! covers the ones a container can announce but symphonia cannot decode, which are exactly the
//! ones an error message must name.

use symphonia::core::codecs::{self, CodecType};

/// The name of `codec`, e.g. `mp3`, `pcm_alaw`, `opus`; `None` for the null codec (what a
/// demuxer reports for a codec it does not know).
pub(crate) fn codec_name(codec: CodecType) -> Option<String> {
    if codec == codecs::CODEC_TYPE_NULL {
        return None;
    }
    if let Some(name) = undecodable_name(codec) {
        return Some(name.to_owned());
    }
    Some(match symphonia::default::get_codecs().get_codec(codec) {
        Some(descriptor) => descriptor.short_name.to_owned(),
        None => format!("codec {codec}"),
    })
}

fn undecodable_name(codec: CodecType) -> Option<&'static str> {
    let name = match codec {
        codecs::CODEC_TYPE_OPUS => "opus",
        codecs::CODEC_TYPE_SPEEX => "speex",
        codecs::CODEC_TYPE_EAC3 => "eac3",
        codecs::CODEC_TYPE_AC4 => "ac4",
        codecs::CODEC_TYPE_DCA => "dts",
        codecs::CODEC_TYPE_WMA => "wma",
        codecs::CODEC_TYPE_MUSEPACK => "musepack",
        codecs::CODEC_TYPE_ATRAC1 => "atrac1",
        codecs::CODEC_TYPE_ATRAC3 => "atrac3",
        codecs::CODEC_TYPE_ATRAC3PLUS => "atrac3plus",
        codecs::CODEC_TYPE_ATRAC9 => "atrac9",
        codecs::CODEC_TYPE_WAVPACK => "wavpack",
        codecs::CODEC_TYPE_MONKEYS_AUDIO => "ape",
        codecs::CODEC_TYPE_TTA => "tta",
        codecs::CODEC_TYPE_ADPCM_G722 => "adpcm_g722",
        codecs::CODEC_TYPE_ADPCM_G726 => "adpcm_g726",
        codecs::CODEC_TYPE_ADPCM_G726LE => "adpcm_g726le",
        _ => return None,
    };
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_ffmpeg() {
        let cases = [
            (codecs::CODEC_TYPE_PCM_MULAW, "pcm_mulaw"),
            (codecs::CODEC_TYPE_PCM_ALAW, "pcm_alaw"),
            (codecs::CODEC_TYPE_PCM_S16LE, "pcm_s16le"),
            (codecs::CODEC_TYPE_MP3, "mp3"),
            (codecs::CODEC_TYPE_AAC, "aac"),
            (codecs::CODEC_TYPE_VORBIS, "vorbis"),
            (codecs::CODEC_TYPE_FLAC, "flac"),
            (codecs::CODEC_TYPE_OPUS, "opus"),
            (codecs::CODEC_TYPE_DCA, "dts"),
        ];
        for (codec, name) in cases {
            assert_eq!(codec_name(codec).as_deref(), Some(name));
        }
        assert_eq!(codec_name(codecs::CODEC_TYPE_NULL), None);
    }
}
