//! Retry and Catch, shared by Task, Parallel and Map.
//!
//! Retry: the first retrier whose `ErrorEquals` matches decides, and is never fallen
//! through; each retrier counts its attempts for the whole stay in the state; the
//! delay before retry *n* is `min(IntervalSeconds × BackoffRate^(n−1), MaxDelaySeconds)`,
//! drawn uniformly from `[0, delay]` with FULL jitter.
//!
//! Catch: the first matching catcher wins; the error output `{"Error", "Cause"}` goes
//! through the catcher's ResultPath into the state's raw input, and the state's own
//! OutputPath is not applied.

use super::engine::{Failure, StateCx, StateOk};
use super::io;
use crate::data::random::Random;
use crate::definition::io::Io;
use crate::definition::retry::{Catcher, ErrorMatcher, Jitter, Retrier};
use crate::definition::state::Transition;
use crate::error::names;
use crate::value::Val;
use std::sync::Arc;

/// `true` when `matcher` covers the failure.
///
/// `States.ALL` matches every catchable error; `States.TaskFailed` every catchable
/// error except `States.Timeout`; `States.HeartbeatTimeout` a heartbeat expiry; other
/// names match exactly. Uncatchable failures (`States.Runtime`, ...) match nothing.
#[inline]
pub(crate) fn matches(matcher: &ErrorMatcher, f: &Failure) -> bool {
    if !f.catchable {
        return false;
    }
    let error = &*f.error.error;
    // The same `Arc` (a resolver error named in Retry/Catch shares it): the same
    // name, which every rule of `match_name` matches. Checked first, inline; the
    // rules by name are out of line.
    for n in &matcher.names {
        if std::ptr::eq(&**n, error) {
            return true;
        }
    }
    matches_by_name(matcher, error, f.heartbeat)
}

#[inline(never)]
fn matches_by_name(matcher: &ErrorMatcher, error: &str, heartbeat: bool) -> bool {
    matcher
        .names
        .iter()
        .any(|n| match_name(n, error, heartbeat))
}

fn match_name(n: &str, error: &str, heartbeat: bool) -> bool {
    match n {
        names::ALL => true,
        names::TASK_FAILED => error != names::TIMEOUT,
        names::HEARTBEAT_TIMEOUT => heartbeat || error == names::HEARTBEAT_TIMEOUT,
        other => other == error,
    }
}

/// Retry intervals set by the embedding program in place of what the Retry fields
/// compute ([`Executor::retry_interval_override`](super::Executor::retry_interval_override)):
/// per state name, or for every state.
#[derive(Clone, Debug, Default)]
pub(crate) struct RetryIntervals {
    /// Per state name (the last one set for a name wins).
    by_state: Vec<(Arc<str>, u64)>,
    /// For every state without its own.
    all: Option<u64>,
}

impl RetryIntervals {
    /// Sets `state`'s interval.
    pub(crate) fn set(&mut self, state: &str, millis: u64) {
        self.by_state.retain(|(n, _)| &**n != state);
        self.by_state.push((Arc::from(state), millis));
    }

    /// Sets the interval of every state without its own.
    pub(crate) fn set_all(&mut self, millis: u64) {
        self.all = Some(millis);
    }

    /// `true` when state `state` with `retriers` retries without waiting: its
    /// interval is replaced by 0, or every retrier that retries has a zero
    /// `IntervalSeconds` (so every computed delay is 0).
    pub(crate) fn never_waits(&self, state: &str, retriers: &[Retrier]) -> bool {
        match self.get(state) {
            Some(millis) => millis == 0,
            None => retriers
                .iter()
                .all(|r| r.max_attempts == 0 || r.interval_seconds == 0),
        }
    }

    /// The interval that replaces `state`'s computed delays, if any.
    #[inline]
    fn get(&self, state: &str) -> Option<u64> {
        self.by_state
            .iter()
            .find(|(n, _)| &**n == state)
            .map(|(_, ms)| *ms)
            .or(self.all)
    }
}

/// Retriers whose counts are kept inline (no allocation per stay in a state).
const INLINE: usize = 4;

/// Attempt counts of one stay in a state.
#[derive(Debug)]
pub(crate) struct RetryState {
    /// The counts of the first [`INLINE`] retriers.
    counts: [u32; INLINE],
    /// The counts of the others (empty, unallocated, for most states).
    more: Vec<u32>,
    /// `$$.State.RetryCount`: retries so far.
    pub(crate) retry_count: u32,
}

impl RetryState {
    /// Fresh counts for `retriers`.
    pub(crate) fn new(retriers: &[Retrier]) -> RetryState {
        RetryState {
            counts: [0; INLINE],
            more: vec![0; retriers.len().saturating_sub(INLINE)],
            retry_count: 0,
        }
    }

    fn count_mut(&mut self, i: usize) -> Option<&mut u32> {
        match i.checked_sub(INLINE) {
            None => self.counts.get_mut(i),
            Some(j) => self.more.get_mut(j),
        }
    }

    /// Decides whether the state of `cx` retries `f`: the delay in milliseconds (the
    /// embedding program's override for the state, if it set one), or `None` to go
    /// to Catch.
    pub(crate) fn next_delay(
        &mut self,
        cx: &StateCx<'_>,
        retriers: &[Retrier],
        f: &Failure,
    ) -> Option<u64> {
        let delay = self.computed_delay(retriers, f, &cx.run.random)?;
        Some(cx.run.retry_intervals.get(&cx.state.name).unwrap_or(delay))
    }

    /// [`RetryState::next_delay`] as the Retry fields compute it (a FULL jitter
    /// draws its random number also when an override replaces the delay, so the
    /// random sequence does not depend on overrides).
    fn computed_delay(
        &mut self,
        retriers: &[Retrier],
        f: &Failure,
        random: &Random,
    ) -> Option<u64> {
        // The first retrier that matches (a plain loop: no iterator adapters per
        // failed attempt).
        let mut i = 0;
        let r = loop {
            let r = retriers.get(i)?;
            if matches(&r.errors, f) {
                break r;
            }
            i += 1;
        };
        let count = self.count_mut(i)?;
        if *count >= r.max_attempts {
            return None;
        }
        *count += 1;
        let n = *count;
        self.retry_count += 1;
        if r.backoff_rate == 1.0 && r.jitter != Jitter::Full {
            // A constant interval: whole seconds, no floating point (the same
            // result for every interval AWS accepts, up to 99,999,999 s).
            let secs = match r.max_delay_seconds {
                Some(max) => r.interval_seconds.min(max),
                None => r.interval_seconds,
            };
            return Some(secs.saturating_mul(1000));
        }
        let mut secs = r.interval_seconds as f64 * r.backoff_rate.powi(n as i32 - 1);
        if let Some(max) = r.max_delay_seconds {
            secs = secs.min(max as f64);
        }
        if r.jitter == Jitter::Full {
            secs *= random.next_f64();
        }
        let millis = (secs * 1000.0).round();
        Some(if millis.is_finite() && millis > 0.0 {
            millis.min(u64::MAX as f64) as u64
        } else {
            0
        })
    }
}

/// Applies the first matching catcher, or gives the failure back.
pub(crate) fn catch(
    cx: &StateCx<'_>,
    catchers: &[Catcher],
    raw: Val,
    f: Failure,
) -> Result<StateOk, Failure> {
    let Some(c) = catchers.iter().find(|c| matches(&c.errors, &f)) else {
        return Err(f);
    };
    let error_output = f.error_output();
    // A JSONPath catcher without Assign only places the error output: no context
    // object to copy.
    if let (Io::JsonPath(_), None) = (&cx.state.io, &c.assign) {
        return Ok(StateOk {
            output: io::result_path(cx, &c.result_path, raw, error_output)?,
            next: Transition::Next(c.next),
            assigned: None,
        });
    }
    let ctx = cx.context();
    let states = super::jsonata::States {
        error_output: Some(&error_output),
        ..super::jsonata::States::new(&raw, &ctx)
    };
    let assigned = match &c.assign {
        Some(a) => Some(io::assign(cx, a, &error_output, &ctx, states)?),
        None => None,
    };
    let output = match &cx.state.io {
        Io::JsonPath(_) => io::result_path(cx, &c.result_path, raw, error_output)?,
        Io::Jsonata(_) => match &c.output {
            Some(o) => super::jsonata::eval(cx, o, "Output", states)?,
            None => error_output,
        },
    };
    Ok(StateOk {
        output,
        next: Transition::Next(c.next),
        assigned,
    })
}
