//! Running branches and iterations side by side on the current task, with a
//! deterministic order for starting them and for aborting the ones still running.

use futures::stream::FuturesUnordered;
use futures::task::{waker_ref, ArcWake};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

/// A future tagged with its position (branch or item index).
pub(crate) struct Indexed<F> {
    pub(crate) index: usize,
    fut: Pin<Box<F>>,
}

impl<F: Future> Indexed<F> {
    pub(crate) fn new(index: usize, fut: F) -> Indexed<F> {
        Indexed {
            index,
            fut: Box::pin(fut),
        }
    }
}

impl<F: Future> Future for Indexed<F> {
    type Output = (usize, F::Output);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let index = self.index;
        self.fut.as_mut().poll(cx).map(|out| (index, out))
    }
}

/// Drops the still-running futures in index order, so their `*Aborted` events are
/// recorded in branch/item order.
pub(crate) fn abort_in_order<F: Future>(set: FuturesUnordered<Indexed<F>>) {
    let mut rest: Vec<Indexed<F>> = set.into_iter().collect();
    rest.sort_by_key(|f| f.index);
    for f in rest {
        drop(f);
    }
}

/// The futures of one Parallel state or INLINE Map run side by side: what a
/// `FuturesUnordered<Indexed<F>>` with a first poll before each push does, in the
/// same order, with one allocation per slot instead of two per future, and slots
/// (the future's box and its waker) reused when a future ends.
///
/// The order is `FuturesUnordered`'s: a started future that did not complete is
/// queued once behind the futures already queued, woken futures are polled in the
/// order they were woken, a poll of the set that has polled as many futures as the
/// set held (or two that woke themselves) yields to the parent task, and the set
/// drops its futures most recently polled first. The only difference is that the
/// queued poll right after a start is skipped when nothing woke the future since
/// (its first poll already registered the waker the set would have given it).
pub(crate) struct Set<F: Future> {
    slots: Vec<Slot<F>>,
    free: Vec<usize>,
    shared: Arc<Shared>,
    /// Futures in the set.
    live: usize,
    /// The order of links (starts and pending polls), for the drop order.
    stamp: u64,
    /// The parent waker registered last.
    seen: Option<Waker>,
}

/// One future's place: its box (kept, emptied and refilled) and its waker.
struct Slot<F> {
    fut: Pin<Box<Option<F>>>,
    wake: Arc<SlotWake>,
    index: usize,
    stamp: u64,
    /// Started and queued, not yet polled by the set.
    fresh: bool,
}

impl<F: Future> Slot<F> {
    /// Polls the running future with the slot's waker (`None`: no future).
    fn poll(&mut self) -> Option<Poll<F::Output>> {
        let fut = self.fut.as_mut().as_pin_mut()?;
        let waker = waker_ref(&self.wake);
        Some(fut.poll(&mut Context::from_waker(&waker)))
    }

    fn is_running(&self) -> bool {
        self.fut.is_some()
    }

    /// Drops the future (the box stays for the next).
    fn end(&mut self) {
        self.fut.as_mut().set(None);
    }
}

/// The ready queue (slot ids, in wake order) and the parent task's waker.
struct Shared {
    inner: Mutex<SharedInner>,
    /// `inner.parent` holds the waker last registered (written under the lock).
    parent_set: AtomicBool,
}

struct SharedInner {
    queue: VecDeque<usize>,
    parent: Option<Waker>,
}

/// The waker of one slot.
struct SlotWake {
    id: usize,
    /// In the ready queue.
    queued: AtomicBool,
    /// Woken since its last poll began.
    woken: AtomicBool,
    shared: Arc<Shared>,
}

impl ArcWake for SlotWake {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.woken.store(true, Ordering::Relaxed);
        if arc_self.queued.swap(true, Ordering::AcqRel) {
            return;
        }
        let parent = {
            let mut inner = lock(&arc_self.shared.inner);
            inner.queue.push_back(arc_self.id);
            arc_self.shared.parent_set.store(false, Ordering::Release);
            inner.parent.take()
        };
        if let Some(w) = parent {
            w.wake();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<F: Future> Set<F> {
    /// An empty set with room for `capacity` futures at once.
    pub(crate) fn with_capacity(capacity: usize) -> Set<F> {
        Set {
            slots: Vec::with_capacity(capacity),
            free: Vec::new(),
            shared: Arc::new(Shared {
                inner: Mutex::new(SharedInner {
                    queue: VecDeque::new(),
                    parent: None,
                }),
                parent_set: AtomicBool::new(false),
            }),
            live: 0,
            stamp: 0,
            seen: None,
        }
    }

    /// How many futures are in the set.
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// Registers the parent task's waker.
    ///
    /// Without a lock when the waker registered last is still there (no wake-up
    /// took it) and is the same.
    fn register(&mut self, cx: &Context<'_>) {
        if self.shared.parent_set.load(Ordering::Acquire)
            && self.seen.as_ref().is_some_and(|w| w.will_wake(cx.waker()))
        {
            return;
        }
        let w = cx.waker().clone();
        {
            let mut inner = lock(&self.shared.inner);
            inner.parent = Some(w.clone());
            self.shared.parent_set.store(true, Ordering::Release);
        }
        self.seen = Some(w);
    }

    /// Makes a future (tagged `index`) in place in a slot and polls it once: its
    /// output if it completed; otherwise it stays in the set, queued behind the
    /// futures already queued.
    pub(crate) fn start(
        &mut self,
        cx: &Context<'_>,
        index: usize,
        make: impl FnOnce() -> F,
    ) -> Poll<F::Output> {
        // The parent's waker is not needed yet: a wake-up during this poll finds the
        // slot queued already, and the caller polls the set (`next`) before it
        // returns `Pending` to the parent.
        let _ = cx;
        let id = match self.free.pop() {
            Some(id) => {
                let slot = &mut self.slots[id];
                slot.fut.as_mut().set(Some(make()));
                slot.index = index;
                id
            }
            None => {
                let id = self.slots.len();
                let wake = Arc::new(SlotWake {
                    id,
                    queued: AtomicBool::new(false),
                    woken: AtomicBool::new(false),
                    shared: self.shared.clone(),
                });
                self.slots.push(Slot {
                    fut: Box::pin(Some(make())),
                    wake,
                    index,
                    stamp: 0,
                    fresh: false,
                });
                id
            }
        };
        let slot = &mut self.slots[id];
        // Queued from the start, as a pushed future is: a wake during this first
        // poll marks it woken without queueing it twice.
        slot.wake.queued.store(true, Ordering::Relaxed);
        slot.wake.woken.store(false, Ordering::Relaxed);
        let Some(res) = slot.poll() else {
            return Poll::Pending;
        };
        match res {
            Poll::Ready(out) => {
                slot.end();
                slot.wake.queued.store(false, Ordering::Relaxed);
                self.free.push(id);
                Poll::Ready(out)
            }
            Poll::Pending => {
                self.stamp += 1;
                slot.stamp = self.stamp;
                slot.fresh = true;
                self.live += 1;
                lock(&self.shared.inner).queue.push_back(id);
                Poll::Pending
            }
        }
    }

    /// The next future to complete, with its index; `None` when the set is empty.
    pub(crate) fn poll_next(&mut self, cx: &Context<'_>) -> Poll<Option<(usize, F::Output)>> {
        let len = self.live;
        let mut polled = 0usize;
        let mut yielded = 0usize;
        self.register(cx);
        loop {
            let next = lock(&self.shared.inner).queue.pop_front();
            let Some(id) = next else {
                return if self.live == 0 {
                    Poll::Ready(None)
                } else {
                    Poll::Pending
                };
            };
            let Some(slot) = self.slots.get_mut(id) else {
                continue;
            };
            slot.wake.queued.store(false, Ordering::Release);
            if !slot.is_running() {
                // Ended while queued: the slot is free now.
                self.free.push(id);
                continue;
            }
            let fresh = std::mem::take(&mut slot.fresh);
            let res = if fresh && !slot.wake.woken.load(Ordering::Acquire) {
                // Nothing woke it since its first poll: polling again would only
                // register the same waker.
                Poll::Pending
            } else {
                slot.wake.woken.store(false, Ordering::Relaxed);
                match slot.poll() {
                    Some(res) => res,
                    None => continue,
                }
            };
            polled += 1;
            match res {
                Poll::Pending => {
                    yielded += usize::from(slot.wake.woken.load(Ordering::Acquire));
                    self.stamp += 1;
                    slot.stamp = self.stamp;
                    if yielded >= 2 || polled == len {
                        cx.waker().wake_by_ref();
                        return Poll::Pending;
                    }
                }
                Poll::Ready(out) => {
                    let index = slot.index;
                    slot.end();
                    self.live -= 1;
                    // A slot still queued (it woke itself while completing) is
                    // freed when that entry comes up.
                    if !slot.wake.queued.load(Ordering::Acquire) {
                        self.free.push(id);
                    }
                    return Poll::Ready(Some((index, out)));
                }
            }
        }
    }

    /// The next future to complete (see [`Set::poll_next`]).
    pub(crate) async fn next(&mut self) -> Option<(usize, F::Output)> {
        futures::future::poll_fn(|cx| self.poll_next(cx)).await
    }

    /// Drops the futures still in the set in the order `ids` are sorted by `key`.
    fn drop_by<K: Ord>(&mut self, key: impl Fn(&Slot<F>) -> K) {
        let mut ids: Vec<usize> = (0..self.slots.len())
            .filter(|&id| self.slots[id].is_running())
            .collect();
        ids.sort_by_key(|&id| key(&self.slots[id]));
        for id in ids {
            self.slots[id].end();
        }
        self.live = 0;
    }

    /// Drops the still-running futures in index order, so their `*Aborted` events
    /// are recorded in branch/item order.
    pub(crate) fn abort_in_order(mut self) {
        self.drop_by(|s| s.index);
    }
}

impl<F: Future> Drop for Set<F> {
    /// Most recently polled first, as `FuturesUnordered` drops its futures.
    fn drop(&mut self) {
        self.drop_by(|s| std::cmp::Reverse(s.stamp));
    }
}

#[cfg(test)]
mod tests {
    use super::Set;
    use futures::channel::oneshot;
    use futures::task::noop_waker_ref;
    use std::future::Future;
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll};

    type Log = Arc<Mutex<Vec<usize>>>;

    /// Records its index when dropped.
    struct Guard(usize, Log);

    impl Drop for Guard {
        fn drop(&mut self) {
            self.1.lock().expect("log").push(self.0);
        }
    }

    /// Future `i`: ends (with `i`) when its sender sends or is dropped.
    fn waiting(i: usize, log: &Log) -> (oneshot::Sender<()>, impl Future<Output = usize>) {
        let (tx, rx) = oneshot::channel::<()>();
        let guard = Guard(i, log.clone());
        (tx, async move {
            let _guard = guard;
            let _ = rx.await;
            i
        })
    }

    fn started<F: Future>(set: &mut Set<F>, i: usize, fut: F) -> Poll<F::Output> {
        set.start(&Context::from_waker(noop_waker_ref()), i, || fut)
    }

    fn next<F: Future>(set: &mut Set<F>) -> Poll<Option<(usize, F::Output)>> {
        set.poll_next(&Context::from_waker(noop_waker_ref()))
    }

    #[test]
    fn ends_in_wake_order_and_reuses_the_slot_of_a_future_that_ended_at_once() {
        let log = Log::default();
        let mut set = Set::with_capacity(4);
        let mut senders = Vec::new();
        for i in 0..3 {
            let (tx, fut) = waiting(i, &log);
            assert!(started(&mut set, i, fut).is_pending());
            senders.push(Some(tx));
        }
        let (tx, fut) = waiting(3, &log);
        drop(tx);
        assert_eq!(started(&mut set, 3, fut), Poll::Ready(3));
        assert_eq!(set.len(), 3);
        // Nothing woke the started futures: no output yet.
        assert!(next(&mut set).is_pending());
        for i in [2, 0] {
            if let Some(tx) = senders[i].take() {
                tx.send(()).expect("receiver alive");
            }
        }
        assert_eq!(next(&mut set), Poll::Ready(Some((2, 2))));
        assert_eq!(next(&mut set), Poll::Ready(Some((0, 0))));
        assert!(next(&mut set).is_pending());
        // Future 4 takes a free slot.
        let (tx4, fut) = waiting(4, &log);
        assert!(started(&mut set, 4, fut).is_pending());
        assert_eq!(set.slots.len(), 4);
        drop(tx4);
        assert_eq!(next(&mut set), Poll::Ready(Some((4, 4))));
        senders.clear();
        assert_eq!(next(&mut set), Poll::Ready(Some((1, 1))));
        assert_eq!(next(&mut set), Poll::Ready(None));
        assert_eq!(*log.lock().expect("log"), [3, 2, 0, 4, 1]);
    }

    #[test]
    fn drops_most_recently_polled_first_or_in_index_order_when_aborted() {
        let log = Log::default();
        let mut set = Set::with_capacity(3);
        let mut senders = Vec::new();
        for i in 0..3 {
            let (tx, fut) = waiting(i, &log);
            assert!(started(&mut set, i, fut).is_pending());
            senders.push(tx);
        }
        drop(set);
        assert_eq!(*log.lock().expect("log"), [2, 1, 0]);

        let log = Log::default();
        let mut set = Set::with_capacity(3);
        for i in [2, 0, 1] {
            let (tx, fut) = waiting(i, &log);
            assert!(started(&mut set, i, fut).is_pending());
            senders.push(tx);
        }
        set.abort_in_order();
        assert_eq!(*log.lock().expect("log"), [0, 1, 2]);
    }
}
