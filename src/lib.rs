//! statelang: an embeddable Amazon States Language (AWS Step Functions) engine.
//!
//! A program hands statelang a state machine definition (ASL JSON) and an input;
//! statelang validates the definition into a compiled [`StateMachine`], runs it with
//! plain async Rust, calls the program's own async functions for Task states, and
//! returns an [`Outcome`]: the status, the output or the error and cause, and an
//! execution history in the shape AWS records.
//!
//! ```
//! use statelang::{val, Executor, Resolvers, StateMachine, Status};
//! use std::sync::Arc;
//!
//! // Parse and validate once (every problem is reported, with a JSON pointer).
//! let machine = StateMachine::parse(r#"{
//!   "StartAt": "Charge",
//!   "States": {
//!     "Charge": {
//!       "Type": "Task",
//!       "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
//!       "Parameters": {"amount.$": "$.order.total", "currency": "EUR"},
//!       "ResultPath": "$.receipt",
//!       "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 5, "MaxAttempts": 2}],
//!       "Next": "Done"
//!     },
//!     "Done": {"Type": "Succeed", "OutputPath": "$.receipt"}
//!   }
//! }"#).expect("a valid definition");
//!
//! // Task states call your code; a router maps resources to async closures.
//! let resolvers = Resolvers::new().on(
//!     "arn:aws:lambda:us-east-1:123456789012:function:charge",
//!     |task| async move { Ok(val!({"charged": task.input.get("amount").cloned()})) },
//! );
//!
//! // Run many times; Wait states and retry back-off use a virtual clock by default.
//! let executor = Executor::new(Arc::new(resolvers));
//! let outcome = futures::executor::block_on(
//!     executor.run(&machine, val!({"order": {"total": 42}})),
//! );
//! assert_eq!(outcome.status, Status::Succeeded);
//! assert_eq!(outcome.output, Some(val!({"charged": 42})));
//! assert_eq!(outcome.history.type_names()[..3], ["ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled"]);
//! ```
//!
//! The pipeline is visible in the modules: [`definition`] (ASL JSON → validated,
//! typed machine), [`data`] (JSONPath paths, payload templates, intrinsic functions,
//! the context object), [`jsonata`] (the JSONata language), [`exec`] (the executor,
//! clock, resolvers and history), [`mock`] (AWS Step Functions Local mock
//! configurations), and [`value`] (the engine's shared JSON value).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "conformance")]
pub mod conformance;
pub mod data;
pub mod definition;
pub mod error;
pub mod exec;
pub mod jsonata;
pub mod mock;
pub mod value;

pub use definition::{DefinitionError, StateMachine};
pub use error::StatesError;
pub use exec::{Executor, Outcome, Resolvers, Status};
pub use value::Val;

/// The README's examples, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
