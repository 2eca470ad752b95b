//! The executor: runs a compiled [`StateMachine`](crate::StateMachine) on an input
//! and produces an [`Outcome`] with the AWS-shaped [`History`].
//!
//! - [`Executor`] holds the options and the [`TaskResolver`] that Task states call;
//!   [`Executor::run`] runs to the end, [`Executor::start`] also returns an
//!   [`ExecutionHandle`] to stop the execution, complete `.waitForTaskToken` tokens
//!   and stream events.
//! - [`Resolvers`] routes resources to async closures.
//! - Time comes from a [`Clock`]: the deterministic [`VirtualClock`] by default
//!   (Waits, back-off and timeouts finish instantly, in order, with correct
//!   timestamps), or real time with `TokioClock` (cargo feature `tokio`).
//!
//! The executor depends only on `futures`: it runs under tokio, under
//! `futures::executor::block_on`, or any other executor. Parallel branches and Map
//! iterations run concurrently inside the execution's own future.
//!
//! ```
//! use statelang::exec::{Executor, Resolvers, Status, TaskError};
//! use statelang::{val, StateMachine};
//! use std::sync::Arc;
//! let machine = StateMachine::parse(r#"{"StartAt": "Charge", "States": {
//!     "Charge": {"Type": "Task", "Resource": "charge", "ResultPath": "$.receipt",
//!                "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 5}],
//!                "End": true}}}"#).unwrap();
//! let resolvers = Resolvers::new().on("charge", |task| async move {
//!     if task.retry_count == 0 {
//!         return Err(TaskError::new("Busy", "try again"));
//!     }
//!     Ok(val!({"charged": task.input.get("amount").cloned()}))
//! });
//! let executor = Executor::new(Arc::new(resolvers));
//! let outcome = futures::executor::block_on(executor.run(&machine, val!({"amount": 3})));
//! assert_eq!(outcome.status, Status::Succeeded);
//! assert_eq!(outcome.output, Some(val!({"amount": 3, "receipt": {"charged": 3}})));
//! ```

mod choice;
pub mod clock;
mod concurrent;
mod control;
mod distributed;
mod engine;
mod executor;
mod fail;
mod handle;
pub mod history;
mod idle;
mod io;
mod jsonata;
mod map;
mod outcome;
mod parallel;
mod pass;
mod recorder;
pub mod resolver;
mod retry;
pub mod router;
mod succeed;
mod task;
mod vars;
mod wait;

pub use crate::data::context::LazyContext;
#[cfg(feature = "tokio")]
pub use clock::TokioClock;
pub use clock::{Clock, Timer, VirtualClock};
pub use engine::Limits;
pub use executor::Executor;
pub use handle::{ExecutionHandle, TaskDoesNotExist};
pub use history::{
    ActivityScheduledDetails, EvaluationFailedDetails, EventDetails, EventType, Events, EventsIter,
    History, HistoryEvent, HistoryLevel, LambdaFunctionSettings, TaskErrorDetails,
    TaskScheduledDetails,
};
pub use outcome::{Outcome, Status};
pub use resolver::{HeartbeatSender, TaskError, TaskRequest, TaskResolver};
pub use router::{NoResolver, Resolvers};
