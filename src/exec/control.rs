//! What the outside world can do to a running execution: stop it, and complete or
//! heartbeat its task tokens. Shared between the execution and its
//! [`ExecutionHandle`](super::ExecutionHandle).

use super::resolver::{HeartbeatSender, TaskError};
use crate::value::Val;
use futures::channel::mpsc::UnboundedSender;
use futures::task::AtomicWaker;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

/// Why an execution ends before its states finish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Termination {
    /// `StopExecution`: status ABORTED.
    Stopped {
        error: Option<String>,
        cause: Option<String>,
    },
    /// The history reached its event limit: status FAILED.
    HistoryLimit,
}

/// How a task token was completed.
#[derive(Clone, Debug)]
pub(crate) enum Completion {
    /// `SendTaskSuccess`.
    Success(Val),
    /// `SendTaskFailure`.
    Failure(TaskError),
}

/// The channels of a task waiting on its token.
#[derive(Clone)]
pub(crate) struct TokenSlot {
    pub(crate) completion: UnboundedSender<Completion>,
    pub(crate) heartbeat: HeartbeatSender,
}

/// Shared control state of one execution.
#[derive(Default)]
pub(crate) struct Control {
    termination: Mutex<Option<Termination>>,
    /// Set (after `termination`) once a termination is requested: the per-state
    /// check reads this instead of locking.
    terminating: AtomicBool,
    waker: AtomicWaker,
    closing: AtomicBool,
    tokens: Mutex<HashMap<Arc<str>, TokenSlot>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Control {
    /// Requests termination (the first request wins). Returns `false` if the
    /// execution was already terminating or closed.
    pub(crate) fn terminate(&self, t: Termination) -> bool {
        if self.is_closing() {
            return false;
        }
        let mut slot = lock(&self.termination);
        if slot.is_some() {
            return false;
        }
        *slot = Some(t);
        self.terminating.store(true, Ordering::Release);
        drop(slot);
        self.waker.wake();
        true
    }

    /// The termination request, if any.
    pub(crate) fn termination(&self) -> Option<Termination> {
        if !self.terminating.load(Ordering::Acquire) {
            return None;
        }
        lock(&self.termination).clone()
    }

    /// `true` once a termination has been requested (no lock, no clone).
    pub(crate) fn is_terminating(&self) -> bool {
        self.terminating.load(Ordering::Acquire)
    }

    /// `true` once the execution is ending: dropped states record no `*Aborted` events.
    pub(crate) fn is_closing(&self) -> bool {
        self.closing.load(Ordering::Acquire)
    }

    /// Marks the execution as ending.
    pub(crate) fn close(&self) {
        self.closing.store(true, Ordering::Release);
        lock(&self.tokens).clear();
    }

    /// A future that completes when termination is requested.
    pub(crate) fn terminated(self: &Arc<Self>) -> Terminated {
        Terminated {
            control: self.clone(),
        }
    }

    /// Makes `token` completable.
    pub(crate) fn register_token(&self, token: Arc<str>, slot: TokenSlot) {
        lock(&self.tokens).insert(token, slot);
    }

    /// Forgets `token`.
    pub(crate) fn remove_token(&self, token: &str) {
        lock(&self.tokens).remove(token);
    }

    /// The channels of `token`, if it is live.
    pub(crate) fn token(&self, token: &str) -> Option<TokenSlot> {
        lock(&self.tokens).get(token).cloned()
    }
}

/// Completes when the execution is asked to terminate.
pub(crate) struct Terminated {
    control: Arc<Control>,
}

impl Future for Terminated {
    type Output = Termination;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Termination> {
        if let Some(t) = self.control.termination() {
            return Poll::Ready(t);
        }
        self.control.waker.register(cx.waker());
        match self.control.termination() {
            Some(t) => Poll::Ready(t),
            None => Poll::Pending,
        }
    }
}
