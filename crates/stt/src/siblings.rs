//! The channels of one recording, and the CPU threads their windows share.
//!
//! A CPU engine transcribes each channel window by window, several windows at once. The
//! channels first agree on how to cut their speech into windows ([`Siblings::plan`], see
//! [`crate::plan`]); then every window of every channel draws its threads from one budget
//! (the engine's `threads`), longest window first: one thread while other windows wait, every
//! free thread for the last. So the cores stay busy to the end whatever the recording's shape
//! — when one side of a call has less to say, the other side's windows take its core.
//!
//! Blocking (std `Mutex` and `Condvar`): the engine runs on its own threads, off the runtime.

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long a channel waits for the recording's other channels to offer their packings. They
/// offer within milliseconds of each other (VAD over a decoded file); this only bounds a wait
/// for a channel whose task never ran.
const PLAN_PATIENCE: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub struct Siblings {
    channels: usize,
    /// How long [`Siblings::plan`] waits for the other channels.
    patience: Duration,
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    /// Each channel's packing options, in the order the channels asked.
    options: Vec<Vec<Vec<u64>>>,
    /// The chosen option of each channel, once every channel has asked.
    chosen: Option<Vec<usize>>,
    /// Lengths (samples) of the windows planned and not yet started, with their counts.
    waiting: BTreeMap<u64, usize>,
    /// Threads held by running windows.
    busy: usize,
    /// Threads the recording may use at once (the engine's, given with the offers).
    capacity: usize,
}

impl Siblings {
    /// A recording of `channels` channels.
    pub fn new(channels: usize) -> std::sync::Arc<Self> {
        std::sync::Arc::new(Self {
            channels: channels.max(1),
            patience: PLAN_PATIENCE,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        })
    }

    /// A channel transcribed on its own.
    pub fn alone() -> std::sync::Arc<Self> {
        Self::new(1)
    }

    /// Offers one channel's ways to pack its speech (window lengths in samples, the default
    /// first) and returns the one to use, chosen for the whole recording once every channel
    /// has offered its own ([`crate::plan::choose`], for `threads` threads). Blocks until
    /// then. Every channel must call this (or [`Siblings::withdraw`]) once, before its first
    /// [`Siblings::take`]; `threads` is the recording's budget for [`Siblings::take`].
    pub fn plan(&self, options: Vec<Vec<u64>>, threads: usize) -> usize {
        let (me, mut state) = self.offer(options, threads);
        let deadline = Instant::now() + self.patience;
        loop {
            if let Some(chosen) = &state.chosen {
                // A channel that offered after the plan was made keeps its default packing.
                return chosen.get(me).copied().unwrap_or(0);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                // A channel that never offers (its task was dropped unpolled) must not hold
                // the others forever: plan with the offers there are.
                self.decide(&mut state, threads);
                continue;
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// A channel that fails before it can plan: the others stop waiting for it (does not
    /// block).
    pub fn withdraw(&self, threads: usize) {
        let _ = self.offer(vec![Vec::new()], threads);
    }

    /// Records a channel's options; the last channel to offer makes the plan.
    fn offer(&self, options: Vec<Vec<u64>>, threads: usize) -> (usize, MutexGuard<'_, State>) {
        let mut state = self.lock();
        let me = state.options.len();
        state.options.push(options);
        state.capacity = state.capacity.max(threads);
        if state.options.len() >= self.channels {
            self.decide(&mut state, threads);
        }
        (me, state)
    }

    /// Chooses every offering channel's packing (once) and queues the planned windows.
    fn decide(&self, state: &mut State, threads: usize) {
        if state.chosen.is_some() {
            return;
        }
        let chosen = crate::plan::choose(&state.options, threads);
        let planned: Vec<u64> = state
            .options
            .iter()
            .zip(&chosen)
            .flat_map(|(channel, &i)| channel.get(i).cloned().unwrap_or_default())
            .collect();
        for len in planned {
            *state.waiting.entry(len).or_default() += 1;
        }
        state.chosen = Some(chosen);
        self.changed.notify_all();
    }

    /// Threads for one planned window of `len` samples, out of the recording's budget: blocks
    /// until a thread is free and no longer window waits; takes one while other windows wait,
    /// else every free thread. Give them back with [`Siblings::give_back`].
    pub fn take(&self, len: u64) -> usize {
        let mut state = self.lock();
        let capacity = state.capacity.max(1);
        loop {
            let longest = state.waiting.keys().next_back().copied().unwrap_or(0);
            if state.busy < capacity && len >= longest {
                break;
            }
            state = self.wait(state);
        }
        remove_one(&mut state.waiting, len);
        let free = capacity - state.busy;
        let threads = if state.waiting.is_empty() { free } else { 1 };
        state.busy += threads;
        drop(state);
        // The next-longest window may be waiting for this one to start.
        self.changed.notify_all();
        threads
    }

    /// A window is done with its threads.
    pub fn give_back(&self, threads: usize) {
        let mut state = self.lock();
        state.busy = state.busy.saturating_sub(threads);
        drop(state);
        self.changed.notify_all();
    }

    /// Planned windows that will not run (their channel failed): nothing waits for them.
    pub fn cancel(&self, len: u64) {
        let mut state = self.lock();
        remove_one(&mut state.waiting, len);
        drop(state);
        self.changed.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is plain counters and lists: a panic elsewhere leaves it usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed
            .wait(guard)
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn remove_one(waiting: &mut BTreeMap<u64, usize>, len: u64) {
    if let Some(count) = waiting.get_mut(&len) {
        *count -= 1;
        if *count == 0 {
            waiting.remove(&len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Siblings;
    use std::sync::Arc;
    use std::time::Duration;

    const S: u64 = 16_000;

    #[test]
    fn windows_take_one_thread_while_others_wait_and_the_last_takes_the_rest() {
        // (windows planned, capacity, threads taken by successive windows, longest first,
        // each keeping its threads)
        let cases: &[(&[u64], usize, &[usize])] = &[
            (&[20], 2, &[2]),
            (&[20, 10], 2, &[1, 1]),
            (&[20, 10, 5], 4, &[1, 1, 2]),
            (&[20], 1, &[1]),
        ];
        for &(windows, capacity, want) in cases {
            let siblings = Siblings::alone();
            let lens: Vec<u64> = windows.iter().map(|s| s * S).collect();
            assert_eq!(siblings.plan(vec![lens.clone()], capacity), 0);
            let taken: Vec<usize> = lens.iter().map(|&len| siblings.take(len)).collect();
            assert_eq!(taken, want, "{windows:?} on {capacity}");
        }
    }

    #[test]
    fn the_plan_waits_for_every_channel_and_splits_the_shorter_side() {
        // The delivery call's shape: the agent's greedy packing, the customer's one window or
        // two.
        let siblings = Siblings::new(2);
        let customer = {
            let siblings = Arc::clone(&siblings);
            std::thread::spawn(move || siblings.plan(vec![vec![26 * S], vec![13 * S, 13 * S]], 2))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!customer.is_finished(), "planned before the agent offered");
        let agent = siblings.plan(vec![vec![22 * S, 20 * S]], 2);
        assert_eq!((agent, customer.join().unwrap()), (0, 1));
    }

    #[test]
    fn a_channel_that_never_offers_does_not_hold_the_plan_forever() {
        let siblings = Arc::new(Siblings {
            patience: Duration::from_millis(100),
            ..Arc::into_inner(Siblings::new(2)).unwrap()
        });
        let started = std::time::Instant::now();
        let halves = vec![25 * S / 2, 25 * S / 2];
        assert_eq!(siblings.plan(vec![vec![20 * S, 5 * S], halves], 2), 1);
        assert!(started.elapsed() >= Duration::from_millis(100));
        // The late channel keeps its default packing, and its window still gets a thread.
        assert_eq!(
            siblings.plan(vec![vec![30 * S], vec![15 * S, 15 * S]], 2),
            0
        );
        assert_eq!(siblings.take(25 * S / 2), 1);
        assert_eq!(siblings.take(30 * S), 1);
    }

    #[test]
    fn a_shorter_window_waits_for_the_longer_ones_to_start() {
        let siblings = Siblings::alone();
        siblings.plan(vec![vec![10 * S, 20 * S, 30 * S]], 1);
        let short = {
            let siblings = Arc::clone(&siblings);
            std::thread::spawn(move || siblings.take(10 * S))
        };
        assert_eq!(siblings.take(30 * S), 1);
        siblings.give_back(1);
        std::thread::sleep(Duration::from_millis(50));
        assert!(!short.is_finished(), "started before the 20 s window");
        assert_eq!(siblings.take(20 * S), 1);
        siblings.give_back(1);
        assert_eq!(short.join().unwrap(), 1);
    }

    #[test]
    fn a_shorter_window_starts_as_soon_as_the_longer_one_has() {
        let siblings = Siblings::new(2);
        siblings.withdraw(2);
        siblings.plan(vec![vec![20 * S, 10 * S]], 2);
        let short = {
            let siblings = Arc::clone(&siblings);
            std::thread::spawn(move || siblings.take(10 * S))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(siblings.take(20 * S), 1);
        // No thread was given back: the shorter window runs beside the longer one.
        assert_eq!(short.join().unwrap(), 1);
    }

    #[test]
    fn a_cancelled_window_no_longer_holds_threads_back() {
        let siblings = Siblings::alone();
        siblings.plan(vec![vec![30 * S, 10 * S]], 2);
        siblings.cancel(30 * S);
        assert_eq!(siblings.take(10 * S), 2);
    }

    #[test]
    fn a_window_waits_for_a_free_thread() {
        let siblings = Siblings::alone();
        siblings.plan(vec![vec![10 * S, 10 * S]], 1);
        assert_eq!(siblings.take(10 * S), 1);
        let waiter = {
            let siblings = Arc::clone(&siblings);
            std::thread::spawn(move || siblings.take(10 * S))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished(), "took a thread that was busy");
        siblings.give_back(1);
        assert_eq!(waiter.join().unwrap(), 1);
    }
}
