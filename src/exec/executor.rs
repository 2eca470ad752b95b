//! [`Executor`]: configure once, run compiled state machines many times.

use super::clock::{Clock, VirtualClock};
use super::control::{Control, Termination};
use super::engine::{error_name, run_scope, Failure, Identity, Limits, Run};
use super::handle::ExecutionHandle;
use super::history::{EventDetails, EventType, HistoryLevel};
use super::idle::IdleDriver;
use super::outcome::{Outcome, Status};
use super::recorder::{Chain, Recorder};
use super::resolver::TaskResolver;
use super::retry::RetryIntervals;
use super::vars::Vars;
use crate::data::context::ExecutionContext;
use crate::data::random::Random;
use crate::definition::StateMachine;
use crate::error::{names, StatesError};
use crate::value::Val;
use futures::future::{poll_fn, Either};
use futures::FutureExt;
use std::future::Future;
use std::sync::Arc;
use std::task::Poll;

/// Runs state machines.
///
/// An `Executor` holds the task resolver and the run options; it is cheap to clone
/// and can run any number of executions, concurrently or not. Every execution gets a
/// fresh [`VirtualClock`] unless a clock is set with [`Executor::clock`]. Virtual
/// time suits tests and resolvers that answer from memory; when resolvers do real
/// I/O under `TimeoutSeconds`/`HeartbeatSeconds`, give the executor a real clock
/// (`TokioClock` with the `tokio` feature), or the timeouts may fire in virtual time
/// while the I/O is still in flight.
///
/// ```
/// use statelang::exec::{Executor, NoResolver, Status};
/// use statelang::{val, StateMachine};
/// use std::sync::Arc;
/// let machine = StateMachine::parse(r#"{"StartAt": "Nap", "States": {
///     "Nap": {"Type": "Wait", "Seconds": 86400, "Next": "Done"},
///     "Done": {"Type": "Pass", "Result": "rested", "ResultPath": "$.status", "End": true}}}"#).unwrap();
/// let executor = Executor::new(Arc::new(NoResolver)).random_seed(7);
/// // A day of virtual time passes in microseconds.
/// let outcome = futures::executor::block_on(executor.run(&machine, val!({"x": 1})));
/// assert_eq!(outcome.status, Status::Succeeded);
/// assert_eq!(outcome.output, Some(val!({"x": 1, "status": "rested"})));
/// assert_eq!(outcome.history.len(), 6);
/// ```
#[derive(Clone)]
pub struct Executor {
    resolver: Arc<dyn TaskResolver>,
    clock: Option<Arc<dyn Clock>>,
    seed: Option<u64>,
    state_machine_name: Option<String>,
    state_machine_arn: Option<String>,
    execution_name: Option<String>,
    execution_arn: Option<String>,
    account: String,
    region: String,
    role_arn: Option<String>,
    limits: Limits,
    history: HistoryLevel,
    idle_yields: u32,
    worker_name: Option<String>,
    retry_intervals: Arc<RetryIntervals>,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("seed", &self.seed)
            .field("region", &self.region)
            .field("account", &self.account)
            .field("limits", &self.limits)
            .field("history", &self.history)
            .finish()
    }
}

impl Executor {
    /// An executor whose Task states call `resolver`.
    pub fn new(resolver: Arc<dyn TaskResolver>) -> Executor {
        Executor {
            resolver,
            clock: None,
            seed: None,
            state_machine_name: None,
            state_machine_arn: None,
            execution_name: None,
            execution_arn: None,
            account: String::from("123456789012"),
            region: String::from("us-east-1"),
            role_arn: None,
            limits: Limits::default(),
            history: HistoryLevel::Full,
            idle_yields: 16,
            worker_name: None,
            retry_intervals: Arc::default(),
        }
    }

    /// Uses `clock` for every execution (e.g. a shared [`VirtualClock`] starting at a
    /// fixed time, or the real-time `TokioClock`).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Executor {
        self.clock = Some(clock);
        self
    }

    /// Seeds the randomness of `States.UUID`, `States.MathRandom`, retry jitter,
    /// task tokens and generated names: the same seed gives the same run.
    pub fn random_seed(mut self, seed: u64) -> Executor {
        self.seed = Some(seed);
        self
    }

    /// The state machine name (`$$.StateMachine.Name`; default `StateMachine`).
    pub fn state_machine_name(mut self, name: impl Into<String>) -> Executor {
        self.state_machine_name = Some(name.into());
        self
    }

    /// The state machine ARN (default built from region, account and name).
    pub fn state_machine_arn(mut self, arn: impl Into<String>) -> Executor {
        self.state_machine_arn = Some(arn.into());
        self
    }

    /// The execution name (`$$.Execution.Name`; default a random UUID).
    pub fn execution_name(mut self, name: impl Into<String>) -> Executor {
        self.execution_name = Some(name.into());
        self
    }

    /// The execution ARN (default built from region, account and names).
    pub fn execution_arn(mut self, arn: impl Into<String>) -> Executor {
        self.execution_arn = Some(arn.into());
        self
    }

    /// The account id used in ARNs (default `123456789012`).
    pub fn account(mut self, account: impl Into<String>) -> Executor {
        self.account = account.into();
        self
    }

    /// The region used in ARNs and `TaskScheduled` (default `us-east-1`).
    pub fn region(mut self, region: impl Into<String>) -> Executor {
        self.region = region.into();
        self
    }

    /// The execution role ARN (`$$.Execution.RoleArn`, `ExecutionStarted.roleArn`).
    pub fn role_arn(mut self, arn: impl Into<String>) -> Executor {
        self.role_arn = Some(arn.into());
        self
    }

    /// Payload and history limits (defaults: 262,144 bytes and 25,000 events).
    pub fn limits(mut self, limits: Limits) -> Executor {
        self.limits = limits;
        self
    }

    /// The largest state input/output or task result, in bytes of compact JSON.
    pub fn max_payload_bytes(mut self, bytes: usize) -> Executor {
        self.limits.max_payload_bytes = bytes;
        self
    }

    /// The most history events an execution may record before it fails.
    pub fn max_history_events(mut self, events: u64) -> Executor {
        self.limits.max_history_events = events;
        self
    }

    /// How much history to keep (default [`HistoryLevel::Full`]).
    pub fn history(mut self, level: HistoryLevel) -> Executor {
        self.history = level;
        self
    }

    /// On a virtual clock: how many times an idle execution yields to the host
    /// executor before time jumps to the next timer (default 16).
    pub fn idle_yields(mut self, yields: u32) -> Executor {
        self.idle_yields = yields.max(1);
        self
    }

    /// The worker name recorded in `ActivityStarted` (`GetActivityTask`'s
    /// `workerName`; absent by default).
    pub fn activity_worker_name(mut self, name: impl Into<String>) -> Executor {
        self.worker_name = Some(name.into());
        self
    }

    /// Waits `millis` before every retry of the state named `state` (a Task,
    /// Parallel or Map state at any depth), instead of the delay its Retry fields
    /// compute, as aws-local-stepfunctions' `retryIntervalOverrides`: for tests
    /// that should not spend time (real, or virtual in the history's timestamps)
    /// backing off. Which errors retry, `MaxAttempts` and the events are unchanged.
    ///
    /// ```
    /// use statelang::exec::{EventType, Executor, Resolvers, TaskError, VirtualClock};
    /// use statelang::{val, StateMachine};
    /// use std::sync::Arc;
    /// let machine = StateMachine::parse(r#"{"StartAt": "Call", "States": {"Call": {
    ///     "Type": "Task", "Resource": "flaky", "End": true,
    ///     "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 30, "MaxAttempts": 1}]}}}"#).unwrap();
    /// let resolvers = Resolvers::new().on_sync("flaky", |t| match t.retry_count {
    ///     0 => Err(TaskError::new("Busy", "try again")),
    ///     _ => Ok(val!("done")),
    /// });
    /// let clock = Arc::new(VirtualClock::starting_at(0));
    /// let executor = Executor::new(Arc::new(resolvers))
    ///     .clock(clock.clone())
    ///     .retry_interval_override("Call", 0);
    /// let outcome = futures::executor::block_on(executor.run(&machine, val!({})));
    /// assert_eq!(outcome.output, Some(val!("done")));
    /// assert_eq!(outcome.history.find(EventType::TaskFailed).map(|e| e.timestamp_millis), Some(0));
    /// assert_eq!(outcome.history.events().iter().last().map(|e| e.timestamp_millis), Some(0));
    /// ```
    pub fn retry_interval_override(mut self, state: &str, millis: u64) -> Executor {
        Arc::make_mut(&mut self.retry_intervals).set(state, millis);
        self
    }

    /// [`Executor::retry_interval_override`] for every state that has no override
    /// of its own.
    pub fn retry_interval_override_all(mut self, millis: u64) -> Executor {
        Arc::make_mut(&mut self.retry_intervals).set_all(millis);
        self
    }

    /// Runs `machine` on `input` to the end.
    pub async fn run(&self, machine: &StateMachine, input: Val) -> Outcome {
        self.start(machine, input).1.await
    }

    /// Prepares an execution: the handle (stop it, complete task tokens, stream its
    /// events) and the future that runs it. Nothing happens until the future is
    /// polled; it is `Send` and `'static`, so it can be spawned.
    pub fn start(
        &self,
        machine: &StateMachine,
        input: Val,
    ) -> (
        ExecutionHandle,
        impl Future<Output = Outcome> + Send + 'static,
    ) {
        let clock: Arc<dyn Clock> = match &self.clock {
            Some(c) => c.clone(),
            None => Arc::new(VirtualClock::new()),
        };
        let random = Arc::new(match self.seed {
            Some(s) => Random::seeded(s),
            None => Random::from_entropy(),
        });
        let sm_name = self
            .state_machine_name
            .clone()
            .unwrap_or_else(|| String::from("StateMachine"));
        let exec_name = self
            .execution_name
            .clone()
            .unwrap_or_else(|| random.uuid_v4());
        let sm_arn = self.state_machine_arn.clone().unwrap_or_else(|| {
            format!(
                "arn:aws:states:{}:{}:stateMachine:{}",
                self.region, self.account, sm_name
            )
        });
        let exec_arn = self.execution_arn.clone().unwrap_or_else(|| {
            format!(
                "arn:aws:states:{}:{}:execution:{}:{}",
                self.region, self.account, sm_name, exec_name
            )
        });
        let role_arn = self.role_arn.clone().unwrap_or_else(|| {
            format!(
                "arn:aws:iam::{}:role/StepFunctionsExecutionRole",
                self.account
            )
        });
        let exec_ctx = ExecutionContext {
            id: exec_arn.clone(),
            name: exec_name.clone(),
            input: input.clone(),
            role_arn: role_arn.clone(),
            start_millis: clock.now_millis(),
            redrive_count: 0,
            state_machine_id: sm_arn.clone(),
            state_machine_name: sm_name.clone(),
        };
        let recorder = Arc::new(Recorder::new(self.history, clock.clone()));
        let control = Arc::new(Control::default());
        let run = Arc::new(Run {
            resolver: self.resolver.clone(),
            clock: clock.clone(),
            random,
            limits: self.limits,
            identity: Identity {
                region: Arc::from(self.region.as_str()),
                account: Arc::from(self.account.as_str()),
                role_arn: Arc::from(role_arn.as_str()),
                state_machine_name: Arc::from(sm_name.as_str()),
                state_machine_arn: Arc::from(sm_arn.as_str()),
            },
            execution_val: exec_ctx.execution_val(),
            state_machine_val: exec_ctx.state_machine_val(),
            recorder: recorder.clone(),
            control: control.clone(),
            idle_yields: self.idle_yields,
            retry_intervals: self.retry_intervals.clone(),
            worker_name: self.worker_name.as_deref().map(Arc::from),
        });
        let handle = ExecutionHandle {
            control,
            recorder,
            execution_arn: Arc::from(exec_arn.as_str()),
        };
        let body = drive(run, machine.clone(), input);
        let fut = if clock.is_virtual() {
            Either::Left(IdleDriver::new(body, clock, self.idle_yields))
        } else {
            Either::Right(body)
        };
        (handle, fut)
    }
}

/// How the top level ended.
enum End {
    Done(Result<Val, Failure>),
    Terminated(Termination),
    TimedOut,
}

/// Runs an execution from `ExecutionStarted` to its closing event.
pub(crate) async fn drive(run: Arc<Run>, machine: StateMachine, input: Val) -> Outcome {
    let top = Chain::new(0);
    run.recorder.push(
        0,
        EventType::ExecutionStarted,
        EventDetails::ExecutionStarted {
            input: run.recorder.data(&input),
            role_arn: run.identity.role_arn.clone(),
        },
    );
    let end = if run.too_big(&input) {
        End::Done(Err(Failure::fatal(StatesError::new(
            names::DATA_LIMIT_EXCEEDED,
            "The execution input exceeds the maximum number of bytes service limit.",
        ))))
    } else {
        let scope = &machine.def().scope;
        let mut body = Box::pin(async {
            let mut vars = Vars::root();
            run_scope(&run, scope, input, &mut vars, &top, false).await
        });
        let mut timeout = machine
            .def()
            .timeout_seconds
            .map(|s| run.clock.sleep(s.saturating_mul(1000)));
        let mut terminated = run.control.terminated();
        let end = poll_fn(|cx| {
            if let Poll::Ready(t) = terminated.poll_unpin(cx) {
                return Poll::Ready(End::Terminated(t));
            }
            if let Poll::Ready(r) = body.as_mut().poll(cx) {
                return Poll::Ready(End::Done(r));
            }
            if let Some(t) = timeout.as_mut() {
                if t.poll_unpin(cx).is_ready() {
                    return Poll::Ready(End::TimedOut);
                }
            }
            Poll::Pending
        })
        .await;
        // Running states are abandoned without `*Aborted` events.
        run.control.close();
        drop(body);
        match (end, run.control.termination()) {
            (End::Done(_), Some(t)) => End::Terminated(t),
            (end, _) => end,
        }
    };
    run.control.close();
    let (status, output, error) = match end {
        End::Done(Ok(output)) => {
            run.recorder.push(
                top.last(),
                EventType::ExecutionSucceeded,
                EventDetails::Output {
                    output: run.recorder.data(&output),
                },
            );
            (Status::Succeeded, Some(output), None)
        }
        End::Done(Err(f)) => {
            run.recorder.push(
                top.last(),
                EventType::ExecutionFailed,
                EventDetails::Error {
                    error: error_name(&f.error),
                    cause: f.error.cause.clone(),
                },
            );
            let e = if f.error.error.is_empty() && f.error.cause.is_none() {
                None
            } else {
                Some(f.error)
            };
            (Status::Failed, None, e)
        }
        End::Terminated(Termination::Stopped { error, cause }) => {
            run.recorder.push(
                0,
                EventType::ExecutionAborted,
                EventDetails::Error {
                    error: error.as_deref().map(Arc::from),
                    cause: cause.clone(),
                },
            );
            let e = if error.is_some() || cause.is_some() {
                Some(StatesError {
                    error: Arc::from(error.unwrap_or_default()),
                    cause,
                })
            } else {
                None
            };
            (Status::Aborted, None, e)
        }
        End::Terminated(Termination::HistoryLimit) => {
            let e = StatesError::new(
                names::RUNTIME,
                format!(
                    "The execution reached the maximum number of history events ({}).",
                    run.limits.max_history_events
                ),
            );
            run.recorder.push(
                run.recorder.count(),
                EventType::ExecutionFailed,
                EventDetails::Error {
                    error: error_name(&e),
                    cause: e.cause.clone(),
                },
            );
            (Status::Failed, None, Some(e))
        }
        End::TimedOut => {
            let e = StatesError::without_cause(names::TIMEOUT);
            run.recorder.push(
                run.recorder.count(),
                EventType::ExecutionTimedOut,
                EventDetails::Error {
                    error: error_name(&e),
                    cause: None,
                },
            );
            (Status::TimedOut, None, Some(e))
        }
    };
    Outcome {
        status,
        output,
        error,
        history: run.recorder.finish(),
    }
}
