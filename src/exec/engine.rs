//! The execution loop: one [`Run`] per execution, [`run_scope`] walking a scope's
//! states by resolved id, and the per-state context ([`StateCx`]) the state
//! implementations work with.

use super::clock::Clock;
use super::control::Control;
use super::history::{Assigned, EventDetails, EventType};
use super::recorder::{Chain, Recorder};
use super::resolver::TaskResolver;
use super::retry::RetryIntervals;
use super::vars::Vars;
use super::{choice, fail, map, parallel, pass, succeed, task, wait};
use crate::data::context::ContextObject;
use crate::data::random::Random;
use crate::data::Env;
use crate::definition::machine::Scope;
use crate::definition::state::{State, StateKind, Transition};
use crate::definition::task::Task;
use crate::error::{names, StatesError};
use crate::value::{Map, Val};
use futures::future::BoxFuture;
use std::future::Future;
use std::num::NonZeroU64;
use std::sync::{Arc, OnceLock};

/// Size and count limits of an execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest state input, output or task result, in bytes of compact JSON
    /// (AWS: 262,144).
    pub max_payload_bytes: usize,
    /// The most history events an execution may record (AWS: 25,000).
    pub max_history_events: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_payload_bytes: 262_144,
            max_history_events: 25_000,
        }
    }
}

/// Names and ARNs an execution reports (`$$`, history, Map Run ARNs).
#[derive(Clone, Debug)]
pub(crate) struct Identity {
    pub(crate) region: Arc<str>,
    pub(crate) account: Arc<str>,
    pub(crate) role_arn: Arc<str>,
    pub(crate) state_machine_name: Arc<str>,
    pub(crate) state_machine_arn: Arc<str>,
}

/// Everything shared by the states of one execution.
pub(crate) struct Run {
    pub(crate) resolver: Arc<dyn TaskResolver>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) random: Arc<Random>,
    pub(crate) limits: Limits,
    pub(crate) identity: Identity,
    /// `$$.Execution`, built once.
    pub(crate) execution_val: Val,
    /// `$$.StateMachine`, built once.
    pub(crate) state_machine_val: Val,
    pub(crate) recorder: Arc<Recorder>,
    pub(crate) control: Arc<Control>,
    pub(crate) idle_yields: u32,
    /// Retry intervals that replace the computed ones.
    pub(crate) retry_intervals: Arc<RetryIntervals>,
    /// `ActivityStarted.workerName`.
    pub(crate) worker_name: Option<Arc<str>>,
}

/// A failure travelling up from a state.
#[derive(Clone, Debug)]
pub(crate) struct Failure {
    /// The error and cause.
    pub(crate) error: StatesError,
    /// `false` for failures no Retry or Catch may handle (`States.Runtime`, an
    /// oversized state output, execution termination).
    pub(crate) catchable: bool,
    /// `true` when the failure is a heartbeat expiry (matchable as
    /// `States.HeartbeatTimeout` too).
    pub(crate) heartbeat: bool,
}

impl Failure {
    /// A failure; `States.Runtime` is never catchable.
    pub(crate) fn new(error: StatesError) -> Failure {
        let catchable = !error.is(names::RUNTIME);
        Failure {
            error,
            catchable,
            heartbeat: false,
        }
    }

    /// A failure no Retry or Catch may handle.
    pub(crate) fn fatal(error: StatesError) -> Failure {
        Failure {
            error,
            catchable: false,
            heartbeat: false,
        }
    }

    /// The error output a Catcher receives: `{"Error": ..., "Cause": ...}`, with `null`
    /// for an absent name or cause, except that a timeout's absent cause is `""` (as
    /// AWS records it).
    pub(crate) fn error_output(&self) -> Val {
        // The two keys are made once per process (a reference count per use).
        static KEYS: OnceLock<[Arc<str>; 2]> = OnceLock::new();
        let [error_key, cause_key] = KEYS.get_or_init(|| [Arc::from("Error"), Arc::from("Cause")]);
        let error = if self.error.error.is_empty() {
            Val::Null
        } else {
            Val::String(self.error.error.clone())
        };
        let cause = match self.error.cause.as_deref() {
            Some(c) => Val::string(c),
            None if self.error.is(names::TIMEOUT) => Val::string(""),
            None => Val::Null,
        };
        Val::object_from([(error_key.clone(), error), (cause_key.clone(), cause)])
    }
}

/// The error name for history: absent when empty.
pub(crate) fn error_name(e: &StatesError) -> Option<Arc<str>> {
    if e.error.is_empty() {
        None
    } else {
        Some(e.error.clone())
    }
}

/// A state finished: its effective output, where to go, and the variables it assigned.
pub(crate) struct StateOk {
    pub(crate) output: Val,
    pub(crate) next: Transition,
    pub(crate) assigned: Option<Map>,
}

/// What a running state needs: the execution, its own definition, the variables
/// visible to it (as they were when it was entered), and its event chain.
pub(crate) struct StateCx<'a> {
    pub(crate) run: &'a Run,
    pub(crate) state: &'a State,
    pub(crate) vars: &'a Vars<'a>,
    pub(crate) chain: &'a Chain,
    pub(crate) entered_id: u64,
    /// The context object for this state (no retry count, token or map item),
    /// kept by the scope and updated per state rather than built per state (three
    /// reference counts up and down each time).
    pub(crate) ctx: &'a ContextObject,
}

impl<'a> StateCx<'a> {
    /// An owned copy of the context object for this state (no retry count, token
    /// or map item), for states that add to it; the others borrow [`StateCx::ctx`].
    pub(crate) fn context(&self) -> ContextObject {
        self.ctx.clone()
    }

    /// An evaluation environment over `input` and `context`.
    pub(crate) fn env<'b>(&'b self, input: &'b Val, context: &'b ContextObject) -> Env<'b> {
        Env {
            input,
            context,
            variables: self.vars,
            random: &self.run.random,
        }
    }

    /// `An error occurred while executing the state '<name>' (entered at the event id #<n>). `
    pub(crate) fn runtime_prefix(&self) -> String {
        format!(
            "An error occurred while executing the state '{}' (entered at the event id #{}). ",
            self.state.name, self.entered_id
        )
    }

    /// A `States.Runtime` failure raised by this state (the cause gets AWS's prefix).
    pub(crate) fn runtime(&self, message: impl AsRef<str>) -> Failure {
        Failure::new(StatesError::runtime(format!(
            "{}{}",
            self.runtime_prefix(),
            message.as_ref()
        )))
    }

    /// A failure raised by this state's own processing: `States.Runtime` causes get
    /// the prefix; other errors pass unchanged.
    pub(crate) fn fail(&self, e: StatesError) -> Failure {
        if e.is(names::RUNTIME) {
            let cause = e.cause.unwrap_or_default();
            if cause.starts_with("An error occurred while executing the state") {
                return Failure::new(StatesError::runtime(cause));
            }
            return self.runtime(cause);
        }
        Failure::new(e)
    }

    /// Records an event on this state's chain.
    pub(crate) fn record(&self, t: EventType, details: EventDetails) -> u64 {
        self.run.record(self.chain, t, details)
    }

    /// The payload to store in an event.
    pub(crate) fn data(&self, v: &Val) -> Option<Val> {
        self.run.recorder.data(v)
    }
}

impl Run {
    /// Records an event on `chain`, enforcing the history limit.
    pub(crate) fn record(&self, chain: &Chain, t: EventType, details: EventDetails) -> u64 {
        let id = self.recorder.record(chain, t, details);
        self.check_limit(id);
        id
    }

    /// `id`, the id of an event just recorded, after terminating the execution if
    /// it is over the history limit (what [`Run::record`] does after recording).
    pub(crate) fn limit_checked(&self, id: u64) -> u64 {
        self.check_limit(id);
        id
    }

    /// Terminates the execution when event `id` is over the history limit.
    #[inline]
    fn check_limit(&self, id: u64) {
        if id > self.limits.max_history_events {
            self.control
                .terminate(super::control::Termination::HistoryLimit);
        }
    }

    /// Records `state`'s `*StateEntered` on `chain` (as [`Run::record`] would);
    /// returns its id and timestamp.
    fn record_entered(&self, chain: &Chain, state: &State, input: &Val) -> (u64, i64) {
        let (entered, _) = event_types(&state.kind);
        let (id, timestamp) = self
            .recorder
            .record_entered(chain, entered, &state.name, input);
        self.check_limit(id);
        (id, timestamp)
    }

    /// Records `state`'s `*StateExited` (`exited`) on `chain` (as [`Run::record`]
    /// would).
    fn record_exited(&self, chain: &Chain, state: &State, exited: EventType, ok: &StateOk) {
        let id = self.recorder.record_exited(
            chain,
            exited,
            &state.name,
            &ok.output,
            assigned_details(&ok.assigned),
        );
        self.check_limit(id);
    }

    /// Records `state`'s `*StateExited` (`exited`) and, unless that event reached
    /// the history limit, `next`'s `*StateEntered` right after it, as
    /// [`Run::record_exited`] and [`Run::record_entered`] would; returns the
    /// `*StateEntered` id and timestamp if it was recorded (in two registers: an
    /// id is never 0, so the `Option` needs no tag of its own and is not returned
    /// through memory).
    fn record_exited_entered(
        &self,
        chain: &Chain,
        state: &State,
        exited: EventType,
        ok: &StateOk,
        next: &State,
    ) -> Option<(NonZeroU64, i64)> {
        let (entered, _) = event_types(&next.kind);
        let (exited_id, next_entered) = self.recorder.record_exited_entered(
            chain,
            exited,
            &state.name,
            &ok.output,
            assigned_details(&ok.assigned),
            entered,
            &next.name,
            self.limits.max_history_events,
        );
        self.check_limit(next_entered.map_or(exited_id, |(id, _)| id));
        next_entered.and_then(|(id, millis)| Some((NonZeroU64::new(id)?, millis)))
    }

    /// Fails when the execution is terminating (checked before each state).
    pub(crate) fn check_running(&self) -> Result<(), Failure> {
        if self.control.is_terminating() {
            Err(Failure::fatal(StatesError::new(
                names::RUNTIME,
                "The execution is terminating.",
            )))
        } else {
            Ok(())
        }
    }

    /// `States.DataLimitExceeded` for a state or task named `label`.
    pub(crate) fn data_limit(&self, label: &str) -> StatesError {
        StatesError::new(
            names::DATA_LIMIT_EXCEEDED,
            format!(
                "The state/task '{label}' returned a result with a size exceeding the maximum number of bytes service limit."
            ),
        )
    }

    /// `true` when `v` is over the payload limit.
    pub(crate) fn too_big(&self, v: &Val) -> bool {
        v.json_len() > self.limits.max_payload_bytes
    }
}

/// The `*StateEntered` and `*StateExited` events of a state type (Fail has no
/// `*StateExited`).
fn event_types(kind: &StateKind) -> (EventType, Option<EventType>) {
    match kind {
        StateKind::Pass { .. } => (
            EventType::PassStateEntered,
            Some(EventType::PassStateExited),
        ),
        StateKind::Task(_) => (
            EventType::TaskStateEntered,
            Some(EventType::TaskStateExited),
        ),
        StateKind::Choice(_) => (
            EventType::ChoiceStateEntered,
            Some(EventType::ChoiceStateExited),
        ),
        StateKind::Wait(_) => (
            EventType::WaitStateEntered,
            Some(EventType::WaitStateExited),
        ),
        StateKind::Succeed => (
            EventType::SucceedStateEntered,
            Some(EventType::SucceedStateExited),
        ),
        StateKind::Fail(_) => (EventType::FailStateEntered, None),
        StateKind::Parallel(_) => (
            EventType::ParallelStateEntered,
            Some(EventType::ParallelStateExited),
        ),
        StateKind::Map(_) => (EventType::MapStateEntered, Some(EventType::MapStateExited)),
    }
}

/// The `*StateAborted` event of a state type, for the types that have one.
pub(crate) fn aborted_type(kind: &StateKind) -> Option<EventType> {
    match kind {
        StateKind::Task(_) => Some(EventType::TaskStateAborted),
        StateKind::Wait(_) => Some(EventType::WaitStateAborted),
        StateKind::Parallel(_) => Some(EventType::ParallelStateAborted),
        StateKind::Map(_) => Some(EventType::MapStateAborted),
        _ => None,
    }
}

/// Records `*StateAborted` if the running state's future is dropped (a sibling
/// branch or iteration failed), unless the whole execution is ending.
struct AbortGuard<'a> {
    run: &'a Run,
    chain: &'a Chain,
    event: Option<EventType>,
}

impl AbortGuard<'_> {
    fn disarm(&mut self) {
        self.event = None;
    }
}

impl Drop for AbortGuard<'_> {
    fn drop(&mut self) {
        if let Some(t) = self.event.take() {
            if !self.run.control.is_closing() {
                self.run.record(self.chain, t, EventDetails::None);
            }
        }
    }
}

#[inline]
fn assigned_details(assigned: &Option<Map>) -> Option<Assigned> {
    assigned
        .as_ref()
        .filter(|m| !m.is_empty())
        .map(|m| Arc::new(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()))
}

/// Runs the states of `scope` from its `StartAt` until one ends the scope.
///
/// `nested` is `true` inside Parallel branches and Map iterations: there a state that
/// fails without being caught also records its `*StateAborted` event, as AWS does.
pub(crate) fn run_scope<'a, 'v: 'a>(
    run: &'a Run,
    scope: &'a Scope,
    input: Val,
    vars: &'a mut Vars<'v>,
    chain: &'a Chain,
    nested: bool,
) -> BoxFuture<'a, Result<Val, Failure>> {
    Box::pin(scope_loop::<BoxedTasks>(
        run, scope, input, vars, chain, nested,
    ))
}

/// Where a scope's future keeps the future of a running Task state.
pub(crate) trait TaskMode {
    /// The future of Task state `t` (what `task::run` returns, boxed or not).
    fn task<'f>(
        cx: &'f StateCx<'f>,
        t: &'f Task,
        input: Val,
    ) -> impl Future<Output = Result<StateOk, Failure>> + Send + 'f;
}

/// Task futures in a box of their own, so that the future of a scope stays small
/// whatever states it runs (what [`run_scope`] uses).
pub(crate) struct BoxedTasks;

impl TaskMode for BoxedTasks {
    fn task<'f>(
        cx: &'f StateCx<'f>,
        t: &'f Task,
        input: Val,
    ) -> impl Future<Output = Result<StateOk, Failure>> + Send + 'f {
        Box::pin(task::run(cx, t, input))
    }
}

/// Task futures held in place in the scope's future: for a scope that runs Task
/// states inside a future its caller boxes anyway (a Map iteration or a Parallel
/// branch in its [`Set`](super::concurrent::Set) slot), one allocation per Task
/// state run fewer.
pub(crate) struct InlineTasks;

impl TaskMode for InlineTasks {
    fn task<'f>(
        cx: &'f StateCx<'f>,
        t: &'f Task,
        input: Val,
    ) -> impl Future<Output = Result<StateOk, Failure>> + Send + 'f {
        task::run(cx, t, input)
    }
}

/// `true` when `scope` has a Task state (its callers then hold Task futures in
/// place: [`InlineTasks`]).
pub(crate) fn runs_tasks(scope: &Scope) -> bool {
    scope
        .states
        .iter()
        .any(|s| matches!(s.kind, StateKind::Task(_)))
}

/// The loop of [`run_scope`], unboxed, for a caller that boxes its own future
/// around it (a Map iteration: one allocation instead of two); `M` says where
/// Task futures are kept.
pub(crate) async fn scope_loop<'a, 'v: 'a, M: TaskMode>(
    run: &'a Run,
    scope: &'a Scope,
    input: Val,
    vars: &'a mut Vars<'v>,
    chain: &'a Chain,
    nested: bool,
) -> Result<Val, Failure> {
    let mut id = scope.start_at;
    let mut input = input;
    let mut ctx: Option<ContextObject> = None;
    // The id and timestamp of the next state's `*StateEntered`, when it was
    // recorded together with the previous state's `*StateExited` (after the
    // check for a terminating execution, below).
    let mut next_entered: Option<(NonZeroU64, i64)> = None;
    loop {
        if next_entered.is_none() {
            run.check_running()?;
        }
        let Some(state) = scope.states.get(id) else {
            return Err(Failure::fatal(StatesError::runtime(format!(
                "Internal error: no state with id {id} in this scope."
            ))));
        };
        let ctx = match &mut ctx {
            Some(c) => {
                // A state that never reads `$$.State` leaves the name as it was (two
                // reference-count updates fewer per state).
                if state.reads_context && !Arc::ptr_eq(&c.state_name, &state.name) {
                    c.state_name = state.name.clone();
                }
                c
            }
            None => ctx.insert(ContextObject {
                execution: run.execution_val.clone(),
                state_machine: run.state_machine_val.clone(),
                state_name: state.name.clone(),
                state_entered_millis: 0,
                retry_count: None,
                task_token: None,
                map_item: None,
            }),
        };
        let (entered_id, entered_millis) = match next_entered.take() {
            Some((id, millis)) => (id.get(), millis),
            None => {
                if let StateKind::Map(m) = &state.kind {
                    ctx.state_entered_millis = run.clock.now_millis();
                    let cx = StateCx {
                        run,
                        state,
                        vars: &*vars,
                        chain,
                        entered_id: run.recorder.count() + 1,
                        ctx,
                    };
                    if map::stalls_before_entering(&cx, m, &input) {
                        return futures::future::pending().await;
                    }
                }
                run.record_entered(chain, state, &input)
            }
        };
        ctx.state_entered_millis = entered_millis;
        let cx = StateCx {
            run,
            state,
            vars: &*vars,
            chain,
            entered_id,
            ctx,
        };
        // Pass, Choice, Succeed and Fail never suspend: they run here, without a
        // future of their own or an abort guard (they have no `*StateAborted`).
        let result = match &state.kind {
            StateKind::Pass { result } => pass::run(&cx, result.as_ref(), input),
            StateKind::Choice(c) => choice::run(&cx, c, input),
            StateKind::Succeed => succeed::run(&cx, input),
            StateKind::Fail(f) => Err(fail::run(&cx, f, input)),
            _ => run_suspending::<M>(&cx, input).await,
        };
        let ok = match result {
            Ok(ok) => ok,
            Err(f) => {
                if nested {
                    if let Some(t) = aborted_type(&state.kind) {
                        run.record(chain, t, EventDetails::None);
                    }
                }
                return Err(f);
            }
        };
        if run.too_big(&ok.output) {
            return Err(Failure::fatal(run.data_limit(&state.name)));
        }
        if let (_, Some(t)) = event_types(&state.kind) {
            // The next state's `*StateEntered` follows at once on this chain, unless
            // the execution is terminating (checked before each state) or the next
            // state is a Map (which may stall before it is entered).
            let next = match ok.next {
                Transition::Next(next) if !run.control.is_terminating() => scope
                    .states
                    .get(next)
                    .filter(|s| !matches!(s.kind, StateKind::Map(_))),
                _ => None,
            };
            match next {
                Some(next) => next_entered = run.record_exited_entered(chain, state, t, &ok, next),
                None => run.record_exited(chain, state, t, &ok),
            }
        }
        if let Some(assigned) = ok.assigned {
            vars.assign(assigned);
        }
        match ok.next {
            Transition::Next(next) => {
                id = next;
                input = ok.output;
            }
            Transition::End => return Ok(ok.output),
        }
    }
}

/// Runs the work of a state that may suspend (Task, Wait, Parallel, Map), after
/// `*StateEntered` and before `*StateExited`; records its `*StateAborted` if the
/// future is dropped while it runs.
///
/// The Task, Parallel and Map futures are large (retry, timers, a set of
/// iterations) and are boxed, so that the future of a scope running Pass, Choice
/// or Wait states, which is what each in-flight Map iteration holds, stays small.
async fn run_suspending<M: TaskMode>(cx: &StateCx<'_>, input: Val) -> Result<StateOk, Failure> {
    let mut guard = AbortGuard {
        run: cx.run,
        chain: cx.chain,
        event: aborted_type(&cx.state.kind),
    };
    let result = match &cx.state.kind {
        StateKind::Task(t) => M::task(cx, t, input).await,
        StateKind::Wait(w) => wait::run(cx, w, input).await,
        StateKind::Parallel(p) => Box::pin(parallel::run(cx, p, input)).await,
        StateKind::Map(m) => Box::pin(map::run(cx, m, input)).await,
        StateKind::Pass { result } => pass::run(cx, result.as_ref(), input),
        StateKind::Choice(c) => choice::run(cx, c, input),
        StateKind::Succeed => succeed::run(cx, input),
        StateKind::Fail(f) => Err(fail::run(cx, f, input)),
    };
    guard.disarm();
    result
}

#[cfg(test)]
mod tests {
    use crate::exec::{Executor, HistoryLevel, Resolvers};
    use crate::{val, StateMachine};
    use std::sync::Arc;

    /// The event types of a chain of four Pass states run with `limit` events
    /// at most (at `level`).
    fn chain_types(limit: u64, level: HistoryLevel) -> (Vec<&'static str>, u64) {
        let machine = StateMachine::parse(
            r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},
            "B":{"Type":"Pass","Next":"C"},"C":{"Type":"Pass","Next":"D"},
            "D":{"Type":"Pass","End":true}}}"#,
        )
        .expect("a valid definition");
        let outcome = futures::executor::block_on(
            Executor::new(Arc::new(Resolvers::new()))
                .max_history_events(limit)
                .history(level)
                .run(&machine, val!({})),
        );
        let last = outcome.history.events().last().map_or(0, |e| e.id);
        (outcome.history.type_names(), last)
    }

    #[test]
    fn the_history_limit_stops_a_chain_after_the_event_over_it() {
        // Over the limit at a `*StateExited`: the next state is not entered.
        let (types, _) = chain_types(4, HistoryLevel::Full);
        assert_eq!(
            types,
            [
                "ExecutionStarted",
                "PassStateEntered",
                "PassStateExited",
                "PassStateEntered",
                "PassStateExited",
                "ExecutionFailed"
            ]
        );
        // Over the limit at a `*StateEntered`: the state still runs and exits.
        let (types, _) = chain_types(5, HistoryLevel::Full);
        assert_eq!(
            types,
            [
                "ExecutionStarted",
                "PassStateEntered",
                "PassStateExited",
                "PassStateEntered",
                "PassStateExited",
                "PassStateEntered",
                "PassStateExited",
                "ExecutionFailed"
            ]
        );
        let (types, _) = chain_types(u64::MAX, HistoryLevel::Summary);
        assert_eq!(types.len(), 10);
        let (types, _) = chain_types(u64::MAX, HistoryLevel::None);
        assert!(types.is_empty());
    }
}
