//! Idle detection for virtual time.
//!
//! [`IdleDriver`] wraps an execution future. Every time the execution returns
//! `Pending` without having been woken since the previous poll, it counts an idle
//! round and yields to the host executor (so other tasks, such as a test that
//! completes a task token, get to run). After `yields` idle rounds in a row it asks
//! the virtual clock to jump to the earliest timer. If no timer is pending it simply
//! waits for a real wake (a task token, a resolver finishing).

use super::clock::Clock;
use futures::task::{waker, ArcWake};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// Records that the inner future was woken, then forwards the wake to the host.
struct WakeFlag {
    woken: AtomicBool,
    outer: Mutex<Option<Waker>>,
}

impl ArcWake for WakeFlag {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.woken.store(true, Ordering::Release);
        let outer = arc_self
            .outer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(w) = outer {
            w.wake();
        }
    }
}

/// Drives a future on a virtual clock (see the module docs).
pub(crate) struct IdleDriver<F> {
    inner: Pin<Box<F>>,
    clock: Arc<dyn Clock>,
    flag: Arc<WakeFlag>,
    waker: Waker,
    idle_rounds: u32,
    yields: u32,
}

impl<F: Future> IdleDriver<F> {
    /// Wraps `inner`; `yields` idle rounds pass before time jumps.
    pub(crate) fn new(inner: F, clock: Arc<dyn Clock>, yields: u32) -> IdleDriver<F> {
        let flag = Arc::new(WakeFlag {
            woken: AtomicBool::new(true),
            outer: Mutex::new(None),
        });
        IdleDriver {
            inner: Box::pin(inner),
            clock,
            waker: waker(flag.clone()),
            flag,
            idle_rounds: 0,
            yields,
        }
    }
}

impl<F: Future> Future for IdleDriver<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        {
            let mut outer = this.flag.outer.lock().unwrap_or_else(|e| e.into_inner());
            match outer.as_ref() {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => *outer = Some(cx.waker().clone()),
            }
        }
        loop {
            let progressed = this.flag.woken.swap(false, Ordering::AcqRel);
            let mut inner_cx = Context::from_waker(&this.waker);
            if let Poll::Ready(v) = this.inner.as_mut().poll(&mut inner_cx) {
                return Poll::Ready(v);
            }
            if progressed {
                this.idle_rounds = 0;
            } else {
                this.idle_rounds += 1;
            }
            if this.flag.woken.load(Ordering::Acquire) {
                // Woken while being polled: the host will poll again.
                return Poll::Pending;
            }
            if this.idle_rounds < this.yields {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            this.idle_rounds = 0;
            if !this.clock.advance() {
                // Nothing to fire: wait for a real wake-up.
                return Poll::Pending;
            }
            // Timers fired: poll again at once.
        }
    }
}
