//! Parallel states: every branch runs concurrently on a copy (a shared `Val`) of the
//! effective input; results come back in branch order; the first failure aborts the
//! other branches and fails the state with the branch's own error.

use super::concurrent::Set;
use super::engine::{
    runs_tasks, scope_loop, BoxedTasks, Failure, InlineTasks, StateCx, StateOk, TaskMode,
};
use super::history::{EventDetails, EventType};
use super::io;
use super::recorder::Chain;
use super::retry::{self, RetryState};
use super::vars::Vars;
use crate::definition::parallel::Parallel;
use crate::value::Val;
use std::task::Poll;

/// Runs a Parallel state.
pub(crate) async fn run(cx: &StateCx<'_>, p: &Parallel, raw: Val) -> Result<StateOk, Failure> {
    let mut retry = RetryState::new(&p.retry);
    let (results, ctx) = loop {
        let mut ctx = cx.context();
        ctx.retry_count = Some(retry.retry_count);
        // A JSONata `Arguments` error is retriable and catchable, and fails the
        // state before `ParallelStateStarted` (uncatchable errors pass through).
        let input = match io::effective_input(cx, &raw, &ctx) {
            Ok(input) => input,
            Err(f) => {
                if let Some(delay) = retry.next_delay(cx, &p.retry, &f) {
                    if delay > 0 {
                        cx.run.clock.timer(delay).await;
                    }
                    continue;
                }
                return retry::catch(cx, &p.catch, raw, f);
            }
        };
        let started = cx.record(EventType::ParallelStateStarted, EventDetails::None);
        // Branches that run Task states hold their futures in place.
        let outcome = if p.branches.iter().any(runs_tasks) {
            branches::<InlineTasks>(cx, p, &input, started).await
        } else {
            branches::<BoxedTasks>(cx, p, &input, started).await
        };
        match outcome {
            Ok(results) => break (results, ctx),
            Err(f) => {
                if let Some(delay) = retry.next_delay(cx, &p.retry, &f) {
                    if delay > 0 {
                        cx.run.clock.timer(delay).await;
                    }
                    continue;
                }
                cx.record(EventType::ParallelStateFailed, EventDetails::None);
                return retry::catch(cx, &p.catch, raw, f);
            }
        }
    };
    cx.record(EventType::ParallelStateSucceeded, EventDetails::None);
    let result = io::select_result(cx, Val::array(results), &ctx)?;
    let (output, assigned) = io::finish(cx, raw, result, &ctx, cx.state.assign.as_ref())?;
    Ok(StateOk {
        output,
        next: cx.state.transition,
        assigned,
    })
}

/// Runs every branch once; the results in branch order, or the first failure.
async fn branches<M: TaskMode>(
    cx: &StateCx<'_>,
    p: &Parallel,
    input: &Val,
    started: u64,
) -> Result<Vec<Val>, Failure> {
    let branch = |scope| {
        let input = input.clone();
        async move {
            let chain = Chain::new(started);
            let mut vars = Vars::child(cx.vars);
            let r = scope_loop::<M>(cx.run, scope, input, &mut vars, &chain, true).await;
            (r, chain.last())
        }
    };
    let mut results: Vec<Val> = vec![Val::Null; p.branches.len()];
    let mut last = started;
    // A branch that ended: its result goes into its slot (a failure is handed back).
    let mut settle = |i: usize, r: Result<Val, Failure>, branch_last: u64| {
        last = last.max(branch_last);
        let v = r?;
        if let Some(slot) = results.get_mut(i) {
            *slot = v;
        }
        Ok::<(), Failure>(())
    };
    let mut set = Set::with_capacity(p.branches.len());
    // Each branch is polled here once, in branch order, in the slot it keeps
    // while it runs: one that completes without suspending leaves its slot to the
    // next. The order of first polls, and so of events, is the same as pushing
    // every branch into the set and letting it poll them in order.
    for (i, scope) in p.branches.iter().enumerate() {
        let mut once = Some(scope);
        let first = futures::future::poll_fn(|tcx| {
            Poll::Ready(match once.take() {
                Some(scope) => set.start(tcx, i, || branch(scope)),
                None => Poll::Pending,
            })
        })
        .await;
        if let Poll::Ready((r, branch_last)) = first {
            if let Err(f) = settle(i, r, branch_last) {
                set.abort_in_order();
                cx.chain.set(cx.run.recorder.count());
                return Err(f);
            }
        }
    }
    while let Some((i, (r, branch_last))) = set.next().await {
        if let Err(f) = settle(i, r, branch_last) {
            set.abort_in_order();
            cx.chain.set(cx.run.recorder.count());
            return Err(f);
        }
    }
    cx.chain.set(last);
    Ok(results)
}
