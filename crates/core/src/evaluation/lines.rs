//! A transcript as numbered lines — what the rules engine matches and what evidence points
//! at. Segments become one line each, with their times and speaker; a transcript with text
//! only becomes one line per non-empty line of text, without times, its `Agent:` / `Customer:`
//! prefixes read as speakers.
//!
//! Who speaks, in order: a segment's `speaker` when it names `agent` or `customer` (any
//! case); else its `channel` against the transcript's `agentChannel` (the agent's channel is
//! the agent, any other channel the customer); else unknown.

use serde::{Deserialize, Serialize};

use crate::model::{Direction, InteractionRecord, Segment};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Speaker {
    Agent,
    Customer,
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// 1-based, in transcript order.
    pub number: usize,
    /// Seconds from the start; `None` for text without times.
    pub start: Option<f64>,
    pub end: Option<f64>,
    pub speaker: Speaker,
    pub text: String,
}

/// The lines of a transcript: its segments when it has any, else its text.
pub fn transcript_lines(text: &str, segments: &[Segment], agent_channel: Option<i64>) -> Vec<Line> {
    if segments.is_empty() {
        return text_lines(text);
    }
    segments
        .iter()
        .enumerate()
        .map(|(i, s)| Line {
            number: i + 1,
            start: Some(s.start),
            end: Some(s.end.max(s.start)),
            speaker: segment_speaker(s, agent_channel),
            text: s.text.trim().to_owned(),
        })
        .collect()
}

/// The lines an evaluation reads for `interaction`: its transcript (segments, else text);
/// for an e-mail without one, the headers (`From:`, `To:`, `Subject:`) and then the body, each
/// line said by the agent when the e-mail is OUTBOUND and by the customer when INBOUND.
pub fn interaction_lines(interaction: &InteractionRecord) -> Vec<Line> {
    if let Some(t) = &interaction.transcript {
        let lines = transcript_lines(
            t.text.as_deref().unwrap_or(""),
            &t.segments,
            t.agent_channel,
        );
        if !lines.is_empty() {
            return lines;
        }
    }
    let Some(email) = &interaction.email else {
        return Vec::new();
    };
    let speaker = match interaction.direction {
        Direction::Outbound => Speaker::Agent,
        Direction::Inbound => Speaker::Customer,
    };
    let mut texts = vec![format!("From: {}", email.from)];
    if !email.to.is_empty() {
        texts.push(format!("To: {}", email.to.join(", ")));
    }
    if let Some(subject) = &email.subject {
        texts.push(format!("Subject: {subject}"));
    }
    texts.extend(
        email
            .body
            .as_deref()
            .unwrap_or("")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
    );
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| Line {
            number: i + 1,
            start: None,
            end: None,
            speaker,
            text,
        })
        .collect()
}

fn segment_speaker(segment: &Segment, agent_channel: Option<i64>) -> Speaker {
    match segment
        .speaker
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("agent") => return Speaker::Agent,
        Some("customer") => return Speaker::Customer,
        _ => {}
    }
    match (segment.channel, agent_channel) {
        (Some(channel), Some(agent)) if channel == agent => Speaker::Agent,
        (Some(_), Some(_)) => Speaker::Customer,
        _ => Speaker::Unknown,
    }
}

fn text_lines(text: &str) -> Vec<Line> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let (speaker, text) = split_speaker(line);
            Line {
                number: i + 1,
                start: None,
                end: None,
                speaker,
                text: text.to_owned(),
            }
        })
        .collect()
}

/// `Agent: hello` → (Agent, "hello"); a line without a known prefix keeps its text.
fn split_speaker(line: &str) -> (Speaker, &str) {
    if let Some((label, rest)) = line.split_once(':') {
        let speaker = match label.trim().to_ascii_lowercase().as_str() {
            "agent" => Some(Speaker::Agent),
            "customer" => Some(Speaker::Customer),
            _ => None,
        };
        if let Some(speaker) = speaker {
            return (speaker, rest.trim());
        }
    }
    (Speaker::Unknown, line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(
        start: f64,
        end: f64,
        text: &str,
        channel: Option<i64>,
        speaker: Option<&str>,
    ) -> Segment {
        Segment {
            start,
            end,
            text: text.into(),
            channel,
            speaker: speaker.map(Into::into),
            words: None,
        }
    }

    #[test]
    fn segments_become_lines_with_their_speaker() {
        let segments = [
            seg(0.0, 2.0, " Hello ", Some(0), None),
            seg(2.0, 3.0, "Hi", Some(1), None),
            seg(3.0, 4.0, "named", Some(1), Some("AGENT")),
            seg(4.0, 5.0, "other label", None, Some("Bob")),
        ];
        let lines = transcript_lines("ignored", &segments, Some(0));
        let got: Vec<_> = lines
            .iter()
            .map(|l| (l.number, l.start, l.speaker, l.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (1, Some(0.0), Speaker::Agent, "Hello"),
                (2, Some(2.0), Speaker::Customer, "Hi"),
                (3, Some(3.0), Speaker::Agent, "named"),
                (4, Some(4.0), Speaker::Unknown, "other label"),
            ]
        );
        // Without an agent channel, channels say nothing.
        assert_eq!(
            transcript_lines("", &segments[..1], None)[0].speaker,
            Speaker::Unknown
        );
    }

    #[test]
    fn text_lines_read_speaker_prefixes() {
        let lines = transcript_lines(
            "Agent: Thanks for calling\n\n customer : My order\nNote: x",
            &[],
            None,
        );
        let got: Vec<_> = lines
            .iter()
            .map(|l| (l.number, l.speaker, l.text.as_str(), l.start))
            .collect();
        assert_eq!(
            got,
            [
                (1, Speaker::Agent, "Thanks for calling", None),
                (2, Speaker::Customer, "My order", None),
                (3, Speaker::Unknown, "Note: x", None),
            ]
        );
    }
}
