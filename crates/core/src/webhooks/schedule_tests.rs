use super::*;

const SECOND: Duration = Duration::from_secs(1);

#[test]
fn every_default_step_stays_within_the_jitter_bounds() {
    for (i, step) in DEFAULT_SCHEDULE_SECS.iter().enumerate() {
        let attempt = i + 1;
        let step = Duration::from_secs(*step);
        let low = step.mul_f64(1.0 - JITTER);
        let high = step.mul_f64(1.0 + JITTER);
        for jitter in [0.0, 0.5, 0.999] {
            let got = delay_before(&DEFAULT_SCHEDULE_SECS, attempt, jitter).unwrap();
            assert!(
                low <= got && got <= high,
                "attempt {attempt} at jitter {jitter}: {got:?} not in [{low:?}, {high:?}]"
            );
        }
        // The ends of the range map onto the ends of the factor, the middle onto the step.
        assert_eq!(
            delay_before(&DEFAULT_SCHEDULE_SECS, attempt, 0.0),
            Some(low)
        );
        assert_eq!(
            delay_before(&DEFAULT_SCHEDULE_SECS, attempt, 0.5),
            Some(step)
        );
    }
}

#[test]
fn delay_before_table() {
    let s = &DEFAULT_SCHEDULE_SECS;
    // (schedule, attempt, jitter, expected)
    let cases: [(&[u64], usize, f64, Option<Duration>); 14] = [
        (s, 0, 0.5, None),
        (s, 1, 0.0, Some(Duration::ZERO)),
        (s, 1, 0.999, Some(Duration::ZERO)),
        (s, 2, 0.0, Some(Duration::from_secs(4))),
        (s, 2, 0.5, Some(Duration::from_secs(5))),
        (s, 2, 0.999, Some(Duration::from_millis(5998))),
        (s, 3, 0.25, Some(Duration::from_secs(270))),
        (s, 8, 0.5, Some(Duration::from_secs(36_000))),
        (s, 9, 0.5, None),
        (s, usize::MAX, 0.5, None),
        // Out-of-range jitter is clamped; NaN gives no jitter at all.
        (s, 2, -3.0, Some(Duration::from_secs(4))),
        (s, 2, 7.0, Some(Duration::from_secs(6))),
        (s, 2, f64::NAN, Some(Duration::from_secs(5))),
        (&[], 1, 0.5, None),
    ];
    for (schedule, attempt, jitter, expected) in cases {
        assert_eq!(
            delay_before(schedule, attempt, jitter),
            expected,
            "attempt {attempt} at jitter {jitter} of {schedule:?}"
        );
    }
}

#[test]
fn an_absurd_step_saturates_instead_of_panicking() {
    let got = delay_before(&[u64::MAX], 1, 0.999).unwrap();
    assert!(got >= Duration::from_secs(u64::MAX / 1000 - 1), "{got:?}");
}

#[test]
fn with_retry_after_table() {
    let cap = Duration::from_secs(3600);
    // (own, asked, expected)
    let cases = [
        (5 * SECOND, None, 5 * SECOND),
        (5 * SECOND, Some(60 * SECOND), 60 * SECOND),
        (300 * SECOND, Some(60 * SECOND), 300 * SECOND),
        (5 * SECOND, Some(Duration::ZERO), 5 * SECOND),
        (5 * SECOND, Some(cap), cap),
        (5 * SECOND, Some(86_400 * SECOND), cap),
        // The cap limits the receiver's wish, never our own schedule.
        (36_000 * SECOND, Some(86_400 * SECOND), 36_000 * SECOND),
        (Duration::ZERO, Some(Duration::MAX), cap),
    ];
    for (own, asked, expected) in cases {
        assert_eq!(
            with_retry_after(own, asked, cap),
            expected,
            "own {own:?}, asked {asked:?}"
        );
    }
}

#[test]
fn check_schedule_table() {
    let week = 7 * 24 * 3600;
    // (schedule, error contains; None: accepted)
    let cases: [(Vec<u64>, Option<&str>); 8] = [
        (DEFAULT_SCHEDULE_SECS.to_vec(), None),
        (vec![0], None),
        (vec![week; 50], None),
        (vec![], Some("empty")),
        (vec![0; 51], Some("51 steps; at most 50")),
        (
            vec![0, week + 1],
            Some("step 2 of the webhook retry schedule waits 604801 s"),
        ),
        (vec![u64::MAX], Some("step 1")),
        (vec![0, 5, week, week + 1, week + 2], Some("step 4")),
    ];
    for (schedule, error) in cases {
        match (check_schedule(&schedule), error) {
            (Ok(()), None) => {}
            (Err(got), Some(want)) => assert!(got.contains(want), "{schedule:?}: {got}"),
            (got, want) => panic!("{schedule:?}: got {got:?}, wanted an error with {want:?}"),
        }
    }
}
