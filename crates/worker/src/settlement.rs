//! Settling the credits reserved at upload once the real media duration is known. Pure.
//!
//! An upload is charged when it is accepted: a `downloadUrl` for its declared `duration` (or
//! one minute), a file for the larger of its declared and probed durations. Twice the real
//! length becomes known — `FetchMedia` probes the download, `Transcribe` decodes the media —
//! and each time the real price is computed with the same rules; the difference is charged
//! (more work than reserved) or refunded (less). Every movement is a ledger row. The decoded
//! length is the last word: it is what the engine was given.

use scorejar_core::model::{EvaluationStatus, InteractionRecord, StepStatus};
use scorejar_core::pricing::{price, PriceInput, Rates};
use scorejar_store::queue::CreditChange;

/// What the interaction still needs once its media is known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Work {
    pub transcription: bool,
    pub evaluations: usize,
}

impl Work {
    /// What `interaction` still has to have done: its transcript, while PENDING or
    /// PROCESSING, and its QUEUED evaluations.
    pub fn remaining(interaction: &InteractionRecord) -> Work {
        Work {
            transcription: interaction.transcript.as_ref().is_some_and(|t| {
                t.status == StepStatus::Pending || t.status == StepStatus::Processing
            }),
            evaluations: interaction
                .evaluations
                .iter()
                .filter(|e| e.status == EvaluationStatus::Queued)
                .count(),
        }
    }
}

/// The real price of `work` for media of `duration_ms`.
pub fn real_cost(work: Work, duration_ms: Option<i64>, rates: &Rates) -> i64 {
    let one = |transcription: bool, evaluation: bool| {
        price(
            &PriceInput {
                needs_transcription: transcription,
                evaluation,
                media_duration_ms: duration_ms,
                transcript_text: None,
            },
            rates,
        )
    };
    let mut total = 0i64;
    if work.transcription {
        total = total.saturating_add(one(true, false).total);
    }
    let per_eval = one(false, true).total;
    total.saturating_add(per_eval.saturating_mul(work.evaluations as i64))
}

/// The credit movement that turns `reserved` into `real` (none when they are equal).
pub fn settle(reserved: i64, real: i64) -> Option<CreditChange> {
    match real - reserved {
        0 => None,
        extra if extra > 0 => Some(CreditChange {
            amount: -extra,
            reason: format!(
                "settlement: media longer than reserved ({real} vs {reserved} credits)"
            ),
        }),
        less => Some(CreditChange {
            amount: -less,
            reason: format!(
                "settlement: refund of unused reservation ({real} vs {reserved} credits)"
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settles_both_ways() {
        let rates = Rates::default();
        let t = Work {
            transcription: true,
            evaluations: 0,
        };
        let te = Work {
            transcription: true,
            evaluations: 1,
        };
        let cases = [
            (t, Some(30_000), 1),
            (t, Some(60_001), 2),
            (t, None, 1),
            (te, Some(125_000), 6),
            (
                Work {
                    transcription: false,
                    evaluations: 2,
                },
                Some(61_000),
                4,
            ),
            (
                Work {
                    transcription: false,
                    evaluations: 0,
                },
                Some(61_000),
                0,
            ),
        ];
        for (work, duration, want) in cases {
            assert_eq!(
                real_cost(work, duration, &rates),
                want,
                "{work:?} {duration:?}"
            );
        }
        assert_eq!(settle(2, 2), None);
        assert_eq!(settle(1, 3).map(|c| c.amount), Some(-2));
        assert_eq!(settle(5, 2).map(|c| c.amount), Some(3));
    }
}
