//! How to cut a recording's channels into windows so that its CPU threads finish together.
//! Pure.
//!
//! A two-channel call is transcribed one thread per channel, but the two sides rarely say as
//! much: on the delivery-call fixture the agent speaks 40 s and the customer 24 s, so the
//! customer's core sat idle for the last third of the call. Windows are independent (each is
//! its own whisper call), so the recording's windows from every channel can share the cores:
//! cut the shorter side into two windows and the agent's second window starts on the core the
//! customer no longer needs.
//!
//! Each channel offers a few ways to pack its speech (the greedy packing, and even packings
//! into more windows); [`choose`] simulates how the windows of each combination would run —
//! longest first, one thread each while others wait, the last one on every free thread — and
//! keeps the combination that ends soonest. Fewer, longer windows give whisper more context,
//! so more windows are only taken for a clear gain.

/// Samples per second of the lengths given to [`choose`].
const SAMPLE_RATE: f64 = 16_000.0;

/// What one window costs beyond its audio, in seconds of audio: the encoder's padding after
/// the speech (1.28 s), and the per-call set-up (a whisper state, the prompt).
const WINDOW_OVERHEAD_SECS: f64 = 1.5;

/// How much faster a window runs on each thread beyond its first (whisper.cpp on two threads
/// measured 1.87× one thread here).
const EXTRA_THREAD_GAIN: f64 = 0.87;

/// A plan with more windows must end at least this much sooner than one with fewer.
const MIN_GAIN: f64 = 0.05;

/// For each channel, the index of the packing to use. `options[channel][i]` lists the window
/// lengths (samples) of that channel's `i`-th packing, option 0 being the default one.
/// `threads`: the threads the recording may use at once.
pub fn choose(options: &[Vec<Vec<u64>>], threads: usize) -> Vec<usize> {
    let mut best: Option<(f64, usize, Vec<usize>)> = None;
    let combinations: usize = options.iter().map(|o| o.len().max(1)).product();
    if combinations > MAX_COMBINATIONS {
        return vec![0; options.len()];
    }
    for n in 0..combinations {
        let mut pick = Vec::with_capacity(options.len());
        let mut rest = n;
        for channel in options {
            let count = channel.len().max(1);
            pick.push(rest % count);
            rest /= count;
        }
        let windows: Vec<u64> = options
            .iter()
            .zip(&pick)
            .flat_map(|(channel, &i)| channel.get(i).into_iter().flatten().copied())
            .collect();
        let time = makespan(&windows, threads);
        let count = windows.len();
        let better = match &best {
            None => true,
            // Fewer windows unless more end clearly sooner; among equals, sooner.
            Some((best_time, best_count, _)) => {
                if count > *best_count {
                    time < best_time * (1.0 - MIN_GAIN)
                } else if count < *best_count {
                    time <= best_time * (1.0 + MIN_GAIN)
                } else {
                    time < *best_time
                }
            }
        };
        if better {
            best = Some((time, count, pick));
        }
    }
    best.map_or_else(|| vec![0; options.len()], |(_, _, pick)| pick)
}

/// Combinations beyond this are not searched (a recording of many channels keeps its
/// default packings).
const MAX_COMBINATIONS: usize = 4096;

/// When the last of `windows` (lengths in samples) would end, in seconds of one thread's
/// work, run as the engine runs them: longest first; each on one thread while others wait;
/// the last to start on every thread free then.
fn makespan(windows: &[u64], threads: usize) -> f64 {
    let threads = threads.max(1);
    let mut sorted: Vec<u64> = windows.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    // (end time, threads held) of the running windows.
    let mut running: Vec<(f64, usize)> = Vec::new();
    let mut free = threads;
    let mut now = 0.0f64;
    let mut end = 0.0f64;
    for (i, &len) in sorted.iter().enumerate() {
        while free == 0 {
            let (at, index) = running
                .iter()
                .enumerate()
                .map(|(index, &(at, _))| (at, index))
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .expect("threads are held by running windows");
            let (_, held) = running.swap_remove(index);
            now = now.max(at);
            free += held;
        }
        let last = i + 1 == sorted.len();
        let take = if last { free } else { 1 };
        free -= take;
        let work = len as f64 / SAMPLE_RATE + WINDOW_OVERHEAD_SECS;
        let finish = now + work / (1.0 + EXTRA_THREAD_GAIN * (take - 1) as f64);
        end = end.max(finish);
        running.push((finish, take));
    }
    end
}

#[cfg(test)]
mod tests {
    use super::{choose, makespan};

    fn secs(values: &[f64]) -> Vec<u64> {
        values.iter().map(|s| (s * 16_000.0) as u64).collect()
    }

    #[test]
    fn makespan_runs_longest_first_and_gives_the_last_window_every_free_thread() {
        // (windows in seconds, threads, seconds of work until the last ends)
        let cases: &[(&[f64], usize, f64)] = &[
            (&[], 2, 0.0),
            (&[28.5], 1, 30.0),
            (&[28.5], 2, 30.0 / 1.87),
            (&[18.5, 18.5], 2, 20.0),
            // 26.5 on one thread; 18.5 on the other, then 8.5 there.
            (&[8.5, 26.5, 18.5], 2, 30.0),
            (&[8.5, 8.5, 8.5], 1, 30.0),
        ];
        for &(windows, threads, want) in cases {
            let got = makespan(&secs(windows), threads);
            assert!((got - want).abs() < 1e-3, "{windows:?} on {threads}: {got}");
        }
    }

    #[test]
    fn chooses_more_windows_only_where_the_cores_would_otherwise_idle() {
        // (each channel's options in seconds, threads, expected choice)
        // Per channel, its packing options; per option, its windows in seconds.
        type Offers = Vec<Vec<Vec<f64>>>;
        let cases: Vec<(Offers, usize, Vec<usize>)> = vec![
            // A mono clip: two halves on two threads are no sooner than the whole on both.
            (vec![vec![vec![29.0], vec![14.5, 14.5]]], 2, vec![0]),
            // The delivery call: the agent has 42 s, the customer 26 s. Splitting the
            // customer lets the agent's second window start on the customer's core.
            (
                vec![
                    vec![vec![22.5, 19.9], vec![14.1, 14.1, 14.1]],
                    vec![vec![26.3], vec![13.2, 13.1]],
                ],
                2,
                vec![0, 1],
            ),
            // Two even sides: nothing to gain.
            (
                vec![
                    vec![vec![25.0], vec![12.5, 12.5]],
                    vec![vec![25.0], vec![12.5, 12.5]],
                ],
                2,
                vec![0, 0],
            ),
            // One thread: splitting never helps.
            (
                vec![vec![vec![22.5, 19.9]], vec![vec![26.3], vec![13.2, 13.1]]],
                1,
                vec![0, 0],
            ),
            // A channel with no speech.
            (vec![vec![vec![]], vec![vec![20.0]]], 2, vec![0, 0]),
        ];
        for (options, threads, want) in cases {
            let options: Vec<Vec<Vec<u64>>> = options
                .iter()
                .map(|channel| channel.iter().map(|o| secs(o)).collect())
                .collect();
            assert_eq!(choose(&options, threads), want, "{options:?}");
        }
    }
}
