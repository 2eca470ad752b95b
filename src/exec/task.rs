//! Task states: one resolver call per attempt, with timeouts, heartbeats, task
//! tokens, Retry and Catch, and the history events of the resource's kind
//! (`LambdaFunction*`, `Activity*` or `Task*`).

use super::control::{Completion, Termination, TokenSlot};
use super::engine::{error_name, Failure, Run, StateCx, StateOk};
use super::history::{
    ActivityScheduledDetails, EventDetails, EventType, LambdaFunctionSettings, TaskErrorDetails,
    TaskScheduledDetails,
};
use super::io;
use super::resolver::{
    open_sync, Signal, Signals, SignalsOpen, TaskError, TaskRequest, TaskResolver,
};
use super::retry::{self, RetryState};
use crate::data::context::{ContextObject, LazyContext};
use crate::definition::io::{InputFilter, Io};
use crate::definition::state::State;
use crate::definition::task::{Credentials, IntegrationPattern, ResourceKind, Seconds, Task};
use crate::error::{names, StatesError};
use crate::value::map::key_eq;
use crate::value::Val;
use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::future::{poll_fn, BoxFuture, CatchUnwind};
use futures::{FutureExt, StreamExt};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::Poll;

/// Which family of events a resource records.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Lambda,
    Activity,
    Task,
}

/// The resource's names as history records them, borrowed from the definition (no
/// reference counting per Task state run; events clone what they keep).
struct Names<'a> {
    family: Family,
    resource_type: &'a Arc<str>,
    resource: &'a Arc<str>,
    /// How DataLimitExceeded causes name the task.
    label: &'a Arc<str>,
}

/// A shared `Arc<str>` for a fixed resource type (no allocation per Task state).
fn fixed(cell: &'static OnceLock<Arc<str>>, s: &str) -> &'static Arc<str> {
    cell.get_or_init(|| Arc::from(s))
}

static LAMBDA: OnceLock<Arc<str>> = OnceLock::new();
static ACTIVITY: OnceLock<Arc<str>> = OnceLock::new();
static CUSTOM: OnceLock<Arc<str>> = OnceLock::new();

fn names_of(task: &Task) -> Names<'_> {
    let arn = &task.resource.arn;
    match &task.resource.kind {
        ResourceKind::LambdaFunction => Names {
            family: Family::Lambda,
            resource_type: fixed(&LAMBDA, "lambda"),
            resource: arn,
            label: arn,
        },
        ResourceKind::Activity => Names {
            family: Family::Activity,
            resource_type: fixed(&ACTIVITY, "activity"),
            resource: arn,
            label: arn,
        },
        ResourceKind::Integration {
            service, action, ..
        } => Names {
            family: Family::Task,
            resource_type: service,
            resource: action,
            label: service,
        },
        ResourceKind::Custom => Names {
            family: Family::Task,
            resource_type: fixed(&CUSTOM, "custom"),
            resource: arn,
            label: arn,
        },
    }
}

/// `true` when a run of Task state `state` (`task`) never waits: no task token,
/// a resolver that answers its resource at once
/// ([`TaskResolver::answers_at_once`]), and retries without a delay. Such a run
/// completes in its first poll.
pub(crate) fn never_waits(run: &Run, state: &State, task: &Task) -> bool {
    !waits_for_token(task)
        && run.resolver.answers_at_once(&task.resource.arn)
        && run.retry_intervals.never_waits(&state.name, &task.retry)
}

/// `.waitForTaskToken` integrations, and custom resources with that suffix.
fn waits_for_token(task: &Task) -> bool {
    match &task.resource.kind {
        ResourceKind::Integration { pattern, .. } => {
            *pattern == IntegrationPattern::WaitForTaskToken
        }
        ResourceKind::Custom => task.resource.arn.ends_with(".waitForTaskToken"),
        _ => false,
    }
}

/// Runs a Task state.
pub(crate) async fn run(cx: &StateCx<'_>, task: &Task, raw: Val) -> Result<StateOk, Failure> {
    let res = names_of(task);
    let mut retry = RetryState::new(&task.retry);
    // The state's own signal queue, made for the first attempt that waits (each
    // opens it afresh); attempts answered at once share their thread's.
    let mut signals: Option<Arc<Signals>> = None;
    // The last attempt's `*Scheduled` details, shared by a retry with the same ones.
    let mut scheduled = Scheduled::default();
    // One request for all attempts, with the state's context: each attempt sets
    // its input, retry count (and token), and a resolver that answers at once
    // hands it back, so an attempt copies no names and no context.
    let mut request = TaskRequest::new(
        task.resource.arn.clone(),
        task.resource.kind.clone(),
        cx.state.name.clone(),
        Val::Null,
        LazyContext::new(cx.context()),
    );
    let result = loop {
        request.retry_count = retry.retry_count;
        request.context.fields_mut().retry_count = Some(retry.retry_count);
        let attempted = match begin(
            cx,
            task,
            &res,
            &raw,
            &mut request,
            &mut signals,
            &mut scheduled,
        ) {
            Ok(Begun::Now(outcome)) => end(cx, &res, outcome),
            Ok(Begun::Waiting(waiting)) => {
                let outcome = waiting.await;
                end(cx, &res, outcome)
            }
            Err(a) => Err(a),
        };
        match attempted {
            Ok(result) => break result,
            Err(Attempted { failure, record }) => {
                let delay = retry.next_delay(cx, &task.retry, &failure);
                let Some(delay) = delay else {
                    if let Some(timed_out) = record {
                        record_failure(
                            cx,
                            &res,
                            error_name(&failure.error),
                            failure.error.cause.clone(),
                            timed_out,
                        );
                    }
                    return retry::catch(cx, &task.catch, raw, failure);
                };
                // Retrying: the failure is needed no more, its event takes its parts.
                if let Some(timed_out) = record {
                    let StatesError { error, cause } = failure.error;
                    let error = if error.is_empty() { None } else { Some(error) };
                    record_failure(cx, &res, error, cause, timed_out);
                }
                if delay > 0 {
                    cx.run.clock.timer(delay).await;
                }
            }
        }
    };
    // The common Task (JSONPath, no ResultSelector, Assign or OutputPath) places
    // its result with ResultPath and is done, without the general steps' Results.
    if let (Io::JsonPath(jp), None) = (&cx.state.io, &cx.state.assign) {
        if jp.result_selector.is_none() && matches!(jp.output_path, InputFilter::Identity) {
            return Ok(StateOk {
                output: io::result_path(cx, &jp.result_path, raw, result)?,
                next: cx.state.transition,
                assigned: None,
            });
        }
    }
    let ctx = request.context.fields();
    let result = io::select_result(cx, result, ctx)?;
    let (output, assigned) = io::finish(cx, raw, result, ctx, cx.state.assign.as_ref())?;
    Ok(StateOk {
        output,
        next: cx.state.transition,
        assigned,
    })
}

/// Evaluates a `TimeoutSeconds`/`HeartbeatSeconds` field.
fn seconds(
    cx: &StateCx<'_>,
    s: Option<&Seconds>,
    field: &str,
    data: &Val,
    ctx: &ContextObject,
) -> Result<Option<u64>, Failure> {
    let v = match s {
        None => return Ok(None),
        Some(Seconds::Literal(n)) => return Ok(Some(*n)),
        Some(Seconds::Path(p)) => {
            let v = io::eval_path(cx, p, data, ctx)?;
            match v.as_number().and_then(|n| n.as_u64()) {
                Some(n) if n > 0 => return Ok(Some(n)),
                _ => {
                    return Err(cx.runtime(format!(
                        "The {field}Path field refers to value \"{}\" which is not a valid positive integer: {}",
                        io::shown(&v),
                        p.text()
                    )))
                }
            }
        }
        Some(Seconds::Jsonata(j)) => {
            super::jsonata::eval(cx, j, field, super::jsonata::States::new(data, ctx))?
        }
    };
    match v.as_number().and_then(|n| n.as_u64()) {
        Some(n) if n > 0 => Ok(Some(n)),
        _ => Err(super::jsonata::error(
            cx,
            Some(field),
            format!("The field '{field}' must be a positive integer, but was: {v}"),
        )),
    }
}

/// A failed attempt: the failure, and whether (and how) it still has to be recorded:
/// `Some(timed_out)` for a failure of the task itself (`*Failed`, or `*TimedOut`
/// when `timed_out`), which the caller records once it knows whether the state
/// retries (a retried failure's event takes its parts without copying them); `None`
/// for a failure before the task was scheduled, which records nothing.
struct Attempted {
    failure: Failure,
    record: Option<bool>,
}

impl From<Failure> for Attempted {
    fn from(failure: Failure) -> Attempted {
        Attempted {
            failure,
            record: None,
        }
    }
}

/// An attempt that [`begin`] started: answered at once, or waiting for the
/// resolver's future or the task token (boxed, so that the waiting machinery
/// stays out of the Task state's own future, which every Task state run
/// allocates and which an attempt answered at once never needs).
enum Begun<'a> {
    Now(Result<Val, Failure>),
    Waiting(Pin<Box<dyn Future<Output = Result<Val, Failure>> + Send + 'a>>),
}

/// Starts one attempt, without waiting: evaluate the input, schedule, invoke.
/// [`end`] records its outcome (but a failure is recorded by the caller, see
/// [`Attempted`]). `request` is the Task state run's request, its context with
/// this attempt's retry count; the attempt sets the rest. `signals` is the state's
/// own signal queue, made for the first attempt that waits (an attempt answered
/// at once uses its thread's shared one). `scheduled` holds the last attempt's
/// `*Scheduled` details, which a retry reuses when they are the same.
fn begin<'a>(
    cx: &'a StateCx<'_>,
    task: &'a Task,
    res: &'a Names<'_>,
    raw: &Val,
    request: &mut TaskRequest,
    signals: &mut Option<Arc<Signals>>,
    scheduled: &mut Scheduled,
) -> Result<Begun<'a>, Attempted> {
    let run = cx.run;
    let token: Option<Arc<str>> = if waits_for_token(task) {
        Some(Arc::from(run.random.uuid_v4()))
    } else {
        None
    };
    if token.is_some() || request.task_token.is_some() {
        request.context.fields_mut().task_token = token.clone();
        request.task_token = token.clone();
    }
    let ctx = request.context.fields();
    // The common Task (no InputPath, no Parameters) takes its raw input as it is,
    // without the general evaluation's call.
    // A retry of such a Task finds its input in the request already (no reference
    // count taken and none dropped, and no value moved through the stack).
    match &cx.state.io {
        Io::JsonPath(jp)
            if jp.parameters.is_none() && matches!(jp.input_path, InputFilter::Identity) =>
        {
            if !request.input.ptr_eq(raw) {
                request.input = raw.clone();
            }
        }
        _ => request.input = io::effective_input(cx, raw, ctx)?,
    };
    let input = &request.input;
    let timeout = match &task.timeout {
        None => None,
        t => seconds(cx, t.as_ref(), "TimeoutSeconds", raw, ctx)?,
    };
    let heartbeat = match &task.heartbeat {
        None => None,
        h => seconds(cx, h.as_ref(), "HeartbeatSeconds", raw, ctx)?,
    };
    // Credentials are written into the request where they are evaluated: a Task
    // without them leaves the request's `None` as it is (moving a `None` through
    // the stack into the request stalled on the store of its tag).
    let role_arn: Option<Arc<str>> = match &task.credentials {
        None => None,
        Some(c) => {
            let v = credentials(cx, c, raw, ctx)?;
            let role_arn = v.get("RoleArn").and_then(Val::as_str).map(Arc::from);
            request.credentials = Some(v);
            role_arn
        }
    };

    // Scheduled + Started. A retry with the same input (the same value, not a
    // copy) and the same settings shares the previous attempt's details.
    let same_input = |v: &Option<Val>| v.as_ref().map_or(true, |v| v.ptr_eq(input));
    match res.family {
        Family::Lambda => {
            // The function and the input are recorded inline; settings (rare) are
            // shared by the retries that have the same.
            let settings = if timeout.is_none() && role_arn.is_none() {
                None
            } else {
                Some(
                    reuse(&scheduled.lambda, |s| {
                        s.timeout_seconds == timeout && s.role_arn == role_arn
                    })
                    .unwrap_or_else(|| {
                        keep(
                            &mut scheduled.lambda,
                            LambdaFunctionSettings {
                                timeout_seconds: timeout,
                                role_arn,
                            },
                        )
                    }),
                )
            };
            record_pair(
                cx,
                EventType::LambdaFunctionScheduled,
                EventDetails::LambdaFunctionScheduled {
                    resource: res.resource.clone(),
                    input: cx.data(input),
                    settings,
                },
                EventType::LambdaFunctionStarted,
                EventDetails::None,
            );
        }
        Family::Activity => {
            let d = reuse(&scheduled.activity, |d| {
                same_input(&d.input)
                    && d.timeout_seconds == timeout
                    && d.heartbeat_seconds == heartbeat
            })
            .unwrap_or_else(|| {
                keep(
                    &mut scheduled.activity,
                    ActivityScheduledDetails {
                        resource: res.resource.clone(),
                        input: cx.data(input),
                        timeout_seconds: timeout,
                        heartbeat_seconds: heartbeat,
                    },
                )
            });
            record_pair(
                cx,
                EventType::ActivityScheduled,
                EventDetails::ActivityScheduled(d),
                EventType::ActivityStarted,
                EventDetails::ActivityStarted {
                    worker_name: run.worker_name.clone(),
                },
            );
        }
        Family::Task => {
            let d = reuse(&scheduled.task, |d| {
                same_input(&d.parameters)
                    && d.timeout_seconds == timeout
                    && d.heartbeat_seconds == heartbeat
                    && d.role_arn == role_arn
            })
            .unwrap_or_else(|| {
                keep(
                    &mut scheduled.task,
                    TaskScheduledDetails {
                        resource_type: res.resource_type.clone(),
                        resource: res.resource.clone(),
                        region: run.identity.region.clone(),
                        parameters: cx.data(input),
                        timeout_seconds: timeout,
                        heartbeat_seconds: heartbeat,
                        role_arn,
                    },
                )
            });
            record_pair(
                cx,
                EventType::TaskScheduled,
                EventDetails::TaskScheduled(d),
                EventType::TaskStarted,
                EventDetails::Task {
                    resource_type: res.resource_type.clone(),
                    resource: res.resource.clone(),
                },
            );
        }
    }

    request.timeout_seconds = timeout;
    request.heartbeat_seconds = heartbeat;
    let Some(token) = token else {
        // No task token: the resolver may answer at once, and no completion
        // channel exists (none is made and none dropped per attempt).
        open_sync(&mut request.heartbeat);
        let call = start(cx, request, signals, true);
        return Ok(match call {
            // Answered at once: no timers, no polling, no second future.
            Call::Now(Some(r)) => {
                let left = request.heartbeat.close_taking();
                Begun::Now(answered(cx, task, r, left, res))
            }
            call => waiting(cx, task, res, call, None, timeout, heartbeat, signals),
        });
    };
    signals
        .get_or_insert_with(Arc::default)
        .reopen(&mut request.heartbeat);
    // The completion channel the token's owner answers on.
    let (done_tx, done_rx) = unbounded::<Completion>();
    run.control.register_token(
        token.clone(),
        TokenSlot {
            completion: done_tx.clone(),
            heartbeat: request.heartbeat.clone(),
        },
    );
    let call = start(cx, request, signals, false);
    let waits = Some(WaitsForToken {
        token,
        done_tx,
        done_rx,
    });
    Ok(waiting(
        cx, task, res, call, waits, timeout, heartbeat, signals,
    ))
}

/// A `.waitForTaskToken` attempt's token and its completion channel.
struct WaitsForToken {
    token: Arc<str>,
    done_tx: UnboundedSender<Completion>,
    done_rx: UnboundedReceiver<Completion>,
}

/// An attempt that waits: for the resolver's future, or (`waits`) for its task
/// token, on the state's own signal queue (made if needed). The token is
/// unregistered once [`invoke`] returns.
#[allow(clippy::too_many_arguments)]
fn waiting<'a>(
    cx: &'a StateCx<'_>,
    task: &'a Task,
    res: &'a Names<'_>,
    call: Call<'a>,
    waits: Option<WaitsForToken>,
    timeout: Option<u64>,
    heartbeat: Option<u64>,
    signals: &mut Option<Arc<Signals>>,
) -> Begun<'a> {
    let run = cx.run;
    let signals = signals.get_or_insert_with(Arc::default).clone();
    Begun::Waiting(Box::pin(async move {
        let signals = &*signals;
        // Closes the queue when the attempt ends, also when its future is dropped.
        let open = SignalsOpen(signals);
        let (token, done_tx, done_rx) = match waits {
            Some(w) => (Some(w.token), Some(w.done_tx), Some(w.done_rx)),
            None => (None, None, None),
        };
        let outcome = invoke(
            cx,
            task,
            call,
            token.is_some(),
            timeout,
            heartbeat,
            signals,
            done_rx,
            res,
        )
        .await;
        drop(open);
        if let Some(t) = &token {
            run.control.remove_token(t);
        }
        drop(done_tx);
        outcome
    }))
}

/// Evaluates a Task's `Credentials` field: a JSONPath template over the state
/// input after InputPath (as in Parameters), or a JSONata expression.
fn credentials(
    cx: &StateCx<'_>,
    c: &Credentials,
    raw: &Val,
    ctx: &ContextObject,
) -> Result<Val, Failure> {
    match c {
        Credentials::JsonPath(t) => {
            let filtered = match &cx.state.io {
                Io::JsonPath(jp) => io::filter(cx, &jp.input_path, raw, ctx)?,
                Io::Jsonata(_) => raw.clone(),
            };
            io::template(cx, t, &filtered, ctx)
        }
        Credentials::Jsonata(j) => {
            super::jsonata::eval(cx, j, "Credentials", super::jsonata::States::new(raw, ctx))
        }
    }
}

/// Records an attempt's `*Scheduled` and `*Started` events, as two calls of
/// `StateCx::record` would (under one lock; the history limit is checked on the
/// second, which is over it whenever the first is).
fn record_pair(
    cx: &StateCx<'_>,
    first: EventType,
    first_details: EventDetails,
    second: EventType,
    second_details: EventDetails,
) {
    let run = cx.run;
    let id = run
        .recorder
        .record_pair(cx.chain, first, first_details, second, second_details);
    if id > run.limits.max_history_events {
        run.control.terminate(Termination::HistoryLimit);
    }
}

/// The last attempt's `*Scheduled` details (of the resource's family), which a
/// retry with the same ones shares (an `Arc` clone, no allocation).
#[derive(Default)]
struct Scheduled {
    lambda: Option<Arc<LambdaFunctionSettings>>,
    activity: Option<Arc<ActivityScheduledDetails>>,
    task: Option<Arc<TaskScheduledDetails>>,
}

/// The details in `slot` when `same` says they are this attempt's (the input is
/// the same value: a data field is either the value or, below
/// [`HistoryLevel::Full`](super::HistoryLevel::Full), absent for every attempt).
fn reuse<T>(slot: &Option<Arc<T>>, same: impl FnOnce(&T) -> bool) -> Option<Arc<T>> {
    slot.as_ref().filter(|d| same(d)).cloned()
}

/// New details, kept in `slot` for the next attempt.
fn keep<T>(slot: &mut Option<Arc<T>>, details: T) -> Arc<T> {
    slot.insert(Arc::new(details)).clone()
}

/// Ends an attempt: checks and records its result, or hands its failure to the
/// caller to record.
#[inline(always)]
fn end(cx: &StateCx<'_>, res: &Names<'_>, outcome: Result<Val, Failure>) -> Result<Val, Attempted> {
    let run = cx.run;
    match outcome {
        Ok(result) => {
            if run.too_big(&result) {
                let e = run.data_limit(res.label);
                return Err(Attempted {
                    failure: Failure::new(e),
                    record: Some(false),
                });
            }
            let recorder = &run.recorder;
            let id = match res.family {
                Family::Lambda => {
                    recorder.record_output(cx.chain, EventType::LambdaFunctionSucceeded, &result)
                }
                Family::Activity => {
                    recorder.record_output(cx.chain, EventType::ActivitySucceeded, &result)
                }
                Family::Task => recorder.record_task_output(
                    cx.chain,
                    EventType::TaskSucceeded,
                    res.resource_type,
                    res.resource,
                    &result,
                ),
            };
            run.limit_checked(id);
            Ok(result)
        }
        Err(f) => {
            let timed_out = f.error.is(names::TIMEOUT) && f.catchable;
            Err(Attempted {
                failure: f,
                record: Some(timed_out),
            })
        }
    }
}

/// Records `*Failed` (or `*TimedOut` when `timed_out`).
#[inline(always)]
fn record_failure(
    cx: &StateCx<'_>,
    res: &Names<'_>,
    error: Option<Arc<str>>,
    cause: Option<String>,
    timed_out: bool,
) {
    let t = match (res.family, timed_out) {
        (Family::Lambda, false) => EventType::LambdaFunctionFailed,
        (Family::Lambda, true) => EventType::LambdaFunctionTimedOut,
        (Family::Activity, false) => EventType::ActivityFailed,
        (Family::Activity, true) => EventType::ActivityTimedOut,
        (Family::Task, false) => EventType::TaskFailed,
        (Family::Task, true) => EventType::TaskTimedOut,
    };
    if res.family == Family::Task {
        cx.record(
            t,
            EventDetails::TaskError(Box::new(TaskErrorDetails {
                resource_type: res.resource_type.clone(),
                resource: res.resource.clone(),
                error,
                cause,
            })),
        );
    } else {
        let run = cx.run;
        run.limit_checked(run.recorder.record_error(cx.chain, t, error, cause));
    }
}

/// Records `TaskSubmitted` for a resolver's `submitted` signal: only the first one,
/// and only for the `Task*` family (Lambda functions and activities have no such
/// event).
fn submit_once(cx: &StateCx<'_>, res: &Names<'_>, submitted: &mut bool, v: &Val) {
    if !*submitted && res.family == Family::Task {
        *submitted = true;
        record_submitted(cx, res, v);
    }
}

fn record_submitted(cx: &StateCx<'_>, res: &Names<'_>, v: &Val) {
    let run = cx.run;
    run.limit_checked(run.recorder.record_task_output(
        cx.chain,
        EventType::TaskSubmitted,
        res.resource_type,
        res.resource,
        v,
    ));
}

/// What happened while the task ran.
enum Event {
    Returned(Result<Result<Val, TaskError>, String>),
    Completed(Option<Completion>),
    Heartbeat,
    Submitted(Val),
    TimedOut,
    HeartbeatExpired,
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        String::from("The task resolver panicked.")
    }
}

/// A resolver's error as a failure. A name that the state's `Retry` or `Catch`
/// lists shares that `Arc` (no allocation per failed attempt).
fn task_error(task: &Task, e: TaskError) -> Failure {
    let error = match shared_name(task, &e.error) {
        Some(n) => n.clone(),
        None => Arc::from(&*e.error),
    };
    Failure::new(StatesError {
        error,
        cause: e.cause,
    })
}

/// The `Arc` of `name` in the state's `Retry` or `Catch` names, if it is there
/// (plain loops, inlined: an iterator chain cost ~85 instructions per failed
/// attempt, and `Iterator::find` left out of line ~47 per list; names
/// compared as machine words, not through a `memcmp` call per name).
fn shared_name<'t>(task: &'t Task, name: &str) -> Option<&'t Arc<str>> {
    #[inline(always)]
    #[allow(clippy::manual_find)] // `Iterator::find` stayed out of line
    fn find<'t>(names: &'t [Arc<str>], name: &str) -> Option<&'t Arc<str>> {
        for n in names {
            if key_eq(n, name) {
                return Some(n);
            }
        }
        None
    }
    for r in &task.retry {
        if let Some(n) = find(&r.errors.names, name) {
            return Some(n);
        }
    }
    for c in &task.catch {
        if let Some(n) = find(&c.errors.names, name) {
            return Some(n);
        }
    }
    None
}

/// What the resolver returned (or the message it panicked with).
type Returned = Result<Result<Val, TaskError>, String>;

/// The resolver's call: answered at once ([`TaskResolver::invoke_now`], or a
/// panic), or a future, caught if it panics.
enum Call<'a> {
    Now(Option<Returned>),
    Later(CatchUnwind<AssertUnwindSafe<BoxFuture<'a, Result<Val, TaskError>>>>),
}

impl Call<'_> {
    fn poll(&mut self, pcx: &mut std::task::Context<'_>) -> Poll<Returned> {
        match self {
            Call::Now(r) => match r.take() {
                Some(r) => Poll::Ready(r),
                None => Poll::Pending,
            },
            Call::Later(f) => f.poll_unpin(pcx).map(|r| r.map_err(panic_message)),
        }
    }
}

/// Calls the resolver: a plain function, so nothing of the call is part of the
/// attempt's future. [`TaskResolver::invoke_now`] borrows the request (the Task
/// state run keeps it for the next attempt); [`TaskResolver::invoke`] gets a copy.
/// When `sync` (the request's sender points at a queue shared by attempts answered
/// at once) and the resolver does not answer at once, the attempt moves to the
/// state's own queue (`signals`, made if needed) with what it sent so far.
fn start<'a>(
    cx: &StateCx<'a>,
    request: &mut TaskRequest,
    signals: &mut Option<Arc<Signals>>,
    sync: bool,
) -> Call<'a> {
    let resolver: &'a dyn TaskResolver = &*cx.run.resolver;
    let call = std::panic::catch_unwind(AssertUnwindSafe(|| {
        match resolver.invoke_now(request) {
            Some(r) => Call::Now(Some(Ok(r))),
            None => {
                if sync {
                    let left = request.heartbeat.close_taking();
                    let own = signals.get_or_insert_with(Arc::default);
                    own.reopen(&mut request.heartbeat);
                    own.requeue(left);
                }
                // The resolver's future is already boxed (and so `Unpin`): no second box.
                Call::Later(AssertUnwindSafe(resolver.invoke(request.clone())).catch_unwind())
            }
        }
    }));
    call.unwrap_or_else(|p| Call::Now(Some(Err(panic_message(p)))))
}

fn timeout_failure(heartbeat: bool) -> Failure {
    let mut f = Failure::new(StatesError::without_cause(names::TIMEOUT));
    f.heartbeat = heartbeat;
    f
}

/// The outcome of a call answered at once (not waiting for a token), with the
/// signals the resolver sent (`left`, taken when the attempt's queue closed). A
/// `submitted` sent before returning is recorded first, as [`invoke`] does.
fn answered(
    cx: &StateCx<'_>,
    task: &Task,
    r: Returned,
    left: Vec<Signal>,
    res: &Names<'_>,
) -> Result<Val, Failure> {
    let mut submitted = false;
    for signal in left {
        if let Signal::Submitted(s) = signal {
            submit_once(cx, res, &mut submitted, &s);
        }
    }
    match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(task_error(task, e)),
        Err(panic) => Err(Failure::new(StatesError::new(names::TASK_FAILED, panic))),
    }
}

/// Waits for the resolver's call, then (for `.waitForTaskToken`) waits for the token, racing
/// the timeout and heartbeat timers.
#[allow(clippy::too_many_arguments)]
async fn invoke(
    cx: &StateCx<'_>,
    task: &Task,
    mut call: Call<'_>,
    waits: bool,
    timeout: Option<u64>,
    heartbeat: Option<u64>,
    hb_rx: &Signals,
    mut done_rx: Option<UnboundedReceiver<Completion>>,
    res: &Names<'_>,
) -> Result<Val, Failure> {
    let run = cx.run;
    let clock = &run.clock;
    let mut timeout_timer = timeout.map(|s| clock.timer(s.saturating_mul(1000)));
    let mut hb_timer = heartbeat.map(|s| clock.timer(s.saturating_mul(1000)));
    let mut returned = false;
    let mut submitted = false;
    loop {
        let event = poll_fn(|pcx| {
            // Signals first, so a `submitted` sent just before returning is recorded.
            let mut beat = false;
            while let Poll::Ready(signal) = hb_rx.poll_next(pcx) {
                match signal {
                    Signal::Heartbeat => beat = true,
                    Signal::Submitted(v) => return Poll::Ready(Event::Submitted(v)),
                }
            }
            if beat {
                return Poll::Ready(Event::Heartbeat);
            }
            if !returned {
                if let Poll::Ready(r) = call.poll(pcx) {
                    return Poll::Ready(Event::Returned(r));
                }
            } else if let Some(Poll::Ready(c)) = done_rx.as_mut().map(|r| r.poll_next_unpin(pcx)) {
                return Poll::Ready(Event::Completed(c));
            }
            if let Some(t) = timeout_timer.as_mut() {
                if t.poll_unpin(pcx).is_ready() {
                    return Poll::Ready(Event::TimedOut);
                }
            }
            if let Some(t) = hb_timer.as_mut() {
                if t.poll_unpin(pcx).is_ready() {
                    return Poll::Ready(Event::HeartbeatExpired);
                }
            }
            Poll::Pending
        })
        .await;
        if let Event::Returned(_) = &event {
            // A `submitted` sent in the same poll in which the resolver returned (a
            // `.sync` job that was submitted and then succeeded or failed): record it
            // before the outcome, as AWS does.
            while let Some(signal) = hb_rx.try_next() {
                if let Signal::Submitted(s) = signal {
                    submit_once(cx, res, &mut submitted, &s);
                }
            }
        }
        match event {
            Event::Returned(Err(panic)) => {
                return Err(Failure::new(StatesError::new(names::TASK_FAILED, panic)))
            }
            Event::Returned(Ok(Err(e))) => return Err(task_error(task, e)),
            Event::Returned(Ok(Ok(v))) => {
                if !waits {
                    return Ok(v);
                }
                returned = true;
                if !submitted {
                    submitted = true;
                    record_submitted(cx, res, &v);
                }
            }
            Event::Submitted(v) => {
                submit_once(cx, res, &mut submitted, &v);
                hb_timer = heartbeat.map(|s| clock.timer(s.saturating_mul(1000)));
            }
            Event::Completed(Some(Completion::Success(v))) => return Ok(v),
            Event::Completed(Some(Completion::Failure(e))) => return Err(task_error(task, e)),
            Event::Completed(None) => {
                return Err(Failure::new(StatesError::new(
                    names::TASK_FAILED,
                    "The task token was abandoned.",
                )))
            }
            Event::Heartbeat => {
                hb_timer = heartbeat.map(|s| clock.timer(s.saturating_mul(1000)));
            }
            Event::TimedOut => return Err(timeout_failure(false)),
            Event::HeartbeatExpired => return Err(timeout_failure(true)),
        }
    }
}
