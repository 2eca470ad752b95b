//! Time: the [`Clock`] trait, the deterministic [`VirtualClock`] (the default) and,
//! behind the `tokio` feature, the real-time `TokioClock`.
//!
//! Every timer in an execution (Wait states, retry back-off, task timeouts and
//! heartbeats, the execution's own `TimeoutSeconds`) is a [`Clock::sleep`], and every
//! history timestamp is a [`Clock::now_millis`]. On a virtual clock, timers never wait
//! in real time: when the execution is idle (nothing can progress without a timer
//! firing) the executor asks the clock to jump to the earliest pending timer.

use futures::future::BoxFuture;
use std::collections::{BinaryHeap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

/// A source of time for an execution.
///
/// Implementations must be cheap to call: the executor reads the time for every
/// history event.
pub trait Clock: Send + Sync {
    /// The current time, in milliseconds since the Unix epoch.
    fn now_millis(&self) -> i64;

    /// A future that completes `millis` milliseconds from now.
    fn sleep(&self, millis: u64) -> BoxFuture<'static, ()>;

    /// A [`Timer`] that completes `millis` milliseconds from now: what
    /// [`Clock::sleep`] returns, for a clock that can make one without a box
    /// ([`VirtualClock`] does). The default wraps [`Clock::sleep`].
    fn timer(&self, millis: u64) -> Timer {
        Timer(TimerInner::Boxed(self.sleep(millis)))
    }

    /// `true` for a virtual clock: the executor then detects idleness and calls
    /// [`Clock::advance`] instead of waiting in real time. Real clocks keep the default.
    fn is_virtual(&self) -> bool {
        false
    }

    /// Jumps to the earliest pending timer and fires it (and every timer due at the
    /// same instant). Returns `false` when no timer is pending. Real clocks keep the
    /// default, which does nothing.
    fn advance(&self) -> bool {
        false
    }
}

/// A timer from [`Clock::timer`]: a future that completes when the timer fires.
/// Dropping it cancels the timer.
///
/// ```
/// use futures::FutureExt;
/// use statelang::exec::clock::Timer;
/// use statelang::exec::{Clock, VirtualClock};
/// let clock = VirtualClock::starting_at(0);
/// let mut timer: Timer = clock.timer(1_000);
/// assert!((&mut timer).now_or_never().is_none());
/// assert!(clock.advance());
/// assert!(timer.now_or_never().is_some());
/// ```
pub struct Timer(TimerInner);

enum TimerInner {
    /// Already due.
    Ready,
    /// A [`VirtualClock`] timer, held in place.
    Virtual(VirtualSleep),
    /// Any other clock's [`Clock::sleep`].
    Boxed(BoxFuture<'static, ()>),
}

impl Timer {
    /// A timer around any sleep future (what the default [`Clock::timer`] makes).
    pub fn boxed(sleep: BoxFuture<'static, ()>) -> Timer {
        Timer(TimerInner::Boxed(sleep))
    }
}

impl Future for Timer {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.0 {
            TimerInner::Ready => Poll::Ready(()),
            TimerInner::Virtual(v) => Pin::new(v).poll(cx),
            TimerInner::Boxed(b) => b.as_mut().poll(cx),
        }
    }
}

impl std::fmt::Debug for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Timer")
    }
}

/// Deterministic time: timers complete only when the executor finds the execution
/// idle, and then instantly, with the clock jumping to the timer's deadline.
///
/// A Wait of a year, a retry back-off or a task timeout therefore costs microseconds
/// of real time, fires in deadline order, and leaves correct timestamps in the history.
///
/// "Idle" means the execution made no progress for a few polls in a row (it yields
/// to the host executor in between, so other tasks, such as one completing a task
/// token, can run). A resolver that waits for something real (I/O, a real timer)
/// while a state's timer is pending may therefore see that timer fire early in
/// virtual time; such resolvers should sleep on the same clock (a clone of it) or
/// the execution should use a real clock.
///
/// ```
/// use statelang::exec::{Clock, VirtualClock};
/// let clock = VirtualClock::starting_at(1_000);
/// assert_eq!(clock.now_millis(), 1_000);
/// let _timer = clock.sleep(500);
/// assert!(clock.advance());
/// assert_eq!(clock.now_millis(), 1_500);
/// ```
#[derive(Clone)]
pub struct VirtualClock {
    inner: Arc<VirtualInner>,
}

struct VirtualInner {
    now: AtomicI64,
    timers: Mutex<Timers>,
}

/// The pending timers, earliest first, and the state of every live timer.
///
/// Most timers arrive in deadline order (an execution's retries and Waits mostly
/// share their durations, and time only moves forward): those queue up in `sorted`
/// at O(1) per push and pop; a timer that would fire before the last queued one
/// goes to `heap`. The next timer is the earlier of the two fronts.
///
/// A pending timer's state (its waker) lives in `slots`, not in an allocation of its
/// own: a [`VirtualSleep`] names its slot and its `seq`. The slot is freed when the
/// timer fires (by [`Clock::advance`], under the lock it holds anyway) or when a
/// timer that has not fired is dropped. A queue entry whose slot has since been
/// freed (or reused: its `seq` differs) is a dropped timer, skipped when it comes up.
///
/// A timer's deadline is later than the clock's time when it is created (both read
/// under the lock), and [`Clock::advance`] moves the time and fires every timer due
/// under one hold of the lock: so a timer whose deadline the clock has reached has
/// fired (or is firing), and its [`VirtualSleep`] sees that from the time alone,
/// without the lock.
#[derive(Default)]
struct Timers {
    seq: u64,
    sorted: VecDeque<Entry>,
    heap: BinaryHeap<Entry>,
    slots: Vec<Slot>,
    free: Vec<usize>,
}

/// One pending timer's state.
#[derive(Default)]
struct Slot {
    /// The `seq` of the pending timer using the slot; `None` when the slot is free.
    seq: Option<u64>,
    waker: Option<Waker>,
}

impl Timers {
    fn push(&mut self, e: Entry) {
        match self.sorted.back() {
            // Reversed order: greater is earlier.
            Some(last) if &e > last => self.heap.push(e),
            _ => self.sorted.push_back(e),
        }
    }

    /// Whether the next timer comes from `sorted` (`None`: no timer).
    fn front_is_sorted(&self) -> Option<bool> {
        match (self.sorted.front(), self.heap.peek()) {
            (None, None) => None,
            (Some(_), None) => Some(true),
            (None, Some(_)) => Some(false),
            (Some(a), Some(b)) => Some(a > b),
        }
    }

    fn peek(&self) -> Option<&Entry> {
        match self.front_is_sorted()? {
            true => self.sorted.front(),
            false => self.heap.peek(),
        }
    }

    fn pop(&mut self) -> Option<Entry> {
        match self.front_is_sorted()? {
            true => self.sorted.pop_front(),
            false => self.heap.pop(),
        }
    }

    /// A new timer: its slot and `seq`.
    fn create(&mut self) -> (usize, u64) {
        let seq = self.seq;
        self.seq += 1;
        let slot = match self.free.pop() {
            Some(i) => i,
            None => {
                self.slots.push(Slot::default());
                self.slots.len() - 1
            }
        };
        self.slots[slot].seq = Some(seq);
        (slot, seq)
    }

    /// Frees the slot of a timer that fired or was dropped: its waker, if any.
    fn free(&mut self, slot: usize) -> Option<Waker> {
        let s = self.slots.get_mut(slot)?;
        s.seq = None;
        let waker = s.waker.take();
        self.free.push(slot);
        waker
    }

    /// The slot of the live timer `(slot, seq)`.
    fn slot(&mut self, slot: usize, seq: u64) -> Option<&mut Slot> {
        self.slots.get_mut(slot).filter(|s| s.seq == Some(seq))
    }
}

/// A queued timer, ordered by deadline then creation order.
struct Entry {
    deadline: i64,
    seq: u64,
    slot: usize,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Entry) -> bool {
        self.deadline == other.deadline && self.seq == other.seq
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Entry) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest deadline first.
    fn cmp(&self, other: &Entry) -> std::cmp::Ordering {
        (other.deadline, other.seq).cmp(&(self.deadline, self.seq))
    }
}

/// The system's wall-clock time in milliseconds since the Unix epoch (0 if the
/// system clock is before the epoch): what a real-time [`Clock`] reports as
/// [`Clock::now_millis`].
pub fn wall_clock_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl VirtualClock {
    /// A virtual clock that starts at the current wall-clock time.
    pub fn new() -> VirtualClock {
        VirtualClock::starting_at(wall_clock_millis())
    }

    /// A virtual clock that starts at `millis` since the Unix epoch (for tests that
    /// assert timestamps).
    pub fn starting_at(millis: i64) -> VirtualClock {
        VirtualClock {
            inner: Arc::new(VirtualInner {
                now: AtomicI64::new(millis),
                timers: Mutex::new(Timers::default()),
            }),
        }
    }

    /// How many timers are pending (not fired, not dropped).
    pub fn pending_timers(&self) -> usize {
        lock(&self.inner.timers)
            .slots
            .iter()
            .filter(|s| s.seq.is_some())
            .count()
    }
}

impl Default for VirtualClock {
    fn default() -> VirtualClock {
        VirtualClock::new()
    }
}

impl std::fmt::Debug for VirtualClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualClock")
            .field("now_millis", &self.now_millis())
            .field("pending_timers", &self.pending_timers())
            .finish()
    }
}

impl Clock for VirtualClock {
    fn now_millis(&self) -> i64 {
        self.inner.now.load(Ordering::Acquire)
    }

    fn sleep(&self, millis: u64) -> BoxFuture<'static, ()> {
        match self.timer(millis).0 {
            // Already due (a zero-sized future: no allocation).
            TimerInner::Ready => Box::pin(std::future::ready(())),
            TimerInner::Virtual(v) => Box::pin(v),
            TimerInner::Boxed(b) => b,
        }
    }

    fn timer(&self, millis: u64) -> Timer {
        if millis == 0 {
            return Timer(TimerInner::Ready);
        }
        let mut timers = lock(&self.inner.timers);
        // Read under the lock: the deadline is later than the time any poll of
        // this timer can see before the `advance` that fires it.
        let deadline = self
            .now_millis()
            .saturating_add(i64::try_from(millis).unwrap_or(i64::MAX));
        let (slot, seq) = timers.create();
        timers.push(Entry {
            deadline,
            seq,
            slot,
        });
        drop(timers);
        Timer(TimerInner::Virtual(VirtualSleep {
            inner: self.inner.clone(),
            deadline,
            slot,
            seq,
        }))
    }

    fn is_virtual(&self) -> bool {
        true
    }

    fn advance(&self) -> bool {
        let mut due = Vec::new();
        {
            let mut timers = lock(&self.inner.timers);
            loop {
                let Some(first) = timers.peek() else {
                    return false;
                };
                let (slot, seq) = (first.slot, first.seq);
                if timers.slot(slot, seq).is_some() {
                    break;
                }
                timers.pop();
            }
            let Some(first) = timers.peek() else {
                return false;
            };
            let deadline = first.deadline;
            if deadline > self.now_millis() {
                self.inner.now.store(deadline, Ordering::Release);
            }
            let now = self.now_millis();
            while timers.peek().is_some_and(|e| e.deadline <= now) {
                if let Some(e) = timers.pop() {
                    // Fired: the slot is free (the timer sees that from the time).
                    if timers.slot(e.slot, e.seq).is_some() {
                        if let Some(w) = timers.free(e.slot) {
                            due.push(w);
                        }
                    }
                }
            }
        }
        for w in due {
            w.wake();
        }
        true
    }
}

/// The future [`VirtualClock::sleep`] returns. Dropping it cancels the timer, so an
/// abandoned timeout never makes the clock jump.
struct VirtualSleep {
    inner: Arc<VirtualInner>,
    deadline: i64,
    slot: usize,
    seq: u64,
}

impl VirtualSleep {
    /// Fired: the clock reached the deadline (the `advance` that moved it freed,
    /// or is freeing, the slot).
    fn fired(&self) -> bool {
        self.inner.now.load(Ordering::Acquire) >= self.deadline
    }
}

impl Future for VirtualSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.fired() {
            return Poll::Ready(());
        }
        let mut timers = lock(&self.inner.timers);
        let Some(slot) = timers.slot(self.slot, self.seq) else {
            // Fired since the time was read.
            return Poll::Ready(());
        };
        let old = match &slot.waker {
            Some(w) if w.will_wake(cx.waker()) => None,
            _ => slot.waker.replace(cx.waker().clone()),
        };
        // A replaced waker is dropped outside the lock.
        drop(timers);
        drop(old);
        Poll::Pending
    }
}

impl Drop for VirtualSleep {
    fn drop(&mut self) {
        if self.fired() {
            return;
        }
        let mut timers = lock(&self.inner.timers);
        if timers.slot(self.slot, self.seq).is_some() {
            let waker = timers.free(self.slot);
            drop(timers);
            drop(waker);
        }
    }
}

/// Real time on tokio timers (`tokio::time::sleep`), for executions whose Waits and
/// timeouts must take their real duration. Requires the `tokio` cargo feature and a
/// tokio runtime with the time driver enabled.
#[cfg(feature = "tokio")]
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioClock;

#[cfg(feature = "tokio")]
impl Clock for TokioClock {
    fn now_millis(&self) -> i64 {
        wall_clock_millis()
    }

    fn sleep(&self, millis: u64) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(std::time::Duration::from_millis(millis)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt;

    #[test]
    fn fires_in_deadline_order_and_skips_dropped_timers() {
        let clock = VirtualClock::starting_at(0);
        let mut a = clock.sleep(300);
        let b = clock.sleep(100);
        let mut c = clock.sleep(200);
        drop(b);
        assert!(a.as_mut().now_or_never().is_none());
        assert!(clock.advance());
        assert_eq!(clock.now_millis(), 200);
        assert!(c.as_mut().now_or_never().is_some());
        assert!(a.as_mut().now_or_never().is_none());
        assert!(clock.advance());
        assert_eq!(clock.now_millis(), 300);
        assert!(a.now_or_never().is_some());
        assert!(!clock.advance());
    }

    #[test]
    fn a_reused_slot_does_not_fire_for_the_dropped_timer() {
        let clock = VirtualClock::starting_at(0);
        let a = clock.sleep(100);
        drop(a);
        let mut b = clock.sleep(200);
        let mut c = clock.sleep(50);
        assert_eq!(clock.pending_timers(), 2);
        assert!(clock.advance());
        assert_eq!(clock.now_millis(), 50);
        assert!(c.as_mut().now_or_never().is_some());
        assert!(b.as_mut().now_or_never().is_none());
        assert!(clock.advance());
        assert_eq!(clock.now_millis(), 200);
        assert!(b.now_or_never().is_some());
        assert_eq!(clock.pending_timers(), 0);
        assert!(!clock.advance());
    }

    #[test]
    fn a_fired_timer_frees_its_slot_before_it_is_polled() {
        let clock = VirtualClock::starting_at(0);
        let mut a = clock.timer(100);
        let b = clock.timer(100);
        let mut c = clock.timer(200);
        assert!((&mut a).now_or_never().is_none());
        assert!(clock.advance());
        // Both fired; their slots are free already (a new timer reuses one).
        assert_eq!(clock.pending_timers(), 1);
        drop(b);
        let mut d = clock.timer(50);
        assert_eq!(clock.pending_timers(), 2);
        assert!(a.now_or_never().is_some());
        assert!(clock.advance());
        assert_eq!(clock.now_millis(), 150);
        assert!((&mut d).now_or_never().is_some());
        assert!((&mut c).now_or_never().is_none());
        assert!(clock.advance());
        assert!(c.now_or_never().is_some());
        assert_eq!(clock.pending_timers(), 0);
        assert!(!clock.advance());
    }

    #[test]
    fn wall_clock_is_after_2024() {
        assert!(wall_clock_millis() > 1_704_067_200_000);
        assert!(VirtualClock::new().now_millis() > 1_704_067_200_000);
    }

    #[test]
    fn zero_sleep_is_ready() {
        let clock = VirtualClock::starting_at(5);
        assert!(clock.sleep(0).now_or_never().is_some());
        assert_eq!(clock.pending_timers(), 0);
    }
}
