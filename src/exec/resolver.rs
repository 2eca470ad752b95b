//! How Task states reach the embedding program: the [`TaskResolver`] trait, the
//! [`TaskRequest`] it receives and the [`TaskError`] it may return.

use crate::data::context::LazyContext;
use crate::definition::task::ResourceKind;
use crate::value::Val;
use async_trait::async_trait;
use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

/// Runs the work of Task states.
///
/// The executor calls [`TaskResolver::invoke`] once per attempt (retries call it
/// again). The returned value is the task's result; for a `.waitForTaskToken`
/// resource it is the immediate response recorded in `TaskSubmitted`, and the state
/// then waits for [`ExecutionHandle::send_task_success`](super::ExecutionHandle::send_task_success)
/// (or failure) with [`TaskRequest::task_token`].
///
/// A resolver that panics fails the task with `States.TaskFailed` and the panic
/// message as the cause. A resolver that never returns is ended by the state's
/// `TimeoutSeconds` (or `HeartbeatSeconds`).
///
/// Most programs use the [`Resolvers`](super::Resolvers) router rather than
/// implementing this trait.
#[async_trait]
pub trait TaskResolver: Send + Sync {
    /// Performs one attempt of a task.
    async fn invoke(&self, task: TaskRequest) -> Result<Val, TaskError>;

    /// Performs one attempt at once, when this resolver answers `task` without
    /// waiting: `Some` with the outcome, or `None`, and the executor then calls
    /// [`TaskResolver::invoke`] instead. The default answers nothing at once.
    ///
    /// The executor calls this first for every attempt. A resolver that answers
    /// from memory spares the boxed future of `invoke` and its polling;
    /// [`Resolvers::on_sync`](super::Resolvers::on_sync) routes are answered here.
    fn invoke_now(&self, task: &TaskRequest) -> Option<Result<Val, TaskError>> {
        let _ = task;
        None
    }

    /// `true` promises that every attempt of a Task whose `Resource` is `resource`
    /// is answered by [`TaskResolver::invoke_now`] (never `None`). The default
    /// promises nothing.
    ///
    /// The executor then runs the iterations of an inline Map whose states are
    /// such Tasks (with no retry delay), Pass, Choice, Succeed or Fail one after
    /// another where the Map runs, instead of giving each a place of its own among
    /// concurrent iterations (none of them could wait). A resolver that breaks the
    /// promise still gets its `invoke` future awaited, but those iterations then
    /// run one at a time.
    fn answers_at_once(&self, resource: &str) -> bool {
        let _ = resource;
        false
    }
}

#[async_trait]
impl<T: TaskResolver + ?Sized> TaskResolver for Arc<T> {
    async fn invoke(&self, task: TaskRequest) -> Result<Val, TaskError> {
        (**self).invoke(task).await
    }

    fn invoke_now(&self, task: &TaskRequest) -> Option<Result<Val, TaskError>> {
        (**self).invoke_now(task)
    }

    fn answers_at_once(&self, resource: &str) -> bool {
        (**self).answers_at_once(resource)
    }
}

/// Everything a resolver gets for one task attempt.
#[derive(Clone, Debug)]
pub struct TaskRequest {
    /// The `Resource` ARN exactly as written in the definition.
    pub resource: Arc<str>,
    /// What kind of resource it is (Lambda ARN, activity, service integration, custom).
    pub kind: ResourceKind,
    /// The Task state's name.
    pub state_name: Arc<str>,
    /// The effective input: the state input after `InputPath` and `Parameters`.
    pub input: Val,
    /// The context object (`$$`) as the state saw it, built only if it is read
    /// (it dereferences to the [`Val`]).
    pub context: LazyContext,
    /// The task token, when the resource ends in `.waitForTaskToken`.
    pub task_token: Option<Arc<str>>,
    /// The state's timeout in seconds, when one is set.
    pub timeout_seconds: Option<u64>,
    /// The state's heartbeat interval in seconds, when one is set.
    pub heartbeat_seconds: Option<u64>,
    /// How many times this state has retried (0 on the first attempt).
    pub retry_count: u32,
    /// The evaluated `Credentials` (`{"RoleArn": ...}`), when set.
    pub credentials: Option<Val>,
    /// Sends heartbeats for this attempt (resets the `HeartbeatSeconds` clock).
    pub heartbeat: HeartbeatSender,
}

impl TaskRequest {
    /// A first attempt's request: no token, timeouts, credentials or heartbeat
    /// channel yet (the caller sets those it has).
    pub(crate) fn new(
        resource: Arc<str>,
        kind: ResourceKind,
        state_name: Arc<str>,
        input: Val,
        context: LazyContext,
    ) -> TaskRequest {
        TaskRequest {
            resource,
            kind,
            state_name,
            input,
            context,
            task_token: None,
            timeout_seconds: None,
            heartbeat_seconds: None,
            retry_count: 0,
            credentials: None,
            heartbeat: HeartbeatSender::detached(),
        }
    }
}

/// What a running attempt may report before it returns.
#[derive(Clone, Debug)]
pub(crate) enum Signal {
    /// Reset the heartbeat clock.
    Heartbeat,
    /// The service's immediate response (`TaskSubmitted`).
    Submitted(Val),
}

/// The signal queue of a Task state's attempts: allocated by a Task state run
/// whose resolver does not answer at once (and reused by its retries); attempts
/// answered at once share one per thread ([`open_sync`]). Each attempt opens it under a new generation;
/// senders of an earlier (ended) attempt carry an old generation and are refused,
/// as a sender whose receiver was dropped is.
///
/// Opening and closing an attempt cost one atomic add each and take no lock when
/// nothing was sent and nothing waited (an attempt answered at once): the
/// generation is an atomic, and `dirty` says whether the locked part holds
/// anything. Queued signals carry their generation, so a signal that raced with a
/// close is skipped by the next attempt.
#[derive(Default)]
pub(crate) struct Signals {
    /// The generation of the open attempt; odd while one is open.
    generation: AtomicU64,
    /// Set (under the lock) when a signal is queued or a waker stored.
    dirty: AtomicBool,
    inner: Mutex<SignalsInner>,
}

#[derive(Default)]
struct SignalsInner {
    queue: VecDeque<(u64, Signal)>,
    waker: Option<Waker>,
}

impl Signals {
    fn lock(&self) -> MutexGuard<'_, SignalsInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn current(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Opens the queue for a new attempt and points `sender` at it (no reference
    /// count taken when `sender` already belongs to this queue).
    pub(crate) fn reopen(self: &Arc<Self>, sender: &mut HeartbeatSender) {
        let generation = self.next_generation();
        match &mut sender.tx {
            Some((q, g)) if Arc::ptr_eq(q, self) => *g = generation,
            tx => *tx = Some((self.clone(), generation)),
        }
    }

    /// Opens the queue for an attempt if no attempt has it open (a compare and
    /// swap, so a queue shared by attempts answered at once, which open it only
    /// for the resolver's call, is never open for two); returns the generation.
    fn try_open(&self) -> Option<u64> {
        let g = self.current();
        if g % 2 == 1 {
            return None;
        }
        self.generation
            .compare_exchange(g, g + 1, Ordering::AcqRel, Ordering::Acquire)
            .ok()
            .map(|_| g + 1)
    }

    /// Queues `signals`, taken from another queue, for the open attempt.
    pub(crate) fn requeue(&self, signals: Vec<Signal>) {
        for s in signals {
            self.send(self.current(), s);
        }
    }

    fn next_generation(&self) -> u64 {
        self.generation.fetch_add(1, Ordering::AcqRel) + 1
    }

    /// Ends the attempt: its senders are refused from now on, and signals it left
    /// unread are dropped.
    pub(crate) fn close(&self) {
        drop(self.close_taking());
    }

    /// Ends the attempt (as [`Signals::close`]) and returns the signals it left
    /// unread, in the order sent.
    pub(crate) fn close_taking(&self) -> Vec<Signal> {
        let generation = self.next_generation() - 1;
        if !self.dirty.load(Ordering::Acquire) {
            return Vec::new();
        }
        let mut g = self.lock();
        self.dirty.store(false, Ordering::Release);
        let queue = std::mem::take(&mut g.queue);
        let waker = g.waker.take();
        drop(g);
        drop(waker);
        queue
            .into_iter()
            .filter(|(g, _)| *g == generation)
            .map(|(_, s)| s)
            .collect()
    }

    /// The next signal of the open attempt, if one was sent.
    fn pop(&self, g: &mut SignalsInner) -> Option<Signal> {
        let current = self.current();
        while let Some((generation, s)) = g.queue.pop_front() {
            if generation == current {
                return Some(s);
            }
        }
        None
    }

    /// The next signal, or `Pending` (waking `cx` when one is sent).
    pub(crate) fn poll_next(&self, cx: &mut Context<'_>) -> Poll<Signal> {
        let mut g = self.lock();
        match self.pop(&mut g) {
            Some(s) => Poll::Ready(s),
            None => {
                match &g.waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => g.waker = Some(cx.waker().clone()),
                }
                self.dirty.store(true, Ordering::Release);
                Poll::Pending
            }
        }
    }

    /// The next signal, if one was sent.
    pub(crate) fn try_next(&self) -> Option<Signal> {
        if !self.dirty.load(Ordering::Acquire) {
            return None;
        }
        let mut g = self.lock();
        self.pop(&mut g)
    }

    fn send(&self, generation: u64, s: Signal) -> bool {
        let mut g = self.lock();
        if self.current() != generation {
            return false;
        }
        g.queue.push_back((generation, s));
        self.dirty.store(true, Ordering::Release);
        let waker = g.waker.take();
        drop(g);
        if let Some(w) = waker {
            w.wake();
        }
        true
    }
}

thread_local! {
    /// The queue that attempts answered at once on this thread share (each opens
    /// it only for the resolver's call), so that a Task state whose resolver
    /// answers at once allocates no queue of its own.
    static SYNC_SIGNALS: Arc<Signals> = Arc::default();
}

/// Opens a queue for an attempt whose resolver may answer at once and points
/// `sender` at it: the queue `sender` already points at (the state's last
/// attempt's), else this thread's shared one, else (both open: a resolver's call
/// running another execution inside it, or the queue in use on another thread) a
/// new one. An attempt that turns out to wait moves to a queue of its own
/// ([`Signals::requeue`]).
pub(crate) fn open_sync(sender: &mut HeartbeatSender) {
    if let Some((q, g)) = &mut sender.tx {
        if let Some(generation) = q.try_open() {
            *g = generation;
            return;
        }
    }
    let q = SYNC_SIGNALS.with(Arc::clone);
    let open = match q.try_open() {
        Some(generation) => (q, generation),
        None => {
            let q = Arc::new(Signals::default());
            let generation = q.next_generation();
            (q, generation)
        }
    };
    sender.tx = Some(open);
}

/// Closes a [`Signals`] queue when dropped.
pub(crate) struct SignalsOpen<'a>(pub(crate) &'a Signals);

impl Drop for SignalsOpen<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// The running attempt's channel back to its Task state: heartbeats, as
/// `SendTaskHeartbeat` sends them, and (for `.sync` resources) the immediate
/// response that `TaskSubmitted` records.
#[derive(Clone)]
pub struct HeartbeatSender {
    pub(crate) tx: Option<(Arc<Signals>, u64)>,
}

impl HeartbeatSender {
    /// A sender connected to nothing (heartbeats are ignored).
    pub fn detached() -> HeartbeatSender {
        HeartbeatSender { tx: None }
    }

    /// Records a heartbeat. Returns `false` when the attempt has already ended.
    pub fn beat(&self) -> bool {
        self.send(Signal::Heartbeat)
    }

    /// For `.sync` (and other long-running) resources: records `TaskSubmitted` with
    /// the service's immediate `response` while the resolver goes on waiting for the
    /// job; the value the resolver finally returns is the task's result (or its
    /// error: a job that was submitted and then failed records `TaskSubmitted`, then
    /// `TaskFailed`). It may be sent just before returning. Only the first call
    /// records an event; it also counts as a heartbeat. (For
    /// `.waitForTaskToken` the resolver's return value is what `TaskSubmitted` records.)
    pub fn submitted(&self, response: Val) -> bool {
        self.send(Signal::Submitted(response))
    }

    /// Ends the attempt on the queue this sender points at (as
    /// [`Signals::close_taking`]) and returns the signals it left unread.
    pub(crate) fn close_taking(&self) -> Vec<Signal> {
        match &self.tx {
            Some((q, _)) => q.close_taking(),
            None => Vec::new(),
        }
    }

    fn send(&self, s: Signal) -> bool {
        match &self.tx {
            Some((q, generation)) => q.send(*generation, s),
            None => false,
        }
    }
}

impl fmt::Debug for HeartbeatSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeartbeatSender")
            .field("connected", &self.tx.is_some())
            .finish()
    }
}

/// A task failure reported by a resolver: AWS's `error` name and `cause`.
///
/// The name is what `Retry` and `Catch` match (`ErrorEquals`); use the names AWS
/// services use (`Lambda.ServiceException`, a function's own `errorType`) or your
/// own. An empty name means "no error name", as `SendTaskFailure` without an
/// `error` records it.
///
/// The name is a `Cow<'static, str>`: a literal name (`TaskError::new("Busy", ..)`)
/// is borrowed, so a failing attempt allocates nothing for it; a name computed at run
/// time is owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskError {
    /// The error name (borrowed when it is a `&'static str`).
    pub error: Cow<'static, str>,
    /// The cause, if any.
    pub cause: Option<String>,
}

impl TaskError {
    /// An error with a name and a cause.
    pub fn new(error: impl Into<Cow<'static, str>>, cause: impl Into<String>) -> TaskError {
        TaskError {
            error: error.into(),
            cause: Some(cause.into()),
        }
    }

    /// An error with a name and no cause.
    pub fn named(error: impl Into<Cow<'static, str>>) -> TaskError {
        TaskError {
            error: error.into(),
            cause: None,
        }
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Some(c) => write!(f, "{}: {}", self.error, c),
            None => f.write_str(&self.error),
        }
    }
}

impl std::error::Error for TaskError {}

impl From<crate::error::StatesError> for TaskError {
    fn from(e: crate::error::StatesError) -> TaskError {
        TaskError {
            error: Cow::Owned(e.error.to_string()),
            cause: e.cause,
        }
    }
}
