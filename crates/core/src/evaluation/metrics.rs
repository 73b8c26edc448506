//! Figures measured on a transcript's lines, for rules such as "the agent talked less than 60 %
//! of the time". Each is `None` when the lines cannot tell it (text without times, nobody of
//! that side speaking); a rule that needs it then answers N/A rather than guess.
//!
//! Definitions (seconds; speech = the time between a timed line's start and end):
//! - `durationSeconds`: the end of the last line.
//! - `agentTalkRatio`: the agent's speech over the agent's and the customer's, 0..1.
//! - `longestSilenceSeconds`: the longest stretch between two stretches of speech in which
//!   nobody speaks (before the first and after the last line do not count: that is ringing
//!   and hanging up, not silence in the conversation).
//! - `interruptions`: lines that start while a line of the other side is still going.
//! - `agentWordsPerMinute`, `customerWordsPerMinute`: words over speech minutes of that side.
//! - `agentTurns`: runs of consecutive agent lines, lines of unknown speakers skipped (needs
//!   no times).

use super::lines::{Line, Speaker};

pub const METRICS: &[&str] = &[
    "durationSeconds",
    "agentTalkRatio",
    "longestSilenceSeconds",
    "interruptions",
    "agentWordsPerMinute",
    "customerWordsPerMinute",
    "agentTurns",
];

/// Measures `name` (one of [`METRICS`]) on `lines`; `None` when it cannot be told.
pub fn measure(name: &str, lines: &[Line]) -> Option<f64> {
    match name {
        "durationSeconds" => timed(lines).map(|(_, end, _)| end).reduce(f64::max),
        "agentTalkRatio" => {
            let agent = speech(lines, Speaker::Agent);
            let total = agent + speech(lines, Speaker::Customer);
            (total > 0.0).then(|| agent / total)
        }
        "longestSilenceSeconds" => longest_silence(lines),
        "interruptions" => interruptions(lines),
        "agentWordsPerMinute" => words_per_minute(lines, Speaker::Agent),
        "customerWordsPerMinute" => words_per_minute(lines, Speaker::Customer),
        "agentTurns" => Some(agent_turns(lines)),
        _ => None,
    }
}

fn timed(lines: &[Line]) -> impl Iterator<Item = (f64, f64, Speaker)> + '_ {
    lines
        .iter()
        .filter_map(|l| Some((l.start?, l.end?, l.speaker)))
}

fn speech(lines: &[Line], who: Speaker) -> f64 {
    timed(lines)
        .filter(|(_, _, s)| *s == who)
        .map(|(start, end, _)| end - start)
        .sum()
}

fn longest_silence(lines: &[Line]) -> Option<f64> {
    let mut spans: Vec<(f64, f64)> = timed(lines).map(|(s, e, _)| (s, e)).collect();
    if spans.is_empty() {
        return None;
    }
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut longest = 0.0f64;
    let mut speaking_until = spans[0].1;
    for (start, end) in spans.into_iter().skip(1) {
        longest = longest.max(start - speaking_until);
        speaking_until = speaking_until.max(end);
    }
    Some(longest)
}

fn interruptions(lines: &[Line]) -> Option<f64> {
    let spans: Vec<(f64, f64, Speaker)> = timed(lines)
        .filter(|(_, _, s)| *s != Speaker::Unknown)
        .collect();
    if spans.is_empty() {
        return None;
    }
    let count = spans
        .iter()
        .filter(|(start, _, who)| {
            spans
                .iter()
                .any(|(s, e, other)| other != who && s < start && start < e)
        })
        .count();
    Some(count as f64)
}

fn words_per_minute(lines: &[Line], who: Speaker) -> Option<f64> {
    let seconds = speech(lines, who);
    let words: usize = lines
        .iter()
        .filter(|l| l.speaker == who && l.start.is_some())
        .map(|l| l.text.split_whitespace().count())
        .sum();
    (seconds > 0.0).then(|| words as f64 / (seconds / 60.0))
}

fn agent_turns(lines: &[Line]) -> f64 {
    let mut turns = 0;
    let mut previous = None;
    for speaker in lines.iter().map(|l| l.speaker) {
        if speaker == Speaker::Unknown {
            continue;
        }
        if speaker == Speaker::Agent && previous != Some(Speaker::Agent) {
            turns += 1;
        }
        previous = Some(speaker);
    }
    turns as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: usize, start: f64, end: f64, speaker: Speaker, text: &str) -> Line {
        Line {
            number: n,
            start: Some(start),
            end: Some(end),
            speaker,
            text: text.into(),
        }
    }

    #[test]
    fn metrics_of_a_timed_call() {
        use Speaker::*;
        let call = [
            line(1, 1.0, 5.0, Agent, "thank you for calling acme"),
            line(2, 4.0, 7.0, Customer, "hi my order is late"),
            line(3, 12.0, 15.0, Agent, "sorry about that"),
            line(4, 15.0, 16.0, Agent, "let me check"),
            line(5, 15.5, 18.0, Customer, "thanks"),
            line(6, 18.0, 19.0, Unknown, "beep"),
            line(7, 20.0, 22.0, Agent, "bye"),
        ];
        let cases = [
            ("durationSeconds", Some(22.0)),
            // Agent 4 + 3 + 1 + 2 = 10 s, customer 3 + 2.5 = 5.5 s.
            ("agentTalkRatio", Some(10.0 / 15.5)),
            // 7 → 12: nobody speaks for 5 s; 19 → 20 only 1 s.
            ("longestSilenceSeconds", Some(5.0)),
            // Line 2 starts inside line 1, line 5 inside line 4.
            ("interruptions", Some(2.0)),
            // 5 + 3 + 3 + 1 = 12 words in 10 s.
            ("agentWordsPerMinute", Some(72.0)),
            // 5 + 1 = 6 words in 5.5 s.
            ("customerWordsPerMinute", Some(6.0 / (5.5 / 60.0))),
            // Agent runs: [1], [3, 4], [7] (the unknown line 6 does not split 5 and 7).
            ("agentTurns", Some(3.0)),
            ("noSuchMetric", None),
        ];
        for (name, expected) in cases {
            let got = measure(name, &call);
            match (got, expected) {
                (Some(g), Some(e)) => assert!((g - e).abs() < 1e-9, "{name}: {g} vs {e}"),
                _ => assert_eq!(got, expected, "{name}"),
            }
        }
    }

    #[test]
    fn untimed_text_measures_only_turns() {
        let chat: Vec<Line> = crate::evaluation::lines::transcript_lines(
            "Agent: hi\nCustomer: hello\nAgent: how can I help\nAgent: ?",
            &[],
            None,
        );
        for name in METRICS {
            let expected = (*name == "agentTurns").then_some(2.0);
            assert_eq!(measure(name, &chat), expected, "{name}");
        }
    }
}
