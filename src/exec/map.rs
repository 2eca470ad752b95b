//! Map states: the item source (ItemsPath), per-item ItemSelector, MaxConcurrency,
//! failure tolerance, results in item order. INLINE iterations run here, recording
//! `MapIteration*` events; DISTRIBUTED runs go to [`super::distributed`].

use super::concurrent::Set;
use super::engine::{
    runs_tasks, scope_loop, BoxedTasks, Failure, InlineTasks, Run, StateCx, StateOk, TaskMode,
};
use super::history::{EventDetails, EventType};
use super::io;
use super::jsonata;
use super::recorder::Chain;
use super::retry::{self, RetryState};
use super::task;
use super::vars::Vars;
use crate::data::context::ContextObject;
use crate::definition::io::Io;
use crate::definition::machine::Scope;
use crate::definition::map::{Count, ItemSelector, MapMode, MapState, Percentage};
use crate::definition::state::StateKind;
use crate::error::{names, StatesError};
use crate::value::Val;
use std::task::Poll;

/// How many iteration failures a Map tolerates.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tolerance {
    pub(crate) count: Option<u64>,
    pub(crate) percentage: Option<f64>,
}

impl Tolerance {
    /// `true` when `failed` of `total` is more than tolerated.
    pub(crate) fn exceeded(&self, failed: usize, total: usize) -> bool {
        if failed == 0 {
            return false;
        }
        match (self.count, self.percentage) {
            (None, None) => true,
            (count, pct) => {
                count.is_some_and(|c| failed as u64 > c)
                    || pct
                        .is_some_and(|p| total > 0 && (failed as f64) * 100.0 / (total as f64) > p)
            }
        }
    }

    /// `true` when some tolerance is configured (failures then report
    /// `States.ExceedToleratedFailureThreshold`).
    pub(crate) fn configured(&self) -> bool {
        self.count.is_some() || self.percentage.is_some()
    }
}

/// The failure of a Map whose tolerated failure threshold was exceeded.
pub(crate) fn threshold_exceeded() -> Failure {
    Failure::new(StatesError::new(
        names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
        "The specified tolerated failure threshold was exceeded",
    ))
}

/// Runs a Map state.
pub(crate) async fn run(cx: &StateCx<'_>, m: &MapState, raw: Val) -> Result<StateOk, Failure> {
    let mut retry = RetryState::new(&m.retry);
    let (results, ctx) = loop {
        let mut ctx = cx.context();
        ctx.retry_count = Some(retry.retry_count);
        let input = match &cx.state.io {
            Io::JsonPath(io) => io::filter(cx, &io.input_path, &raw, &ctx)?,
            Io::Jsonata(_) => raw.clone(),
        };
        let outcome = match m.mode {
            // Iterations that run Task states hold their futures in place.
            MapMode::Inline if runs_tasks(&m.processor) => {
                inline::<InlineTasks>(cx, m, &input, &ctx).await
            }
            MapMode::Inline => inline::<BoxedTasks>(cx, m, &input, &ctx).await,
            MapMode::Distributed { .. } => super::distributed::run(cx, m, &input, &ctx).await,
        };
        match outcome {
            Ok(results) => break (results, ctx),
            Err(Attempt::Fatal(f)) => return Err(f),
            Err(Attempt::Failed(f)) => {
                if let Some(delay) = retry.next_delay(cx, &m.retry, &f) {
                    if delay > 0 {
                        cx.run.clock.timer(delay).await;
                    }
                    continue;
                }
                cx.record(EventType::MapStateFailed, EventDetails::None);
                return retry::catch(cx, &m.catch, raw, f);
            }
        }
    };
    // AWS links MapStateExited to MapStateSucceeded's predecessor.
    let before = cx.chain.last();
    cx.record(EventType::MapStateSucceeded, EventDetails::None);
    cx.chain.set(before);
    let result = io::select_result(cx, results, &ctx)?;
    let (output, assigned) = io::finish(cx, raw, result, &ctx, cx.state.assign.as_ref())?;
    Ok(StateOk {
        output,
        next: cx.state.transition,
        assigned,
    })
}

/// How a Map attempt failed.
pub(crate) enum Attempt {
    /// Before the iterations ran (paths, counts): the state fails without
    /// `MapStateFailed`, and Retry/Catch see it only if it is catchable.
    Fatal(Failure),
    /// An iteration (or the map run) failed: `MapStateFailed`, then Retry/Catch.
    Failed(Failure),
}

/// A JSONata evaluation failure of the item source fails the attempt the way an
/// iteration does (`MapStateFailed`, then Retry/Catch), as AWS records it.
pub(crate) fn evaluation_failed(f: Failure) -> Attempt {
    if f.error.is(names::QUERY_EVALUATION_ERROR) {
        Attempt::Failed(f)
    } else {
        Attempt::Fatal(f)
    }
}

impl From<Failure> for Attempt {
    fn from(f: Failure) -> Attempt {
        Attempt::Fatal(f)
    }
}

/// The items to iterate: ItemsPath (JSONPath) or Items (JSONata) over the input.
pub(crate) fn items(
    cx: &StateCx<'_>,
    m: &MapState,
    input: &Val,
    ctx: &ContextObject,
) -> Result<Vec<Val>, Failure> {
    let source = match (&m.items_path, &m.items) {
        (Some(p), _) => io::eval_path(cx, p, input, ctx)?,
        (None, Some(j)) => {
            let states = jsonata::States::new(input, ctx);
            jsonata::eval_typed(cx, j, "Items", states, "array")?
        }
        (None, None) => input.clone(),
    };
    match source.as_array() {
        Some(a) => Ok(a.to_vec()),
        None => {
            let message = format!(
                "Map state input must be an array but was: {}",
                source.to_json_string()
            );
            Err(match cx.state.io {
                Io::JsonPath(_) => cx.runtime(message),
                Io::Jsonata(_) => jsonata::error(cx, None, message),
            })
        }
    }
}

/// The input of iteration `index`: the ItemSelector over the Map's effective input
/// with `$$.Map.Item`, or the item itself.
///
/// `item_ctx` is the Map's context object with room for the item: made from `ctx`
/// on first use and reused for every item after (rather than three reference
/// counts up and down per item).
pub(crate) fn item_input(
    cx: &StateCx<'_>,
    m: &MapState,
    input: &Val,
    ctx: &ContextObject,
    item_ctx: &mut Option<ContextObject>,
    index: usize,
    item: Val,
) -> Result<Val, Failure> {
    let Some(selector) = &m.item_selector else {
        return Ok(item);
    };
    let item_ctx = item_ctx.get_or_insert_with(|| ctx.clone());
    item_ctx.map_item = Some((index, item));
    let r = match selector {
        ItemSelector::JsonPath(t) => io::template(cx, t, input, item_ctx),
        ItemSelector::Jsonata(j) => {
            jsonata::eval(cx, j, "ItemSelector", jsonata::States::new(input, item_ctx))
        }
    };
    item_ctx.map_item = None;
    r
}

pub(crate) fn count(
    cx: &StateCx<'_>,
    c: Option<&Count>,
    field: &str,
    input: &Val,
    ctx: &ContextObject,
) -> Result<Option<u64>, Failure> {
    match c {
        None => Ok(None),
        Some(Count::Literal(n)) => Ok(Some(*n)),
        Some(Count::Path(p)) => {
            let v = io::eval_path(cx, p, input, ctx)?;
            match integer(&v) {
                Some(n) => match u64::try_from(n) {
                    Ok(u) => Ok(Some(u)),
                    Err(_) => Err(cx.runtime(format!("{field} cannot be negative."))),
                },
                None => Err(cx.runtime(format!(
                    "The {field}Path field refers to value \"{}\" which is not a valid integer: {}",
                    io::shown(&v),
                    p.text()
                ))),
            }
        }
        Some(Count::Jsonata(j)) => {
            let v = jsonata::eval(cx, j, field, jsonata::States::new(input, ctx))?;
            match v.as_number().and_then(|n| n.as_u64()) {
                Some(u) => Ok(Some(u)),
                None => Err(jsonata::error(
                    cx,
                    Some(field),
                    format!("Expected non-negative integer for {field}, got '{v}' instead."),
                )),
            }
        }
    }
}

/// An integer as AWS reads one from a path: a JSON integer or a string holding one.
pub(crate) fn integer(v: &Val) -> Option<i64> {
    match v {
        Val::Number(n) => n.as_i64(),
        Val::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A number as AWS reads one from a path: a JSON number or a string holding one.
fn float(v: &Val) -> Option<f64> {
    match v {
        Val::Number(n) => n.as_f64(),
        Val::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn percentage(
    cx: &StateCx<'_>,
    p: Option<&Percentage>,
    input: &Val,
    ctx: &ContextObject,
) -> Result<Option<f64>, Failure> {
    let field = "ToleratedFailurePercentage";
    let v = match p {
        None => return Ok(None),
        Some(Percentage::Literal(f)) => *f,
        Some(Percentage::Path(path)) => {
            let v = io::eval_path(cx, path, input, ctx)?;
            match float(&v) {
                Some(f) => f,
                None => {
                    return Err(cx.runtime(format!(
                    "The {field}Path field refers to value \"{}\" which is not a valid float: {}",
                    io::shown(&v),
                    path.text()
                )))
                }
            }
        }
        Some(Percentage::Jsonata(j)) => {
            match jsonata::eval(cx, j, field, jsonata::States::new(input, ctx))?.as_f64() {
                Some(f) => f,
                None => return Err(cx.runtime(format!("{field} must be a number."))),
            }
        }
    };
    if !(0.0..=100.0).contains(&v) {
        return Err(cx.runtime(format!("{field} must be between 0 and 100.")));
    }
    Ok(Some(v))
}

/// AWS quirk: `true` when the Map's `MaxConcurrencyPath` resolves to a negative
/// integer, in which case AWS neither fails the state nor runs it. It accepts the
/// execution and then stalls: the recording
/// (scenarios/base_scenarios__max_concurrency_path_negative) has `ExecutionStarted`
/// and nothing more, not even `MapStateEntered`, and the execution stays RUNNING.
/// The executor reproduces that by never entering the state: only the execution's
/// `TimeoutSeconds` or StopExecution ends it.
///
/// Called before `MapStateEntered`, so it evaluates the path itself on the state
/// input after `InputPath` (`cx` describes the state as it would be entered). When
/// that evaluation fails the state is entered normally and fails as usual. Only the
/// INLINE mode was recorded; DISTRIBUTED Maps are treated alike, since the stall
/// happens before anything mode-specific.
pub(crate) fn stalls_before_entering(cx: &StateCx<'_>, m: &MapState, raw: &Val) -> bool {
    let (Some(Count::Path(p)), Io::JsonPath(jp)) = (&m.max_concurrency, &cx.state.io) else {
        return false;
    };
    let ctx = cx.context();
    io::filter(cx, &jp.input_path, raw, &ctx)
        .and_then(|input| io::eval_path(cx, p, &input, &ctx))
        .ok()
        .and_then(|v| integer(&v))
        .is_some_and(|n| n < 0)
}

/// MaxConcurrency as a limit on iterations in flight (evaluated before
/// `MapStateStarted`, as AWS does).
pub(crate) fn max_concurrency(
    cx: &StateCx<'_>,
    m: &MapState,
    input: &Val,
    ctx: &ContextObject,
) -> Result<usize, Failure> {
    let max = count(cx, m.max_concurrency.as_ref(), "MaxConcurrency", input, ctx)?.unwrap_or(0);
    Ok(if max == 0 {
        usize::MAX
    } else {
        usize::try_from(max).unwrap_or(usize::MAX)
    })
}

/// The tolerated failures (evaluated after `MapStateStarted`, as AWS does).
pub(crate) fn tolerance(
    cx: &StateCx<'_>,
    m: &MapState,
    input: &Val,
    ctx: &ContextObject,
) -> Result<Tolerance, Failure> {
    Ok(Tolerance {
        count: count(
            cx,
            m.tolerated_failure_count.as_ref(),
            "ToleratedFailureCount",
            input,
            ctx,
        )?,
        percentage: percentage(cx, m.tolerated_failure_percentage.as_ref(), input, ctx)?,
    })
}

/// Records `MapIterationAborted` if an iteration is dropped while running.
struct IterationGuard<'a> {
    cx: &'a StateCx<'a>,
    chain: &'a Chain,
    index: usize,
    armed: bool,
}

impl IterationGuard<'_> {
    /// The iteration ended: nothing to record on drop.
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for IterationGuard<'_> {
    fn drop(&mut self) {
        if self.armed && !self.cx.run.control.is_closing() {
            let run = self.cx.run;
            run.limit_checked(run.recorder.record_iteration(
                self.chain,
                EventType::MapIterationAborted,
                &self.cx.state.name,
                self.index,
            ));
        }
    }
}

/// Runs the iterations of an INLINE Map once.
async fn inline<M: TaskMode>(
    cx: &StateCx<'_>,
    m: &MapState,
    input: &Val,
    ctx: &ContextObject,
) -> Result<Val, Attempt> {
    let items = items(cx, m, input, ctx).map_err(evaluation_failed)?;
    let total = items.len();
    let limit = max_concurrency(cx, m, input, ctx).map_err(evaluation_failed)?;
    let started = cx.record(
        EventType::MapStateStarted,
        EventDetails::MapStateStarted { length: total },
    );
    let tolerance = tolerance(cx, m, input, ctx).map_err(evaluation_failed)?;

    let iteration = |index: usize, item_input: Val| async move {
        let chain = Chain::new(started);
        let run = cx.run;
        run.limit_checked(run.recorder.record_iteration(
            &chain,
            EventType::MapIterationStarted,
            &cx.state.name,
            index,
        ));
        let guard = IterationGuard {
            cx,
            chain: &chain,
            index,
            armed: true,
        };
        let mut vars = Vars::child(cx.vars);
        let r = scope_loop::<M>(cx.run, &m.processor, item_input, &mut vars, &chain, true).await;
        guard.disarm();
        let t = if r.is_ok() {
            EventType::MapIterationSucceeded
        } else {
            EventType::MapIterationFailed
        };
        run.limit_checked(
            run.recorder
                .record_iteration(&chain, t, &cx.state.name, index),
        );
        (r, chain.last())
    };

    // A processor whose iterations never suspend runs them here one after
    // another, without a slot of their own among concurrent ones.
    let never_suspends = never_suspends(cx.run, &m.processor);

    let mut results: Vec<Val> = vec![Val::Null; total];
    let mut pending = items.into_iter().enumerate();
    let mut set = Set::with_capacity(limit.min(total));
    let mut item_ctx = None;
    let mut failed = 0usize;
    let mut last = started;
    loop {
        // Start iterations up to the limit, in item order. Each is polled here
        // once, in the slot it keeps while it runs: one that completes without
        // suspending leaves its slot to the next. The order of first polls, and so
        // of events, is the same as pushing every iteration into the set and
        // letting it poll them in order.
        while set.len() < limit {
            let Some((i, item)) = pending.next() else {
                // The slots of iterations that end from now on are not reused:
                // their memory goes back as they end.
                set.close();
                break;
            };
            let item_input = match item_input(cx, m, input, ctx, &mut item_ctx, i, item) {
                Ok(v) => v,
                Err(f) => {
                    set.abort_in_order();
                    cx.chain.set(cx.run.recorder.count());
                    return Err(evaluation_failed(f));
                }
            };
            if never_suspends {
                let (r, iteration_last) = iteration(i, item_input).await;
                last = last.max(iteration_last);
                if let Some(a) = settle(r, i, &mut results, &mut failed, total, &tolerance) {
                    set.abort_in_order();
                    cx.chain.set(cx.run.recorder.count());
                    return Err(a);
                }
                continue;
            }
            let mut item_input = Some(item_input);
            let first = futures::future::poll_fn(|tcx| {
                Poll::Ready(match item_input.take() {
                    Some(v) => set.start(tcx, i, || iteration(i, v)),
                    None => Poll::Pending,
                })
            })
            .await;
            match first {
                Poll::Ready((r, iteration_last)) => {
                    last = last.max(iteration_last);
                    if let Some(a) = settle(r, i, &mut results, &mut failed, total, &tolerance) {
                        set.abort_in_order();
                        cx.chain.set(cx.run.recorder.count());
                        return Err(a);
                    }
                }
                Poll::Pending => {}
            }
        }
        let Some((i, (r, iteration_last))) = set.next().await else {
            break;
        };
        last = last.max(iteration_last);
        if let Some(a) = settle(r, i, &mut results, &mut failed, total, &tolerance) {
            set.abort_in_order();
            cx.chain.set(cx.run.recorder.count());
            return Err(a);
        }
    }
    cx.chain.set(last);
    Ok(Val::array(results))
}

/// `true` when no state of `scope` ever suspends: Pass, Choice, Succeed, Fail,
/// and Tasks that never wait ([`task::never_waits`]). Its runs complete in their
/// first poll, in the same order of events whether they run one after another or
/// side by side.
fn never_suspends(run: &Run, scope: &Scope) -> bool {
    scope.states.iter().all(|s| match &s.kind {
        StateKind::Pass { .. } | StateKind::Choice(_) | StateKind::Succeed | StateKind::Fail(_) => {
            true
        }
        StateKind::Task(t) => task::never_waits(run, s, t),
        _ => false,
    })
}

/// Files the outcome of iteration `i`: its output, or its error output when the
/// failure is tolerated; the attempt's failure when the Map fails.
fn settle(
    r: Result<Val, Failure>,
    i: usize,
    results: &mut [Val],
    failed: &mut usize,
    total: usize,
    tolerance: &Tolerance,
) -> Option<Attempt> {
    match r {
        Ok(v) => {
            if let Some(slot) = results.get_mut(i) {
                *slot = v;
            }
            None
        }
        Err(f) if !f.catchable => Some(Attempt::Failed(f)),
        Err(f) => {
            *failed += 1;
            if tolerance.exceeded(*failed, total) {
                let f = if tolerance.configured() {
                    threshold_exceeded()
                } else {
                    f
                };
                return Some(Attempt::Failed(f));
            }
            if let Some(slot) = results.get_mut(i) {
                *slot = f.error_output();
            }
            None
        }
    }
}
