//! Time: the [`Clock`] trait, the deterministic [`VirtualClock`] (the default) and,
//! behind the `tokio` feature, the real-time `TokioClock`.
//!
//! Every timer in an execution (Wait states, retry back-off, task timeouts and
//! heartbeats, the execution's own `TimeoutSeconds`) is a [`Clock::sleep`], and every
//! history timestamp is a [`Clock::now_millis`]. On a virtual clock, timers never wait
//! in real time: when the execution is idle (nothing can progress without a timer
//! firing) the executor asks the clock to jump to the earliest pending timer.

use futures::future::BoxFuture;
use std::collections::BinaryHeap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
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
    seq: AtomicU64,
    timers: Mutex<BinaryHeap<Entry>>,
}

/// A pending timer in the heap, ordered by deadline then creation order.
struct Entry {
    deadline: i64,
    seq: u64,
    timer: Arc<TimerState>,
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

#[derive(Default)]
struct TimerState {
    fired: AtomicBool,
    cancelled: AtomicBool,
    waker: Mutex<Option<Waker>>,
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
                seq: AtomicU64::new(0),
                timers: Mutex::new(BinaryHeap::new()),
            }),
        }
    }

    /// How many timers are pending (not fired, not dropped).
    pub fn pending_timers(&self) -> usize {
        lock(&self.inner.timers)
            .iter()
            .filter(|e| !e.timer.cancelled.load(Ordering::Acquire))
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
        let timer = Arc::new(TimerState::default());
        if millis == 0 {
            timer.fired.store(true, Ordering::Release);
        } else {
            let deadline = self
                .now_millis()
                .saturating_add(i64::try_from(millis).unwrap_or(i64::MAX));
            let seq = self.inner.seq.fetch_add(1, Ordering::Relaxed);
            lock(&self.inner.timers).push(Entry {
                deadline,
                seq,
                timer: timer.clone(),
            });
        }
        Box::pin(VirtualSleep { timer })
    }

    fn is_virtual(&self) -> bool {
        true
    }

    fn advance(&self) -> bool {
        let mut due = Vec::new();
        {
            let mut heap = lock(&self.inner.timers);
            while heap
                .peek()
                .is_some_and(|e| e.timer.cancelled.load(Ordering::Acquire))
            {
                heap.pop();
            }
            let Some(first) = heap.peek() else {
                return false;
            };
            let deadline = first.deadline;
            if deadline > self.now_millis() {
                self.inner.now.store(deadline, Ordering::Release);
            }
            let now = self.now_millis();
            while heap.peek().is_some_and(|e| e.deadline <= now) {
                if let Some(e) = heap.pop() {
                    if !e.timer.cancelled.load(Ordering::Acquire) {
                        due.push(e.timer);
                    }
                }
            }
        }
        for timer in due {
            timer.fired.store(true, Ordering::Release);
            if let Some(w) = lock(&timer.waker).take() {
                w.wake();
            }
        }
        true
    }
}

/// The future [`VirtualClock::sleep`] returns. Dropping it cancels the timer, so an
/// abandoned timeout never makes the clock jump.
struct VirtualSleep {
    timer: Arc<TimerState>,
}

impl Future for VirtualSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.timer.fired.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        let mut slot = lock(&self.timer.waker);
        match slot.as_ref() {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => *slot = Some(cx.waker().clone()),
        }
        drop(slot);
        if self.timer.fired.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

impl Drop for VirtualSleep {
    fn drop(&mut self) {
        self.timer.cancelled.store(true, Ordering::Release);
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
