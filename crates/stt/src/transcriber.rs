//! Per-channel transcription of a decoded recording, labelled and merged in time order.

use crate::engine::{ChannelRequest, ChannelTranscript, Siblings, SpeechEngine, SttError};
use scorejar_core::model::Segment;
use scorejar_core::payload::transcript::derive_text;
use scorejar_media::DecodedAudio;
use std::sync::Arc;

/// What the upload (or configuration) says about the recording.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hints {
    /// Lower-case language hint (`en`, `es`).
    pub language: Option<String>,
    /// Which channel is the agent's (default 0).
    pub agent_channel: i64,
}

/// A finished transcript, ready to store (source ENGINE).
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    pub segments: Vec<Segment>,
    /// The plain-text view, derived from the segments as for provided transcripts.
    pub text: String,
    pub language: Option<String>,
    pub engine: String,
    pub model: String,
}

/// Runs a [`SpeechEngine`] over every channel of a recording.
#[derive(Clone)]
pub struct Transcriber {
    engine: Arc<dyn SpeechEngine>,
}

impl Transcriber {
    pub fn new(engine: Arc<dyn SpeechEngine>) -> Self {
        Self { engine }
    }

    pub fn engine(&self) -> &dyn SpeechEngine {
        self.engine.as_ref()
    }

    /// Transcribes `audio`. Two or more channels: each on its own, concurrently, segments
    /// labelled `Agent` (the agent channel) or `Customer` and merged by start time. One
    /// channel: unlabelled segments.
    pub async fn transcribe(
        &self,
        audio: &DecodedAudio,
        hints: &Hints,
    ) -> Result<Transcript, SttError> {
        let language = hints.language.as_deref();
        self.engine.check_language(language)?;
        if audio.channels.is_empty() {
            return Err(SttError::Permanent(
                "the recording has no audio channel".into(),
            ));
        }
        let siblings = Siblings::new(audio.channels.len());
        let results = futures::future::try_join_all(audio.channels.iter().map(|channel| {
            self.engine.transcribe_channel(ChannelRequest {
                audio: channel,
                language,
                siblings: siblings.clone(),
            })
        }))
        .await?;
        let detected = results.iter().find_map(|r| r.language.clone());
        let segments = if results.len() == 1 {
            results.into_iter().next().unwrap_or_default().segments
        } else {
            label_and_merge(results, hints.agent_channel)
        };
        let agent = (audio.channels.len() > 1).then_some(hints.agent_channel);
        Ok(Transcript {
            text: derive_text(&segments, agent),
            segments,
            language: hints.language.clone().or(detected),
            engine: self.engine.engine().to_string(),
            model: self.engine.model().to_string(),
        })
    }
}

/// Sets `channel` and `speaker` on every segment of every channel and merges them by start
/// time (ties: lower channel first). Pure.
pub(crate) fn label_and_merge(
    channels: Vec<ChannelTranscript>,
    agent_channel: i64,
) -> Vec<Segment> {
    let mut merged: Vec<Segment> = channels
        .into_iter()
        .enumerate()
        .flat_map(|(index, result)| {
            let channel = index as i64;
            let speaker = if channel == agent_channel {
                "Agent"
            } else {
                "Customer"
            };
            result.segments.into_iter().map(move |mut s| {
                s.channel = Some(channel);
                s.speaker = Some(speaker.to_string());
                s
            })
        })
        .collect();
    merged.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.channel.cmp(&b.channel)));
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(start: f64, text: &str) -> Segment {
        Segment {
            start,
            end: start + 1.0,
            text: text.into(),
            channel: None,
            speaker: None,
            words: None,
        }
    }

    fn channel(segments: Vec<Segment>) -> ChannelTranscript {
        ChannelTranscript {
            segments,
            language: None,
        }
    }

    #[test]
    fn labels_by_agent_channel_and_merges_in_time_order() {
        let cases = [
            (0, ["Agent", "Customer", "Agent", "Customer"]),
            (1, ["Customer", "Agent", "Customer", "Agent"]),
        ];
        for (agent, want) in cases {
            let merged = label_and_merge(
                vec![
                    channel(vec![seg(0.0, "hello"), seg(5.0, "sure")]),
                    channel(vec![seg(2.5, "hi"), seg(5.0, "thanks")]),
                ],
                agent,
            );
            let texts: Vec<_> = merged.iter().map(|s| s.text.as_str()).collect();
            assert_eq!(texts, ["hello", "hi", "sure", "thanks"], "agent {agent}");
            let speakers: Vec<_> = merged
                .iter()
                .map(|s| s.speaker.as_deref().unwrap())
                .collect();
            assert_eq!(speakers, want, "agent {agent}");
            let channels: Vec<_> = merged.iter().map(|s| s.channel.unwrap()).collect();
            assert_eq!(channels, [0, 1, 0, 1]);
        }
    }
}
