//! Finding holes in a track's packet timestamps: where a damaged packet was dropped (by the
//! demuxer, e.g. a FLAC frame failing its CRC, or by the decoder), the next packet starts
//! later than the previous one ended. The decoder fills such a hole with silence so that
//! later speech keeps its time — and both channels of a call stay on the recording's clock.
//!
//! Rules: only a hole of at least half a packet counts (timestamps in coarse units, e.g.
//! Matroska's milliseconds, jitter by a tick); a jump of more than [`MAX_HOLE_SECS`] is a
//! timestamp discontinuity, not lost audio, and is left alone; nothing is inferred before the
//! first packet or after a packet without a duration.

use symphonia::core::units::TimeBase;

/// Longest hole filled with silence, in seconds.
pub(crate) const MAX_HOLE_SECS: u64 = 10;

/// The end of the last packet seen, in the track's time base.
#[derive(Debug, Default)]
pub(crate) struct Timeline {
    /// (where the next packet should start, the last packet's duration)
    expected: Option<(u64, u64)>,
}

impl Timeline {
    /// Records a decoded packet at `ts` lasting `dur`; returns the hole before it, in
    /// time-base ticks, when there is one worth filling.
    pub(crate) fn hole_before(&mut self, ts: u64, dur: u64) -> Option<u64> {
        let hole = match self.expected {
            Some((next, last_dur)) if ts > next && (ts - next) * 2 >= last_dur => Some(ts - next),
            _ => None,
        };
        self.expected = (dur > 0).then(|| (ts.saturating_add(dur), dur));
        hole
    }
}

/// `ticks` of `time_base` in frames at `rate`; `None` when unknown or longer than
/// [`MAX_HOLE_SECS`].
pub(crate) fn hole_frames(ticks: u64, time_base: Option<TimeBase>, rate: u32) -> Option<u64> {
    let time = time_base?.calc_time(ticks);
    if time.seconds >= MAX_HOLE_SECS {
        return None;
    }
    Some(((time.seconds as f64 + time.frac) * rate as f64).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_in_packet_timestamps() {
        // (packets as (ts, dur), the holes expected before each)
        type Packets = &'static [(u64, u64)];
        type Holes = &'static [Option<u64>];
        let cases: [(&str, Packets, Holes); 6] = [
            (
                "contiguous",
                &[(0, 1152), (1152, 1152), (2304, 1152)],
                &[None, None, None],
            ),
            (
                "one packet lost",
                &[(0, 1152), (1152, 1152), (3456, 1152)],
                &[None, None, Some(1152)],
            ),
            ("a tick of jitter", &[(0, 23), (24, 23)], &[None, None]),
            ("overlap", &[(0, 100), (90, 100)], &[None, None]),
            (
                "no duration, no guess",
                &[(0, 0), (5000, 10)],
                &[None, None],
            ),
            (
                "first packet late",
                &[(48_000, 960), (48_960, 960)],
                &[None, None],
            ),
        ];
        for (name, packets, holes) in cases {
            let mut timeline = Timeline::default();
            let got: Vec<Option<u64>> = packets
                .iter()
                .map(|(ts, dur)| timeline.hole_before(*ts, *dur))
                .collect();
            assert_eq!(got, holes.to_vec(), "{name}");
        }
    }

    #[test]
    fn hole_lengths_in_frames() {
        let per_sample = Some(TimeBase::new(1, 44_100));
        let millis = Some(TimeBase::new(1, 1000));
        assert_eq!(hole_frames(1152, per_sample, 44_100), Some(1152));
        assert_eq!(hole_frames(1152, per_sample, 22_050), Some(576));
        assert_eq!(hole_frames(20, millis, 48_000), Some(960));
        assert_eq!(hole_frames(10_000, millis, 48_000), None, "10 s is a jump");
        assert_eq!(hole_frames(100, None, 48_000), None);
    }
}
