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
///
/// Once the caller says no more futures will start ([`Set::close`]), a slot whose
/// future ends is released (its box and waker freed) instead of kept for reuse,
/// past [`HELD_BYTES`] of kept ones, so the memory of most iterations that ended
/// goes back while the others still run.
pub(crate) struct Set<F: Future> {
    /// `None`: released (after [`Set::close`]).
    slots: Vec<Option<Slot<F>>>,
    free: Vec<usize>,
    /// No more starts: free slots past [`Set::HOLD`] are released.
    closed: bool,
    shared: Arc<Shared>,
    /// Futures in the set.
    live: usize,
    /// The order of links (starts and pending polls), for the drop order.
    stamp: u64,
    /// The parent waker registered last.
    seen: Option<Waker>,
    /// The front of the ready queue, taken from the shared one in one lock (the
    /// shared queue holds what was queued since, behind it).
    batch: VecDeque<usize>,
}

/// One future's place: its box (kept, emptied and refilled) and its waker.
struct Slot<F> {
    fut: Pin<Box<Option<F>>>,
    wake: Arc<SlotWake>,
    index: usize,
    stamp: u64,
    /// Started and queued, not yet polled by the set.
    fresh: bool,
    /// Ended while queued: free when that entry comes up (an entry of a slot
    /// that is free already, from a stale waker, frees nothing).
    parked: bool,
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

/// After [`Set::close`], the memory of free slots a set keeps (beyond that, a slot
/// is released when its future ends).
///
/// Keeping them all until the set drops saves glibc work (a released box of an
/// iteration is split up by the history's allocations that follow: task_retry_catch
/// 13.10 M instructions per execution with its 1,000 kept, 13.51 M with none), but
/// a Map over 10,000 waiting items then peaks at 15.77 MB instead of 12.33 MB
/// (benches/extra/map_wait_10k, full history). 1 MiB keeps ~800 task_retry_catch
/// slots (13.12 M) and costs map_wait_10k 0.28 MB (12.61 MB).
/// (Unit tests keep 4 KiB, so that the engine's own tests release slots too.)
const HELD_BYTES: usize = if cfg!(test) { 4096 } else { 1 << 20 };

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<F: Future> Set<F> {
    /// An empty set with room for `capacity` futures at once.
    pub(crate) fn with_capacity(capacity: usize) -> Set<F> {
        Set {
            slots: Vec::with_capacity(capacity),
            free: Vec::new(),
            closed: false,
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
            batch: VecDeque::new(),
        }
    }

    /// How many free slots a closed set keeps: [`HELD_BYTES`] worth of futures.
    const HOLD: usize = match HELD_BYTES.checked_div(std::mem::size_of::<Option<F>>()) {
        Some(n) => n,
        None => usize::MAX,
    };

    /// No more futures will start: the slots of futures that end from now on are
    /// released past the first [`HELD_BYTES`] worth of free ones (and so are free
    /// slots past that now).
    #[inline]
    pub(crate) fn close(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        while self.free.len() > Self::HOLD {
            if let Some(id) = self.free.pop() {
                self.slots[id] = None;
            }
        }
    }

    /// The slot `id` is free: kept for reuse, or released when the set is closed
    /// and keeps enough free slots.
    #[inline]
    fn free_slot(&mut self, id: usize) {
        if self.closed && self.free.len() >= Self::HOLD {
            self.slots[id] = None;
        } else {
            self.free.push(id);
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
        // A free slot is never a released one (released slots leave the free list).
        let slot = match self.free.pop().and_then(|id| self.slots.get_mut(id)) {
            Some(Some(slot)) => {
                slot.fut.as_mut().set(Some(make()));
                slot.index = index;
                slot
            }
            _ => {
                let id = self.slots.len();
                let wake = Arc::new(SlotWake {
                    id,
                    queued: AtomicBool::new(false),
                    woken: AtomicBool::new(false),
                    shared: self.shared.clone(),
                });
                // The box first, then the future made into it: made before the
                // box, it would be built on the stack and copied in (1 KB+).
                let mut fut = Box::pin(None);
                fut.as_mut().set(Some(make()));
                self.slots.push(Some(Slot {
                    fut,
                    wake,
                    index,
                    stamp: 0,
                    fresh: false,
                    parked: false,
                }));
                match self.slots.last_mut() {
                    Some(Some(slot)) => slot,
                    _ => unreachable!("a slot was just pushed"),
                }
            }
        };
        let id = slot.wake.id;
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
                self.free_slot(id);
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
            let next = match self.batch.pop_front() {
                Some(id) => Some(id),
                None => {
                    // All that is queued, in one lock; the shared queue keeps the
                    // emptied buffer.
                    std::mem::swap(&mut lock(&self.shared.inner).queue, &mut self.batch);
                    self.batch.pop_front()
                }
            };
            let Some(id) = next else {
                return if self.live == 0 {
                    Poll::Ready(None)
                } else {
                    Poll::Pending
                };
            };
            let Some(Some(slot)) = self.slots.get_mut(id) else {
                continue;
            };
            slot.wake.queued.store(false, Ordering::Release);
            if !slot.is_running() {
                if std::mem::take(&mut slot.parked) {
                    // Ended while queued: the slot is free now.
                    self.free_slot(id);
                }
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
                    if slot.wake.queued.load(Ordering::Acquire) {
                        slot.parked = true;
                    } else {
                        self.free_slot(id);
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
        let mut running: Vec<&mut Slot<F>> = self
            .slots
            .iter_mut()
            .flatten()
            .filter(|s| s.is_running())
            .collect();
        running.sort_by_key(|s| key(s));
        for slot in running {
            slot.end();
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
    use std::task::{Context, Poll, Waker};

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

    /// Ends on its second poll, leaving its waker behind.
    fn keeps_waker(i: usize, kept: &Arc<Mutex<Option<Waker>>>) -> impl Future<Output = usize> {
        let kept = kept.clone();
        let mut polled = false;
        std::future::poll_fn(move |cx| {
            if polled {
                return Poll::Ready(i);
            }
            polled = true;
            *kept.lock().expect("kept") = Some(cx.waker().clone());
            Poll::Pending
        })
    }

    #[test]
    fn a_stale_wake_of_a_free_slot_does_not_free_it_twice() {
        let kept = Arc::new(Mutex::new(None::<Waker>));
        let mut set = Set::with_capacity(2);
        assert!(started(&mut set, 0, keeps_waker(0, &kept)).is_pending());
        let waker = kept.lock().expect("kept").take().expect("waker");
        waker.wake_by_ref();
        assert_eq!(next(&mut set), Poll::Ready(Some((0, 0))));
        // The ended future's waker, woken again: its slot is free already.
        waker.wake_by_ref();
        assert!(matches!(next(&mut set), Poll::Ready(None)));
        assert!(started(&mut set, 1, keeps_waker(1, &kept)).is_pending());
        assert!(started(&mut set, 2, keeps_waker(2, &kept)).is_pending());
        assert_eq!(set.slots.len(), 2);
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn a_closed_set_keeps_free_slots_up_to_its_bytes_and_releases_the_others() {
        let log = Log::default();
        let mut senders = Vec::new();
        // Futures of 1,500 bytes and more: a set keeps two of their slots.
        let big = |i: usize, senders: &mut Vec<oneshot::Sender<()>>| {
            let (tx, fut) = waiting(i, &log);
            senders.push(tx);
            let pad = [i as u8; 1500];
            async move { fut.await + usize::from(pad[0] != i as u8) }
        };
        let mut set = Set::with_capacity(4);
        // Future 0 ends at once: future 1 takes its slot.
        let mut done = Vec::new();
        let at_once = big(0, &mut done);
        drop(done);
        assert_eq!(started(&mut set, 0, at_once), Poll::Ready(0));
        for i in 1..4 {
            let fut = big(i, &mut senders);
            assert!(started(&mut set, i, fut).is_pending());
        }
        set.close();
        assert_eq!(set.slots.len(), 3);
        senders.clear();
        for i in 1..4 {
            assert_eq!(next(&mut set), Poll::Ready(Some((i, i))));
        }
        assert_eq!(next(&mut set), Poll::Ready(None));
        assert_eq!(set.free, [0, 1]);
        let released: Vec<bool> = set.slots.iter().map(|s| s.is_none()).collect();
        assert_eq!(released, [false, false, true]);
        assert_eq!(*log.lock().expect("log"), [0, 1, 2, 3]);
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
